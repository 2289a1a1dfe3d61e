package org.hopfieldstore.core.nonparametric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hopfieldstore.core.ReferenceMath;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.MemoryMask;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.score.ScoreKernels;
import org.junit.jupiter.api.Test;

/**
 * The random-masked model with a mask per query and step (the default, {@code mask=query})
 * against a float64 loop that draws each update's mask from its definition ({@link
 * MemoryMask#queryKey}, {@link MemoryMask#keepsFor}) and takes the softmax over what it keeps.
 */
class MaskedPerQueryTest {
  /** Reference: for each step, softmax over the memories this query's mask keeps at that step. */
  static double[] reference(float[] xi, int m, int d, float[] q, int qOffset, long queryId,
      double beta, int steps, double keep, long seed) {
    double[] x = new double[d];
    for (int j = 0; j < d; j++) {
      x[j] = q[qOffset + j];
    }
    for (int t = 0; t < steps; t++) {
      long key = MemoryMask.queryKey(seed, queryId, t);
      List<double[]> rows = new ArrayList<>();
      for (int mu = 0; mu < m; mu++) {
        if (MemoryMask.keepsFor(key, keep, mu)) {
          double[] row = new double[d];
          for (int j = 0; j < d; j++) {
            row[j] = xi[mu * d + j];
          }
          rows.add(row);
        }
      }
      if (rows.isEmpty()) {
        continue; // nothing to retrieve from: the update leaves the query where it is
      }
      double[][] kept = rows.toArray(new double[0][]);
      x = ReferenceMath.combine(kept, ReferenceMath.softmax(ReferenceMath.scores(kept, x, beta)));
    }
    return x;
  }

  @Test
  void everyStepOfEveryQueryIsSoftmaxOverItsOwnMaskOnAnySplitOfTheMemories() {
    long dataSeed = 31;
    int m = 300;
    int d = 12;
    int n = 6;
    float[] xi = ReferenceMath.unitRows(m, d, dataSeed);
    float[] q = ReferenceMath.unitRows(n, d, dataSeed + 1);
    long[] ids = {5, 17, 2, 900, 41, 3};
    String text = "masked:keep=0.3,beta=6,steps=4,seed=77";
    RetrievalSpec spec = RetrievalSpec.parse(text);
    List<RetrievalResult> results = new ArrayList<>();
    // one block in tiles of 7 rows, one block in one tile, and three blocks (as partitions)
    results.add(RetrievalLoop.run(new LocalRetrievalEngine(MemoryBlock.of(xi.clone(), m, d),
        ScoreKernels.byName("java"), 7), FloatMatrix.of("q", q, n, d), ids, spec, 10, false));
    results.add(RetrievalLoop.run(new LocalRetrievalEngine(MemoryBlock.of(xi.clone(), m, d),
        ScoreKernels.byName("nd4j"), 0), FloatMatrix.of("q", q, n, d), ids, spec, 10, false));
    List<MemoryBlock> parts = new ArrayList<>();
    int[] cuts = {0, 90, 91, m};
    for (int i = 0; i + 1 < cuts.length; i++) {
      parts.add(MemoryBlock.withIdOffset(Arrays.copyOfRange(xi, cuts[i] * d, cuts[i + 1] * d),
          cuts[i + 1] - cuts[i], d, cuts[i]));
    }
    results.add(RetrievalLoop.run(new LocalRetrievalEngine(parts, ScoreKernels.byName("java"), 0),
        FloatMatrix.of("q", q, n, d), ids, spec, 10, false));
    for (int b = 0; b < n; b++) {
      double[] want = reference(xi, m, d, q, b * d, ids[b], 6, 4, 0.3, 77);
      long lastKey = MemoryMask.queryKey(77, ids[b], 3);
      long keptLast = 0;
      for (int mu = 0; mu < m; mu++) {
        keptLast += MemoryMask.keepsFor(lastKey, 0.3, mu) ? 1 : 0;
      }
      for (int r = 0; r < results.size(); r++) {
        RetrievalResult res = results.get(r);
        for (int j = 0; j < d; j++) {
          assertEquals(want[j], res.states().get(b, j), 2e-5,
              text + " query " + ids[b] + " split " + r + " seed=" + dataSeed);
        }
        assertEquals(keptLast, res.supportSize(b), "the last step's mask size, split " + r);
        for (long id : res.topIds(b)) {
          assertTrue(MemoryMask.keepsFor(lastKey, 0.3, id),
              "memory " + id + " reported but masked out at the last step, split " + r);
        }
      }
    }
  }

