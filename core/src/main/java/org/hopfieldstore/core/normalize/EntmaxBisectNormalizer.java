package org.hopfieldstore.core.normalize;

/**
 * alpha-entmax for any alpha in (1, 2] by bisection on the threshold: {@code p = argmax_{p in
 * simplex} <p, z> + S_alpha(p)}, {@code p_i = [x_i - tau]_+^(1/(alpha-1))} with {@code x = (alpha-1)
 * z}. {@code f(tau) = sum_i [x_i - tau]_+^(1/(alpha-1))} is decreasing and tau lies in {@code
 * [max x - 1, max x - (1/c)^(alpha-1)]} (c: the number of candidates {@code x > max x - 1}, all
 * that can be in the support).
 *
 * <p>Tolerance: the bracket is halved {@code iterations} times (default 60) or until the midpoint
 * no longer moves in float64, so tau is within {@code max(2^-iterations, ulp(tau))} of the exact
 * threshold; {@link #normalize} then renormalises p to sum 1, as the reference does.
 */
public final class EntmaxBisectNormalizer extends ThresholdNormalizer {
  public static final int DEFAULT_ITERATIONS = 60;
  private final int iterations;

  public EntmaxBisectNormalizer(double alpha) {
    this(alpha, DEFAULT_ITERATIONS);
  }

  public EntmaxBisectNormalizer(double alpha, int iterations) {
    super(alpha);
    if (iterations < 1) {
      throw new IllegalArgumentException("bisection iterations must be >= 1, got " + iterations);
    }
    this.iterations = iterations;
  }

  @Override
  public boolean isBisection() {
    return true;
  }

  @Override
  protected double thresholdOf(double[] z, int n) {
    double[] b = bracket(z, n);
    return 0.5 * (b[0] + b[1]);
  }

  /** The low end of the final bracket: f(lo) >= 1, so lo never exceeds the exact threshold. */
  @Override
  protected double lowerBoundOf(double[] z, int n) {
    return bracket(z, n)[0];
  }

  /**
   * With a non-integer exponent {@code 1/(alpha-1)}, the bisection runs on {@code t} of the
   * equivalent form {@code p_i = exp(log1p((alpha-1)(z_i - t)) / (alpha-1))} ({@code tau = (alpha-1)
   * t - 1}): near alpha = 1 the x-space bracket is a few ulps wide and {@code u^(1/(alpha-1))}
   * underflows, while this form stays well conditioned and tends to softmax.
   */
  @Override
  protected void weightsOfShifted(double[] p, int n) {
    if (integerExponent()) {
      super.weightsOfShifted(p, n);
      return;
    }
    double cut = -1.0 / am1; // g(u) = 0 at or below
    double[] c = new double[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (p[i] > cut) {
        c[m++] = p[i];
      }
    }
    final int count = m;
    // f(0) >= 1: the maximum alone has weight 1; at the upper end every weight is <= 1/m
    double[] b = bisect(0.0, -Math.expm1(-am1 * Math.log(m)) / am1, t -> {
      double f = 0;
      for (int i = 0; i < count; i++) {
        f += qExp(c[i] - t);
      }
      return f;
    });
    double t = 0.5 * (b[0] + b[1]);
    double s = 0;
    for (int i = 0; i < n; i++) {
      p[i] = qExp(p[i] - t);
      s += p[i];
    }
    double inv = 1.0 / s;
    for (int i = 0; i < n; i++) {
      p[i] *= inv;
    }
  }

  private double qExp(double u) {
    double a = am1 * u;
    return a <= -1.0 ? 0.0 : Math.exp(Math.log1p(a) / am1);
  }

  private double[] bracket(double[] z, int n) {
    double[] c = candidates(z, n);
    int m = c.length;
    double xmax = am1 * Normalizer.max(c, m);
    return bisect(xmax - 1.0, xmax - Math.pow(1.0 / m, am1), tau -> {
      double f = 0;
      for (int i = 0; i < m; i++) {
        f += weight(c[i], tau);
      }
      return f;
    });
  }

  /**
   * The final bracket {lo, hi} of the decreasing {@code mass}: halved {@code iterations} times or
   * until the midpoint stops moving, keeping {@code mass(lo) >= 1 > mass(hi)}.
   */
  private double[] bisect(double lo, double hi, java.util.function.DoubleUnaryOperator mass) {
    for (int it = 0; it < iterations; it++) {
      double mid = 0.5 * (lo + hi);
      if (mid == lo || mid == hi) {
        break;
      }
      if (mass.applyAsDouble(mid) >= 1.0) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return new double[] {lo, hi};
  }
}
