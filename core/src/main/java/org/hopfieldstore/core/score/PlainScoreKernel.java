package org.hopfieldstore.core.score;

import org.hopfieldstore.core.memory.MemoryBlock;

/** Plain-Java loops: the reference path, no native code. */
public final class PlainScoreKernel implements ScoreKernel {
  public static final PlainScoreKernel INSTANCE = new PlainScoreKernel();

  @Override
  public String name() {
    return "java";
  }

  @Override
  public Bound bind(MemoryBlock block) {
    final float[] xi = block.data();
    final int d = block.dim();
    return new Bound() {
      @Override
      public void scores(float[] queries, int batch, int from, int to, float[] out) {
        int t = to - from;
        for (int b = 0; b < batch; b++) {
          ScalarRowOps.INSTANCE.dots(queries, b * d, xi, d, from, to, out, b * t);
        }
      }

      @Override
      public void addWeightedRows(float[] weights, int batch, int from, int to, float[] acc) {
        int t = to - from;
        for (int b = 0; b < batch; b++) {
          ScalarRowOps.INSTANCE.addWeighted(weights, b * t, xi, d, from, to, acc, b * d);
        }
      }
    };
  }

  /** Dot product of {@code n} floats with four independent accumulators. */
  public static float dot(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[ao + i] * b[bo + i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
