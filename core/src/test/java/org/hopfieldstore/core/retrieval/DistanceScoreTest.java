package org.hopfieldstore.core.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.MemoryMask;
import org.hopfieldstore.core.rules.Rule;
import org.hopfieldstore.core.rules.Rules;
import org.hopfieldstore.core.score.Nd4jScoreKernel;
import org.hopfieldstore.core.score.ScoreFunction;
import org.hopfieldstore.core.score.ScoreKernels;
import org.hopfieldstore.core.ReferenceMath;
import org.junit.jupiter.api.Test;

/**
 * The distance scores ({@code score=euclidean|manhattan}): retrieval {@code x <- Xi^T p} with
 * {@code p} the rule's normalisation of {@code -beta |x - xi|} against a float64 loop written
 * here (distances, scores, softmax, sort-based sparsemax, bisection entmax, top-K), on several
 * score kernels and splits of the memories; the spec's text and its refusals.
 */
class DistanceScoreTest {
  private static final double TOL = 1e-4;
  private static final int REPORT = 5;

  // ---- the float64 reference ------------------------------------------------------------------

  private static double distance(String score, double[] x, float[] xi, int mu, int d) {
    double s = 0;
    for (int c = 0; c < d; c++) {
      double t = x[c] - xi[mu * d + c];
      s += score.equals("euclidean") ? t * t : Math.abs(t);
    }
    return score.equals("euclidean") ? Math.sqrt(s) : s;
  }

  // softmax, sparsemax (sort), entmax (bisection) and top-K: the shared float64 references
  private static double[] softmax(double[] z) {
    return ReferenceMath.softmax(z);
  }

  private static double[] sparsemax(double[] z) {
    return ReferenceMath.sparsemax(z);
  }

  private static double[] entmax(double[] z, double alpha) {
    return ReferenceMath.entmaxBisect(z, alpha);
  }

  private static double[] topk(double[] z, int k) {
    return ReferenceMath.topk(z, Math.min(k, z.length));
  }

  /** One model of the test: a rule with its own keys, and how the reference normalises. */
  private static final class Model {
    final String rule;
    final String keys;
    final double alpha;
    final int k;
    final double keep;
    final long maskSeed;

    Model(String rule, String keys, double alpha, int k, double keep, long maskSeed) {
      this.rule = rule;
      this.keys = keys;
      this.alpha = alpha;
      this.k = k;
      this.keep = keep;
      this.maskSeed = maskSeed;
    }

    String spec(String score, double beta, int steps) {
      return rule + ":" + keys + (keys.isEmpty() ? "" : ",") + "beta=" + beta + ",steps=" + steps
          + ",score=" + score;
    }

    /** The rule's weights over the memories the model uses (all, or those masked keeps). */
    double[] normalise(double[] z, boolean[] used) {
      int n = 0;
      for (boolean u : used) {
        n += u ? 1 : 0;
      }
      double[] sub = new double[n];
      for (int i = 0, j = 0; i < z.length; i++) {
        if (used[i]) {
          sub[j++] = z[i];
        }
      }
      double[] w;
      switch (rule) {
        case "softmax":
        case "masked":
          w = softmax(sub);
          break;
        case "sparsemax":
          w = sparsemax(sub);
          break;
        case "entmax":
          w = entmax(sub, alpha);
          break;
        case "topk":
          w = topk(sub, k);
          break;
        default:
          throw new IllegalArgumentException(rule);
      }
      double[] p = new double[z.length];
      for (int i = 0, j = 0; i < z.length; i++) {
        if (used[i]) {
          p[i] = w[j++];
        }
      }
      return p;
    }

    boolean[] used(int m) {
      boolean[] u = new boolean[m];
      for (int mu = 0; mu < m; mu++) {
        u[mu] = !rule.equals("masked") || MemoryMask.keeps(maskSeed, keep, mu);
      }
      return u;
    }
  }

  private static final List<Model> MODELS = List.of(
      new Model("softmax", "", 1, 0, 1, 0),
      new Model("sparsemax", "", 2, 0, 1, 0),
      new Model("entmax", "alpha=1.5", 1.5, 0, 1, 0),
      new Model("topk", "k=4", 1, 4, 1, 0),
      new Model("masked", "keep=0.5,seed=3,mask=memory", 1, 0, 0.5, 3));

  /** Reference retrieval of query b: its final state and the weights of its last update. */
  private static double[][] reference(Model model, String score, double beta, int steps,
      float[] xi, int m, int d, float[] q, int b) {
    double[] x = new double[d];
    for (int c = 0; c < d; c++) {
      x[c] = q[b * d + c];
    }
    boolean[] used = model.used(m);
    double[] p = null;
    for (int t = 0; t < steps; t++) {
      double[] z = new double[m];
      for (int mu = 0; mu < m; mu++) {
        z[mu] = -beta * distance(score, x, xi, mu, d);
      }
      p = model.normalise(z, used);
      double[] next = new double[d];
      for (int mu = 0; mu < m; mu++) {
        for (int c = 0; c < d; c++) {
          next[c] += p[mu] * xi[mu * d + c];
        }
      }
      x = next;
    }
    return new double[][] {x, p};
  }

