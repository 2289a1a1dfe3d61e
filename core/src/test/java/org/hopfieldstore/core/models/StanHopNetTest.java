package org.hopfieldstore.core.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.hopfieldstore.core.kernel.Adam;
import org.junit.jupiter.api.Test;

/** STanHop-Net: gradients of the whole network against finite differences; it overfits. */
class StanHopNetTest {
  static double loss(StanHopNet net, double[] x, double[] g) {
    double[] o = net.forward(x);
    double s = 0;
    for (int i = 0; i < o.length; i++) {
      s += o[i] * g[i];
    }
    return s;
  }

  @Test
  void networkGradientsMatchFiniteDifferences() {
    long seed = 12;
    SplittableRandom rnd = new SplittableRandom(seed);
    StanHopNet net = new StanHopNet(2, 8, 2, 3, 2, 2, 2.0, 1.5, seed);
    double[] x = GshLayerTest.gaussian(16, rnd);
    double[] g = GshLayerTest.gaussian(4, rnd);
    net.forward(x);
    net.zeroGrad();
    double[] dx = net.backward(g);
    double h = 1e-6;
    GshLayerTest.check("seed=12 dx", x, dx, () -> loss(net, x, g), h);
    GshLayerTest.check("seed=12 dWe", net.we, net.gWe.clone(), () -> loss(net, x, g), h);
    GshLayerTest.check("seed=12 dbe", net.be, net.gBe.clone(), () -> loss(net, x, g), h);
    GshLayerTest.check("seed=12 dWh", net.wh, net.gWh.clone(), () -> loss(net, x, g), h);
    GshLayerTest.check("seed=12 dbh", net.bh, net.gBh.clone(), () -> loss(net, x, g), h);
    for (GshLayer layer : List.of(net.temporal.get(0), net.temporal.get(1), net.cross.get(0),
        net.cross.get(1))) {
      GshLayerTest.check("seed=12 dWq", layer.wq, layer.gWq.clone(), () -> loss(net, x, g), h);
      GshLayerTest.check("seed=12 dWv", layer.wv, layer.gWv.clone(), () -> loss(net, x, g), h);
      checkAlphaLogit("seed=12", layer, () -> loss(net, x, g), h);
    }
  }

  /** The full block: every parameter group, the input and every alpha logit. */
  @Test
  void fullNetworkGradientsMatchFiniteDifferences() {
    long seed = 13;
    SplittableRandom rnd = new SplittableRandom(seed);
    StanHopNet net = StanHopNet.full(3, 8, 2, 3, 2, 2, 2.0, 1.5, 2, false, seed);
    double[] x = GshLayerTest.gaussian(24, rnd);
    double[] g = GshLayerTest.gaussian(6, rnd);
    net.forward(x);
    net.zeroGrad();
    double[] dx = net.backward(g);
    double h = 1e-6;
    GshLayerTest.check("seed=13 dx", x, dx, () -> loss(net, x, g), h);
    List<double[][]> params = net.parameters();
    assertEquals(4 + 2 * (3 * 3 + 8 + 8 + 1), params.size());
    for (int k = 0; k < params.size(); k++) {
      double[][] p = params.get(k);
      GshLayerTest.check("seed=13 parameter group " + k, p[0], p[1].clone(),
          () -> loss(net, x, g), h);
    }
    assertEquals(6, net.gshLayers().size());
    for (GshLayer layer : net.gshLayers()) {
      checkAlphaLogit("seed=13", layer, () -> loss(net, x, g), h);
    }
  }

  /** The alpha-logit gradient of one GSH layer against a central difference of the loss. */
  static void checkAlphaLogit(String what, GshLayer layer, java.util.function.DoubleSupplier f,
      double h) {
    double a = layer.a;
    layer.a = a + h;
    double up = f.getAsDouble();
    layer.a = a - h;
    double down = f.getAsDouble();
    layer.a = a;
    double fd = (up - down) / (2 * h);
    assertEquals(fd, layer.gA, 1e-6 + 1e-5 * Math.abs(fd), what + " d alpha-logit");
  }

