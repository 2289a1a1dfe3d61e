package org.hopfieldstore.core.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.hopfieldstore.core.ReferenceMath;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.score.Nd4jScoreKernel;
import org.hopfieldstore.core.score.ScalarRowOps;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.ScoreKernels;
import org.hopfieldstore.core.score.SimdScoreKernel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiled float32 engine (plain-Java and ND4J kernels, several tile sizes) against the
 * independent double reference on seeded unit-norm memories of awkward sizes.
 *
 * <p>Tolerance: float32 dot products of unit vectors carry ~1e-7 relative error; beta <= 8 turns
 * that into weight errors of ~1e-6, so states agree to 2e-5 after a few steps.
 */
class EngineVsReferenceTest {
  static final String[] SPECS = {"softmax:beta=8,steps=3", "sparsemax:beta=4,steps=2",
      "entmax:alpha=1.5,beta=4,steps=2", "entmax:alpha=1.25,beta=4", "topk:k=5,beta=8",
      "topk:k=2000,beta=2"};

  static Arguments[] cases() {
    // d = 37 and 785 leave a tail after the SIMD lanes; the default nd4j scans B <= 8 from the heap
    int[][] shapes = {{1, 7, 1}, {7, 1, 3}, {13, 13, 2}, {207, 64, 5}, {1021, 13, 9},
        {301, 37, 4}, {97, 785, 1}};
    Arguments[] out = new Arguments[shapes.length * SPECS.length];
    int i = 0;
    for (int[] s : shapes) {
      for (String spec : SPECS) {
        out[i++] = Arguments.of(s[0], s[1], s[2], spec, 1000L * s[0] + s[1]);
      }
    }
    return out;
  }

