package org.hopfieldstore.core.models;

import org.hopfieldstore.core.normalize.EntmaxBisectNormalizer;
import org.hopfieldstore.core.normalize.SparsemaxNormalizer;

/**
 * alpha-entmax with its derivatives, for training: {@code p = argmax_p <p, z> + H_alpha(p)} on the
 * simplex, {@code p_i = [(alpha-1) z_i - tau]_+^(1/(alpha-1))}. The forward pass is the core's exact
 * normalizer (bisection to machine precision for any alpha; the exact sparsemax at alpha = 2). The
 * backward pass is the closed-form Jacobian-vector product of Peters, Niculae and Martins (2019,
 * "Sparse Sequence-to-Sequence Models", Sec. 3.2): with {@code g_i = p_i^(2-alpha)} on the support,
 * {@code dz = g * dp - (<g, dp> / sum g) g}; and the derivative in alpha of Correia, Niculae and
 * Martins (2019, "Adaptively Sparse Transformers", Prop. 1/App. B).
 */
public final class Entmax {
  private static final int ITERATIONS = 80;

  private Entmax() {}

  /** {@code p = entmax_alpha(z[0..n))}; alpha in [1, 2] (1 is softmax, 2 sparsemax). */
  public static void forward(double[] z, int n, double alpha, double[] p) {
    if (alpha == 1.0) {
      org.hopfieldstore.core.normalize.SoftmaxNormalizer.INSTANCE.normalize(z, n, p);
    } else if (alpha == 2.0) {
      SparsemaxNormalizer.INSTANCE.normalize(z, n, p);
    } else {
      new EntmaxBisectNormalizer(alpha, ITERATIONS).normalize(z, n, p);
    }
  }

  /**
   * {@code dz} for upstream {@code dp}, given the forward output p; returns dL/dalpha (0 for
   * softmax, alpha = 1, whose Jacobian is {@code diag(p) - p p^T}).
   */
  public static double backward(double[] p, double[] dp, int n, double alpha, double[] dz) {
    if (alpha == 1.0) {
      double pdp = 0;
      for (int i = 0; i < n; i++) {
        pdp += p[i] * dp[i];
      }
      for (int i = 0; i < n; i++) {
        dz[i] = p[i] * (dp[i] - pdp);
      }
      return 0;
    }
    double sumG = 0;
    double gdp = 0;
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      if (p[i] > 0) {
        g[i] = alpha == 2.0 ? 1.0 : Math.pow(p[i], 2 - alpha);
        sumG += g[i];
        gdp += g[i] * dp[i];
      }
    }
    double q = sumG == 0 ? 0 : gdp / sumG;
    for (int i = 0; i < n; i++) {
      dz[i] = g[i] * dp[i] - q * g[i];
    }
    // d p / d alpha, contracted with dp (Correia et al. 2019, App. B)
    double ent = 0;
    for (int i = 0; i < n; i++) {
      if (p[i] > 0) {
        ent += p[i] * Math.log(p[i]);
      }
    }
    double am1 = alpha - 1;
    double dAlpha = 0;
    for (int i = 0; i < n; i++) {
      if (p[i] > 0) {
        double skewed = g[i] / sumG;
        double pLogP = p[i] * Math.log(p[i]);
        dAlpha += dp[i] * ((p[i] - skewed) / (am1 * am1) - (pLogP - skewed * ent) / am1);
      }
    }
    return dAlpha;
  }
}
