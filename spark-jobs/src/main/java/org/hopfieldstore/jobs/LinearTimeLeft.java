package org.hopfieldstore.jobs;

/**
 * The time left of work made of items whose cost is {@code a + b * size} (a capacity study's
 * trials: a fixed cost per trial plus a cost per memory): {@code a} and {@code b} fitted by least
 * squares to the items done, both kept non-negative. The first item is left out (it carries the
 * JVM's and the session's warm-up). With one size known, items of that size take its mean time
 * and items of any other size are not estimated: one size alone cannot tell a fixed cost from a
 * cost per memory, and extrapolating it from ten memories to millions once printed estimates of
 * a month.
 */
final class LinearTimeLeft {
  private boolean first = true;
  private long count;
  private double firstSize = Double.NaN;
  private boolean twoSizes;
  private double sumX;
  private double sumY;
  private double sumXx;
  private double sumXy;

  /** Records an item of {@code size} that took {@code seconds}. */
  void done(double size, double seconds) {
    if (first) {
      first = false;
      return;
    }
    if (Double.isNaN(firstSize)) {
      firstSize = size;
    } else if (size != firstSize) {
      twoSizes = true;
    }
    count++;
    sumX += size;
    sumY += seconds;
    sumXx += size * size;
    sumXy += size * seconds;
  }

  /** The seconds the items of {@code sizes} should take; NaN while unknown. */
  double secondsFor(long[] sizes) {
    if (count == 0) {
      return Double.NaN;
    }
    if (!twoSizes) {
      for (long s : sizes) {
        if (s != firstSize) {
          return Double.NaN;
        }
      }
      return sizes.length * sumY / count;
    }
    double n = count;
    double b = (sumXy - sumX * sumY / n) / (sumXx - sumX * sumX / n);
    double a = (sumY - b * sumX) / n;
    if (b < 0) { // no cost per memory visible yet: the mean time per item
      b = 0;
      a = sumY / n;
    } else if (a < 0) { // no fixed cost visible: through the origin
      a = 0;
      b = sumXy / sumXx;
    }
    double total = 0;
    for (long s : sizes) {
      total += a + b * s;
    }
    return total;
  }
}
