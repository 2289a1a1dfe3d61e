package org.hopfieldstore.core.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.junit.jupiter.api.Test;

/** Separation of known spherical codes, exactly; retrieval quality on hand-made cases. */
class CapacityMetricsTest {
  @Test
  void orthoplexInTwoDimensionsHasNinetyDegrees() {
    FloatMatrix code = FloatMatrix.of("code", new float[] {1, 0, -1, 0, 0, 1, 0, -1}, 4, 2);
    for (int block : new int[] {1, 3, 0}) {
      Separation s = Separation.of(code, block);
      assertEquals(90.0, s.minAngleDegrees(), 1e-9, "block " + block);
      assertEquals(0.0, s.maxCosine, 1e-12);
      assertEquals(1.0, s.minSeparation, 1e-12); // |xi|^2 - max other dot = 1 - 0
    }
  }

  @Test
  void regularSimplexHasCosineMinusOneOverD() {
    for (int d : new int[] {2, 3, 7, 13}) {
      // the d+1 vertices: e_i - centroid in R^(d+1), projected to a d-dim basis is not needed:
      // cosines are basis-free, so keep them in R^(d+1)
      int n = d + 1;
      float[] v = new float[n * n];
      for (int i = 0; i < n; i++) {
        double norm = Math.sqrt((double) d / n);
        for (int j = 0; j < n; j++) {
          v[i * n + j] = (float) (((i == j ? 1.0 : 0.0) - 1.0 / n) / norm);
        }
      }
      Separation s = Separation.of(FloatMatrix.of("simplex", v, n, n), 2);
      assertEquals(-1.0 / d, s.maxCosine, 1e-6, "d=" + d);
      assertEquals(Math.toDegrees(Math.acos(-1.0 / d)), s.minAngleDegrees(), 1e-3, "d=" + d);
    }
  }

  @Test
  void blockedProductsEqualThePlainPairLoop() {
    long seed = 12;
    Random r = new Random(seed);
    int m = 301;
    int d = 9;
    float[] x = new float[m * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    double best = -2;
    for (int a = 0; a < m; a++) {
      for (int b = a + 1; b < m; b++) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int c = 0; c < d; c++) {
          dot += x[a * d + c] * x[b * d + c];
          na += x[a * d + c] * x[a * d + c];
          nb += x[b * d + c] * x[b * d + c];
        }
        best = Math.max(best, dot / Math.sqrt(na * nb));
      }
    }
    for (int block : new int[] {1, 17, 100, 0}) {
      Separation s = Separation.of(FloatMatrix.of("x", x.clone(), m, d), block);
      assertEquals(best, s.maxCosine, 1e-5, "seed=" + seed + " block " + block);
    }
  }

  @Test
  void qualityCountsCosineSuccessesAndSquaredErrors() {
    FloatMatrix memories = FloatMatrix.of("m", new float[] {1, 0, 0, 1}, 2, 2);
    FloatMatrix states = FloatMatrix.of("s", new float[] {0.9f, 0.1f, 0.7f, 0.7f}, 2, 2);
    RetrievalQuality q = RetrievalQuality.of(memories, new long[] {0, 1}, states, 0.2, true);
    // cos distances: 1 - 0.9/sqrt(0.82) = 0.006 (ok), 1 - 0.7/sqrt(0.98) = 0.29 (fails)
    assertEquals(0.5, q.successRate, 1e-12);
    assertEquals(((0.01 + 0.01) + (0.49 + 0.09)) / 2, q.meanError, 1e-6);
    assertTrue(q.count == 2);
  }
}
