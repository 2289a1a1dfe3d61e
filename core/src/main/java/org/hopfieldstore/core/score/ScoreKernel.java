package org.hopfieldstore.core.score;

import org.hopfieldstore.core.memory.MemoryBlock;

/**
 * Dense linear algebra of one retrieval step against a block of memories: the score product
 * {@code Q Xi^T} and the weighted sum {@code W Xi}. Implementations are picked once by name
 * ({@link ScoreKernels#byName}); the plain-Java one is the reference the others are tested against.
 */
public interface ScoreKernel {
  /** Short name used on the command line: "java" or "nd4j". */
  String name();

  /** Prepares the kernel for one block (an implementation may copy it, e.g. off-heap). */
  Bound bind(MemoryBlock block);

  /**
   * The kernel that runs a step of {@code batch} queries: this one, or a heap scan where a
   * small batch is a pass over memory rather than a GEMM. The in-process engine and the
   * executors both ask this, so the dispatch lives in one place.
   */
  default ScoreKernel forBatch(int batch) {
    return this;
  }

  /**
   * Whether bound kernels are stateless, free to make and safe to share across threads (a scan
   * of the heap rows): such a kernel folds cache-sized tiles, split over the cores.
   */
  default boolean isHeapScan() {
    return false;
  }

  /**
   * This kernel bound to {@code block}'s rows, made once per rows and kept with them (so ND4J
   * copies a block off-heap once). Not thread-safe unless {@link #isHeapScan}: callers
   * synchronize on it.
   */
  default Bound boundTo(MemoryBlock block) {
    return (Bound) block.matrix().derived().computeIfAbsent(this, k -> bind(block));
  }

  /** A kernel bound to one memory block. Not thread-safe: use one per thread. */
  interface Bound extends AutoCloseable {
    /**
     * Raw scores of rows {@code [from, to)}: {@code out[b * (to - from) + j] = <q_b, xi_(from+j)>}
     * for the first {@code batch} row-major queries of dimension d in {@code queries}.
     */
    void scores(float[] queries, int batch, int from, int to, float[] out);

    /**
     * Adds a weighted sum of rows {@code [from, to)}: {@code acc[b*d + c] += sum_j
     * weights[b*(to-from) + j] * xi_(from+j)[c]}.
     */
    void addWeightedRows(float[] weights, int batch, int from, int to, float[] acc);

    @Override
    default void close() {}
  }
}
