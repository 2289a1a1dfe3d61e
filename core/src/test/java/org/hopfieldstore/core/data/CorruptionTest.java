package org.hopfieldstore.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each query corruption against its definition: exact where it is exact, else moments. */
class CorruptionTest {
  private static final long SEED = 20261202L;

  private static float[] constant(int d, float v) {
    float[] x = new float[d];
    java.util.Arrays.fill(x, v);
    return x;
  }

  private static float[] apply(String spec, float[] x, long seed) {
    float[] out = new float[x.length];
    Corruption.parse(spec).apply(x, 0, out, 0, x.length, new SplittableRandom(seed));
    return out;
  }

  @Test
  void maskBottomZeroesTheSecondHalfOfTheCoordinates() {
    float[] x = new float[784];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 7) / 7f + 0.01f;
    }
    float[] y = apply("mask-bottom", x, SEED);
    for (int i = 0; i < x.length; i++) {
      assertEquals(i < 392 ? x[i] : 0f, y[i], "coordinate " + i); // rows 14..27 of a 28x28 image
    }
  }

  @Test
  void dropoutZeroesAShareAndScalesTheRest() {
    int d = 200_000;
    float[] y = apply("dropout:0.3", constant(d, 0.7f), SEED);
    int zeros = 0;
    for (float v : y) {
      if (v == 0f) {
        zeros++;
      } else {
        assertEquals(0.7 / (1 - 0.3), v, 1e-6, "kept coordinates are scaled by 1/(1-P)");
      }
    }
    double se = Math.sqrt(0.3 * 0.7 / d);
    assertEquals(0.3, zeros / (double) d, 5 * se, "dropped share, seed " + SEED);
  }

  @Test
  void gaussianAddsNoiseOfTheGivenStandardDeviation() {
    int d = 200_000;
    float[] y = apply("gaussian:0.25", constant(d, 0.5f), SEED);
    double sum = 0;
    double sq = 0;
    for (float v : y) {
      sum += v - 0.5;
      sq += (v - 0.5) * (v - 0.5);
    }
    double mean = sum / d;
    double sd = Math.sqrt(sq / d - mean * mean);
    assertEquals(0, mean, 5 * 0.25 / Math.sqrt(d), "seed " + SEED);
    assertEquals(0.25, sd, 5 * 0.25 / Math.sqrt(2.0 * d), "seed " + SEED);
  }

  @Test
  void gaussianClampIsTheAbsoluteValueClampedToTheUnitInterval() {
    int d = 200_000;
    double s = 0.3;
    // at x = 0 the output is min(1, |N(0, s^2)|): a half-normal with mean s sqrt(2 / pi), as
    // long as s is small enough that 1 is ~3 standard deviations away
    float[] y = apply("gaussian-clamp:" + s, new float[d], SEED);
    double sum = 0;
    for (float v : y) {
      assertTrue(v >= 0 && v <= 1, "outside [0, 1]: " + v);
      sum += v;
    }
    // the clamp at 1 removes E[(s |g| - 1)+] ~ 1e-4 for s = 0.3, hence the 2e-4 slack
    assertEquals(s * Math.sqrt(2 / Math.PI), sum / d, 5 * s / Math.sqrt(d) + 2e-4,
        "seed " + SEED);
    // at x = 1 the output is exactly 1 whenever the noise is >= 0, below 1 otherwise
    float[] top = apply("gaussian-clamp:" + s, constant(d, 1f), SEED);
    int ones = 0;
    for (float v : top) {
      assertTrue(v >= 0 && v <= 1, "outside [0, 1]: " + v);
      ones += v == 1f ? 1 : 0;
    }
    assertEquals(0.5, ones / (double) d, 5 * Math.sqrt(0.25 / d), "P(noise >= 0), seed " + SEED);
  }

  @Test
  void sphereClampAddsNoiseOfExactlyTheGivenNormInARandomDirection() {
    int d = 784;
    double r = 0.7;
    // at x = 0.5 a perturbation of norm 0.7 over 784 coordinates (each ~0.025) is never clamped,
    // so |q - x| is r exactly (to float rounding)
    float[] x = constant(d, 0.5f);
    int trials = 2_000;
    double[] firstCoordinate = new double[trials];
    double cross = 0;
    float[] previous = null;
    for (int t = 0; t < trials; t++) {
      float[] y = apply("sphere-clamp:" + r, x, SEED + t);
      double norm2 = 0;
      for (int c = 0; c < d; c++) {
        norm2 += (y[c] - 0.5) * (y[c] - 0.5);
      }
      assertEquals(r, Math.sqrt(norm2), 1e-5, "norm of the perturbation, seed " + (SEED + t));
      firstCoordinate[t] = y[0] - 0.5;
      if (previous != null) {
        for (int c = 0; c < d; c++) {
          cross += (y[c] - 0.5) * (previous[c] - 0.5);
        }
      }
      previous = y;
    }
    // a uniform direction: each coordinate has mean 0 and variance r^2 / d, and two draws are
    // uncorrelated (their mean inner product is 0, its standard deviation r^2 / sqrt(d))
    double mean = 0;
    double sq = 0;
    for (double v : firstCoordinate) {
      mean += v / trials;
      sq += v * v / trials;
    }
    double sd = r / Math.sqrt(d);
    assertEquals(0, mean, 5 * sd / Math.sqrt(trials), "seed " + SEED);
    assertEquals(sd * sd, sq, 5 * sd * sd * Math.sqrt(2.0 / trials), "seed " + SEED);
    assertEquals(0, cross / (trials - 1), 5 * r * r / Math.sqrt(d) / Math.sqrt(trials - 1),
        "seed " + SEED);
    // at x = 0 the output is |R u| clamped: its norm is R (no coordinate reaches 1 at R = 0.7)
    float[] y = apply("sphere-clamp:" + r, new float[d], SEED);
    double norm2 = 0;
    for (float v : y) {
      assertTrue(v >= 0 && v <= 1, "outside [0, 1]: " + v);
      norm2 += v * (double) v;
    }
    assertEquals(r, Math.sqrt(norm2), 1e-5, "seed " + SEED);
    // at R = 5 on x = 1 the clamp binds: every output is in [0, 1] and some equal 1
    float[] big = apply("sphere-clamp:5", constant(d, 1f), SEED);
    int ones = 0;
    for (float v : big) {
      assertTrue(v >= 0 && v <= 1, "outside [0, 1]: " + v);
      ones += v == 1f ? 1 : 0;
    }
    assertEquals(0.5, ones / (double) d, 5 * Math.sqrt(0.25 / d), "seed " + SEED);
  }

  @Test
  void textRoundTripsAndBadTextIsRefusedByName() {
    for (String t : new String[] {"none", "mask-bottom", "dropout:0.5", "gaussian:0.1",
        "gaussian-clamp:0.2", "sphere-clamp:1.4"}) {
      assertEquals(t, Corruption.parse(t).toString());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Corruption.parse("gaussian-clamp:-1"));
    assertTrue(e.getMessage().contains("gaussian-clamp noise level must be >= 0"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Corruption.parse("sphere-clamp"));
    assertTrue(e.getMessage().contains("needs a level"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Corruption.parse("blur:2"));
    assertTrue(e.getMessage().contains("unknown corruption 'blur:2'"), e.getMessage());
  }
}
