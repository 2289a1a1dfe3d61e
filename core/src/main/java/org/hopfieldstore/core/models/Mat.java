package org.hopfieldstore.core.models;

import java.util.SplittableRandom;
import org.hopfieldstore.core.data.SyntheticMemories;

/** Small row-major float64 matrix products for the model layers (shapes are tiny). */
final class Mat {
  private Mat() {}

  /** A (n x k) times B (k x m). */
  static double[] mul(double[] a, int n, int k, double[] b, int m) {
    double[] c = new double[n * m];
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < k; t++) {
        double v = a[i * k + t];
        if (v == 0) {
          continue;
        }
        for (int j = 0; j < m; j++) {
          c[i * m + j] += v * b[t * m + j];
        }
      }
    }
    return c;
  }

  /** A^T B for A (n x k), B (n x m): k x m. */
  static double[] mulTransA(double[] a, int n, int k, double[] b, int m) {
    double[] c = new double[k * m];
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < k; t++) {
        double v = a[i * k + t];
        if (v == 0) {
          continue;
        }
        for (int j = 0; j < m; j++) {
          c[t * m + j] += v * b[i * m + j];
        }
      }
    }
    return c;
  }

  /** A B^T for A (n x k), B (m x k): n x m. */
  static double[] mulTransB(double[] a, int n, int k, double[] b, int m) {
    double[] c = new double[n * m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int t = 0; t < k; t++) {
          s += a[i * k + t] * b[j * k + t];
        }
        c[i * m + j] = s;
      }
    }
    return c;
  }

  /** n seeded N(0, sd^2) values: the initialisation of every weight matrix here. */
  static double[] gaussian(int n, double sd, SplittableRandom rnd) {
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = sd * SyntheticMemories.gaussian(rnd);
    }
    return w;
  }

  static void addTo(double[] acc, double[] x) {
    for (int i = 0; i < acc.length; i++) {
      acc[i] += x[i];
    }
  }

  static void scale(double[] x, double s) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= s;
    }
  }
}
