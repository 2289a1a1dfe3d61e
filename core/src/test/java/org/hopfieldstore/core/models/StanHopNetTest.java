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
      double a = layer.a;
      layer.a = a + h;
      double up = loss(net, x, g);
      layer.a = a - h;
      double down = loss(net, x, g);
      layer.a = a;
      double fd = (up - down) / (2 * h);
      assertEquals(fd, layer.gA, 1e-6 + 1e-5 * Math.abs(fd), "seed=12 d alpha-logit");
    }
  }

  /** Three coupled seasonal series; 24 windows of 16 steps forecasting 4. */
  @Test
  void aTinyNetOverfitsAShortSyntheticSeries() {
    long seed = 2024;
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
    StanHopNet net = new StanHopNet(series, lookback, 4, 8, horizon, 2, 2.0, 1.5, seed);
    List<double[][]> params = net.parameters();
    Adam[] adams = params.stream().map(p -> new Adam(p[0].length, 0.01, false))
        .toArray(Adam[]::new);
    double first = Double.NaN;
    double last = Double.NaN;
    for (int epoch = 0; epoch < 300; epoch++) {
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
    System.out.printf("seed=%d STanHop-Net overfit: mse %.4f -> %.5f in 300 epochs%n", seed,
        first, last);
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
