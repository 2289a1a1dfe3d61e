package org.hopfieldstore.core.reduce;

import java.nio.ByteBuffer;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/** Creates the empty partial a model spec needs, and reads any partial back from bytes. */
public final class Partials {
  private Partials() {}

  /**
   * An empty partial for {@code batch} queries of dimension {@code dim}: online softmax, top-K
   * lists, or sparse candidate lists. {@code report} is how many best weights softmax keeps.
   */
  public static PartialScores<?> empty(RetrievalSpec spec, int batch, int dim, int report) {
    return spec.rule().emptyPartial(spec, batch, dim, report);
  }

  /** As above, for a step that knows its queries' update keys (see {@link MemoryMask#queryKey}). */
  public static PartialScores<?> empty(RetrievalSpec spec, int batch, int dim, int report,
      long[] queryKeys) {
    return spec.rule().emptyPartial(spec, batch, dim, report, queryKeys);
  }

  /** Reads any partial written by {@code toBytes}, by its leading tag. */
  public static PartialScores<?> fromBytes(byte[] bytes) {
    if (bytes.length < 4) {
      throw new IllegalArgumentException("truncated partial (" + bytes.length + " bytes)");
    }
    int tag = ByteBuffer.wrap(bytes).getInt();
    switch (tag) {
      case SoftmaxPartial.TAG:
        return SoftmaxPartial.fromBytes(bytes);
      case TopKPartial.TAG:
        return TopKPartial.fromBytes(bytes);
      case SupportPartial.TAG:
        return SupportPartial.fromBytes(bytes);
      default:
        throw new IllegalArgumentException("unknown partial tag 0x" + Integer.toHexString(tag));
    }
  }

  /** Merges two partials of the same kind (an unchecked dispatch for callers holding {@code ?}). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static PartialScores<?> merge(PartialScores<?> a, PartialScores<?> b) {
    if (a.getClass() != b.getClass()) {
      throw new IllegalArgumentException(
          "cannot merge " + a.getClass().getSimpleName() + " with " + b.getClass().getSimpleName());
    }
    return (PartialScores<?>) ((PartialScores) a).merge(b);
  }
}
