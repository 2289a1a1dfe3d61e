package org.hopfieldstore.core.reduce;

/**
 * {@code exp(x)} for the float32 weights of online softmax, about 4x cheaper than {@link
 * Math#exp}: Cody-Waite range reduction {@code x = k ln 2 + r}, |r| <= ln2/2, a degree-6 Taylor
 * polynomial for {@code e^r} and the exponent built from bits. Relative error below 2e-7 (float
 * precision) for x in [-87, 0]; below -87 the result is 0, as a float weight would underflow.
 */
public final class FastExp {
  private static final double LOG2E = 1.4426950408889634;
  private static final double LN2_HI = 0.6931471803691238;
  private static final double LN2_LO = 1.9082149292705877e-10;

  private FastExp() {}

  /** {@code exp(x)} for {@code x <= 0}, to float precision. */
  public static double expNonPositive(double x) {
    if (x < -87.0) {
      return 0.0;
    }
    double k = Math.rint(x * LOG2E);
    double r = (x - k * LN2_HI) - k * LN2_LO;
    double p = 1 + r * (1 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120
        + r * (1.0 / 720))))));
    return p * Double.longBitsToDouble((long) ((int) k + 1023) << 52);
  }
}
