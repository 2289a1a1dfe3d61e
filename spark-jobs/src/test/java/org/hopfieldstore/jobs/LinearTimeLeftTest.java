package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LinearTimeLeftTest {
  @Test
  void exactLinearCostsArePredictedExactlyAndTheWarmUpIsLeftOut() {
    LinearTimeLeft t = new LinearTimeLeft();
    t.done(10, 60); // warm-up: left out
    t.done(10, 2 + 0.001 * 10);
    assertTrue(Double.isNaN(t.secondsFor(new long[] {1_000_000})), "one size: unknown");
    t.done(100, 2 + 0.001 * 100);
    t.done(1000, 2 + 0.001 * 1000);
    // remaining 10,000 and 100,000: (2 + 10) + (2 + 100)
    assertEquals(114, t.secondsFor(new long[] {10_000, 100_000}), 1e-9);
  }

  @Test
  void oneSizeAloneEstimatesMoreItemsOfThatSizeOnly() {
    LinearTimeLeft t = new LinearTimeLeft();
    assertTrue(Double.isNaN(t.secondsFor(new long[] {100})), "nothing done: unknown");
    t.done(100, 51); // warm-up: left out
    assertTrue(Double.isNaN(t.secondsFor(new long[] {100})), "only the warm-up: unknown");
    t.done(100, 44);
    t.done(100, 46);
    // a study of one memory count (uhop-noise.conf): 8 more trials of 45 s on average
    assertEquals(8 * 45, t.secondsFor(new long[] {100, 100, 100, 100, 100, 100, 100, 100}),
        1e-9);
    assertTrue(Double.isNaN(t.secondsFor(new long[] {100, 1000})), "another size: unknown");
    assertEquals(0, t.secondsFor(new long[0]), 0, "nothing left");
  }

  @Test
  void negativeFitsFallBackToTheMeanOrThroughTheOrigin() {
    LinearTimeLeft flat = new LinearTimeLeft();
    flat.done(1, 100);
    flat.done(10, 3);
    flat.done(100, 1); // larger items faster: no cost per memory, mean 2 s per item
    assertEquals(6, flat.secondsFor(new long[] {1_000, 10_000, 100_000}), 1e-9);

    LinearTimeLeft steep = new LinearTimeLeft();
    steep.done(1, 100);
    steep.done(10, 0.5);
    steep.done(100, 10); // the line would cross below zero: b through the origin instead
    double b = (10 * 0.5 + 100 * 10) / (10.0 * 10 + 100 * 100);
    assertEquals(b * 1000, steep.secondsFor(new long[] {1000}), 1e-9);
  }
}