  static double[][] rows(float[] a, int m, int d) {
    double[][] out = new double[m][d];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < d; j++) {
        out[i][j] = a[i * d + j];
      }
    }
    return out;
  }

  @ParameterizedTest(name = "M={0} d={1} B={2} {3}")
  @MethodSource("cases")
  void engineMatchesTheReferenceForEveryKernelAndTiling(int m, int d, int b, String specText,
      long seed) {
    Random r = new Random(seed);
    float[] xi = ReferenceMath.unitRows(m, d, r);
    float[] q = new float[b * d];
    for (int i = 0; i < b; i++) {
      int target = r.nextInt(m);
      for (int j = 0; j < d; j++) {
        q[i * d + j] = xi[target * d + j] + 0.3f * (float) r.nextGaussian();
      }
    }
    RetrievalSpec spec = RetrievalSpec.parse(specText);
    double[][] xiD = rows(xi, m, d);
    String rule = spec.rule().key();
    double beta = spec.beta();
    // the reference: exactly `steps` updates in float64
    double[][] want = rows(q, b, d);
    double[][] wantEnergy = new double[b][spec.steps() + 1];
    double[][] lastP = new double[b][];
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < spec.steps(); t++) {
        wantEnergy[i][t] = ReferenceMath.energy(xiD, want[i], beta, rule, spec.alpha(), spec.k());
        lastP[i] = ReferenceMath.normalize(ReferenceMath.scores(xiD, want[i], beta), rule,
            spec.alpha(), spec.k());
        want[i] = ReferenceMath.combine(xiD, lastP[i]);
      }
      wantEnergy[i][spec.steps()] =
          ReferenceMath.energy(xiD, want[i], beta, rule, spec.alpha(), spec.k());
    }
    // nd4j's GEMMs resident and streaming every block through an off-heap tile (limit 0
    // bytes), and the system BLAS on the heap (where it loads: HeapBlasTest says whether), all
    // with the small-batch scan off; the default (small batches scanned from the heap); the heap
    // scan with the best row loops (Vector API under surefire) and plain ones
    ScoreKernel[] kernels = {ScoreKernels.byName("java"),
        new Nd4jScoreKernel(1L << 30, 0, false), new Nd4jScoreKernel(0, 0, false),
        new Nd4jScoreKernel(0, 0, true), ScoreKernels.byName("nd4j"), ScoreKernels.byName("simd"),
        new SimdScoreKernel(ScalarRowOps.INSTANCE)};
    String[] names = {"java", "nd4j-gemm", "nd4j-gemm-streaming", "system-blas-gemm", "nd4j",
        "simd", "simd-scalar"};
    for (int k = 0; k < kernels.length; k++) {
      for (int tile : new int[] {1, 7, 0}) {
        String kernel = names[k];
        String msg = "seed=" + seed + " kernel=" + kernel + " tile=" + tile + " " + specText;
        LocalRetrievalEngine engine =
            new LocalRetrievalEngine(MemoryBlock.of(xi.clone(), m, d), kernels[k], tile);
        RetrievalResult got = engine.retrieve(FloatMatrix.of("q", q.clone(), b, d), spec);
        for (int i = 0; i < b; i++) {
          assertEquals(spec.steps(), got.steps(i), msg);
          for (int j = 0; j < d; j++) {
            assertEquals(want[i][j], got.states().get(i, j), 2e-5, msg + " query " + i);
          }
          if (spec.hasEnergy()) {
            double[] e = got.energies(i);
            for (int t = 0; t <= spec.steps(); t++) {
              assertEquals(wantEnergy[i][t], e[t], 2e-5, msg + " energy " + t);
            }
          } else {
            assertEquals(0, got.energies(i).length, msg);
          }
          // support of the last update: ids with weight > 1e-6 in the reference
          long[] ids = got.supportIds(i);
          double[] w = got.supportWeights(i);
          for (int s = 0; s < ids.length; s++) {
            assertEquals(lastP[i][(int) ids[s]], w[s], 2e-5, msg + " weight of " + ids[s]);
          }
          if (!rule.equals("softmax")) {
            long strong = Arrays.stream(lastP[i]).filter(v -> v > 1e-5).count();
            assertTrue(got.supportSize(i) >= strong, msg + " support " + got.supportSize(i));
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("energySpecs")
  void energyNeverIncreasesAlongRetrieval(String specText) {
    long seed = specText.hashCode();
    Random r = new Random(seed);
    int m = 300;
    int d = 24;
    int b = 6;
    float[] xi = ReferenceMath.unitRows(m, d, r);
    float[] q = new float[b * d];
    for (int i = 0; i < q.length; i++) {
      q[i] = (float) r.nextGaussian() * 0.4f;
    }
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi, m, d),
        ScoreKernels.byName("java"), 50);
    RetrievalResult res = engine.retrieve(FloatMatrix.of("q", q, b, d),
        RetrievalSpec.parse(specText));
    for (int i = 0; i < b; i++) {
      double[] e = res.energies(i);
      assertEquals(res.steps(i) + 1, e.length);
      for (int t = 1; t < e.length; t++) {
        // CCCP: E(x_t+1) <= E(x_t); 1e-6 allows float32 rounding of states and scores
        assertTrue(e[t] <= e[t - 1] + 1e-6, "seed=" + seed + " query " + i + ": " + e[t - 1]
            + " -> " + e[t]);
      }
      assertTrue(e[e.length - 1] >= -1e-6, "E >= 0 with the constants, seed=" + seed);
    }
  }

  static String[] energySpecs() {
    return new String[] {"softmax:beta=2,steps=8", "softmax:beta=16,steps=8",
        "sparsemax:beta=1,steps=8", "sparsemax:beta=8,steps=8", "entmax:alpha=1.5,beta=3,steps=8",
        "entmax:alpha=1.25,beta=3,steps=8", "entmax:alpha=1.75,beta=3,steps=8"};
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allRules")
  void largeBetaRetrievesTheNearestMemory(String rule) {
    long seed = 99;
    Random r = new Random(seed);
    int m = 200;
    int d = 32;
    float[] xi = ReferenceMath.unitRows(m, d, r);
    int b = 5;
    float[] q = new float[b * d];
    int[] target = new int[b];
    for (int i = 0; i < b; i++) {
      target[i] = r.nextInt(m);
      for (int j = 0; j < d; j++) {
        q[i * d + j] = xi[target[i] * d + j] + 0.05f * (float) r.nextGaussian();
      }
    }
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi, m, d));
    RetrievalResult res = engine.retrieve(FloatMatrix.of("q", q, b, d),
        RetrievalSpec.parse(rule + (rule.contains(":") ? "," : ":") + "beta=10000"));
    for (int i = 0; i < b; i++) {
      assertEquals(target[i], res.topIds(i)[0], "seed=" + seed + " query " + i);
      assertEquals(1.0, res.topWeights(i)[0], 1e-6);
      for (int j = 0; j < d; j++) {
        assertEquals(xi[target[i] * d + j], res.states().get(i, j), 1e-6);
      }
    }
  }

  static String[] allRules() {
    return new String[] {"softmax", "sparsemax", "entmax:alpha=1.5", "entmax:alpha=1.25",
        "topk:k=4"};
  }

  @org.junit.jupiter.api.Test
  void toleranceStopsConvergedQueriesAndZeroRunsEveryStep() {
    long seed = 5;
    Random r = new Random(seed);
    int m = 50;
    int d = 8;
    float[] xi = ReferenceMath.unitRows(m, d, r);
    float[] q = Arrays.copyOf(xi, 3 * d); // queries equal to memories 0..2: a fixed point
    q[2 * d] += 0.5f; // the third one needs to move
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi, m, d));
    FloatMatrix queries = FloatMatrix.of("q", q, 3, d);
    RetrievalResult exact = engine.retrieve(queries, RetrievalSpec.parse(
        "sparsemax:beta=50,steps=6"));
    for (int i = 0; i < 3; i++) {
      assertEquals(6, exact.steps(i), "tol=0 runs exactly steps updates");
    }
    RetrievalResult early = engine.retrieve(queries, RetrievalSpec.parse(
        "sparsemax:beta=50,steps=6,tol=1e-6"));
    assertEquals(1, early.steps(0), "already at a memory: one update that does not move it");
    assertTrue(early.steps(2) >= 2 && early.steps(2) < 6, "steps " + early.steps(2));
    for (int j = 0; j < d; j++) {
      assertEquals(exact.states().get(2, j), early.states().get(2, j), 1e-6);
    }
  }

  @org.junit.jupiter.api.Test
  void topIdsAreByWeightThenLowerIdAndFilledWithTheLowestIdsOutsideTheSupport() {
    // memories 3 and 7 equal: an exact tie; the query sits on them
    int m = 12;
    int d = 4;
    float[] xi = ReferenceMath.unitRows(m, d, new Random(3));
    System.arraycopy(xi, 3 * d, xi, 7 * d, d);
    float[] q = Arrays.copyOfRange(xi, 3 * d, 4 * d);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi, m, d));
    RetrievalResult res = engine.retrieve(FloatMatrix.of("q", q, 1, d),
        RetrievalSpec.parse("sparsemax:beta=200"));
    assertEquals(2, res.supportSize(0));
    assertArrayEquals(new long[] {3, 7, 0, 1, 2, 4, 5, 6, 8, 9}, res.topIds(0));
    float[] w = res.topWeights(0);
    assertEquals(0.5f, w[0], 1e-6f);
    assertEquals(0.5f, w[1], 1e-6f);
    for (int r = 2; r < 10; r++) {
      assertEquals(0f, w[r]);
    }
    RetrievalResult soft = engine.retrieve(FloatMatrix.of("q", q, 1, d),
        RetrievalSpec.parse("softmax:beta=1"), 20, false);
    assertEquals(12, soft.topIds(0).length, "min(report, M)");
    float[] sw = soft.topWeights(0);
    for (int r = 1; r < sw.length; r++) {
      assertTrue(sw[r] <= sw[r - 1]);
    }
  }
}
