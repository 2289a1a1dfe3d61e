package org.hopfieldstore.core.normalize;

/**
 * The sparse family (sparsemax, alpha-entmax): {@code p_i = [(alpha-1) z_i - tau]_+^(1/(alpha-1))}
 * with the threshold tau chosen so that {@code sum p = 1}. Everything at or below the threshold
 * gets exactly zero weight, which is what lets a distributed store merge partial results exactly:
 * the threshold of any subset of the scores is a lower bound of the threshold of the whole set
 * (ALGORITHMS.md, section 3).
 *
 * <p>Work happens in x-space, {@code x = (alpha-1) z}; for sparsemax (alpha = 2) x = z.
 */
public abstract class ThresholdNormalizer implements Normalizer {
  private final double alpha;
  protected final double am1;
  private final double exponent;
  private final int intExponent;

  protected ThresholdNormalizer(double alpha) {
    if (!(alpha > 1.0 && alpha <= 2.0)) {
      throw new IllegalArgumentException("alpha must be in (1, 2], got " + alpha);
    }
    this.alpha = alpha;
    this.am1 = alpha - 1.0;
    this.exponent = 1.0 / am1;
    this.intExponent = exponent == Math.rint(exponent) && exponent <= 8 ? (int) exponent : 0;
  }

  /** Whether {@code 1/(alpha-1)} is a small integer, so that weights need no pow. */
  protected final boolean integerExponent() {
    return intExponent > 0;
  }

  public final double alpha() {
    return alpha;
  }

  /** x-space value of a score: {@code (alpha-1) z}. */
  public final double toX(double z) {
    return am1 * z;
  }

  /**
   * The exact threshold (x-space) of {@code z[0..n)}, to rounding of its magnitude: solved on the
   * scores less their maximum, so that scores far from zero (a large beta) keep their differences.
   */
  public final double threshold(double[] z, int n) {
    double m = Normalizer.max(z, n);
    return am1 * m + thresholdOf(shifted(z, n, m), n);
  }

  /**
   * The exact threshold (x-space) of {@code z[0..n)}, whose maximum is 0. Implementations may
   * reorder nothing in z and must return the same tau as their sort-based reference, to rounding.
   */
  protected abstract double thresholdOf(double[] z, int n);

  /** {@link #lowerBound} for scores whose maximum is 0. */
  protected double lowerBoundOf(double[] z, int n) {
    return thresholdOf(z, n);
  }

  private static double[] shifted(double[] z, int n, double m) {
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      s[i] = z[i] - m;
    }
    return s;
  }

  /** Unnormalised weight of score z at threshold tau (x-space): zero at or below tau. */
  public final double weight(double z, double tau) {
    double u = am1 * z - tau;
    if (u <= 0) {
      return 0.0;
    }
    if (intExponent > 0) { // 1/(alpha-1) a small integer (alpha = 2, 1.5, 1.25, ...): no pow
      double r = u;
      for (int i = 1; i < intExponent; i++) {
        r *= u;
      }
      return r;
    }
    return Math.pow(u, exponent);
  }

  /**
   * Weights of {@code z[0..n)}, solved on the scores less their maximum: {@code max z - 1} and
   * {@code z - tau} then keep their meaning for any magnitude of z (at 1e16, {@code z - 1 == z}).
   */
  @Override
  public void normalize(double[] z, int n, double[] p) {
    if (n == 0) {
      return;
    }
    double m = Normalizer.max(z, n);
    if (!Double.isFinite(m)) {
      throw new IllegalArgumentException("cannot normalize a non-finite score (" + m + ")");
    }
    for (int i = 0; i < n; i++) {
      p[i] = z[i] - m;
    }
    weightsOfShifted(p, n);
  }

  /** Replaces the scores {@code p[0..n)}, whose maximum is 0, by their normalised weights. */
  protected void weightsOfShifted(double[] p, int n) {
    double tau = thresholdOf(p, n);
    double s = 0;
    for (int i = 0; i < n; i++) {
      p[i] = weight(p[i], tau);
      s += p[i];
    }
    double inv = 1.0 / s;
    for (int i = 0; i < n; i++) {
      p[i] *= inv;
    }
  }

  @Override
  public double conjugate(double[] z, int n) {
    double[] p = new double[n];
    normalize(z, n, p);
    return conjugate(z, p, n);
  }

  /**
   * {@code Psi*(z) = <p, z> + S_alpha(p)} for {@code p = normalize(z)}, with the Tsallis entropy
   * {@code S_alpha(p) = sum_i (p_i - p_i^alpha) / (alpha (alpha - 1))} (alpha = 2: Gini).
   */
  public double conjugate(double[] z, double[] p, int n) {
    double dot = 0;
    double ent = 0;
    for (int i = 0; i < n; i++) {
      if (p[i] > 0) {
        dot += p[i] * z[i];
        ent += p[i] - Math.pow(p[i], alpha);
      }
    }
    return dot + ent / (alpha * am1);
  }

  /**
   * Candidates of {@code z[0..n)} that can be in the support: those with {@code x > max(x) - 1},
   * since tau >= max(x) - 1 (the top entry alone would carry weight 1 at that threshold). Copies
   * them to a new array whose length is the count.
   */
  protected final double[] candidates(double[] z, int n) {
    double floor = Math.nextDown(am1 * Normalizer.max(z, n) - 1.0); // rounded down: a bound
    int c = 0;
    for (int i = 0; i < n; i++) {
      if (am1 * z[i] > floor) {
        c++;
      }
    }
    double[] out = new double[c];
    c = 0;
    for (int i = 0; i < n; i++) {
      if (am1 * z[i] > floor) {
        out[c++] = z[i];
      }
    }
    return out;
  }

  /** Sorts a copy of {@code v[0..n)} in decreasing order. */
  protected static double[] sortedDescending(double[] v, int n) {
    double[] s = java.util.Arrays.copyOf(v, n);
    java.util.Arrays.sort(s);
    for (int i = 0, j = n - 1; i < j; i++, j--) {
      double t = s[i];
      s[i] = s[j];
      s[j] = t;
    }
    return s;
  }

  /**
   * The sparse-family normalizer for alpha: sparsemax at 2, exact sort-based 1.5-entmax at 1.5,
   * bisection otherwise or when {@code bisect} is set.
   */
  public static ThresholdNormalizer forAlpha(double alpha, boolean bisect) {
    if (bisect) {
      return new EntmaxBisectNormalizer(alpha);
    }
    if (alpha == 2.0) {
      return SparsemaxNormalizer.INSTANCE;
    }
    if (alpha == 1.5) {
      return Entmax15Normalizer.INSTANCE;
    }
    return new EntmaxBisectNormalizer(alpha);
  }

  /** Whether this normalizer finds the threshold by bisection. */
  public boolean isBisection() {
    return false;
  }

  /**
   * A value guaranteed not above the exact threshold of {@code z[0..n)}, used to discard scores
   * that cannot be in the support. Exact solvers return the threshold, one ulp lower.
   */
  public final double lowerBound(double[] z, int n) {
    if (n == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    double m = Normalizer.max(z, n);
    // rounded down, so that at any magnitude it stays at or below the exact threshold
    return Math.nextDown(am1 * m + lowerBoundOf(shifted(z, n, m), n));
  }

  /** Largest Tsallis entropy on the simplex of n points: that of the uniform distribution. */
  public static double maxEntropy(double alpha, long n) {
    if (alpha == 1.0) {
      return Math.log(n);
    }
    return (1.0 - Math.pow(n, 1.0 - alpha)) / (alpha * (alpha - 1.0));
  }
}
