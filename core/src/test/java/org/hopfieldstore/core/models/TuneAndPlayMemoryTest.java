package org.hopfieldstore.core.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.junit.jupiter.api.Test;

/**
 * Tune-and-Play: gradients of the tuned mix against finite differences; tuning learns to use a
 * memory that holds the future and to ignore one that holds noise.
 */
class TuneAndPlayMemoryTest {
  static final RetrievalSpec SPEC = RetrievalSpec.parse("sparsemax:beta=8");

  static double loss(TuneAndPlayMemory m, double[] f, double[] r, double[] t) {
    double[] y = m.mix(f, r);
    double s = 0;
    for (int i = 0; i < y.length; i++) {
      s += (y[i] - t[i]) * (y[i] - t[i]);
    }
    return s;
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    long seed = 12;
    SplittableRandom rnd = new SplittableRandom(seed);
    int horizon = 3;
    int series = 2;
    TuneAndPlayMemory m = new TuneAndPlayMemory(PlugAndPlayMemory.EMPTY, horizon);
    double[][] params = {m.gamma, m.a, m.b};
    for (double[] p : params) {
      for (int i = 0; i < p.length; i++) {
        p[i] += 0.5 * SyntheticMemories.gaussian(rnd);
      }
    }
    double[] f = new double[series * horizon];
    double[] r = new double[f.length];
    double[] t = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = SyntheticMemories.gaussian(rnd);
      r[i] = SyntheticMemories.gaussian(rnd);
      t[i] = SyntheticMemories.gaussian(rnd);
    }
    double[] y = m.mix(f, r);
    double[] dy = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      dy[i] = 2 * (y[i] - t[i]);
    }
    m.backward(f, r, dy);
    double[][] grads = {m.gGamma, m.gA, m.gB};
    double h = 1e-6;
    for (int k = 0; k < params.length; k++) {
      for (int i = 0; i < params[k].length; i++) {
        double keep = params[k][i];
        params[k][i] = keep + h;
        double up = loss(m, f, r, t);
        params[k][i] = keep - h;
        double down = loss(m, f, r, t);
        params[k][i] = keep;
        double fd = (up - down) / (2 * h);
        assertTrue(Math.abs(grads[k][i]) > 1e-6 || Math.abs(fd) < 1e-6);
        assertEquals(fd, grads[k][i], 1e-6 + 1e-5 * Math.abs(fd),
            "seed=" + seed + " parameter group " + k + " entry " + i);
      }
    }
  }

  @Test
  void tuningUsesAMemoryOfTheFutureAndIgnoresAMemoryOfNoise() {
    long seed = 5;
    int lookback = 16;
    int horizon = 4;
    double[][] s = PlugAndPlayMemoryTest.repeated(120, seed);
    StanHopNet net = new StanHopNet(2, lookback, 4, 6, horizon, 2, 1.0, 1.5, seed);
    Forecasting.Model model = net::forward;
    double plain = Forecasting.evaluate(model, s, 80, 120, lookback, horizon)[0];

    // the memory holds the first 60 steps: every phase of the pattern with its future
    PlugAndPlayMemory future = PlugAndPlayMemory.inProcess(s, 0, 60, lookback, horizon, SPEC,
        0.5);
    TuneAndPlayMemory tuned = new TuneAndPlayMemory(future, horizon);
    double[] fit = tuned.tune(model, s, 60, 80, lookback, 300, 0.05);
    double plug = Forecasting.evaluate(x -> future.apply(model.forecast(x), x, 2), s, 80, 120,
        lookback, horizon)[0];
    double tune = Forecasting.evaluate(x -> tuned.apply(model.forecast(x), x, 2), s, 80, 120,
        lookback, horizon)[0];
    String msg = String.format("seed=%d future memory: no memory %.4f, plug 0.5 %.4f, tuned "
        + "%.6f (validation %.4f -> %.6f), gate %.3f", seed, plain, plug, tune, fit[0], fit[1],
        tuned.gate(0));
    System.out.println(msg);
    assertTrue(tune < 0.01 * plain && tune < 0.1 * plug, msg);
    assertTrue(tuned.gate(0) > 0.8, msg);

    // a memory of unrelated noise next to a model that is already exact (seasonal naive on a
    // periodic series): tuning turns the memory (nearly) off
    Forecasting.Model exact = Forecasting.seasonalNaive(2, lookback, horizon, 12);
    double exactMse = Forecasting.evaluate(exact, s, 80, 120, lookback, horizon)[0];
    assertEquals(0, exactMse, 1e-20);
    SplittableRandom rnd = new SplittableRandom(seed + 1);
    double[][] noise = new double[2][120];
    for (double[] n : noise) {
      for (int i = 0; i < n.length; i++) {
        n[i] = SyntheticMemories.gaussian(rnd);
      }
    }
    PlugAndPlayMemory noisy = PlugAndPlayMemory.inProcess(noise, 0, 120, lookback, horizon,
        SPEC, 0.5);
    TuneAndPlayMemory ignoring = new TuneAndPlayMemory(noisy, horizon);
    ignoring.tune(exact, s, 60, 80, lookback, 300, 0.05);
    double plugNoise = Forecasting.evaluate(x -> noisy.apply(exact.forecast(x), x, 2), s, 80,
        120, lookback, horizon)[0];
    double tuneNoise = Forecasting.evaluate(x -> ignoring.apply(exact.forecast(x), x, 2), s, 80,
        120, lookback, horizon)[0];
    msg = String.format("seed=%d noise memory beside an exact model: plug 0.5 %.4f, tuned %.5f,"
        + " gates %.3f %.3f %.3f %.3f", seed, plugNoise, tuneNoise, ignoring.gate(0),
        ignoring.gate(1), ignoring.gate(2), ignoring.gate(3));
    System.out.println(msg);
    assertTrue(tuneNoise < 0.05 * plugNoise, msg);
    for (int h = 0; h < horizon; h++) {
      assertTrue(ignoring.gate(h) < 0.2, msg);
    }
  }
}
