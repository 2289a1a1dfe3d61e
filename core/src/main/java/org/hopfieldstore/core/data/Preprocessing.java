package org.hopfieldstore.core.data;

import java.util.Locale;
import org.hopfieldstore.core.memory.FloatMatrix;

/**
 * Puts stored patterns on a common scale before they are stored. Raw images retrieve badly by dot
 * product (the brightest image wins every query), so the papers' setups centre the patterns
 * (subtract the mean pattern) and scale each to unit norm: {@code center-unit}. {@code unit} only
 * scales; {@code none} copies. A pattern whose norm is zero stays zero.
 */
public enum Preprocessing {
  NONE,
  UNIT,
  CENTER_UNIT;

  /** Parses {@code none}, {@code unit} or {@code center-unit}. */
  public static Preprocessing parse(String s) {
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "none":
        return NONE;
      case "unit":
        return UNIT;
      case "center-unit":
        return CENTER_UNIT;
      default:
        throw new IllegalArgumentException(
            "unknown normalization '" + s + "': expected none, unit or center-unit");
    }
  }

  /** A new matrix with every row transformed (the centre: the mean of {@code in}'s rows). */
  public FloatMatrix apply(FloatMatrix in) {
    int m = in.rows();
    int d = in.cols();
    double[] center = this == CENTER_UNIT ? mean(in.data(), m, d) : null;
    float[] out = in.data().clone();
    for (int r = 0; r < m; r++) {
      applyRow(out, r * d, d, center);
    }
    return FloatMatrix.of("memories", out, m, d);
  }

  /** The mean of {@code m} rows of {@code d} values. */
  public static double[] mean(float[] data, int m, int d) {
    double[] mean = new double[d];
    for (int r = 0; r < m; r++) {
      for (int c = 0; c < d; c++) {
        mean[c] += data[r * d + c];
      }
    }
    for (int c = 0; c < d; c++) {
      mean[c] /= m;
    }
    return mean;
  }

  /**
   * Transforms the row {@code x[off..off+d)} in place; {@code center} is the centre a
   * center-unit store subtracts (ignored by the other modes). A store applies this to each new
   * row with the centre it was created with.
   */
  public void applyRow(float[] x, int off, int d, double[] center) {
    if (this == CENTER_UNIT) {
      if (center == null || center.length != d) {
        throw new IllegalArgumentException("center-unit needs a centre of " + d + " values");
      }
      for (int c = 0; c < d; c++) {
        x[off + c] = (float) (x[off + c] - center[c]);
      }
    }
    if (this != NONE) {
      double s = 0;
      for (int c = 0; c < d; c++) {
        s += (double) x[off + c] * x[off + c];
      }
      if (s > 0) {
        float inv = (float) (1.0 / Math.sqrt(s));
        for (int c = 0; c < d; c++) {
          x[off + c] *= inv;
        }
      }
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
