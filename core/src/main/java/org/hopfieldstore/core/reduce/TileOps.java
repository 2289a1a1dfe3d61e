package org.hopfieldstore.core.reduce;

import org.hopfieldstore.core.score.Simd;

/**
 * The per-score loops of the partials over a tile row: its maximum, a search for the next score
 * at or above a bound (most scores lose against a running floor, so the search skips whole
 * lanes at a time), and softmax's exponentials. {@link #best()} is the Vector API version when
 * the module is present ({@link Simd}), else {@link ScalarTileOps}.
 */
interface TileOps {
  /** Largest of {@code a[from..to)}; -infinity when empty. */
  float max(float[] a, int from, int to);

  /** The first {@code j} in {@code [from, to)} with {@code a[j] >= bound}, else {@code to}. */
  int nextAtLeast(float[] a, int from, int to, float bound);

  /**
   * {@code w[wOff + j - from] = exp(z[j] - shift)} for j in {@code [from, to)}, with {@code
   * shift >= z[j]}; results below {@link Float#MIN_NORMAL} (and arguments below -87) are 0, as
   * subnormal weights would slow the weighted-sum GEMM. Returns the sum of the weights.
   */
  double expShifted(float[] z, int from, int to, float shift, float[] w, int wOff);

  String name();

  static TileOps best() {
    return Holder.BEST;
  }

  /** The largest float {@code <= v}: a float bound that loses nothing a double bound keeps. */
  static float floatAtMost(double v) {
    float f = (float) v;
    return f > v ? Math.nextDown(f) : f;
  }

  /** The smallest float {@code > v}: {@code z > v} for a float z is {@code z >= floatAbove(v)}. */
  static float floatAbove(double v) {
    float f = (float) v;
    return f > v ? f : Math.nextUp(f);
  }

  /** Loads the best implementation once. */
  final class Holder {
    static final TileOps BEST = Simd.load("org.hopfieldstore.core.reduce.VectorTileOps",
        TileOps.class, ScalarTileOps.INSTANCE);

    private Holder() {}
  }
}