  @Test
  void layerNormRowsHaveMeanZeroAndUnitVariance() {
    SplittableRandom rnd = new SplittableRandom(4);
    LayerNorm ln = new LayerNorm(7);
    double[] x = GshLayerTest.gaussian(21, rnd);
    for (int i = 0; i < x.length; i++) {
      x[i] = 5 + 3 * x[i];
    }
    double[] y = ln.forward(x, 3).output;
    for (int r = 0; r < 3; r++) {
      double mean = 0;
      double var = 0;
      for (int k = 0; k < 7; k++) {
        mean += y[r * 7 + k] / 7;
      }
      for (int k = 0; k < 7; k++) {
        var += (y[r * 7 + k] - mean) * (y[r * 7 + k] - mean) / 7;
      }
      assertEquals(0, mean, 1e-12, "row " + r);
      assertEquals(1, var, 1e-4, "row " + r); // eps 1e-5 in the denominator
    }
  }

  /** Three coupled seasonal series; 24 windows of 16 steps forecasting 4. */
  @Test
  void aTinyNetOverfitsAShortSyntheticSeries() {
    overfits(new StanHopNet(3, 16, 4, 8, 4, 2, 2.0, 1.5, 2024), 2024, "compact", 300);
  }

  @Test
  void aTinyFullNetOverfitsAShortSyntheticSeries() {
        // layer norms and the feed-forward sublayers make it slower to fit: more epochs
    overfits(StanHopNet.full(3, 16, 4, 8, 4, 2, 2.0, 1.5, 2, false, 2024), 2024, "full block",
        1000);
  }

  static void overfits(Forecaster net, long seed, String what, int epochs) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int series = 3;
    int lookback = 16;
    int horizon = 4;
    int windows = 24;
    int length = lookback + horizon + windows;
    double[][] s = new double[series][length];
    for (int t = 0; t < length; t++) {
      s[0][t] = Math.sin(2 * Math.PI * t / 8.0) + 0.1 * rnd.nextGaussian();
      s[1][t] = Math.cos(2 * Math.PI * t / 5.0) + 0.1 * rnd.nextGaussian();
      s[2][t] = 0.5 * s[0][t] + 0.5 * s[1][t] + 0.1 * rnd.nextGaussian();
    }
    List<double[][]> params = net.parameters();
    Adam[] adams = params.stream().map(p -> new Adam(p[0].length, 0.01, false))
        .toArray(Adam[]::new);
    double first = Double.NaN;
    double last = Double.NaN;
    for (int epoch = 0; epoch < epochs; epoch++) {
      net.zeroGrad();
      double mse = 0;
      for (int w = 0; w < windows; w++) {
        double[] x = new double[series * lookback];
        double[] yTrue = new double[series * horizon];
        for (int c = 0; c < series; c++) {
          System.arraycopy(s[c], w, x, c * lookback, lookback);
          System.arraycopy(s[c], w + lookback, yTrue, c * horizon, horizon);
        }
        double[] y = net.forward(x);
        double[] d = new double[y.length];
        for (int i = 0; i < y.length; i++) {
          double e = y[i] - yTrue[i];
          mse += e * e / (y.length * windows);
          d[i] = 2 * e / (y.length * windows);
        }
        net.backward(d);
      }
      if (epoch == 0) {
        first = mse;
      }
      last = mse;
      for (int k = 0; k < params.size(); k++) {
        adams[k].step(params.get(k)[0], params.get(k)[1]);
      }
    }
    System.out.printf("seed=%d STanHop-Net (%s) overfit: mse %.4f -> %.5f in %d epochs%n",
        seed, what, first, last, epochs);
    assertTrue(last < 0.05 && last < 0.1 * first, "seed=" + seed + " mse " + first + " -> "
        + last);
  }

  @Test
  void badShapesAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new StanHopNet(2, 10, 4, 3, 2, 1, 1.0, 1.5, 1));
    assertTrue(e.getMessage().contains("multiple of patch"), e.getMessage());
    StanHopNet net = new StanHopNet(2, 8, 2, 3, 2, 2, 1.0, 1.5, 1);
    e = assertThrows(IllegalArgumentException.class, () -> net.forward(new double[15]));
    assertTrue(e.getMessage().contains("input must be 2 x 8"), e.getMessage());
  }
}