  // ---- data and engines -----------------------------------------------------------------------

  /** Gaussian memories of norm about 2, and queries that are noisy copies of some of them. */
  private static float[][] data(long seed, int m, int n, int d) {
    Random r = new Random(seed);
    float[] xi = new float[m * d];
    for (int i = 0; i < xi.length; i++) {
      xi[i] = (float) (2 * r.nextGaussian() / Math.sqrt(d));
    }
    float[] q = new float[n * d];
    for (int b = 0; b < n; b++) {
      int mu = r.nextInt(m);
      for (int c = 0; c < d; c++) {
        q[b * d + c] = xi[mu * d + c] + (float) (0.4 * r.nextGaussian() / Math.sqrt(d));
      }
    }
    return new float[][] {xi, q};
  }

  /**
   * The java kernel in tiles of 7 rows, the SIMD heap scan, ND4J's GEMM path (the weighted sums
   * off-heap, the distances from the heap rows) and three blocks of odd sizes.
   */
  private static List<StepFunction> engines(float[] xi, int m, int d) {
    List<StepFunction> engines = new ArrayList<>();
    engines.add(new LocalRetrievalEngine(MemoryBlock.of(xi.clone(), m, d),
        ScoreKernels.byName("java"), 7));
    engines.add(new LocalRetrievalEngine(MemoryBlock.of(xi.clone(), m, d),
        ScoreKernels.byName("simd"), 16));
    engines.add(new LocalRetrievalEngine(MemoryBlock.of(xi.clone(), m, d),
        new Nd4jScoreKernel(1L << 30, 0, false), 0));
    List<MemoryBlock> parts = new ArrayList<>();
    int[] cuts = {0, 23, 24, m};
    for (int i = 0; i + 1 < cuts.length; i++) {
      parts.add(MemoryBlock.withIdOffset(Arrays.copyOfRange(xi, cuts[i] * d, cuts[i + 1] * d),
          cuts[i + 1] - cuts[i], d, cuts[i]));
    }
    engines.add(new LocalRetrievalEngine(parts, ScoreKernels.byName("java"), 0));
    return engines;
  }

  private static final String[] ENGINES = {"java tiles of 7", "simd scan", "nd4j gemm",
      "three blocks"};

  // ---- tests ----------------------------------------------------------------------------------

  @Test
  void everyRuleRetrievesWithTheDistanceScoresAsTheFloat64Loop() {
    int m = 60;
    int d = 16;
    int n = 6;
    long seed = 20240;
    for (Model model : MODELS) {
      for (String score : new String[] {"euclidean", "manhattan"}) {
        for (double beta : new double[] {0.5, 2, 6}) {
          seed++;
          float[][] data = data(seed, m, n, d);
          float[] xi = data[0];
          float[] q = data[1];
          List<StepFunction> engines = engines(xi, m, d);
          for (int steps : new int[] {1, 3}) {
            String text = model.spec(score, beta, steps);
            RetrievalSpec spec = RetrievalSpec.parse(text);
            assertEquals(ScoreFunction.named(score), spec.score(), text);
            for (int e = 0; e < engines.size(); e++) {
              RetrievalResult res = RetrievalLoop.run(engines.get(e),
                  FloatMatrix.of("q", q.clone(), n, d), spec, REPORT, true);
              String where = text + ", " + ENGINES[e] + ", seed=" + seed;
              for (int b = 0; b < n; b++) {
                double[][] want = reference(model, score, beta, steps, xi, m, d, q, b);
                for (int c = 0; c < d; c++) {
                  assertEquals(want[0][c], res.states().get(b, c), TOL,
                      where + ": query " + b + " coordinate " + c);
                }
                checkTop(want[1], res.topIds(b), res.topWeights(b), where + ": query " + b);
                assertTrue(Double.isNaN(res.finalEnergy(b)), where + ": no energy");
                assertEquals(steps, res.steps(b), where);
              }
            }
          }
        }
      }
    }
  }

