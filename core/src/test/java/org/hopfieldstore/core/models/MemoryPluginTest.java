package org.hopfieldstore.core.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A memory plug-in served by a store (query-side projection, support-only backward) against the
 * dense in-memory GSH layer over the same memories: outputs and every gradient (W_Q, W_K, W_V,
 * alpha, queries) agree to float rounding, for sparse rules, softmax and several heads.
 */
class MemoryPluginTest {
  static final int D = 8;

  /** Memories rounded to float, so the dense reference and the store hold the same values. */
  static double[] floatRounded(double[] y) {
    double[] out = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      out[i] = (float) y[i];
    }
    return out;
  }

  static float[] toFloat(double[] y) {
    float[] out = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      out[i] = (float) y[i];
    }
    return out;
  }

  static GshLayer layer(double alpha, boolean fixed, int heads, long seed) {
    return GshLayer.multiHead(D, D, D, heads, 1.0, alpha, fixed, seed);
  }

  /** Relative distance |a - b| / |b|. */
  static double relative(double[] a, double[] b) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num += (a[i] - b[i]) * (a[i] - b[i]);
      den += b[i] * b[i];
    }
    return Math.sqrt(num / Math.max(den, 1e-300));
  }

  @ParameterizedTest(name = "alpha={0} fixed={1} heads={2} m={3}")
  @CsvSource({"1.5, false, 1, 300", "1.2, false, 2, 300", "2.0, true, 1, 300",
      "1.0, true, 1, 60", "1.7, false, 4, 500"})
  void servedMatchesDenseReference(double alpha, boolean fixed, int heads, int m) {
    long seed = 4242L + heads * 31L + m + (long) (alpha * 100);
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = 6;
    double[] y = floatRounded(GshLayerTest.gaussian(m * D, rnd));
    double[] r = GshLayerTest.gaussian(n * D, rnd);
    double[] g = GshLayerTest.gaussian(n * D, rnd);
    for (int i = 0; i < r.length; i++) {
      r[i] *= 2; // sharper weights: small supports, the case the store serves
    }
    GshLayer denseLayer = layer(alpha, fixed, heads, seed);
    GshLayer servedLayer = layer(alpha, fixed, heads, seed);
    MemoryPlugin dense = MemoryPlugin.dense(denseLayer, y, m);
    MemoryPlugin served = MemoryPlugin.served(servedLayer,
        new LocalRetrievalEngine(MemoryBlock.of(toFloat(y), m, D)));

    double[] od = dense.forward(r, n);
    double[] os = served.forward(r, n);
    String where = "seed " + seed;
    assertTrue(relative(os, od) < 1e-5, where + ": outputs differ by " + relative(os, od));
    double[] drd = dense.backward(g);
    double[] drs = served.backward(g);
    assertTrue(relative(drs, drd) < 1e-4, where + ": dR differs by " + relative(drs, drd));
    assertTrue(relative(servedLayer.gWq, denseLayer.gWq) < 1e-4, where + ": dW_Q");
    assertTrue(relative(servedLayer.gWk, denseLayer.gWk) < 1e-4, where + ": dW_K");
    assertTrue(relative(servedLayer.gWv, denseLayer.gWv) < 1e-4, where + ": dW_V");
    if (!fixed) {
      assertEquals(denseLayer.gA, servedLayer.gA, 1e-4 * Math.abs(denseLayer.gA) + 1e-9,
          where + ": d alpha-logit");
      assertTrue(Math.abs(denseLayer.gA) > 1e-6, where + ": alpha gradient vanished");
    }
    long[] traffic = served.storeTraffic();
    assertEquals(1, traffic[0], where);
    if (alpha > 1) {
      assertTrue(traffic[1] < m, where + ": a sparse backward fetched " + traffic[1] + " of "
          + m + " rows");
    } else {
      assertEquals(m, traffic[1], where + ": softmax needs every row");
    }
  }

  @ParameterizedTest(name = "heads={0}")
  @CsvSource({"1", "2"})
  void denseGradientsMatchFiniteDifferences(int heads) {
    long seed = 77L + heads;
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = 3;
    int m = 9;
    double[] y = GshLayerTest.gaussian(m * D, rnd);
    double[] r = GshLayerTest.gaussian(n * D, rnd);
    double[] g = GshLayerTest.gaussian(n * D, rnd);
    GshLayer l = layer(1.5, false, heads, seed);
    MemoryPlugin served = MemoryPlugin.served(l,
        new LocalRetrievalEngine(MemoryBlock.of(toFloat(y), m, D)));
    served.forward(r, n);
    double[] dr = served.backward(g);
    // central differences of L = <GSH(R, Y), G> in the queries, through the dense definition
    GshLayer ref = layer(1.5, false, heads, seed);
    double[] yf = floatRounded(y);
    double h = 1e-4;
    for (int i = 0; i < r.length; i++) {
      double keep = r[i];
      r[i] = keep + h;
      double up = GshLayerTest.loss(ref, r, n, yf, m, g);
      r[i] = keep - h;
      double down = GshLayerTest.loss(ref, r, n, yf, m, g);
      r[i] = keep;
      assertEquals((up - down) / (2 * h), dr[i], 2e-3, "seed " + seed + ": dR[" + i + "]");
    }
  }

  @ParameterizedTest(name = "dim={0}")
  @CsvSource({"4", "9"})
  void refusesAStoreOfAnotherDimension(int dim) {
    MemoryBlock block = MemoryBlock.of(new float[3 * dim], 3, dim);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MemoryPlugin.served(layer(1.5, false, 1, 1), new LocalRetrievalEngine(block)));
    assertTrue(e.getMessage().contains("dimension " + dim), e.getMessage());
  }
}
