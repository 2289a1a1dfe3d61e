package org.hopfieldstore.core.kernel;

import java.io.Serializable;

/**
 * The space a kernelized step scores in: the states' transform {@code G x} (or {@code G x / |W
 * x|} for the normalised map) and the quadratic term {@code K(x, x)} of the energy. A value
 * (serializable), so a distributed plan applies it where the queries live.
 */
public final class KernelSpace implements Serializable {
  private static final long serialVersionUID = 1L;
  private final LinearFeatureMap map;
  private final double[] gram;
  private final boolean normalized;
  private final int d;

  KernelSpace(LinearFeatureMap map, boolean normalized) {
    this.map = map;
    this.gram = map.gram();
    this.normalized = normalized;
    this.d = map.inDim();
  }

  /** {@code G x} (or {@code G x / |W x|}) for each of {@code batch} row-major states. */
  public float[] transform(float[] states, int batch) {
    float[] out = new float[batch * d];
    for (int b = 0; b < batch; b++) {
      double scale = 1;
      if (normalized) {
        double n = map.imageNorm(states, b * d);
        if (!(n > 0)) {
          throw new IllegalArgumentException("state " + b + " has a zero feature image W x: "
              + "the normalised kernel is undefined for it");
        }
        scale = 1 / n;
      }
      for (int i = 0; i < d; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += gram[i * d + j] * states[b * d + j];
        }
        out[b * d + i] = (float) (scale * s);
      }
    }
    return out;
  }

  /**
   * {@code K(x, x)} of row {@code offset / d} of states: {@code <x, G x>}, or 1 for the
   * normalised map (its images are unit vectors).
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
    return s;
  }
}
