package org.hopfieldstore.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.junit.jupiter.api.Test;

/**
 * The heap scan's row loops (Vector API and plain) against float64 sums on awkward shapes: dims
 * around the SIMD width, runs of rows that are not multiples of four, offsets into every array,
 * weights with zero runs (the skipped quads).
 */
class RowOpsTest {
  static final int[] DIMS = {1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 785};
  static final int[][] RUNS = {{0, 0}, {0, 1}, {2, 5}, {3, 11}, {0, 16}, {5, 42}};

  @Test
  void surefireRunsTheVectorApiVersion() {
    // the test forks read deploy/jvm.options (--add-modules=jdk.incubator.vector), so the SIMD loops
    // are what these tests exercise; without the flag best() falls back to plain loops
    assertTrue(RowOps.best().name().startsWith("vector"),
        "expected the Vector API row loops, got " + RowOps.best().name());
  }

  @Test
  void bothVersionsMatchFloat64Sums() {
    for (RowOps ops : new RowOps[] {RowOps.best(), ScalarRowOps.INSTANCE}) {
      long seed = 11;
      Random r = new Random(seed);
      for (int d : DIMS) {
        int rows = 42;
        float[] xi = gaussian(r, rows * d);
        float[] q = gaussian(r, 3 + d);
        for (int[] run : RUNS) {
          int from = run[0];
          int to = run[1];
          String msg = ops.name() + " seed=" + seed + " d=" + d + " rows " + from + ".." + to;
          float[] out = new float[to - from + 2];
          out[0] = 99f;
          ops.dots(q, 3, xi, d, from, to, out, 1);
          assertEquals(99f, out[0], msg + ": wrote before its offset");
          assertEquals(0f, out[to - from + 1], msg + ": wrote past its run");
          for (int j = from; j < to; j++) {
            double want = 0;
            for (int c = 0; c < d; c++) {
              want += (double) q[3 + c] * xi[j * d + c];
            }
            assertEquals(want, out[1 + j - from], 1e-5 * (1 + Math.sqrt(d)), msg + " row " + j);
          }
          float[] w = new float[2 + to - from];
          for (int j = 0; j < w.length; j++) {
            w[j] = (j / 4) % 2 == 1 ? 0f : (float) r.nextGaussian(); // whole zero quads too
          }
          float[] acc = gaussian(r, 5 + d);
          float[] before = acc.clone();
          ops.addWeighted(w, 2, xi, d, from, to, acc, 5);
          for (int c = 0; c < acc.length; c++) {
            double want = before[c];
            if (c >= 5) {
              for (int j = from; j < to; j++) {
                want += (double) w[2 + j - from] * xi[j * d + c - 5];
              }
            }
            assertEquals(want, acc[c], 1e-5 * (1 + to - from), msg + " acc " + c);
          }
        }
      }
    }
  }

  @Test
  void simdKernelMatchesThePlainKernelForBatches() {
    Random r = new Random(5);
    int m = 203;
    for (int d : new int[] {13, 48, 785}) {
      MemoryBlock block = MemoryBlock.of(gaussian(r, m * d), m, d);
      ScoreKernel.Bound plain = PlainScoreKernel.INSTANCE.bind(block);
      ScoreKernel.Bound simd = SimdScoreKernel.INSTANCE.bind(block);
      for (int batch : new int[] {1, 3, 6}) {
        float[] q = gaussian(r, batch * d);
        int from = 9;
        int to = m - 2;
        int t = to - from;
        float[] want = new float[batch * t];
        float[] got = new float[batch * t];
        plain.scores(q, batch, from, to, want);
        simd.scores(q, batch, from, to, got);
        for (int i = 0; i < want.length; i++) {
          assertEquals(want[i], got[i], 1e-4 * Math.sqrt(d), "d=" + d + " B=" + batch);
        }
        float[] w = gaussian(r, batch * t);
        float[] accWant = new float[batch * d];
        float[] accGot = new float[batch * d];
        plain.addWeightedRows(w, batch, from, to, accWant);
        simd.addWeightedRows(w, batch, from, to, accGot);
        for (int i = 0; i < accWant.length; i++) {
          assertEquals(accWant[i], accGot[i], 1e-3, "d=" + d + " B=" + batch + " acc " + i);
        }
      }
    }
  }

  static float[] gaussian(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }
}
