package org.hopfieldstore.core.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Memory plug-ins inside the blocks of whole networks: gradients with plug-ins attached against
 * finite differences (the plug-ins' projections and alpha, the network's parameters, the input),
 * a store-served network against the dense one, the memory sets as the blocks' inputs, and
 * Tune-and-Play changing the plug-ins only.
 */
class MemoryPluginsTest {
  static Forecaster network(String kind, int heads, long seed) {
    return switch (kind) {
      case "encoder-decoder" -> new StanHopEncoderDecoder(2, 13, 2, 4, 3, 2, 2, 2, heads, 0.5,
          1.5, false, seed);
      case "full" -> StanHopNet.full(2, 8, 2, 4, 2, 2, 0.5, 1.5, 2, false, seed);
      default -> new StanHopNet(2, 8, 2, 4, 2, 2, 0.1, 1.5, seed); // no norms: larger scores
    };
  }

  static List<double[]> randomWindows(Forecaster net, int count, SplittableRandom rnd) {
    List<double[]> out = new ArrayList<>();
    for (int w = 0; w < count; w++) {
      out.add(GshLayerTest.gaussian(net.series() * net.lookback(), rnd));
    }
    return out;
  }

  static double weighted(double[] o, double[] g) {
    double s = 0;
    for (int i = 0; i < o.length; i++) {
      s += o[i] * g[i];
    }
    return s;
  }

