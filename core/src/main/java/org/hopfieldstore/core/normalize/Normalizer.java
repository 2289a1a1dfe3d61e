package org.hopfieldstore.core.normalize;

/**
 * Maps a score vector z to a point p of the probability simplex: the normalizer of a modern
 * Hopfield retrieval step {@code x' = Xi^T p(beta Xi x)}. Each implementation is the gradient of
 * a convex conjugate {@code Psi*} (see ALGORITHMS.md, section 1), computed in float64.
 */
public interface Normalizer {
  /** Writes {@code p = normalize(z[0..n))} into {@code p[0..n)}. Requires {@code n >= 1}. */
  void normalize(double[] z, int n, double[] p);

  /**
   * {@code Psi*(z)}: the convex function whose gradient is this normalizer, so that the energy
   * {@code -(1/beta) Psi*(beta Xi x) + x.x/2} never increases along retrieval. NaN when the rule
   * has no closed energy (top-K).
   */
  double conjugate(double[] z, int n);

  /** Convenience: a new array holding {@code normalize(z)}. */
  default double[] apply(double[] z) {
    double[] p = new double[z.length];
    normalize(z, z.length, p);
    return p;
  }

  /** Max of {@code z[0..n)}. */
  static double max(double[] z, int n) {
    double m = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      if (z[i] > m) {
        m = z[i];
      }
    }
    return m;
  }
}
