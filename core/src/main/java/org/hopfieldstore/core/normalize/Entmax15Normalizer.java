package org.hopfieldstore.core.normalize;

/**
 * 1.5-entmax, exactly (Peters, Niculae and Martins 2019): {@code p = argmax_{p in simplex} <p, z>
 * + S_1.5(p)}, i.e. {@code p_i = [z_i/2 - tau]_+^2}. With {@code y = z/2} sorted decreasingly and
 * {@code mean_k}, {@code meansq_k} the mean and mean square of the top k, {@code tau_k = mean_k -
 * sqrt((1 - k (meansq_k - mean_k^2)) / k)}; the support is the longest prefix where the root is
 * real and {@code tau_k < y_(k)}.
 *
 * <p>{@link #threshold} sorts only the candidates {@code y > max y - 1} (tau >= max y - 1);
 * {@link #thresholdSort} sorts all n scores and is the reference.
 */
public final class Entmax15Normalizer extends ThresholdNormalizer {
  public static final Entmax15Normalizer INSTANCE = new Entmax15Normalizer();

  public Entmax15Normalizer() {
    super(1.5);
  }

  @Override
  protected double thresholdOf(double[] z, int n) {
    double[] c = candidates(z, n);
    return thresholdOfSorted(sortedDescending(c, c.length), c.length);
  }

  /** The reference: a full sort of all n scores. */
  public static double thresholdSort(double[] z, int n) {
    return thresholdOfSorted(sortedDescending(z, n), n);
  }

  private static double thresholdOfSorted(double[] zs, int n) {
    double sum = 0;
    double sumSq = 0;
    double tauStar = Double.NaN;
    for (int k = 1; k <= n; k++) {
      double y = 0.5 * zs[k - 1];
      sum += y;
      sumSq += y * y;
      double mean = sum / k;
      double meanSq = sumSq / k;
      double delta = (1.0 - k * (meanSq - mean * mean)) / k;
      if (delta < 0) {
        break;
      }
      double tau = mean - Math.sqrt(delta);
      if (!(tau < y)) {
        break;
      }
      tauStar = tau;
    }
    return tauStar;
  }
}
