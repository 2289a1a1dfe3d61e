package org.hopfieldstore.core.reduce;

/** {@link TileOps} in plain Java: the reference of the Vector API version. */
final class ScalarTileOps implements TileOps {
  static final ScalarTileOps INSTANCE = new ScalarTileOps();

  private ScalarTileOps() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float max(float[] a, int from, int to) {
    float m = Float.NEGATIVE_INFINITY;
    for (int j = from; j < to; j++) {
      m = Math.max(m, a[j]);
    }
    return m;
  }

  @Override
  public int nextAtLeast(float[] a, int from, int to, float bound) {
    int j = from;
    while (j < to && !(a[j] >= bound)) {
      j++;
    }
    return j;
  }

  @Override
  public double expShifted(float[] z, int from, int to, float shift, float[] w, int wOff) {
    double s = 0;
    for (int j = from; j < to; j++) {
      double e = FastExp.expNonPositive((double) z[j] - shift);
      float f = e < Float.MIN_NORMAL ? 0f : (float) e;
      w[wOff + j - from] = f;
      s += f;
    }
    return s;
  }
}
