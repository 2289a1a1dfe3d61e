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
