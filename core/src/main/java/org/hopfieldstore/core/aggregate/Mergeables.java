package org.hopfieldstore.core.aggregate;

import java.nio.ByteBuffer;
import java.util.List;
import org.hopfieldstore.core.capacity.Separation;
import org.hopfieldstore.core.kernel.PairTerms;
import org.hopfieldstore.core.nonparametric.KernelSummary;
import org.hopfieldstore.core.reduce.Partials;
import org.hopfieldstore.core.reduce.SoftmaxPartial;
import org.hopfieldstore.core.reduce.SupportPartial;
import org.hopfieldstore.core.reduce.ThresholdRound;
import org.hopfieldstore.core.reduce.ThresholdWeights;
import org.hopfieldstore.core.reduce.TopKPartial;
import org.hopfieldstore.core.retrieval.StepPartial;

/** Every {@link Mergeable} type, and the reader of any of their byte forms by its tag. */
public final class Mergeables {
  private Mergeables() {}

  /** The classes whose instances cross the wire (a Kryo registrator registers each). */
  public static final List<Class<?>> TYPES = List.of(SoftmaxPartial.class, TopKPartial.class,
      SupportPartial.class, StepPartial.class, KernelSummary.class, RowBundle.class,
      DoubleSums.class, Both.class, Separation.RowMaxima.class, PairTerms.class,
      ThresholdRound.class, ThresholdWeights.class);

  /** Reads any partial written by {@code toBytes}, by its leading tag. */
  public static Mergeable<?> fromBytes(byte[] bytes) {
    if (bytes.length < 4) {
      throw new IllegalArgumentException("truncated partial (" + bytes.length + " bytes)");
    }
    int tag = ByteBuffer.wrap(bytes).getInt();
    switch (tag) {
      case SoftmaxPartial.TAG:
      case TopKPartial.TAG:
      case SupportPartial.TAG:
        return Partials.fromBytes(bytes);
      case ThresholdRound.TAG:
        return ThresholdRound.fromBytes(bytes);
      case ThresholdWeights.TAG:
        return ThresholdWeights.fromBytes(bytes);
      case StepPartial.TAG:
        return StepPartial.fromBytes(bytes);
      case KernelSummary.TAG:
        return KernelSummary.fromBytes(bytes);
      case RowBundle.TAG:
        return RowBundle.fromBytes(bytes);
      case DoubleSums.TAG:
        return DoubleSums.fromBytes(bytes);
      case Both.TAG:
        return Both.fromBytes(bytes);
      case Separation.RowMaxima.TAG:
        return Separation.RowMaxima.fromBytes(bytes);
      case PairTerms.TAG:
        return PairTerms.fromBytes(bytes);
      default:
        throw new IllegalArgumentException("unknown partial tag 0x" + Integer.toHexString(tag));
    }
  }
}
