package org.hopfieldstore.core.aggregate;

import java.io.Serializable;
import org.hopfieldstore.core.memory.MemoryBlock;

/**
 * An aggregation over the memory blocks of a store, in the shape of Spark's {@code Aggregator}:
 * a zero, a fold of one block into a partial, and the partials' own exact merge. The in-process
 * engine folds its one block; a Spark store folds each cached block where it lives and merges
 * the partials ({@code reduce}/{@code treeReduce}). Serializable, so it travels to executors;
 * implementations resolve anything JVM-local (score kernels, BLAS) where they run.
 */
public interface BlockAggregation<A extends Mergeable<A>> extends Serializable {
  /** The identity of {@link Mergeable#merge}: what a store without memories contributes. */
  A zero();

  /** Folds every memory of {@code block} into {@code acc}; returns the result (usually acc). */
  A fold(A acc, MemoryBlock block);

  /** A short name for logs and Spark job descriptions, e.g. {@code sparsemax step}. */
  String describe();
}
