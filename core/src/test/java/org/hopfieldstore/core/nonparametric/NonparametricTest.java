package org.hopfieldstore.core.nonparametric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.hopfieldstore.core.ReferenceMath;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.MemoryMask;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.score.ScoreKernels;
import org.junit.jupiter.api.Test;

/** Linear, PRF and random-masked retrieval against plain definitions; summary algebra. */
class NonparametricTest {
  static float[] unitRows(int m, int d, long seed) {
    return ReferenceMath.unitRows(m, d, seed);
  }

  @Test
  void summaryOfRandomPartitionsMergesToTheWholeAndInsertDeleteUndo() {
    long seed = 11;
    int m = 400;
    int d = 12;
    float[] xi = unitRows(m, d, seed);
    for (String s : new String[] {"linear:beta=2", "prf:features=64,beta=2,seed=5"}) {
      RetrievalSpec spec = RetrievalSpec.parse(s);
      KernelSummary whole = new KernelSummary(spec, d).add(MemoryBlock.of(xi.clone(), m, d));
      Random r = new Random(seed);
      for (int parts : new int[] {2, 3, 7}) {
        int[] cuts = r.ints(parts - 1, 1, m).sorted().distinct().toArray();
        KernelSummary merged = null;
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
          int to = i < cuts.length ? cuts[i] : m;
          MemoryBlock part = MemoryBlock.withIdOffset(Arrays.copyOfRange(xi, from * d, to * d),
              to - from, d, from);
          // half of the parts through the GEMM path, all through bytes, as partitions would
          KernelSummary k = i % 2 == 0 ? new KernelSummary(spec, d).add(part)
              : new KernelSummary(spec, d).add(part, ScoreKernels.byName("nd4j").bind(part));
          k = KernelSummary.fromBytes(k.toBytes());
          merged = merged == null ? k : merged.merge(k);
          from = to;
        }
        // float32 GEMM accumulation of a few hundred O(1) terms: ~1e-4 absolute
        assertTrue(whole.maxAbsDifference(merged) < 1e-3, s + " parts=" + parts + " seed="
            + seed + ": " + whole.maxAbsDifference(merged));
      }
      KernelSummary copy = KernelSummary.fromBytes(whole.toBytes());
      float[] extra = unitRows(1, d, seed + 1);
      copy.insert(extra, 0);
      assertEquals(m + 1, copy.count());
      copy.delete(extra, 0);
      assertTrue(whole.maxAbsDifference(copy) < 1e-9, s);
    }
  }

  @Test
  void linearStepEqualsItsDefinition() {
    int m = 50;
    int d = 6;
    float[] xi = unitRows(m, d, 3);
    float[] q = unitRows(2, d, 4);
    double beta = 2;
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi, m, d),
        ScoreKernels.byName("java"));
    RetrievalResult res = engine.retrieve(FloatMatrix.of("q", q, 2, d),
        RetrievalSpec.parse("linear:beta=2"), 10, true);
    for (int b = 0; b < 2; b++) {
      double[] w = new double[m];
      double s = 0;
      for (int mu = 0; mu < m; mu++) {
        double k = 0;
        for (int j = 0; j < d; j++) {
          k += elu(Math.sqrt(beta) * xi[mu * d + j]) * elu(Math.sqrt(beta) * q[b * d + j]);
        }
        w[mu] = k;
        s += k;
      }
      for (int j = 0; j < d; j++) {
        double want = 0;
        for (int mu = 0; mu < m; mu++) {
          want += w[mu] / s * xi[mu * d + j];
        }
        assertEquals(want, res.states().get(b, j), 1e-5);
      }
      assertEquals(0, res.topIds(b).length, "no per-memory weights for a summary model");
      assertEquals(0, res.energies(b).length);
    }
  }

  private static double elu(double u) {
    return u > 0 ? u + 1 : Math.exp(u);
  }

  @Test
  void prfApproachesSoftmaxAsFeaturesGrow() {
    long seed = 2026;
    int m = 300;
    int d = 8;
    float[] xi = unitRows(m, d, seed);
    float[] q = unitRows(20, d, seed + 1);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi, m, d));
    FloatMatrix queries = FloatMatrix.of("q", q, 20, d);
    RetrievalResult exact = engine.retrieve(queries, RetrievalSpec.parse("softmax:beta=1"));
    double[] err = new double[3];
    int[] features = {16, 256, 4096};
    for (int i = 0; i < features.length; i++) {
      // average over seeds so the trend is about D, not one draw of W
      for (long s = 1; s <= 5; s++) {
        RetrievalResult prf = engine.retrieve(queries, RetrievalSpec.parse("prf:features="
            + features[i] + ",beta=1,seed=" + (seed + s)));
        double e = 0;
        for (int k = 0; k < q.length; k++) {
          e = Math.max(e, Math.abs(prf.states().data()[k] - exact.states().data()[k]));
        }
        err[i] += e / 5;
      }
    }
    // error ~ 1/sqrt(D): each 16x more features should cut it by ~4x; assert at least 2x
    assertTrue(err[1] < err[0] / 2 && err[2] < err[1] / 2, "seed=" + seed + " errors "
        + Arrays.toString(err));
    assertTrue(err[2] < 0.02, "seed=" + seed + " errors " + Arrays.toString(err));
  }

  @Test
  void theFixedMaskIsSoftmaxOverTheKeptMemoriesExactly() {
    int m = 200;
    int d = 10;
    float[] xi = unitRows(m, d, 8);
    float[] q = unitRows(3, d, 9);
    double keep = 0.3;
    long seed = 77;
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi, m, d),
        ScoreKernels.byName("java"), 17);
    RetrievalResult res = engine.retrieve(FloatMatrix.of("q", q, 3, d),
        RetrievalSpec.parse("masked:keep=0.3,beta=4,seed=77,mask=memory"));
    int kept = 0;
    for (int mu = 0; mu < m; mu++) {
      kept += MemoryMask.keeps(seed, keep, mu) ? 1 : 0;
    }
    assertTrue(kept > 30 && kept < 90, "about 30% kept: " + kept);
    double[][] rows = new double[kept][];
    int r = 0;
    for (int mu = 0; mu < m; mu++) {
      if (MemoryMask.keeps(seed, keep, mu)) {
        rows[r] = new double[d];
        for (int j = 0; j < d; j++) {
          rows[r][j] = xi[mu * d + j];
        }
        r++;
      }
    }
    for (int b = 0; b < 3; b++) {
      double[] x = new double[d];
      for (int j = 0; j < d; j++) {
        x[j] = q[b * d + j];
      }
      double[] want = ReferenceMath.combine(rows,
          ReferenceMath.softmax(ReferenceMath.scores(rows, x, 4)));
      for (int j = 0; j < d; j++) {
        assertEquals(want[j], res.states().get(b, j), 1e-5);
      }
      assertEquals(kept, res.supportSize(b));
      for (long id : res.supportIds(b)) {
        assertTrue(MemoryMask.keeps(seed, keep, id), "masked memory " + id + " in the support");
      }
    }
  }

  @Test
  void specsAndBadValues() {
    assertEquals("prf:features=64,beta=2,steps=1,tol=0,seed=5,projection=orthogonal",
        RetrievalSpec.parse("prf:features=64,beta=2,seed=5").toString());
    assertEquals("masked:keep=0.25,beta=1,steps=1,tol=0,seed=0,mask=query",
        RetrievalSpec.parse("masked:keep=0.25").toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("masked:keep=0"));
    assertTrue(e.getMessage().contains("keep in (0, 1]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("prf:features=0"));
    assertTrue(e.getMessage().contains("features >= 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RetrievalSpec.parse("linear:k=3"));
    assertTrue(e.getMessage().contains("unknown key 'k'"), e.getMessage());
  }
}
