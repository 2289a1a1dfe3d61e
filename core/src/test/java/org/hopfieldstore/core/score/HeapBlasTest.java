package org.hopfieldstore.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.junit.jupiter.api.Test;

/**
 * The system BLAS on heap arrays against the plain-Java kernel: row ranges that start inside the
 * block (the offset into the heap array), batches of 1 and more, accumulation into a non-zero sum.
 * Skipped, saying so, on a machine without an optimised libblas.so.3 (the kernel then uses ND4J).
 */
class HeapBlasTest {
  @Test
  void systemBlasOnTheHeapMatchesThePlainKernel() {
    System.out.println("system BLAS: " + HeapBlas.library());
    if ("1".equals(System.getenv("HOPFIELD_REQUIRE_SYSTEM_BLAS"))) { // CI installs it
      assertTrue(HeapBlas.available(), "no optimised system BLAS loaded (bin/setup-blas): "
          + HeapBlas.library());
    }
    assumeTrue(HeapBlas.available(), "no optimised system BLAS loaded: " + HeapBlas.library());
    Random r = new Random(21);
    int m = 301;
    for (int d : new int[] {1, 17, 128, 785}) {
      MemoryBlock block = MemoryBlock.of(RowOpsTest.gaussian(r, m * d), m, d);
      ScoreKernel.Bound plain = PlainScoreKernel.INSTANCE.bind(block);
      ScoreKernel.Bound blas = new Nd4jScoreKernel(0, 0, true).bind(block);
      for (int batch : new int[] {1, 2, 19}) {
        for (int[] run : new int[][] {{0, m}, {7, 8}, {13, 250}}) {
          int t = run[1] - run[0];
          String msg = "d=" + d + " B=" + batch + " rows " + run[0] + ".." + run[1];
          float[] q = RowOpsTest.gaussian(r, batch * d);
          float[] want = new float[batch * t];
          float[] got = new float[batch * t];
          plain.scores(q, batch, run[0], run[1], want);
          blas.scores(q, batch, run[0], run[1], got);
          for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * Math.sqrt(d), msg + " score " + i);
          }
          float[] w = RowOpsTest.gaussian(r, batch * t);
          float[] accWant = RowOpsTest.gaussian(r, batch * d);
          float[] accGot = accWant.clone();
          plain.addWeightedRows(w, batch, run[0], run[1], accWant);
          blas.addWeightedRows(w, batch, run[0], run[1], accGot);
          for (int i = 0; i < accWant.length; i++) {
            assertEquals(accWant[i], accGot[i], 1e-4 * Math.sqrt(t), msg + " sum " + i);
          }
        }
      }
    }
  }
}
