package org.hopfieldstore.spark.dist;

import java.io.Serializable;
import org.hopfieldstore.core.kernel.KernelSpace;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.RetrievalState;

/**
 * A block of queries of the distributed plan, with its retrieval state: where its queries came
 * from (the partition of the query data and the block's place in it, packed in {@link #key}),
 * their ids and the core state that each step updates.
 */
public final class QueryBlock implements Serializable {
  private static final long serialVersionUID = 1L;
  /** {@code partition << 32 | block}: sorts blocks back into the order of the query data. */
  final long key;
  final long[] ids;
  final RetrievalState state;

  QueryBlock(long key, long[] ids, RetrievalState state) {
    this.key = key;
    this.ids = ids;
    this.state = state;
  }

  /** A fresh block of queries (rows of {@code vectors}, ids {@code ids}). */
  static QueryBlock of(int partition, int block, long[] ids, FloatMatrix vectors,
      RetrievalSpec spec, int report, boolean energy, long memoryCount, double maxNorm,
      KernelSpace kernel) {
    return new QueryBlock(((long) partition << 32) | block, ids,
        new RetrievalState(vectors, ids, spec, report, energy, memoryCount, maxNorm, kernel));
  }

  static int partitionOf(long key) {
    return (int) (key >>> 32);
  }

  public long[] ids() {
    return ids;
  }

  public RetrievalState state() {
    return state;
  }
}
