package org.hopfieldstore.core.aggregate;

import java.io.Serializable;
import org.hopfieldstore.core.memory.MemoryBlock;

/**
 * An aggregation over every unordered pair of memory blocks (a block with itself included): the
 * shape of the studies' all-pairs terms. A Spark store makes one task per pair of cached blocks.
 */
public interface PairAggregation<A extends Mergeable<A>> extends Serializable {
  A zero();

  /**
   * Folds the pairs between the rows of {@code a} and of {@code b} into {@code acc}; with
   * {@code same} they are one block and each unordered pair counts once.
   */
  A fold(A acc, MemoryBlock a, MemoryBlock b, boolean same);

  String describe();
}