  @Test
  void theMaskDependsOnTheQueryAndTheStepAndKeepsTheRightFraction() {
    long seed = 5;
    double keep = 0.3;
    int m = 4000;
    boolean[][] masks = new boolean[4][m];
    long[][] keys = {{0, 0}, {1, 0}, {0, 1}, {1, 1}}; // (query id, step)
    for (int k = 0; k < keys.length; k++) {
      long key = MemoryMask.queryKey(seed, keys[k][0], (int) keys[k][1]);
      for (int mu = 0; mu < m; mu++) {
        masks[k][mu] = MemoryMask.keepsFor(key, keep, mu);
      }
    }
    double se = Math.sqrt(keep * (1 - keep) / m);
    for (int k = 0; k < keys.length; k++) {
      double rate = fraction(masks[k], null);
      assertTrue(Math.abs(rate - keep) < 5 * se, "kept fraction " + rate + " for (query, step) "
          + Arrays.toString(keys[k]) + ", seed=" + seed);
      for (int l = k + 1; l < keys.length; l++) {
        assertFalse(Arrays.equals(masks[k], masks[l]), "same mask for " + Arrays.toString(keys[k])
            + " and " + Arrays.toString(keys[l]));
        // independent draws: both kept with probability keep^2
        double both = fraction(masks[k], masks[l]);
        double seBoth = Math.sqrt(keep * keep * (1 - keep * keep) / m);
        assertTrue(Math.abs(both - keep * keep) < 5 * seBoth, "joint rate " + both + " for "
            + Arrays.toString(keys[k]) + ", " + Arrays.toString(keys[l]) + ", seed=" + seed);
      }
    }
    assertNotEquals(MemoryMask.queryKey(seed, 0, 0), MemoryMask.queryKey(seed + 1, 0, 0));
  }

