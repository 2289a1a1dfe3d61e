package org.hopfieldstore.core.normalize;

/**
 * Top-K: softmax over the K largest scores, zero elsewhere (the nonparametric sparse-structured
 * model of Hu et al. 2024). Ties at the K-th place go to the lower index; {@code K >= n} is plain
 * softmax. Has no closed-form energy, so {@link #conjugate} is NaN.
 */
public final class TopKNormalizer implements Normalizer {
  private final int k;

  public TopKNormalizer(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    this.k = k;
  }

  public int k() {
    return k;
  }

  @Override
  public void normalize(double[] z, int n, double[] p) {
    if (k >= n) {
      SoftmaxNormalizer.INSTANCE.normalize(z, n, p);
      return;
    }
    int[] top = topIndices(z, n, k);
    double m = z[top[0]];
    double s = 0;
    java.util.Arrays.fill(p, 0, n, 0.0);
    for (int i : top) {
      p[i] = Math.exp(z[i] - m);
      s += p[i];
    }
    for (int i : top) {
      p[i] /= s;
    }
  }

  @Override
  public double conjugate(double[] z, int n) {
    return Double.NaN;
  }

  /**
   * Indices of the k largest of {@code z[0..n)}, best first; ties go to the lower index. A simple
   * bounded insertion list: O(n k) worst case, O(n) when most scores lose at once.
   */
  public static int[] topIndices(double[] z, int n, int k) {
    int cap = Math.min(k, n);
    int[] idx = new int[cap];
    int size = 0;
    for (int i = 0; i < n; i++) {
      double v = z[i];
      if (size == cap && !(v > z[idx[size - 1]])) {
        continue; // not better than the worst kept (equal loses: higher index)
      }
      // insert v, dropping the worst when full; equal scores keep the earlier (lower) index first
      int pos = size == cap ? size - 1 : size++;
      while (pos > 0 && v > z[idx[pos - 1]]) {
        idx[pos] = idx[pos - 1];
        pos--;
      }
      idx[pos] = i;
    }
    return idx;
  }
}
