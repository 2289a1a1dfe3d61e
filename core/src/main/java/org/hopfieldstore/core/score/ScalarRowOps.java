package org.hopfieldstore.core.score;

/** {@link RowOps} in plain Java: four independent accumulators, no SIMD module needed. */
public final class ScalarRowOps implements RowOps {
  public static final ScalarRowOps INSTANCE = new ScalarRowOps();

  private ScalarRowOps() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void dots(float[] q, int qo, float[] xi, int d, int from, int to, float[] out,
      int outOff) {
    for (int r = from; r < to; r++) {
      out[outOff + r - from] = PlainScoreKernel.dot(q, qo, xi, r * d, d);
    }
  }

  @Override
  public void addWeighted(float[] w, int wo, float[] xi, int d, int from, int to, float[] acc,
      int ao) {
    for (int r = from; r < to; r++) {
      float wr = w[wo + r - from];
      if (wr == 0f) {
        continue;
      }
      for (int c = 0, o = r * d; c < d; c++) {
        acc[ao + c] += wr * xi[o + c];
      }
    }
  }
}
