package org.hopfieldstore.spark.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.models.GshLayer;
import org.hopfieldstore.core.models.MemoryPlugin;
import org.junit.jupiter.api.Test;

/**
 * A memory plug-in served by a Spark {@link DistributedStore} (local[2], 1 and 4 partitions):
 * its output and every gradient (W_Q, W_K, W_V, alpha logit, queries), computed from the
 * supports the distributed steps return, against the dense in-memory GSH layer.
 */
class ServedPluginGradientTest {
  static double relative(double[] a, double[] b) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num += (a[i] - b[i]) * (a[i] - b[i]);
      den += b[i] * b[i];
    }
    return Math.sqrt(num / den);
  }

  @Test
  void sparkServedGradientsMatchTheDenseReference() {
    long seed = 2026;
    int d = 8;
    int m = 400;
    int n = 5;
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] yf = new float[m * d];
    double[] y = new double[m * d];
    for (int i = 0; i < yf.length; i++) {
      yf[i] = (float) rnd.nextGaussian();
      y[i] = yf[i];
    }
    double[] r = new double[n * d];
    double[] g = new double[n * d];
    for (int i = 0; i < r.length; i++) {
      r[i] = 2 * rnd.nextGaussian();
      g[i] = rnd.nextGaussian();
    }
    SparkSession spark = SparkSetup.session("local[2]", "ServedPluginGradientTest");
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      for (int heads : new int[] {1, 2}) {
        GshLayer denseLayer = GshLayer.multiHead(d, d, d, heads, 1.0, 1.4, false, seed);
        MemoryPlugin dense = MemoryPlugin.dense(denseLayer, y, m);
        double[] od = dense.forward(r, n);
        double[] drd = dense.backward(g);
        for (int p : new int[] {1, 4}) {
          String what = "seed=" + seed + " heads=" + heads + " partitions=" + p;
          GshLayer layer = GshLayer.multiHead(d, d, d, heads, 1.0, 1.4, false, seed);
          try (DistributedStore store = DistributedStore.fromMatrix(jsc,
              FloatMatrix.of("memories", yf, m, d), p, StorageLevel.MEMORY_ONLY(), "nd4j")) {
            MemoryPlugin served = MemoryPlugin.served(layer, store);
            double[] os = served.forward(r, n);
            double[] drs = served.backward(g);
            assertTrue(relative(os, od) < 1e-5, what + ": output");
            assertTrue(relative(drs, drd) < 1e-4, what + ": dR " + relative(drs, drd));
            assertTrue(relative(layer.gWq, denseLayer.gWq) < 1e-4, what + ": dW_Q");
            assertTrue(relative(layer.gWk, denseLayer.gWk) < 1e-4, what + ": dW_K");
            assertTrue(relative(layer.gWv, denseLayer.gWv) < 1e-4, what + ": dW_V");
            assertEquals(denseLayer.gA, layer.gA, 1e-4 * Math.abs(denseLayer.gA), what);
            assertTrue(served.storeTraffic()[1] < m, what + ": fetched "
                + served.storeTraffic()[1] + " rows");
          }
        }
      }
    } finally {
      spark.stop();
    }
  }
}
