package org.hopfieldstore.core.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The official STanHop-Net's parts: coarse-graining against a plain transcription of its
 * definition, and the gradients of the whole encoder-decoder against finite differences.
 */
class StanHopEncoderDecoderTest {
  private static double weighted(double[] o, double[] g) {
    double s = 0;
    for (int i = 0; i < o.length; i++) {
      s += o[i] * g[i];
    }
    return s;
  }

  /**
   * The official CoarseGrain on one series written out: pad by repeating the last segments,
   * concatenate x[j w + i] for i < w, layer norm (biased variance, eps 1e-5), linear.
   */
  private static double[] reference(CoarseGrain cg, double[] z, int series, int n) {
    int d = cg.dModel;
    int w = cg.window;
    int pad = (w - n % w) % w;
    int m = (n + pad) / w;
    double[] out = new double[series * m * d];
    for (int c = 0; c < series; c++) {
      double[][] seg = new double[n + pad][];
      for (int t = 0; t < n; t++) {
        seg[t] = java.util.Arrays.copyOfRange(z, (c * n + t) * d, (c * n + t + 1) * d);
      }
      for (int k = 0; k < pad; k++) { // torch.cat((x, x[:, :, -pad_num:, :]), dim=-2)
        seg[n + k] = seg[n - pad + k];
      }
      for (int j = 0; j < m; j++) {
        double[] v = new double[w * d];
        for (int i = 0; i < w; i++) { // torch.cat([x[:, :, i::w, :] for i in range(w)], -1)
          System.arraycopy(seg[i + j * w], 0, v, i * d, d);
        }
        double mean = 0;
        for (double e : v) {
          mean += e / v.length;
        }
        double var = 0;
        for (double e : v) {
          var += (e - mean) * (e - mean) / v.length;
        }
        for (int k = 0; k < v.length; k++) {
          v[k] = cg.norm.gain[k] * (v[k] - mean) / Math.sqrt(var + 1e-5) + cg.norm.bias[k];
        }
        for (int o = 0; o < d; o++) {
          double s = cg.b[o];
          for (int k = 0; k < v.length; k++) {
            s += v[k] * cg.w[k * d + o];
          }
          out[(c * m + j) * d + o] = s;
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "series={0} n={1} d={2} window={3}")
  @CsvSource({"2, 4, 3, 2", "2, 5, 3, 2", "1, 7, 2, 3", "3, 2, 2, 4", "2, 6, 3, 3"})
  void coarseGrainIsConcatenationNormAndLinearWithRepeatedPadding(int series, int n, int d,
      int window) {
    long seed = 31L * n + window;
    SplittableRandom rnd = new SplittableRandom(seed);
    CoarseGrain cg = new CoarseGrain(series, d, window, seed);
    double[] gain = GshLayerTest.gaussian(cg.norm.gain.length, rnd);
    double[] bias = GshLayerTest.gaussian(cg.norm.bias.length, rnd);
    System.arraycopy(gain, 0, cg.norm.gain, 0, gain.length);
    System.arraycopy(bias, 0, cg.norm.bias, 0, bias.length);
    System.arraycopy(GshLayerTest.gaussian(d, rnd), 0, cg.b, 0, d);
    double[] z = GshLayerTest.gaussian(series * n * d, rnd);
    double[] out = cg.forward(z, n);
    int m = CoarseGrain.coarsened(n, window);
    assertEquals(series * m * d, out.length);
    double[] ref = reference(cg, z, series, n);
    for (int i = 0; i < ref.length; i++) {
      assertEquals(ref[i], out[i], 1e-12, "seed=" + seed + " output " + i);
    }
    double[] g = GshLayerTest.gaussian(out.length, rnd);
    cg.zeroGrad();
    double[] dz = cg.backward(g);
    java.util.function.DoubleSupplier loss = () -> weighted(cg.forward(z, n), g);
    double h = 1e-6;
    GshLayerTest.check("seed=" + seed + " dz", z, dz, loss, h);
    GshLayerTest.check("seed=" + seed + " dW", cg.w, cg.gW.clone(), loss, h);
    GshLayerTest.check("seed=" + seed + " db", cg.b, cg.gB.clone(), loss, h);
    GshLayerTest.check("seed=" + seed + " dgain", cg.norm.gain, cg.norm.gGain.clone(), loss, h);
    GshLayerTest.check("seed=" + seed + " dbias", cg.norm.bias, cg.norm.gBias.clone(), loss, h);
  }

  /**
   * Lookback 13 with patch 2 (one step of front padding), three levels with window 2 (segments
   * 7, 7, 4, 2: the first coarsening pads; every level keeps two segments or more, so no
   * attention is over a single pattern, whose weight 1 would give nothing to check), horizon 3
   * (output cut from 2 segments of 2), beta 0.5 (supports of one pattern, where entmax is flat,
   * are rarer): every parameter group, the input and every alpha logit.
   */
  @ParameterizedTest(name = "heads={0}")
  @CsvSource({"1", "3"})
  void networkGradientsMatchFiniteDifferences(int heads) {
    long seed = 41 + heads;
    String what = "seed=" + seed + " heads=" + heads;
    SplittableRandom rnd = new SplittableRandom(seed);
    StanHopEncoderDecoder net = new StanHopEncoderDecoder(2, 13, 2, 3, 3, 3, 2, 2, heads, 0.5,
        1.5, false, seed);
    assertEquals(7, net.inSegments);
    assertEquals(2, net.outSegments);
    assertEquals(List.of(7, 7, 4, 2), List.of(net.segments(0), net.segments(1),
        net.segments(2), net.segments(3)));
    double[] x = GshLayerTest.gaussian(26, rnd);
    double[] g = GshLayerTest.gaussian(6, rnd);
    assertEquals(6, net.forward(x).length);
    net.zeroGrad();
    double[] dx = net.backward(g);
    double h = 1e-6;
    java.util.function.DoubleSupplier loss = () -> weighted(net.forward(x), g);
    GshLayerTest.check(what + " dx", x, dx, loss, h);
    List<double[][]> params = net.parameters();
    // embedding 6; 2 coarse-grainings x 4; 3 encoder and 4 decoder blocks x (9 + 17);
    // 4 decoder layers x (3 retrieval + 4 norms + 4 feed-forward + 2 prediction)
    assertEquals(6 + 2 * 4 + 7 * 26 + 4 * 13, params.size());
    for (int k = 0; k < params.size(); k++) {
      double[][] p = params.get(k);
      GshLayerTest.check(what + " parameter group " + k, p[0], p[1].clone(), loss, h);
    }
    assertEquals(3 * 3 + 4 * 4, net.gshLayers().size());
    for (GshLayer layer : net.gshLayers()) {
      assertEquals(heads, layer.heads);
      StanHopNetTest.checkAlphaLogit(what, layer, loss, h);
    }
  }

  @Test
  void theDenseVariantFixesEveryLayerAtSoftmax() {
    StanHopEncoderDecoder dense = new StanHopEncoderDecoder(2, 8, 4, 4, 4, 2, 2, 2, 2, 1.0,
        1.5, true, 7);
    for (GshLayer layer : dense.gshLayers()) {
      assertFalse(layer.learnsAlpha());
      assertEquals(1.0, layer.alpha(), 0);
    }
    StanHopEncoderDecoder sparse = new StanHopEncoderDecoder(2, 8, 4, 4, 4, 2, 2, 2, 2, 1.0,
        1.5, false, 7);
    for (GshLayer layer : sparse.gshLayers()) {
      assertTrue(layer.learnsAlpha());
      assertEquals(1.5, layer.alpha(), 1e-12);
    }
  }

  /** Every resolution reaches the forecast: each decoder layer's prediction changes it. */
  @Test
  void everyDecoderLayerAddsToTheForecast() {
    StanHopEncoderDecoder net = new StanHopEncoderDecoder(2, 16, 4, 4, 4, 2, 2, 2, 1, 1.0,
        1.5, false, 11);
    double[] x = GshLayerTest.gaussian(32, new SplittableRandom(11));
    double[] before = net.forward(x);
    for (StanHopEncoderDecoder.DecoderLayer layer : net.decoder) {
      layer.bp[0] += 1;
      double[] after = net.forward(x);
      layer.bp[0] -= 1;
      for (int c = 0; c < 2; c++) { // the first step of each series' first segment
        assertEquals(before[c * 4] + 1, after[c * 4], 1e-12);
      }
    }
  }

  /** The official baseline=True: each series' lookback mean is added; dx against differences. */
  @Test
  void theWindowMeanBaseAddsEachSeriesLevel() {
    long seed = 61;
    SplittableRandom rnd = new SplittableRandom(seed);
    StanHopEncoderDecoder net = new StanHopEncoderDecoder(2, 7, 2, 3, 3, 2, 2, 2, 1, 0.5,
        1.5, false, seed);
    Forecaster based = new WindowMeanForecaster(net);
    double[] x = GshLayerTest.gaussian(14, rnd);
    for (int t = 0; t < 7; t++) {
      x[7 + t] += 40; // the second series far from zero
    }
    double[] plain = net.forward(x).clone();
    double[] out = based.forward(x);
    for (int c = 0; c < 2; c++) {
      double sum = 0;
      for (int t = 0; t < 7; t++) {
        sum += x[c * 7 + t];
      }
      for (int h = 0; h < 3; h++) {
        assertEquals(plain[c * 3 + h] + sum / 7, out[c * 3 + h], 1e-12, "seed=" + seed);
      }
    }
    double[] g = GshLayerTest.gaussian(6, rnd);
    based.zeroGrad();
    double[] dx = based.backward(g);
    GshLayerTest.check("seed=" + seed + " dx", x, dx, () -> weighted(based.forward(x), g), 1e-6);
    assertEquals(net.parameters().size(), based.parameters().size());
  }

  @Test
  void aTinyEncoderDecoderOverfitsAShortSyntheticSeries() {
    StanHopNetTest.overfits(new StanHopEncoderDecoder(3, 16, 4, 8, 4, 2, 2, 2, 2, 2.0, 1.5,
        false, 2024), 2024, "encoder-decoder", 300);
  }

  @Test
  void badShapesAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new StanHopEncoderDecoder(2, 8, 2, 3, 2, 2, 1, 2, 1, 1.0, 1.5, false, 1));
    assertTrue(e.getMessage().contains("window must be >= 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new StanHopEncoderDecoder(2, 8, 2, 4, 2, 2, 2, 2, 3, 1.0, 1.5, false, 1));
    assertTrue(e.getMessage().contains("heads 3 must divide the model width 4"), e.getMessage());
    StanHopEncoderDecoder net = new StanHopEncoderDecoder(2, 7, 2, 3, 2, 2, 2, 2, 1, 1.0, 1.5,
        false, 1);
    e = assertThrows(IllegalArgumentException.class, () -> net.forward(new double[15]));
    assertTrue(e.getMessage().contains("input must be 2 x 7"), e.getMessage());
  }
}
