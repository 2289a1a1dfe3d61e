package org.hopfieldstore.core.data;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How a query is made from a stored pattern, as the papers' public code does on images
 * (ALGORITHMS.md, section 5): {@code mask-bottom} zeroes the bottom half of the coordinates
 * (the bottom half of a flattened image), {@code dropout:P} zeroes each coordinate with probability
 * P and scales the kept ones by 1/(1-P), {@code gaussian:S} adds N(0, S^2) noise, {@code
 * gaussian-clamp:S} makes {@code clamp(|x + N(0, S^2)|, 0, 1)} as the sparse Hopfield paper's code
 * perturbs images ({@code gaussian_perturb_image}), and {@code none} copies the pattern. Text form: {@code kind[:level]}, e.g. {@code gaussian:0.3}.
 */
public final class Corruption {
  /** The corruption kinds. */
  public enum Kind {
    NONE,
    MASK_BOTTOM,
    DROPOUT,
    GAUSSIAN,
    GAUSSIAN_CLAMP
  }

  private final Kind kind;
  private final double level;

  private Corruption(Kind kind, double level) {
    this.kind = kind;
    this.level = level;
  }

  /**
   * Parses {@code none}, {@code mask-bottom}, {@code dropout:P} (0 <= P < 1), {@code gaussian:S}
   * and {@code gaussian-clamp:S}.
   */
  public static Corruption parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    int colon = s.indexOf(':');
    String name = colon < 0 ? s : s.substring(0, colon);
    String arg = colon < 0 ? null : s.substring(colon + 1);
    switch (name) {
      case "none":
        return new Corruption(Kind.NONE, 0);
      case "mask-bottom":
        return new Corruption(Kind.MASK_BOTTOM, 0.5);
      case "dropout": {
        double p = level(text, arg);
        if (!(p >= 0 && p < 1)) {
          throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        return new Corruption(Kind.DROPOUT, p);
      }
      case "gaussian":
      case "gaussian-clamp": {
        double sd = level(text, arg);
        if (!(sd >= 0 && Double.isFinite(sd))) {
          throw new IllegalArgumentException(name + " noise level must be >= 0, got " + sd);
        }
        return new Corruption(name.equals("gaussian") ? Kind.GAUSSIAN : Kind.GAUSSIAN_CLAMP, sd);
      }
      default:
        throw new IllegalArgumentException("unknown corruption '" + text
            + "': expected none, mask-bottom, dropout:P, gaussian:SIGMA or gaussian-clamp:SIGMA");
    }
  }

  private static double level(String text, String arg) {
    if (arg == null || arg.isEmpty()) {
      throw new IllegalArgumentException("corruption '" + text + "' needs a level, e.g. "
          + text.trim() + ":0.3");
    }
    try {
      return Double.parseDouble(arg);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("corruption level '" + arg + "' is not a number");
    }
  }

  public Kind kind() {
    return kind;
  }

  public double level() {
    return level;
  }

  /** Writes the corrupted copy of {@code src[srcOff..srcOff+d)} into {@code dst[dstOff..)}. */
  public void apply(float[] src, int srcOff, float[] dst, int dstOff, int d,
      SplittableRandom rnd) {
    switch (kind) {
      case MASK_BOTTOM:
        for (int c = 0; c < d; c++) {
          dst[dstOff + c] = c < d / 2 ? src[srcOff + c] : 0f;
        }
        break;
      case DROPOUT: {
        float keep = (float) (1.0 / (1.0 - level));
        for (int c = 0; c < d; c++) {
          dst[dstOff + c] = rnd.nextDouble() < level ? 0f : src[srcOff + c] * keep;
        }
        break;
      }
      case GAUSSIAN:
        for (int c = 0; c < d; c++) {
          dst[dstOff + c] = src[srcOff + c] + (float) (level * SyntheticMemories.gaussian(rnd));
        }
        break;
      case GAUSSIAN_CLAMP:
        for (int c = 0; c < d; c++) {
          double v = Math.abs(src[srcOff + c] + level * SyntheticMemories.gaussian(rnd));
          dst[dstOff + c] = (float) Math.min(1, v);
        }
        break;
      default:
        System.arraycopy(src, srcOff, dst, dstOff, d);
    }
  }

  @Override
  public String toString() {
    switch (kind) {
      case MASK_BOTTOM:
        return "mask-bottom";
      case DROPOUT:
        return "dropout:" + level;
      case GAUSSIAN:
        return "gaussian:" + level;
      case GAUSSIAN_CLAMP:
        return "gaussian-clamp:" + level;
      default:
        return "none";
    }
  }
}