  @ParameterizedTest(name = "{0} heads={1}")
  @CsvSource({"encoder-decoder, 1", "encoder-decoder, 2", "full, 1", "compact, 1"})
  void gradientsWithPluginsMatchFiniteDifferences(String kind, int heads) {
    long seed = 900 + heads + kind.length();
    String what = "seed=" + seed + " " + kind + " heads=" + heads;
    SplittableRandom rnd = new SplittableRandom(seed);
    Forecaster net = network(kind, heads, seed);
    double[][] sets = MemoryPlugins.memorySets(net, randomWindows(net, 3, rnd), null);
    List<MemoryPlugin> plugins = MemoryPlugins.attach(net, sets, null);
    assertEquals(net.pluginSites().size(), plugins.size());
    for (MemoryPlugin p : plugins) { // move off the pretrained copy, so nothing is symmetric
      for (double[] w : new double[][] {p.layer.wq, p.layer.wk, p.layer.wv}) {
        for (int i = 0; i < w.length; i++) {
          w[i] += 0.3 * GshLayerTest.gaussian(1, rnd)[0];
        }
      }
    }
    double[] x = GshLayerTest.gaussian(net.series() * net.lookback(), rnd);
    double[] g = GshLayerTest.gaussian(net.series() * net.horizon(), rnd);
    Forecaster tuned = MemoryPlugins.tuning(net);
    tuned.forward(x);
    tuned.zeroGrad();
    double[] dx = tuned.backward(g);
    double h = 1e-6;
    java.util.function.DoubleSupplier loss = () -> weighted(net.forward(x), g);
    GshLayerTest.check(what + " dx", x, dx, loss, h);
    List<double[][]> params = tuned.parameters();
    assertEquals(3 * plugins.size(), params.size());
    for (int k = 0; k < params.size(); k++) {
      GshLayerTest.check(what + " plug-in group " + k, params.get(k)[0],
          params.get(k)[1].clone(), loss, h);
    }
    for (GshLayer layer : tuned.gshLayers()) {
      StanHopNetTest.checkAlphaLogit(what + " plug-in", layer, loss, h);
    }
    List<double[][]> own = net.parameters(); // the frozen network's gradients pass through too
    GshLayerTest.check(what + " embedding", own.get(0)[0], own.get(0)[1].clone(), loss, h);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"encoder-decoder", "full"})
  void aStoreServedNetworkMatchesTheDenseOne(String kind) {
    long seed = 313 + kind.length();
    SplittableRandom rnd = new SplittableRandom(seed);
    Forecaster dense = network(kind, 2, seed);
    Forecaster served = network(kind, 2, seed);
    List<double[]> windows = randomWindows(dense, 12, rnd);
    double[][] sets = MemoryPlugins.memorySets(dense, windows, null);
    double[][] rounded = new double[sets.length][];
    for (int k = 0; k < sets.length; k++) {
      rounded[k] = MemoryPluginTest.floatRounded(sets[k]);
    }
    MemoryPlugins.attach(dense, rounded, null);
    List<MemoryPlugin> viaStore = MemoryPlugins.attach(served, sets,
        (k, m) -> new LocalRetrievalEngine(MemoryBlock.of(m)));
    double[] x = GshLayerTest.gaussian(dense.series() * dense.lookback(), rnd);
    double[] g = GshLayerTest.gaussian(dense.series() * dense.horizon(), rnd);
    Forecaster td = MemoryPlugins.tuning(dense);
    Forecaster ts = MemoryPlugins.tuning(served);
    double[] fd = td.forward(x);
    double[] fs = ts.forward(x);
    assertTrue(MemoryPluginTest.relative(fs, fd) < 1e-5, "seed " + seed + " forecasts");
    td.zeroGrad();
    ts.zeroGrad();
    double[] dxd = td.backward(g);
    double[] dxs = ts.backward(g);
    assertTrue(MemoryPluginTest.relative(dxs, dxd) < 1e-4, "seed " + seed + " dx");
    List<double[][]> pd = td.parameters();
    List<double[][]> ps = ts.parameters();
    for (int k = 0; k < pd.size(); k++) {
      double rel = MemoryPluginTest.relative(ps.get(k)[1], pd.get(k)[1]);
      assertTrue(rel < 1e-4, "seed " + seed + " plug-in group " + k + " differs by " + rel);
    }
    for (int k = 0; k < td.gshLayers().size(); k++) {
      double a = td.gshLayers().get(k).gA;
      assertEquals(a, ts.gshLayers().get(k).gA, 1e-4 * Math.abs(a) + 1e-9,
          "seed " + seed + " alpha logit " + k);
    }
    for (MemoryPlugin p : viaStore) {
      assertTrue(p.isServed());
      assertEquals(1, p.storeTraffic()[0]);
      assertTrue(p.storeTraffic()[1] > 0);
    }
  }

  @Test
  void theMemorySetIsEveryWindowsBlockInput() {
    SplittableRandom rnd = new SplittableRandom(5);
    StanHopEncoderDecoder net = (StanHopEncoderDecoder) network("encoder-decoder", 1, 5);
    List<double[]> windows = randomWindows(net, 4, rnd);
    double[][] sets = MemoryPlugins.memorySets(net, windows, null);
    assertEquals(2, sets.length);
    // block 1 sees the embedding's 7 segments, block 2 the 4 coarse-grained ones, per series
    assertEquals(4 * 2 * 7 * 4, sets[0].length);
    assertEquals(4 * 2 * 4 * 4, sets[1].length);
    net.forward(windows.get(2));
    double[] third = java.util.Arrays.copyOfRange(sets[1], 2 * 32, 3 * 32);
    assertArrayEquals(net.pluginSites().get(1).lastInput(), third, 0);
    // a plug-in whose memory is zero everywhere adds nothing
    double[] before = net.forward(windows.get(0));
    MemoryPlugins.attach(net, new double[][] {new double[sets[0].length],
        new double[sets[1].length]}, null);
    assertArrayEquals(before, net.forward(windows.get(0)), 1e-12);
    MemoryPlugins.detach(net);
    assertArrayEquals(before, net.forward(windows.get(0)), 0);
  }

  @Test
  void tuneAndPlayChangesThePluginsOnly() {
    long seed = 77;
    SplittableRandom rnd = new SplittableRandom(seed);
    int length = 120;
    double[][] s = new double[2][length];
    for (int t = 0; t < length; t++) {
      s[0][t] = Math.sin(t * 0.4) + 0.1 * GshLayerTest.gaussian(1, rnd)[0];
      s[1][t] = Math.cos(t * 0.25) + 0.1 * GshLayerTest.gaussian(1, rnd)[0];
    }
    Forecaster net = network("full", 1, seed);
    Forecasting.train(net, s, 80, 100, 5, 5, 0.01, null);
    List<double[]> frozen = net.parameters().stream().map(p -> p[0].clone()).toList();
    double[] alphas = net.gshLayers().stream().mapToDouble(l -> l.a).toArray();
    double[] none = Forecasting.evaluate(net::forward, s, 80, 100, 8, 2);
    double[][] sets = MemoryPlugins.memorySets(net, MemoryPlugins.windows(s, 0, 80, 8), null);
    List<MemoryPlugin> plugins = MemoryPlugins.attach(net, sets,
        (k, m) -> new LocalRetrievalEngine(MemoryBlock.of(m)));
    double[] pnp = Forecasting.evaluate(net::forward, s, 80, 100, 8, 2);
    double[] wq = plugins.get(0).layer.wq.clone();
    Forecasting.train(MemoryPlugins.tuning(net), s, 80, 100, 6, 6, 0.01, null);
    double[] tnp = Forecasting.evaluate(net::forward, s, 80, 100, 8, 2);
    for (int k = 0; k < frozen.size(); k++) {
      assertArrayEquals(frozen.get(k), net.parameters().get(k)[0], 0, "group " + k);
    }
    assertArrayEquals(alphas, net.gshLayers().stream().mapToDouble(l -> l.a).toArray(), 0);
    assertNotEquals(wq[0], plugins.get(0).layer.wq[0]);
    assertNotEquals(none[0], pnp[0], "a plug-in changed nothing");
    assertTrue(tnp[0] < pnp[0], "seed " + seed + ": Tune-and-Play validation mse " + tnp[0]
        + " is not below Plug-and-Play's " + pnp[0]);
  }

  @Test
  void aNetworkWithoutPluginsCannotBeTuned() {
    Forecaster net = network("compact", 1, 3);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> MemoryPlugins.tuning(net));
    assertTrue(e.getMessage().contains("attach"), e.getMessage());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> MemoryPlugins.memorySets(net, List.of(), null));
    assertTrue(none.getMessage().contains("no memory windows"), none.getMessage());
  }
}
