package org.hopfieldstore.core.score;

import org.hopfieldstore.core.memory.MemoryBlock;

/**
 * Scores straight from the memories on the JVM heap with {@link RowOps} (JDK Vector API when the
 * module is present): no off-heap copy, and its bound kernel keeps no state, so several threads
 * may scan disjoint rows of one block at once. Meant for small batches, where a step is a pass
 * over memory rather than a GEMM; large batches belong to {@link Nd4jScoreKernel}.
 */
public final class SimdScoreKernel implements ScoreKernel {
  public static final SimdScoreKernel INSTANCE = new SimdScoreKernel(RowOps.best());
  /** Rows scored for every query of the batch before moving on: about 64 KiB of memories. */
  private static final int ROW_CHUNK_FLOATS = 1 << 14;

  private final RowOps ops;

  public SimdScoreKernel(RowOps ops) {
    this.ops = ops;
  }

  public RowOps ops() {
    return ops;
  }

  @Override
  public String name() {
    return "simd";
  }

  @Override
  public boolean isHeapScan() {
    return true;
  }

  @Override
  public Bound bind(MemoryBlock block) {
    final float[] xi = block.data();
    final int d = block.dim();
    final int chunk = Math.max(4, ROW_CHUNK_FLOATS / Math.max(1, d));
    return new Bound() {
      @Override
      public void scores(float[] queries, int batch, int from, int to, float[] out) {
        int t = to - from;
        for (int r = from; r < to; r += chunk) { // the chunk's rows stay in cache for each query
          int end = Math.min(to, r + chunk);
          for (int b = 0; b < batch; b++) {
            ops.dots(queries, b * d, xi, d, r, end, out, b * t + r - from);
          }
        }
      }

      @Override
      public void addWeightedRows(float[] weights, int batch, int from, int to, float[] acc) {
        int t = to - from;
        for (int b = 0; b < batch; b++) {
          ops.addWeighted(weights, b * t, xi, d, from, to, acc, b * d);
        }
      }
    };
  }
}
