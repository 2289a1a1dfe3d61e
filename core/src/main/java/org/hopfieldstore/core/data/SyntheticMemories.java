package org.hopfieldstore.core.data;

import java.util.SplittableRandom;
import org.hopfieldstore.core.memory.FloatMatrix;

/** Seeded synthetic memory sets. */
public final class SyntheticMemories {
  private SyntheticMemories() {}

  /** M points uniform on the unit sphere in R^d (normalised Gaussian vectors), seeded. */
  public static FloatMatrix uniformSphere(int count, int dim, long seed) {
    if (count < 1 || dim < 1) {
      throw new IllegalArgumentException(
          "count and dim must be >= 1, got " + count + " and " + dim);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] data = new float[Math.multiplyExact(count, dim)];
    for (int r = 0; r < count; r++) {
      double norm;
      do {
        norm = 0;
        for (int c = 0; c < dim; c++) {
          double g = gaussian(rnd);
          data[r * dim + c] = (float) g;
          norm += g * g;
        }
      } while (norm == 0);
      float inv = (float) (1.0 / Math.sqrt(norm));
      for (int c = 0; c < dim; c++) {
        data[r * dim + c] *= inv;
      }
    }
    return FloatMatrix.of("memories", data, count, dim);
  }

  /** A standard normal draw (Marsaglia polar method) from a seeded generator. */
  public static double gaussian(SplittableRandom rnd) {
    double u;
    double v;
    double s;
    do {
      u = 2 * rnd.nextDouble() - 1;
      v = 2 * rnd.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * Math.sqrt(-2 * Math.log(s) / s);
  }
}
