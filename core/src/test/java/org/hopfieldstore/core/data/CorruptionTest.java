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
  void textRoundTripsAndBadTextIsRefusedByName() {
    for (String t : new String[] {"none", "mask-bottom", "dropout:0.5", "gaussian:0.1",
        "gaussian-clamp:0.2"}) {
      assertEquals(t, Corruption.parse(t).toString());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Corruption.parse("gaussian-clamp:-1"));
    assertTrue(e.getMessage().contains("gaussian-clamp noise level must be >= 0"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Corruption.parse("blur:2"));
    assertTrue(e.getMessage().contains("unknown corruption 'blur:2'"), e.getMessage());
  }
}
