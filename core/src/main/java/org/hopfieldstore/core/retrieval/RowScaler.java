package org.hopfieldstore.core.retrieval;

import java.io.Serializable;
import org.hopfieldstore.core.memory.MemoryBlock;

/**
 * Per-memory score factors computed from a block's rows (e.g. {@code 1 / |W xi|} for the
 * normalised feature map). Serializable so a distributed store can ship it to its executors,
 * which compute the factors of their own blocks.
 */
@FunctionalInterface
public interface RowScaler extends Serializable {
  /** One positive, finite factor per row of {@code block}. */
  float[] scales(MemoryBlock block);
}
