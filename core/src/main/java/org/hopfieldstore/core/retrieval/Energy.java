package org.hopfieldstore.core.retrieval;

import org.hopfieldstore.core.normalize.ThresholdNormalizer;

/**
 * The energy of a state x (ALGORITHMS.md, section 1):
 *
 * <pre>
 *   E(x) = -(1/beta) Psi*(beta Xi x) + x.x/2 + S_max(alpha, M)/beta + m^2/2
 * </pre>
 *
 * with {@code Psi*} the conjugate of the rule's entropy (log-sum-exp for softmax; {@code <p, z> +
 * S_alpha(p)} with the Tsallis entropy for sparsemax/entmax), {@code S_max} the entropy of the
 * uniform distribution over the M memories ({@code log M} for softmax) and {@code m} the largest
 * memory norm. For softmax this is exactly the dense energy of Ramsauer et al. (2020) with the
 * constants of the reference files; the constants make {@code E >= 0} for every rule. The update
 * is a CCCP step on E, so E never increases along retrieval.
 */
public final class Energy implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final double beta;
  private final double constant;

  public Energy(double beta, double alpha, long memoryCount, double maxNorm) {
    this.beta = beta;
    this.constant = ThresholdNormalizer.maxEntropy(alpha, memoryCount) / beta
        + 0.5 * maxNorm * maxNorm;
  }

  /** E(x) given {@code Psi*(beta Xi x)} and the state x (row {@code offset} of {@code states}). */
  public double of(double conjugate, float[] states, int offset, int d) {
    double xx = 0;
    for (int c = 0; c < d; c++) {
      double v = states[offset + c];
      xx += v * v;
    }
    return ofQuadratic(conjugate, xx);
  }

  /**
   * E given {@code Psi*} and the quadratic term {@code q}: {@code x.x} for the plain model, or
   * {@code <x, G x>} in kernel space (U-Hop: with G = W^T W full rank, the kernelized update is
   * the CCCP step of {@code -(1/beta) Psi*(beta Xi G x) + <x, G x>/2}).
   */
  public double ofQuadratic(double conjugate, double q) {
    return -conjugate / beta + 0.5 * q + constant;
  }
}
