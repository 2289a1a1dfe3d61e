package org.hopfieldstore.core.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.hopfieldstore.core.ReferenceMath;
import org.hopfieldstore.core.aggregate.Mergeables;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.RowSource;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.reduce.SupportPartial;
import org.hopfieldstore.core.reduce.ThresholdRound;
import org.hopfieldstore.core.reduce.ThresholdWeights;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.ScoreKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wide sparse supports: the threshold search (rounds of power sums, then one weighted-sum pass)
 * against the step solved from every candidate, and against a float64 reference; a capped
 * engine against an uncapped one over whole retrievals.
 */
class ThresholdSearchTest {
  static final int M = 2500;
  static final int D = 12;
  static final int B = 6;
  static final int REPORT = 10;
  static final ScoreKernel KERNEL = ScoreKernels.byName("java");

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    String[] specs = {"sparsemax", "sparsemax:solver=bisect", "entmax:alpha=1.5",
        "entmax:alpha=1.25", "entmax:alpha=1.3"};
    double[] betas = {1e-6, 0.3, 4};
    long seed = 11;
    for (String s : specs) {
      for (double beta : betas) {
        out.add(Arguments.of(s + (s.contains(":") ? "," : ":") + "beta=" + beta, seed++));
      }
    }
    return out.stream();
  }

  /** Memories in three blocks of awkward sizes; ids are rows. */
  static List<MemoryBlock> blocks(float[] xi) {
    int[] cuts = {0, 700, 1901, M};
    List<MemoryBlock> blocks = new ArrayList<>();
    for (int i = 0; i + 1 < cuts.length; i++) {
      blocks.add(MemoryBlock.withIdOffset(
          Arrays.copyOfRange(xi, cuts[i] * D, cuts[i + 1] * D), cuts[i + 1] - cuts[i], D,
          cuts[i]));
    }
    return blocks;
  }

  /** Gaussian queries, one of them zero (every score equal) and one a memory scaled up. */
  static float[] queries(float[] xi, Random r) {
    float[] q = new float[B * D];
    for (int i = 0; i < q.length; i++) {
      q[i] = (float) r.nextGaussian();
    }
    Arrays.fill(q, D, 2 * D, 0f);
    for (int j = 0; j < D; j++) {
      q[2 * D + j] = 3f * xi[7 * D + j];
    }
    return q;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void searchGivesTheStepOfEveryCandidate(String specText, long seed) {
    Random r = new Random(seed);
    float[] xi = ReferenceMath.unitRows(M, D, r);
    float[] q = queries(xi, r);
    List<MemoryBlock> blocks = blocks(xi);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(blocks, KERNEL, 128);
    RetrievalSpec spec = RetrievalSpec.parse(specText);
    StepAggregation step = new StepAggregation(spec, q, B, D, REPORT, KERNEL, 128, 1, -1);
    StepOutput want = step.finish(engine.aggregate(step), true,
        w -> w.withStatesFrom(RowSource.of(blocks)));

    StepAggregation capped = step.withCandidateCap(2);
    SupportPartial first = (SupportPartial) engine.aggregate(capped).scores();
    String why = specText + " seed " + seed;
    assertTrue(first.anyWide(), why);
    ThresholdSearch search = new ThresholdSearch(engine, capped, spec.alpha());
    StepOutput got = search.solve(first, true);
    assertTrue(search.cost().rounds >= 1, why);
    for (int b = 0; b < B; b++) {
      String at = why + " query " + b;
      assertEquals(want.supportSize[b], got.supportSize[b], at);
      int n = (int) Math.min(REPORT, want.supportSize[b]);
      assertArrayEquals(Arrays.copyOf(want.supportIds[b], n), got.supportIds[b], at);
      for (int i = 0; i < n; i++) {
        assertEquals(want.supportWeights[b][i], got.supportWeights[b][i],
            1e-9 + 1e-7 * want.supportWeights[b][i], at);
      }
      assertEquals(want.conjugate[b], got.conjugate[b], 1e-9 * (1 + Math.abs(want.conjugate[b])),
          at);
      for (int c = 0; c < D; c++) {
        assertEquals(want.states[b * D + c], got.states[b * D + c], 2e-6, at);
      }
    }
    // the zero query: every score 0, every memory weighs 1/M
    assertEquals(M, got.supportSize[1], why);
    assertEquals(1.0 / M, got.supportWeights[1][0], 1e-12, why);
    if (spec.beta() == 1e-6) {
      checkAgainstFloat64(xi, q, spec, got, why);
    }
  }

  /** Full support at a tiny beta: states and Psi* against a float64 step. */
  private static void checkAgainstFloat64(float[] xi, float[] q, RetrievalSpec spec,
      StepOutput got, String why) {
    double[][] xiD = EngineVsReferenceTest.rows(xi, M, D);
    for (int b = 0; b < B; b++) {
      double[] x = new double[D];
      for (int c = 0; c < D; c++) {
        x[c] = q[b * D + c];
      }
      double[] z = ReferenceMath.scores(xiD, x, spec.beta());
      double[] p = ReferenceMath.normalize(z, spec.rule().key(), spec.alpha(), 0);
      double[] s = ReferenceMath.combine(xiD, p);
      assertEquals(M, got.supportSize[b], why + " query " + b);
      for (int c = 0; c < D; c++) {
        assertEquals(s[c], got.states[b * D + c], 1e-6, why + " query " + b);
      }
      assertEquals(ReferenceMath.conjugate(z, p, spec.alpha()), got.conjugate[b], 1e-9,
          why + " query " + b);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void cappedEngineRetrievesAsTheUncappedOne(String specText, long seed) {
    Random r = new Random(seed);
    float[] xi = ReferenceMath.unitRows(M, D, r);
    float[] q = queries(xi, r);
    RetrievalSpec spec = RetrievalSpec.parse(specText + ",steps=3");
    FloatMatrix queries = FloatMatrix.of("queries", q, B, D);
    RetrievalResult want = new LocalRetrievalEngine(blocks(xi), KERNEL, 128)
        .retrieve(queries, spec, REPORT, true);
    LocalRetrievalEngine capped = new LocalRetrievalEngine(blocks(xi), KERNEL, 128);
    capped.setMaxCandidateBytes(0); // 64 candidates a query and block
    RetrievalResult got = capped.retrieve(queries, spec, REPORT, true);
    String why = specText + " seed " + seed;
    boolean searched = false;
    for (int b = 0; b < B; b++) {
      String at = why + " query " + b;
      assertEquals(want.steps(b), got.steps(b), at);
      assertEquals(want.supportSize(b), got.supportSize(b), at);
      assertArrayEquals(want.topIds(b), got.topIds(b), at);
      assertArrayEquals(want.topWeights(b), got.topWeights(b), 1e-6f, at);
      double[] we = want.energies(b);
      double[] ge = got.energies(b);
      assertEquals(we.length, ge.length, at);
      for (int i = 0; i < we.length; i++) {
        assertEquals(we[i], ge[i], 1e-6 * (1 + Math.abs(we[i])), at);
      }
      float[] ws = want.states().row(b);
      float[] gs = got.states().row(b);
      for (int c = 0; c < D; c++) {
        assertEquals(ws[c], gs[c], 1e-5, at);
      }
      // solved from candidates, a support lists every member; the search lists the best REPORT
      searched |= got.supportIds(b).length < got.supportSize(b);
    }
    if (spec.beta() < 1) { // at beta 4 the last step's supports may all be narrow
      assertTrue(searched, why + ": the last step's supports are wide, so the search ran");
    }
  }

  @Test
  void partialsOfTheSearchSurviveTheWire() {
    Random r = new Random(5);
    float[] xi = ReferenceMath.unitRows(M, D, r);
    float[] q = queries(xi, r);
    List<MemoryBlock> blocks = blocks(xi);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(blocks, KERNEL, 128);
    RetrievalSpec spec = RetrievalSpec.parse("entmax:alpha=1.5,beta=0.3");
    StepAggregation step = new StepAggregation(spec, q, B, D, REPORT, KERNEL, 128, 1, -1)
        .withCandidateCap(3);
    SupportPartial first = (SupportPartial) engine.aggregate(step).scores();
    SupportPartial back = (SupportPartial) Mergeables.fromBytes(first.toBytes());
    for (int b = 0; b < B; b++) {
      assertEquals(first.isWide(b), back.isWide(b));
      assertEquals(first.maxX(b), back.maxX(b));
      assertEquals(first.lowerBoundX(b), back.lowerBoundX(b));
    }
    double[] maxX = new double[B];
    double[] guess = new double[B];
    for (int b = 0; b < B; b++) {
      maxX[b] = first.maxX(b);
      guess[b] = -0.5;
    }
    ThresholdRound round = engine.aggregate(step.rescan(
        () -> new ThresholdRound(1.5, maxX, guess), "round"));
    ThresholdRound roundBack = (ThresholdRound) Mergeables.fromBytes(round.toBytes());
    ThresholdWeights weights = engine.aggregate(step.rescan(
        () -> new ThresholdWeights(1.5, D, REPORT, maxX, guess), "weights"));
    ThresholdWeights weightsBack = (ThresholdWeights) Mergeables.fromBytes(weights.toBytes());
    for (int b = 0; b < B; b++) {
      assertArrayEquals(round.sums(b), roundBack.sums(b));
      assertEquals(round.minU(b), roundBack.minU(b));
    }
    StepOutput a = weights.finish(null, true);
    StepOutput c = weightsBack.finish(null, true);
    assertArrayEquals(a.states, c.states);
    assertArrayEquals(a.conjugate, c.conjugate);
    assertArrayEquals(a.supportSize, c.supportSize);
    byte[] bytes = round.toBytes();
    assertThrows(IllegalArgumentException.class,
        () -> ThresholdRound.fromBytes(Arrays.copyOf(bytes, bytes.length - 9)));
    byte[] wb = weights.toBytes();
    assertThrows(IllegalArgumentException.class,
        () -> ThresholdWeights.fromBytes(Arrays.copyOf(wb, wb.length / 2)));
    // a step with a wide query cannot be finished from its candidates
    assertThrows(IllegalStateException.class, () -> first.finish(null, false));
  }

  @Test
  void powerSumPolynomialIsTheDirectSum() {
    double[] u = {0.9, 0.5, 0.31, 0.3};
    for (int k = 1; k <= 4; k++) {
      double[] s = new double[k + 1];
      for (double v : u) {
        for (int j = 0; j <= k; j++) {
          s[j] += Math.pow(v, j);
        }
      }
      for (double d : new double[] {0, 0.1, 0.29}) {
        double direct = 0;
        for (double v : u) {
          direct += Math.pow(v - d, k);
        }
        assertEquals(direct, ThresholdSearch.polynomial(s, k, d), 1e-14, "k " + k + " d " + d);
      }
    }
  }
}
