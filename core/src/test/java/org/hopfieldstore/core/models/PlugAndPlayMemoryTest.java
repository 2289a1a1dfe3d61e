package org.hopfieldstore.core.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.junit.jupiter.api.Test;

/** The Plug-and-Play memory: empty changes nothing; a memory of the pattern's future helps. */
class PlugAndPlayMemoryTest {
  /** Two series repeating an irregular seeded pattern of period 12. */
  static double[][] repeated(int length, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] pattern = new double[2][12];
    for (double[] p : pattern) {
      for (int i = 0; i < p.length; i++) {
        p[i] = rnd.nextDouble() * 4 - 2;
      }
    }
    double[][] s = new double[2][length];
    for (int c = 0; c < 2; c++) {
      for (int t = 0; t < length; t++) {
        s[c][t] = pattern[c][t % 12];
      }
    }
    return s;
  }

  @Test
  void anEmptyMemoryLeavesTheForecastUnchanged() {
    StanHopNet net = new StanHopNet(2, 16, 4, 6, 4, 2, 1.0, 1.5, 3);
    double[][] s = repeated(60, 5);
    double[] x = Forecasting.window(s, 30, 16);
    double[] f = net.forward(x);
    assertArrayEquals(f, PlugAndPlayMemory.EMPTY.apply(f, x, 2));
  }

  @Test
  void aMemoryHoldingThePatternsFutureImprovesTheForecast() {
    long seed = 5;
    double[][] s = repeated(120, seed);
    int lookback = 16;
    int horizon = 4;
    StanHopNet net = new StanHopNet(2, lookback, 4, 6, horizon, 2, 1.0, 1.5, seed);
    // the memory holds the first 60 steps: every phase of the period-12 pattern with its future
    PlugAndPlayMemory memory = PlugAndPlayMemory.inProcess(s, 0, 60, lookback, horizon,
        RetrievalSpec.parse("sparsemax:beta=8"), 1.0);
    double plain = Forecasting.evaluate(net::forward, s, 80, 120, lookback, horizon)[0];
    double withMemory = Forecasting.evaluate(x -> memory.apply(net.forward(x), x, 2), s, 80,
        120, lookback, horizon)[0];
    assertTrue(withMemory < 1e-6 && plain > 0.1, "seed=" + seed + " test mse without memory "
        + plain + ", with the exact-future memory " + withMemory);
    // a half gate mixes the two forecasts
    PlugAndPlayMemory half = PlugAndPlayMemory.inProcess(s, 0, 60, lookback, horizon,
        RetrievalSpec.parse("sparsemax:beta=8"), 0.5);
    double[] x = Forecasting.window(s, 90, lookback);
    double[] f = net.forward(x);
    double[] mixed = half.apply(f, x, 2);
    double[] truth = Forecasting.target(s, 90, horizon);
    for (int i = 0; i < f.length; i++) {
      assertEquals(0.5 * f[i] + 0.5 * truth[i], mixed[i], 1e-4, "entry " + i);
    }
  }
}
