package org.hopfieldstore.core.normalize;

/**
 * Sparsemax (Martins and Astudillo 2016): the Euclidean projection of z onto the simplex,
 * {@code p = argmin_{p >= 0, sum p = 1} ||p - z||^2}, so {@code p_i = [z_i - tau]_+}.
 *
 * <p>{@link #thresholdSort} is the O(n log n) reference: with z sorted decreasingly, the support
 * size is {@code k = max{j : 1 + j z_(j) > sum_{i<=j} z_(i)}} and {@code tau = (sum_{i<=k} z_(i) -
 * 1)/k}. {@link #threshold} is exact without a full sort: it keeps only the scores above {@code
 * max z - 1} (a lower bound of tau) and runs Michelot's fixed-point iteration on them
 * ({@code tau <- (sum_{z_i > tau} z_i - 1) / #{z_i > tau}}), which increases monotonically to the
 * exact threshold in finitely many O(c) passes (Condat 2016).
 */
public final class SparsemaxNormalizer extends ThresholdNormalizer {
  public static final SparsemaxNormalizer INSTANCE = new SparsemaxNormalizer();

  public SparsemaxNormalizer() {
    super(2.0);
  }

  @Override
  protected double thresholdOf(double[] z, int n) {
    double[] c = candidates(z, n);
    int m = c.length;
    double sum = 0;
    for (int i = 0; i < m; i++) {
      sum += c[i];
    }
    double tau = (sum - 1.0) / m;
    while (true) {
      int kept = 0;
      double s = 0;
      for (int i = 0; i < m; i++) {
        if (c[i] > tau) {
          c[kept++] = c[i];
          s += c[i];
        }
      }
      if (kept == m) {
        return tau;
      }
      m = kept;
      tau = (s - 1.0) / m;
    }
  }

  /** The sort-based reference threshold. */
  public static double thresholdSort(double[] z, int n) {
    double[] s = sortedDescending(z, n);
    double cum = 0;
    double best = 0;
    int k = 0;
    for (int j = 1; j <= n; j++) {
      cum += s[j - 1];
      if (1.0 + j * s[j - 1] > cum) {
        k = j;
        best = cum;
      }
    }
    return (best - 1.0) / k;
  }
}
