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

  /**
   * A seeded clustered set of low intrinsic dimension: {@code clusters} centres uniform on the
   * sphere; each memory is its centre plus {@code spread} times a Gaussian combination of
   * {@code intrinsic} random directions of that cluster, scaled to unit norm. Memory i belongs to
   * cluster {@code i % clusters}.
   */
  public static FloatMatrix clustered(int count, int dim, int clusters, int intrinsic,
      double spread, long seed) {
    if (clusters < 1 || intrinsic < 1 || !(spread >= 0)) {
      throw new IllegalArgumentException("clusters and intrinsic must be >= 1 and spread >= 0, "
          + "got " + clusters + ", " + intrinsic + ", " + spread);
    }
    float[] centres = uniformSphere(clusters, dim, seed).data();
    SplittableRandom rnd = new SplittableRandom(seed + 1);
    double[] basis = new double[clusters * intrinsic * dim];
    for (int i = 0; i < basis.length; i++) {
      basis[i] = gaussian(rnd) / Math.sqrt(dim);
    }
    float[] data = new float[Math.multiplyExact(count, dim)];
    double[] v = new double[dim];
    for (int r = 0; r < count; r++) {
      int c = r % clusters;
      for (int j = 0; j < dim; j++) {
        v[j] = centres[c * dim + j];
      }
      for (int k = 0; k < intrinsic; k++) {
        double a = spread * gaussian(rnd);
        int o = (c * intrinsic + k) * dim;
        for (int j = 0; j < dim; j++) {
          v[j] += a * basis[o + j];
        }
      }
      double n = 0;
      for (double x : v) {
        n += x * x;
      }
      double inv = 1 / Math.sqrt(n);
      for (int j = 0; j < dim; j++) {
        data[r * dim + j] = (float) (v[j] * inv);
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

  /**
   * A synthetic set named by a source string: {@code sphere}, or
   * {@code clustered[:clusters=K,intrinsic=I,spread=S]} (defaults 16, 4, 0.3); seeded.
   */
  public static FloatMatrix fromSource(String source, int count, int dim, long seed) {
    if (source.equals("sphere")) {
      return uniformSphere(count, dim, seed);
    }
    if (!source.startsWith("clustered")) {
      throw new IllegalArgumentException("unknown source '" + source
          + "': expected sphere or clustered:clusters=K,intrinsic=I,spread=S");
    }
    java.util.Map<String, String> kv = new java.util.LinkedHashMap<>();
    int colon = source.indexOf(':');
    if (colon >= 0) {
      for (String part : source.substring(colon + 1).split(",")) {
        String[] p = part.split("=", 2);
        String key = p[0].trim();
        if (!key.equals("clusters") && !key.equals("intrinsic") && !key.equals("spread")) {
          throw new IllegalArgumentException("unknown key '" + key + "' in source '" + source
              + "': expected clusters, intrinsic, spread");
        }
        kv.put(key, p.length > 1 ? p[1].trim() : "");
      }
    }
    try {
      return clustered(count, dim, Integer.parseInt(kv.getOrDefault("clusters", "16")),
          Integer.parseInt(kv.getOrDefault("intrinsic", "4")),
          Double.parseDouble(kv.getOrDefault("spread", "0.3")), seed);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("source '" + source + "': " + e.getMessage(), e);
    }
  }
}
