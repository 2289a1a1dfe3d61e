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

  /** A new matrix with every row transformed. */
  public FloatMatrix apply(FloatMatrix in) {
    int m = in.rows();
    int d = in.cols();
    float[] out = in.data().clone();
    if (this == CENTER_UNIT) {
      double[] mean = new double[d];
      for (int r = 0; r < m; r++) {
        for (int c = 0; c < d; c++) {
          mean[c] += out[r * d + c];
        }
      }
      for (int r = 0; r < m; r++) {
        for (int c = 0; c < d; c++) {
          out[r * d + c] = (float) (out[r * d + c] - mean[c] / m);
        }
      }
    }
    if (this != NONE) {
      for (int r = 0; r < m; r++) {
        double s = 0;
        for (int c = 0; c < d; c++) {
          s += (double) out[r * d + c] * out[r * d + c];
        }
        if (s > 0) {
          float inv = (float) (1.0 / Math.sqrt(s));
          for (int c = 0; c < d; c++) {
            out[r * d + c] *= inv;
          }
        }
      }
    }
    return FloatMatrix.of("memories", out, m, d);
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
