package org.hopfieldstore.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KernelTrainingTest {
  private static KernelTraining preset(String name) {
    return KernelTraining.resolve(name, null, null, null, null, null, null, null, null);
  }

  /** The official code's settings (UHop train_kernel, train_kernel_max; U-Hop+ FeatureMap). */
  @Test
  void presetsCarryTheOfficialSettings() {
    KernelTraining uhop = preset("uhop");
    assertEquals("uhop:2.0 sgd 1.0 true 0 0.0 gaussian:1 false", line(uhop));
    assertEquals("uhop-max:2.0 sgd 10.0 false 0 0.0 gaussian:1 false", line(preset("uhop-max")));
    assertEquals("spherical:0.1 adam 0.1 false 16 0.0 kaiming true", line(preset("uhop-plus")));
    // no preset: the spherical loss without a norm penalty, the others' loss with one
    assertEquals(0.0, preset(null).lambda());
    assertEquals(1.0, KernelTraining.resolve(null, "uhop:2", null, null, null, null, null, null,
        null).lambda());
  }

  @Test
  void optionsOverrideThePreset() {
    KernelTraining t = KernelTraining.resolve("uhop-plus", null, "sgd", 0.5, true, 0, 0.25,
        "gaussian:2", false);
    assertEquals("spherical:0.1 sgd 0.5 true 0 0.25 gaussian:2 false", line(t));
  }

  @Test
  void badSettingsNameTheOptionAndTheValue() {
    Object[][] cases = {
        {"preset", "uhop-pro", "must be uhop, uhop-max or uhop-plus"},
        {"optimiser", "rmsprop", "must be adam or sgd"},
        {"lr", "0.0", "must be > 0"},
        {"batch", "1", "has no pairs: use B >= 2, or 0 for every pair"},
        {"batch", "-2", "must be >= 0 (0: every pair)"},
        {"penalty", "-0.5", "must be >= 0"},
        {"init", "xavier", "must be identity, gaussian[:SD] (SD > 0), kaiming or kaiming-uniform"},
    };
    for (Object[] c : cases) {
      String v = (String) c[1];
      KernelTraining.Refusal e = assertThrows(KernelTraining.Refusal.class, () ->
          KernelTraining.resolve(c[0].equals("preset") ? v : null, null,
              c[0].equals("optimiser") ? v : null, c[0].equals("lr") ? Double.valueOf(v) : null,
              null, c[0].equals("batch") ? Integer.valueOf(v) : null,
              c[0].equals("penalty") ? Double.valueOf(v) : null,
              c[0].equals("init") ? v : null, null));
      assertEquals(c[0], e.option);
      assertEquals(v, e.value);
      assertEquals(c[2], e.problem);
      assertEquals(c[0] + "=" + v + ": " + c[2], e.getMessage());
    }
  }

  @Test
  void theBiasStartsAsTorchsLinearOnlyWithKaiming() {
    double[] b = KernelTraining.initialBias("kaiming", 50, 16, 3);
    for (double x : b) {
      assertEquals(0, x, 0.25, "U(-1/4, 1/4) for d = 16, seed 3");
    }
    assertEquals(0, java.util.Arrays.stream(KernelTraining.initialBias("gaussian", 50, 16, 3))
        .map(Math::abs).sum());
    double[] p = KernelTraining.parameters(new double[] {1, 2}, new double[] {3});
    assertEquals(java.util.List.of(1.0, 2.0, 3.0), java.util.Arrays.stream(p).boxed().toList());
  }

  private static String line(KernelTraining t) {
    return t.loss() + " " + t.optimiser() + " " + t.lr() + " " + t.decay() + " " + t.batch()
        + " " + t.lambda() + " " + t.init() + " " + t.bias();
  }
}
