package org.hopfieldstore.core.capacity;

/**
 * The mean of one measure over a study's trials and its standard error, {@code s / sqrt(n)} with
 * {@code s} the sample standard deviation; the error is NaN for a single trial (no spread to
 * estimate).
 */
public record TrialMean(double mean, double standardError, int trials) {
  public static TrialMean of(double[] values) {
    int n = values.length;
    if (n == 0) {
      throw new IllegalArgumentException("no trials");
    }
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    double mean = sum / n;
    if (n == 1) {
      return new TrialMean(mean, Double.NaN, 1);
    }
    double ss = 0;
    for (double v : values) {
      ss += (v - mean) * (v - mean);
    }
    return new TrialMean(mean, Math.sqrt(ss / (n - 1) / n), n);
  }
}