  private static double fraction(boolean[] a, boolean[] b) {
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      n += a[i] && (b == null || b[i]) ? 1 : 0;
    }
    return (double) n / a.length;
  }

  @Test
  void aQueryKeepsItsAnswerInAnyBatchOrOrder() {
    int m = 120;
    int d = 8;
    float[] xi = ReferenceMath.unitRows(m, d, 3);
    float[] q = ReferenceMath.unitRows(4, d, 4);
    RetrievalSpec spec = RetrievalSpec.parse("masked:keep=0.5,beta=8,steps=3,seed=9");
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi, m, d));
    RetrievalResult all = RetrievalLoop.run(engine, FloatMatrix.of("q", q, 4, d),
        new long[] {10, 11, 12, 13}, spec, 5, false);
    float[] reversed = new float[4 * d];
    for (int b = 0; b < 4; b++) {
      System.arraycopy(q, b * d, reversed, (3 - b) * d, d);
    }
    RetrievalResult back = RetrievalLoop.run(engine, FloatMatrix.of("q", reversed, 4, d),
        new long[] {13, 12, 11, 10}, spec, 5, false);
    RetrievalResult one = RetrievalLoop.run(engine,
        FloatMatrix.of("q", Arrays.copyOfRange(q, 2 * d, 3 * d), 1, d), new long[] {12}, spec, 5,
        false);
    for (int b = 0; b < 4; b++) {
      assertArrayEquals(all.states().row(b), back.states().row(3 - b), "query " + (10 + b));
      assertArrayEquals(all.topIds(b), back.topIds(3 - b), "query " + (10 + b));
    }
    assertArrayEquals(all.states().row(2), one.states().row(0));
    // another id is another draw
    RetrievalResult other = RetrievalLoop.run(engine,
        FloatMatrix.of("q", Arrays.copyOfRange(q, 2 * d, 3 * d), 1, d), new long[] {99}, spec, 5,
        false);
    assertFalse(Arrays.equals(one.topIds(0), other.topIds(0))
        && Arrays.equals(one.states().row(0), other.states().row(0)), "ids 12 and 99 drew alike");
  }

  @Test
  void anUpdateWhoseMaskKeepsNothingLeavesTheQueryWhereItIs() {
    int m = 3;
    int d = 4;
    float[] xi = ReferenceMath.unitRows(m, d, 6);
    int n = 40;
    float[] q = ReferenceMath.unitRows(n, d, 7);
    double keep = 0.2;
    RetrievalSpec spec = RetrievalSpec.parse("masked:keep=0.2,beta=3,steps=2,seed=1");
    RetrievalResult res = new LocalRetrievalEngine(MemoryBlock.of(xi, m, d))
        .retrieve(FloatMatrix.of("q", q, n, d), spec, 3, true);
    int empty = 0;
    for (int b = 0; b < n; b++) {
      double[] want = reference(xi, m, d, q, b * d, b, 3, 2, keep, 1);
      for (int j = 0; j < d; j++) {
        assertEquals(want[j], res.states().get(b, j), 1e-5, "query " + b);
      }
      long key = MemoryMask.queryKey(1, b, 1);
      int kept = 0;
      for (int mu = 0; mu < m; mu++) {
        kept += MemoryMask.keepsFor(key, keep, mu) ? 1 : 0;
      }
      assertEquals(kept, res.supportSize(b), "query " + b);
      empty += kept == 0 ? 1 : 0;
      assertEquals(2, res.steps(b));
      assertEquals(0, res.energies(b).length, "a mask drawn per step has no energy");
    }
    // 0.8^3 = 51% of the last updates keep no memory
    assertTrue(empty > 5 && empty < 35, empty + " of " + n + " last updates kept nothing");
  }

  @Test
  void theFixedMaskIsTheSeparateMaskMemoryKeyAndOnlyItHasTheEnergy() {
    assertTrue(RetrievalSpec.parse("masked:keep=0.3,mask=memory").hasEnergy());
    assertFalse(RetrievalSpec.parse("masked:keep=0.3").hasEnergy());
    assertEquals("masked:keep=0.3,beta=1,steps=1,tol=0,seed=0,mask=query",
        RetrievalSpec.parse("masked:keep=0.3").toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("masked:mask=step"));
    assertTrue(e.getMessage().contains("mask is query or memory"), e.getMessage());
    // a step that is not told its queries cannot draw their masks
    int d = 4;
    LocalRetrievalEngine engine = new LocalRetrievalEngine(
        MemoryBlock.of(ReferenceMath.unitRows(10, d, 1), 10, d));
    e = assertThrows(IllegalArgumentException.class, () -> engine.step(
        ReferenceMath.unitRows(2, d, 2), 2, RetrievalSpec.parse("masked:keep=0.5"), 3, true));
    assertTrue(e.getMessage().contains("mask=query"), e.getMessage());
    // keep=1 is plain softmax with or without keys
    float[] q = ReferenceMath.unitRows(2, d, 2);
    assertArrayEquals(engine.retrieve(FloatMatrix.of("q", q, 2, d),
        RetrievalSpec.parse("softmax:beta=2")).states().data(),
        engine.retrieve(FloatMatrix.of("q", q, 2, d),
        RetrievalSpec.parse("masked:keep=1,beta=2")).states().data());
  }
}
