package org.hopfieldstore.core.reduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast exponential against Math.exp over its whole range. */
class FastExpTest {
  @Test
  void relativeErrorIsBelowFloatPrecision() {
    long seed = 42;
    Random r = new Random(seed);
    double worst = 0;
    for (int i = 0; i < 1_000_000; i++) {
      double x = -87.0 * r.nextDouble();
      double want = Math.exp(x);
      worst = Math.max(worst, Math.abs(FastExp.expNonPositive(x) - want) / want);
    }
    for (double x : new double[] {0, -1e-12, -0.5, -Math.log(2) / 2, -1, -20, -86.999}) {
      double want = Math.exp(x);
      worst = Math.max(worst, Math.abs(FastExp.expNonPositive(x) - want) / want);
    }
    assertTrue(worst < 2e-7, "worst relative error " + worst + " seed " + seed);
    assertEquals(1.0, FastExp.expNonPositive(0), 0);
    assertEquals(0.0, FastExp.expNonPositive(-88), 0);
    assertEquals(0.0, FastExp.expNonPositive(Double.NEGATIVE_INFINITY), 0);
  }
}
