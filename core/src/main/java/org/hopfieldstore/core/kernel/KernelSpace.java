package org.hopfieldstore.core.kernel;

import java.io.Serializable;

/**
 * The space a kernelized step scores in, for the affine map {@code Phi(u) = W u + b}: the
 * states' transform, the per-query score offsets, and the terms of the energy. With {@code G =
 * W^T W} and {@code c(x) = b^T W x + |b|^2} the kernel is {@code K(x, xi) = <G x + W^T b, xi> +
 * c(x)}:
 * <ul>
 *   <li>linear kernel: the store scores {@code G x + W^T b}; the constant c(x) does not change
 *       the weights of any rule (each is invariant to a common shift of a query's scores), so it
 *       is left out of the scoring and added back where the energy needs the full score ({@link
 *       #scoreShift}), with {@code K(x, x) = |W x + b|^2} ({@link #quadratic});
 *   <li>normalised kernel {@code K / (|Phi x| |Phi xi|)}: the store scores {@code (G x + W^T b)
 *       / |Phi x|} plus the offset {@code c(x) / |Phi x|} ({@link #offsets}), then multiplies by
 *       each memory's {@code 1 / |Phi xi|}: the offset is scaled per memory, so it must be in the
 *       score.
 * </ul>
 * Without a bias these are {@code G x} (or {@code G x / |W x|}), no offsets and {@code <x, G x>}.
 * A value (serializable), so a distributed plan applies it where the queries live.
 */
public final class KernelSpace implements Serializable {
  private static final long serialVersionUID = 2L;
  private final LinearFeatureMap map;
  private final double[] gram;
  private final double[] shift; // W^T b, null without a bias
  private final double biasSquared;
  private final boolean normalized;
  private final int d;

  KernelSpace(LinearFeatureMap map, boolean normalized) {
    this.map = map;
    this.gram = map.gram();
    this.shift = map.hasBias() ? map.transposedBias() : null;
    this.biasSquared = map.biasNormSquared();
    this.normalized = normalized;
    this.d = map.inDim();
  }

  /** Whether the map has a bias (its scores need the per-query terms of {@link #offsets}). */
  public boolean hasBias() {
    return shift != null;
  }

  /**
   * {@code G x + W^T b} (or that over {@code |W x + b|}) for each of {@code batch} row-major
   * states.
   */
  public float[] transform(float[] states, int batch) {
    float[] out = new float[batch * d];
    for (int b = 0; b < batch; b++) {
      double scale = normalized ? 1 / imageNorm(states, b) : 1;
      for (int i = 0; i < d; i++) {
        double s = shift == null ? 0 : shift[i];
        for (int j = 0; j < d; j++) {
          s += gram[i * d + j] * states[b * d + j];
        }
        out[b * d + i] = (float) (scale * s);
      }
    }
    return out;
  }

  private double imageNorm(float[] states, int b) {
    double n = map.imageNorm(states, b * d);
    if (!(n > 0)) {
      throw new IllegalArgumentException("state " + b + " has a zero feature image W x + b: "
          + "the normalised kernel is undefined for it");
    }
    return n;
  }

  /**
   * The additive score offsets of {@code batch} row-major states, added to each query's scores
   * before the per-memory factors: {@code c(x) / |W x + b|} for the normalised kernel with a
   * bias; null when there are none (no bias, or the linear kernel, whose offset c(x) cancels in
   * every rule).
   */
  public float[] offsets(float[] states, int batch) {
    if (!normalized || shift == null) {
      return null;
    }
    float[] out = new float[batch];
    for (int b = 0; b < batch; b++) {
      out[b] = (float) (scoreShift(states, b * d) / imageNorm(states, b));
    }
    return out;
  }

  /**
   * {@code c(x) = b^T W x + |b|^2 = <W^T b, x> + |b|^2} of row {@code offset / d} of states: what
   * the linear kernel's full score {@code K(x, xi)} adds to the scored {@code <G x + W^T b, xi>}
   * (0 without a bias).
   */
  public double scoreShift(float[] states, int offset) {
    if (shift == null) {
      return 0;
    }
    double s = biasSquared;
    for (int i = 0; i < d; i++) {
      s += shift[i] * states[offset + i];
    }
    return s;
  }

  /**
   * {@code K(x, x)} of row {@code offset / d} of states: {@code |W x + b|^2 = <x, G x> + 2 <W^T
   * b, x> + |b|^2}, or 1 for the normalised map (its images are unit vectors).
   */
  public double quadratic(float[] states, int offset) {
    if (normalized) {
      return 1;
    }
    double s = 0;
    for (int i = 0; i < d; i++) {
      double gi = 0;
      for (int j = 0; j < d; j++) {
        gi += gram[i * d + j] * states[offset + j];
      }
      s += states[offset + i] * gi;
    }
    return shift == null ? s : s + 2 * scoreShift(states, offset) - biasSquared;
  }
}