  /** The reported ids are the largest reference weights (best first) with their weights. */
  private static void checkTop(double[] p, long[] ids, float[] weights, String where) {
    Integer[] idx = IntStream.range(0, p.length).boxed().toArray(Integer[]::new);
    Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -p[i]));
    int positive = (int) Arrays.stream(p).filter(v -> v > 0).count();
    int n = Math.min(Math.min(REPORT, positive), ids.length);
    assertTrue(ids.length <= REPORT, where + ": at most " + REPORT + " reported");
    for (int r = 0; r < n; r++) {
      assertEquals(p[(int) ids[r]], weights[r], TOL, where + ": weight of reported id "
          + ids[r] + " (rank " + r + ")");
      if (r > 0) {
        assertTrue(weights[r] <= weights[r - 1], where + ": best first");
      }
      // the r-th largest reference weight (up to near ties)
      assertEquals(p[idx[r]], weights[r], TOL, where + ": rank " + r);
    }
  }

  @Test
  void theDotScoreIsTheDefaultAndGivesTheSameAnswerAsBefore() {
    int m = 40;
    int d = 8;
    int n = 4;
    long seed = 77;
    float[][] data = data(seed, m, n, d);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(data[0], m, d),
        ScoreKernels.byName("java"), 0);
    RetrievalSpec plain = RetrievalSpec.parse("sparsemax:beta=3,steps=2");
    RetrievalSpec dot = RetrievalSpec.parse("sparsemax:beta=3,steps=2,score=dot");
    assertEquals(plain, dot);
    assertEquals(ScoreFunction.DOT, plain.score());
    RetrievalResult a = RetrievalLoop.run(engine, FloatMatrix.of("q", data[1], n, d), plain, 5,
        true);
    RetrievalResult b = RetrievalLoop.run(engine, FloatMatrix.of("q", data[1], n, d),
        RetrievalSpec.parse("sparsemax:beta=3,steps=2,score=euclidean"), 5, true);
    for (int i = 0; i < n; i++) {
      assertFalse(Double.isNaN(a.finalEnergy(i)), "dot keeps the energy, seed=" + seed);
      assertTrue(Double.isNaN(b.finalEnergy(i)), "euclidean reports none, seed=" + seed);
    }
  }

  @Test
  void distancesAreSummedFromTheDifferencesNotFromTheNorms() {
    int d = 64;
    float[] a = new float[d];
    float[] x = new float[d];
    double sq = 0;
    double l1 = 0;
    for (int c = 0; c < d; c++) {
      a[c] = 1000f + c;
      x[c] = a[c] + (c % 2 == 0 ? 0.0625f : -0.125f); // exact in float at this magnitude
      double t = (double) a[c] - x[c];
      sq += t * t;
      l1 += Math.abs(t);
    }
    assertEquals(Math.sqrt(sq), ScoreFunction.EUCLIDEAN.distance(a, 0, x, 0, d), 1e-12);
    assertEquals(l1, ScoreFunction.MANHATTAN.distance(a, 0, x, 0, d), 1e-12);
    float[] out = new float[2];
    ScoreFunction.EUCLIDEAN.distanceScores(x, 1, concat(a, x), d, 0, 2, 3.0, out);
    assertEquals(-3 * Math.sqrt(sq), out[0], 1e-6);
    assertEquals(0.0, out[1], 0.0);
  }

  private static float[] concat(float[] a, float[] b) {
    float[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void theScoreShowsInTheSpecOnlyWhenItIsNotTheDefault() {
    for (Rule r : Rules.all()) {
      assertFalse(RetrievalSpec.of(r).toString().contains("score"), r.key());
    }
    assertEquals("softmax:beta=2,steps=1,tol=0",
        RetrievalSpec.parse("softmax:beta=2,score=dot").toString());
    RetrievalSpec e = RetrievalSpec.parse("topk:k=3,beta=2,score=euclidean");
    assertEquals("topk:k=3,beta=2,steps=1,tol=0,score=euclidean", e.toString());
    assertEquals(e, RetrievalSpec.parse(e.toString()));
    assertEquals(ScoreFunction.EUCLIDEAN, e.score());
    assertFalse(e.hasEnergy());
    RetrievalSpec man = RetrievalSpec.parse("masked:keep=0.5,mask=memory,score=manhattan");
    assertEquals("masked:keep=0.5,beta=1,steps=1,tol=0,seed=0,mask=memory,score=manhattan",
        man.toString());
    assertEquals(man, RetrievalSpec.parse(man.toString()));
    assertFalse(man.hasEnergy());
    assertTrue(man.withScore(ScoreFunction.DOT).hasEnergy());
    assertEquals(RetrievalSpec.softmax(4, 2).withScore(ScoreFunction.MANHATTAN),
        RetrievalSpec.parse("softmax:beta=4,steps=2,score=manhattan"));
  }

  @Test
  void theDistanceScoresAreRefusedWhereNothingScoresMemoriesOrAKernelScores() {
    for (String text : new String[] {"linear:score=euclidean", "prf:score=manhattan",
        "linear:score=dot", "softmax:score=euclidean,kernel=w.npy",
        "entmax:score=manhattan,kernel=w.npy,kernel_map=normalized", "softmax:score=cosine",
        "sparsemax:score="}) {
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
          () -> RetrievalSpec.parse(text), text);
      assertTrue(ex.getMessage().contains("score"), text + ": " + ex.getMessage());
      assertFalse(ex.getMessage().contains("\n"), text + ": one line");
    }
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("softmax:score=euclidean,kernel=w.npy")).getMessage()
        .contains("kernel"));
    assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("prf:beta=2").withScore(ScoreFunction.EUCLIDEAN));
    // the dot product with a kernel is the kernelized retrieval it always was
    assertEquals("softmax:beta=1,steps=1,tol=0,kernel=w.npy",
        RetrievalSpec.parse("softmax:score=dot,kernel=w.npy").toString());
  }
}
