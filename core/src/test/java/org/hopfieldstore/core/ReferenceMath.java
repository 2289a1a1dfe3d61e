package org.hopfieldstore.core;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * An independent plain double-precision reference, written from the formulas in ALGORITHMS.md
 * without the production classes: full sorts, plain loops, no tiling, no ND4J.
 */
public final class ReferenceMath {
  private ReferenceMath() {}

  /** m seeded Gaussian rows of dimension d, each scaled to unit norm (float32, row-major). */
  public static float[] unitRows(int m, int d, long seed) {
    return unitRows(m, d, new java.util.Random(seed));
  }

  /** The same, drawing from {@code r} (which goes on to serve the caller). */
  public static float[] unitRows(int m, int d, java.util.Random r) {
    float[] a = new float[m * d];
    for (int i = 0; i < m; i++) {
      double n = 0;
      for (int j = 0; j < d; j++) {
        a[i * d + j] = (float) r.nextGaussian();
        n += a[i * d + j] * a[i * d + j];
      }
      for (int j = 0; j < d; j++) {
        a[i * d + j] /= (float) Math.sqrt(n);
      }
    }
    return a;
  }

  public static double[] softmax(double[] z) {
    double m = Arrays.stream(z).max().orElseThrow();
    double[] p = Arrays.stream(z).map(v -> Math.exp(v - m)).toArray();
    double s = Arrays.stream(p).sum();
    return Arrays.stream(p).map(v -> v / s).toArray();
  }

  public static double[] sparsemax(double[] z) {
    double[] s = sortedDesc(z);
    double cum = 0;
    double tauSum = 0;
    int k = 0;
    for (int j = 1; j <= s.length; j++) {
      cum += s[j - 1];
      if (1 + j * s[j - 1] > cum) {
        k = j;
        tauSum = cum;
      }
    }
    double tau = (tauSum - 1) / k;
    return Arrays.stream(z).map(v -> Math.max(v - tau, 0)).toArray();
  }

  public static double[] entmax15(double[] z) {
    double[] u = Arrays.stream(z).map(v -> v / 2).toArray();
    double[] s = sortedDesc(u);
    double sum = 0;
    double sumSq = 0;
    double tauStar = 0;
    for (int k = 1; k <= s.length; k++) {
      sum += s[k - 1];
      sumSq += s[k - 1] * s[k - 1];
      double mean = sum / k;
      double delta = (1 - k * (sumSq / k - mean * mean)) / k;
      if (delta < 0) {
        break;
      }
      double tau = mean - Math.sqrt(delta);
      if (!(tau < s[k - 1])) {
        break;
      }
      tauStar = tau;
    }
    double t = tauStar;
    return Arrays.stream(u).map(v -> Math.pow(Math.max(v - t, 0), 2)).toArray();
  }

  /** Bisection in [max x - 1, max x - (1/N)^(alpha-1)], 60 halvings, then renormalised. */
  public static double[] entmaxBisect(double[] z, double alpha) {
    double am1 = alpha - 1;
    double[] x = Arrays.stream(z).map(v -> am1 * v).toArray();
    double m = Arrays.stream(x).max().orElseThrow();
    double lo = m - 1;
    double hi = m - Math.pow(1.0 / z.length, am1);
    for (int it = 0; it < 60; it++) {
      double mid = (lo + hi) / 2;
      double f = 0;
      for (double v : x) {
        f += Math.pow(Math.max(v - mid, 0), 1 / am1);
      }
      if (f >= 1) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double tau = (lo + hi) / 2;
    double[] p = Arrays.stream(x).map(v -> Math.pow(Math.max(v - tau, 0), 1 / am1)).toArray();
    double s = Arrays.stream(p).sum();
    return Arrays.stream(p).map(v -> v / s).toArray();
  }

  /** Softmax over the k largest (stable: ties to the lower index), zero elsewhere. */
  public static double[] topk(double[] z, int k) {
    if (k >= z.length) {
      return softmax(z);
    }
    Integer[] idx = IntStream.range(0, z.length).boxed().toArray(Integer[]::new);
    Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -z[i]));
    double[] top = new double[k];
    for (int r = 0; r < k; r++) {
      top[r] = z[idx[r]];
    }
    double[] w = softmax(top);
    double[] p = new double[z.length];
    for (int r = 0; r < k; r++) {
      p[idx[r]] = w[r];
    }
    return p;
  }

  /** The normalizer a spec-like (rule, alpha, k) names. */
  public static double[] normalize(double[] z, String rule, double alpha, int k) {
    switch (rule) {
      case "softmax":
        return softmax(z);
      case "sparsemax":
        return sparsemax(z);
      case "entmax":
        return alpha == 1.5 ? entmax15(z) : entmaxBisect(z, alpha);
      case "topk":
        return topk(z, k);
      default:
        throw new IllegalArgumentException(rule);
    }
  }

  /** {@code Psi*(z)}: log-sum-exp (alpha = 1) or {@code <p,z> + S_alpha(p)}. */
  public static double conjugate(double[] z, double[] p, double alpha) {
    if (alpha == 1) {
      double m = Arrays.stream(z).max().orElseThrow();
      return m + Math.log(Arrays.stream(z).map(v -> Math.exp(v - m)).sum());
    }
    double dot = 0;
    double ent = 0;
    for (int i = 0; i < z.length; i++) {
      dot += p[i] * z[i];
      ent += p[i] - Math.pow(p[i], alpha);
    }
    return dot + ent / (alpha * (alpha - 1));
  }

  /** Scores {@code beta * Xi x} of one state. */
  public static double[] scores(double[][] xi, double[] x, double beta) {
    double[] z = new double[xi.length];
    for (int mu = 0; mu < xi.length; mu++) {
      double s = 0;
      for (int j = 0; j < x.length; j++) {
        s += xi[mu][j] * x[j];
      }
      z[mu] = beta * s;
    }
    return z;
  }

  /** {@code Xi^T p}. */
  public static double[] combine(double[][] xi, double[] p) {
    double[] out = new double[xi[0].length];
    for (int mu = 0; mu < xi.length; mu++) {
      for (int j = 0; j < out.length; j++) {
        out[j] += p[mu] * xi[mu][j];
      }
    }
    return out;
  }

  /** The energy with the constants of Energy's Javadoc, for rule alpha (1 = softmax). */
  public static double energy(double[][] xi, double[] x, double beta, String rule, double alpha,
      int k) {
    double[] z = scores(xi, x, beta);
    double a = rule.equals("softmax") ? 1 : (rule.equals("sparsemax") ? 2 : alpha);
    double conj = conjugate(z, normalize(z, rule, alpha, k), a);
    double m = 0;
    for (double[] row : xi) {
      m = Math.max(m, Math.sqrt(Arrays.stream(row).map(v -> v * v).sum()));
    }
    int n = xi.length;
    double smax = a == 1 ? Math.log(n) : (1 - Math.pow(n, 1 - a)) / (a * (a - 1));
    double xx = Arrays.stream(x).map(v -> v * v).sum();
    return -conj / beta + xx / 2 + smax / beta + m * m / 2;
  }

  private static double[] sortedDesc(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    for (int i = 0, j = s.length - 1; i < j; i++, j--) {
      double t = s[i];
      s[i] = s[j];
      s[j] = t;
    }
    return s;
  }
}
