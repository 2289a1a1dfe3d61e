package org.hopfieldstore.core.score;

import java.util.Locale;

/**
 * What a memory scores for a query before the rule normalises the scores (spec key {@code
 * score}): {@code beta <x, xi>} (dot, the modern Hopfield model), or the negated distance {@code
 * -beta |x - xi|_2} (euclidean, not squared, as in the U-Hop code) or {@code -beta |x - xi|_1}
 * (manhattan). The update is {@code Xi^T p} whatever the score. The distances are summed from
 * the differences themselves, in double, not as {@code |x|^2 + |xi|^2 - 2 <x, xi>} (which loses
 * the small distances to cancellation).
 */
public enum ScoreFunction {
  /** {@code beta <x, xi>}: the GEMM of the score kernel. */
  DOT("dot"),
  /** {@code -beta |x - xi|_2}. */
  EUCLIDEAN("euclidean"),
  /** {@code -beta |x - xi|_1}. */
  MANHATTAN("manhattan");

  private final String key;

  ScoreFunction(String key) {
    this.key = key;
  }

  /** The name in specs: dot, euclidean or manhattan. */
  public String key() {
    return key;
  }

  /** Whether this is a distance score (no GEMM, no energy). */
  public boolean isDistance() {
    return this != DOT;
  }

  /** The score function called {@code name}; an unknown one names the key and the choices. */
  public static ScoreFunction named(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (ScoreFunction f : values()) {
      if (f.key.equals(n)) {
        return f;
      }
    }
    throw new IllegalArgumentException("score=" + name + " is out of range: score is dot or "
        + "euclidean or manhattan");
  }

  /**
   * The distance between {@code a[ao..ao+d)} and {@code b[bo..bo+d)}: Euclidean or Manhattan,
   * accumulated in double from the differences.
   */
  public double distance(float[] a, int ao, float[] b, int bo, int d) {
    switch (this) {
      case EUCLIDEAN: {
        double s = 0;
        for (int c = 0; c < d; c++) {
          double t = (double) a[ao + c] - b[bo + c];
          s += t * t;
        }
        return Math.sqrt(s);
      }
      case MANHATTAN: {
        double s = 0;
        for (int c = 0; c < d; c++) {
          s += Math.abs((double) a[ao + c] - b[bo + c]);
        }
        return s;
      }
      default:
        throw new IllegalStateException("dot is no distance");
    }
  }

  /**
   * Distance scores of rows {@code [from, to)}: {@code out[b * (to - from) + j] = -beta *
   * dist(q_b, xi_(from+j))} for the first {@code batch} row-major (unscaled) queries, the
   * layout {@link ScoreKernel.Bound#scores} fills.
   */
  public void distanceScores(float[] queries, int batch, float[] rows, int d, int from, int to,
      double beta, float[] out) {
    int n = to - from;
    for (int j = 0; j < n; j++) { // a row stays in cache while every query reads it
      int ro = (from + j) * d;
      for (int b = 0; b < batch; b++) {
        out[b * n + j] = (float) (-beta * distance(queries, b * d, rows, ro, d));
      }
    }
  }
}
