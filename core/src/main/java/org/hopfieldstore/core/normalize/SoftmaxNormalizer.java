package org.hopfieldstore.core.normalize;

/**
 * Softmax, {@code p = argmax_{p in simplex} <p, z> + H(p)} with H the Shannon entropy:
 * {@code p_i = exp(z_i - max z) / sum_j exp(z_j - max z)}. The max is subtracted first, so
 * scores of any magnitude (beta up to 1e4 and beyond) never overflow. {@code Psi*} is
 * log-sum-exp.
 */
public final class SoftmaxNormalizer implements Normalizer {
  public static final SoftmaxNormalizer INSTANCE = new SoftmaxNormalizer();

  @Override
  public void normalize(double[] z, int n, double[] p) {
    double m = Normalizer.max(z, n);
    double s = 0;
    for (int i = 0; i < n; i++) {
      double e = Math.exp(z[i] - m);
      p[i] = e;
      s += e;
    }
    double inv = 1.0 / s;
    for (int i = 0; i < n; i++) {
      p[i] *= inv;
    }
  }

  @Override
  public double conjugate(double[] z, int n) {
    return logSumExp(z, n);
  }

  /** {@code log sum_i exp(z_i)}, stable for any finite z. */
  public static double logSumExp(double[] z, int n) {
    double m = Normalizer.max(z, n);
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += Math.exp(z[i] - m);
    }
    return m + Math.log(s);
  }
}
