package org.hopfieldstore.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** SGD against updates computed by hand. */
class SgdTest {
  @Test
  void stepsMatchHandComputedUpdates() {
    // lr 0.5, no decay: w - 0.5 g each step
    Sgd plain = new Sgd(2, 0.5, false);
    double[] w = {1, -2};
    plain.step(w, new double[] {0.5, 4});
    assertArrayEquals(new double[] {0.75, -4}, w, 1e-15);
    plain.step(w, new double[] {-1, 2});
    assertArrayEquals(new double[] {1.25, -5}, w, 1e-15);
    assertEquals(2, plain.steps());
    // lr 1 with decay: rates 1, 1/sqrt(2), 1/sqrt(3)
    Sgd decayed = new Sgd(2, 1, true);
    w = new double[] {1, -2};
    decayed.step(w, new double[] {0.5, 4}); // rate 1
    assertArrayEquals(new double[] {0.5, -6}, w, 1e-15);
    decayed.step(w, new double[] {1, -2}); // rate 0.70710678118654752
    assertArrayEquals(new double[] {-0.20710678118654752, -4.5857864376269050}, w, 1e-15);
    decayed.step(w, new double[] {3, 0}); // rate 0.57735026918962576: 3 x rate = 1.7320508...
    assertArrayEquals(new double[] {-1.9391575887554249, -4.5857864376269050}, w, 1e-15);
    // a restored step count continues the schedule
    Sgd resumed = new Sgd(2, 1, true);
    resumed.setSteps(2);
    double[] r = {-0.20710678118654752, -4.5857864376269050};
    resumed.step(r, new double[] {3, 0});
    assertArrayEquals(w, r, 1e-15);
    assertEquals(0, resumed.state().length);
  }

  @Test
  void badInputIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Sgd(2, 0, false));
    assertTrue(e.getMessage().contains("learning rate must be > 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Sgd(2, 1, false).step(new double[3], new double[3]));
    assertTrue(e.getMessage().contains("SGD: 3 parameters, 3 gradients, sized for 2"),
        e.getMessage());
  }
}
