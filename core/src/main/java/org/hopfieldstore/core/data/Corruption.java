package org.hopfieldstore.core.data;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How a query is made from a stored pattern, as the papers' public code does on images
 * (ALGORITHMS.md, section 5): {@code mask-bottom} zeroes the bottom half of the coordinates
 * (the bottom half of a flattened image), {@code dropout:P} zeroes each coordinate with probability
 * P and scales the kept ones by 1/(1-P), {@code gaussian:S} adds N(0, S^2) noise, {@code
 * gaussian-clamp:S} makes {@code clamp(|x + N(0, S^2)|, 0, 1)} as the sparse Hopfield paper's code
 * perturbs images ({@code gaussian_perturb_image}), {@code sphere-clamp:R} makes {@code clamp(|x +
 * R u|, 0, 1)} with {@code u} a uniformly random unit vector (a normalised N(0, I) draw), as
 * U-Hop's noise-robustness code does ({@code memory_retrieval_noise*.py}), and {@code none} copies the
 * pattern. Text form: {@code kind[:level]}, e.g. {@code gaussian:0.3}.
 */
public final class Corruption {
  /** The corruption kinds. */
  public enum Kind {
    NONE,
    MASK_BOTTOM,
    DROPOUT,
    GAUSSIAN,
    GAUSSIAN_CLAMP,
    SPHERE_CLAMP
  }

  private final Kind kind;
  private final double level;

  private Corruption(Kind kind, double level) {
    this.kind = kind;
    this.level = level;
  }

  /**
   * Parses {@code none}, {@code mask-bottom}, {@code dropout:P} (0 <= P < 1), {@code gaussian:S},
   * {@code gaussian-clamp:S} and {@code sphere-clamp:R} (S, R >= 0).
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
      case "gaussian-clamp":
      case "sphere-clamp": {
        double sd = level(text, arg);
        if (!(sd >= 0 && Double.isFinite(sd))) {
          throw new IllegalArgumentException(name + " noise level must be >= 0, got " + sd);
        }
        Kind kind = name.equals("gaussian") ? Kind.GAUSSIAN
            : name.equals("gaussian-clamp") ? Kind.GAUSSIAN_CLAMP : Kind.SPHERE_CLAMP;
        return new Corruption(kind, sd);
      }
      default:
        throw new IllegalArgumentException("unknown corruption '" + text
            + "': expected none, mask-bottom, dropout:P, gaussian:SIGMA, gaussian-clamp:SIGMA or "
            + "sphere-clamp:R");
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
      case SPHERE_CLAMP: {
        double[] u = new double[d];
        double norm2 = 0;
        for (int c = 0; c < d; c++) {
          u[c] = SyntheticMemories.gaussian(rnd);
          norm2 += u[c] * u[c];
        }
        // torch's F.normalize divides by max(|u|, 1e-12); a zero draw has probability 0
        double scale = level / Math.max(Math.sqrt(norm2), 1e-12);
        for (int c = 0; c < d; c++) {
          double v = Math.abs(src[srcOff + c] + scale * u[c]);
          dst[dstOff + c] = (float) Math.min(1, v);
        }
        break;
      }
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
      case SPHERE_CLAMP:
        return "sphere-clamp:" + level;
      default:
        return "none";
    }
  }
}
