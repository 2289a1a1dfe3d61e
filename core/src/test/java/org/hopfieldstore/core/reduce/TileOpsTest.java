package org.hopfieldstore.core.reduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The partials' per-score loops, Vector API and plain, on row slices of awkward lengths and
 * offsets: maxima and searches exactly as a plain loop, exponentials against {@link Math#exp}.
 */
class TileOpsTest {
  static final TileOps[] BOTH = {TileOps.best(), ScalarTileOps.INSTANCE};
  static final int[] LENGTHS = {0, 1, 3, 15, 16, 17, 31, 64, 100, 1001};

  @Test
  void surefireRunsTheVectorApiVersion() {
    assertTrue(TileOps.best().name().startsWith("vector"),
        "expected the Vector API tile loops (pom.xml simd.jvm), got " + TileOps.best().name());
  }

  @Test
  void maxAndSearchAgreeWithPlainLoops() {
    long seed = 3;
    Random r = new Random(seed);
    for (TileOps ops : BOTH) {
      for (int n : LENGTHS) {
        float[] a = new float[n + 7];
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) r.nextGaussian();
        }
        int from = 5;
        int to = Math.min(a.length, from + n);
        String msg = ops.name() + " seed=" + seed + " n=" + n;
        float want = Float.NEGATIVE_INFINITY;
        for (int j = from; j < to; j++) {
          want = Math.max(want, a[j]);
        }
        assertEquals(want, ops.max(a, from, to), msg);
        for (float bound : new float[] {Float.NEGATIVE_INFINITY, -1f, 0.5f, 1.5f, want,
            Math.nextUp(want), Float.POSITIVE_INFINITY}) {
          // every hit in order, as the partials walk them
          int j = from;
          for (int k = ops.nextAtLeast(a, from, to, bound); k < to;
              k = ops.nextAtLeast(a, k + 1, to, bound)) {
            while (j < k) {
              assertTrue(a[j] < bound, msg + " skipped " + a[j] + " >= " + bound + " at " + j);
              j++;
            }
            assertTrue(a[k] >= bound, msg + " stopped at " + a[k] + " < " + bound);
            j = k + 1;
          }
          for (; j < to; j++) {
            assertTrue(a[j] < bound, msg + " missed " + a[j] + " >= " + bound + " at " + j);
          }
        }
      }
    }
  }

  @Test
  void expShiftedMatchesMathExpToFloatPrecision() {
    long seed = 4;
    Random r = new Random(seed);
    for (TileOps ops : BOTH) {
      for (int n : LENGTHS) {
        float[] z = new float[n + 3];
        for (int i = 0; i < z.length; i++) {
          // arguments over [-100, 0] plus the edges: the shift itself, the cut-offs near -87
          double u = r.nextDouble();
          z[i] = i % 7 == 0 ? 2f : i % 11 == 0 ? 2f - 87.3f : (float) (2 - 100 * u * u);
        }
        float shift = 2f;
        float[] w = new float[n + 2];
        w[0] = -1f;
        double sum = ops.expShifted(z, 3, 3 + n, shift, w, 1);
        String msg = ops.name() + " seed=" + seed + " n=" + n;
        assertEquals(-1f, w[0], msg + ": wrote before its offset");
        double want = 0;
        for (int j = 0; j < n; j++) {
          double x = (double) z[3 + j] - shift;
          double e = Math.exp(x);
          float got = w[1 + j];
          if (e < Float.MIN_NORMAL || x < -87) {
            assertEquals(0f, got, msg + " x=" + x + " must flush to 0");
          } else {
            // float rounding of the argument (z - shift) adds |x| * 2^-24 of relative error
            double tol = 4e-7 + Math.abs(x) * 1.2e-7;
            assertEquals(e, got, e * tol, msg + " x=" + x);
          }
          want += got;
        }
        assertEquals(want, sum, 1e-6 * (1 + want), msg + " sum");
      }
    }
  }
}
