package org.hopfieldstore.core.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrialMeanTest {
  @Test
  void meanAndStandardErrorOfTheSampleStandardDeviation() {
    // 1, 2, 3, 6: mean 3, sample variance (4 + 1 + 0 + 9) / 3 = 14/3, error sqrt(14/3 / 4)
    TrialMean t = TrialMean.of(new double[] {1, 2, 3, 6});
    assertEquals(3, t.mean(), 1e-15);
    assertEquals(Math.sqrt(14.0 / 12), t.standardError(), 1e-15);
    assertEquals(4, t.trials());
    TrialMean one = TrialMean.of(new double[] {0.5});
    assertEquals(0.5, one.mean());
    assertTrue(Double.isNaN(one.standardError()), "one trial has no spread");
    assertEquals(0, TrialMean.of(new double[] {2, 2, 2}).standardError());
    assertThrows(IllegalArgumentException.class, () -> TrialMean.of(new double[0]));
  }
}
