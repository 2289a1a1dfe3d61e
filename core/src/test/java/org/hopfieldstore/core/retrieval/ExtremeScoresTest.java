package org.hopfieldstore.core.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.hopfieldstore.core.ReferenceMath;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.normalize.Entmax15Normalizer;
import org.hopfieldstore.core.normalize.EntmaxBisectNormalizer;
import org.hopfieldstore.core.normalize.SoftmaxNormalizer;
import org.hopfieldstore.core.normalize.SparsemaxNormalizer;
import org.hopfieldstore.core.normalize.ThresholdNormalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scores far from zero (a large beta) and alpha next to 1: the sparse family keeps its limits (the
 * argmax memory as beta grows, softmax as alpha falls to 1) instead of rounding to empty supports
 * (sparsemax at beta = 1e16 once gave all-zero states with support 0) or missing the limit (alpha
 * = 1 + 2^-52 was 0.015 off softmax).
 */
class ExtremeScoresTest {
  static final long SEED = 4242;

  static ThresholdNormalizer[] sparseFamily() {
    return new ThresholdNormalizer[] {SparsemaxNormalizer.INSTANCE, Entmax15Normalizer.INSTANCE,
        new EntmaxBisectNormalizer(1.3), new EntmaxBisectNormalizer(2.0),
        new EntmaxBisectNormalizer(1.5)};
  }

  /** At 2^60 a gap of 2^8 is a huge one: the two tied maxima share the weight. */
  @Test
  void tiedMaximaFarFromZeroShareTheWeight() {
    double c = Math.scalb(1.0, 60);
    double[] z = {c - 256, c, c - 1024, c};
    for (ThresholdNormalizer n : sparseFamily()) {
      double[] p = new double[z.length];
      n.normalize(z, z.length, p);
      assertArrayEquals(new double[] {0, 0.5, 0, 0.5}, p, 1e-12, n + " alpha " + n.alpha());
    }
  }

  /**
   * Shifting every score by a constant changes no weight: at 2^30 the shifted scores are exact to
   * 2^-22, so the weights agree to about that.
   */
  @Test
  void weightsAreInvariantToAShiftOfTheScores() {
    Random r = new Random(SEED);
    double c = Math.scalb(1.0, 30);
    for (int trial = 0; trial < 20; trial++) {
      int n = 2 + r.nextInt(40);
      double[] v = new double[n];
      double[] shifted = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = Math.scalb(Math.rint(Math.scalb(-3 * r.nextDouble(), 20)), -20); // 2^-20 grid
        shifted[i] = c + v[i];
      }
      for (ThresholdNormalizer nz : sparseFamily()) {
        double[] p = new double[n];
        double[] q = new double[n];
        nz.normalize(v, n, p);
        nz.normalize(shifted, n, q);
        assertArrayEquals(p, q, 1e-9, "alpha " + nz.alpha() + " trial " + trial + " seed " + SEED);
      }
    }
  }

  /** alpha = 1 + eps: the weights approach softmax's as eps falls, down to eps = 2^-52. */
  @Test
  void alphaNextToOneGivesTheSoftmaxLimit() {
    Random r = new Random(SEED + 1);
    for (int trial = 0; trial < 10; trial++) {
      int n = 2 + r.nextInt(200);
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = 6 * r.nextGaussian();
      }
      double[] soft = ReferenceMath.softmax(z);
      for (double eps : new double[] {Math.ulp(1.0), 1e-12, 1e-8, 1e-5}) {
        double[] p = new double[n];
        new EntmaxBisectNormalizer(1.0 + eps).normalize(z, n, p);
        double worst = 0;
        for (int i = 0; i < n; i++) {
          worst = Math.max(worst, Math.abs(p[i] - soft[i]));
        }
        // entmax differs from softmax by O(eps) (times the scores' spread squared)
        assertTrue(worst <= 1e-9 + 200 * eps, "eps " + eps + " trial " + trial + ": max |p - "
            + "softmax| = " + worst + " seed " + (SEED + 1));
      }
      double[] p = new double[n];
      SoftmaxNormalizer.INSTANCE.normalize(z, n, p);
      assertArrayEquals(soft, p, 1e-12);
    }
  }

  /** Where the x-space form is well conditioned, the q-exponential bisection is the reference. */
  @ParameterizedTest
  @ValueSource(doubles = {1.1, 1.3, 1.7, 1.9})
  void bisectionAgreesWithTheReferenceAtOrdinaryAlpha(double alpha) {
    Random r = new Random(SEED + 2);
    for (int trial = 0; trial < 20; trial++) {
      int n = 1 + r.nextInt(300);
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = 3 * r.nextGaussian();
      }
      double[] p = new double[n];
      new EntmaxBisectNormalizer(alpha).normalize(z, n, p);
      assertArrayEquals(ReferenceMath.entmaxBisect(z, alpha), p, 1e-9,
          "alpha " + alpha + " trial " + trial + " seed " + (SEED + 2));
    }
  }

  static FloatMatrix unitMemories(int m, int d, long seed) {
    return FloatMatrix.of("memories", ReferenceMath.unitRows(m, d, seed), m, d);
  }

  /**
   * As beta grows, sparse retrieval puts all weight on the best memory: at beta = 1e16..1e30 the
   * support is that one memory (by a double-precision argmax over the memories), weight 1, and the
   * state is its row.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sparsemax:beta=1e16", "sparsemax:beta=1e30",
      "entmax:alpha=1.5,beta=1e20", "entmax:alpha=1.3,beta=1e20",
      "entmax:alpha=1.5,beta=1e20,solver=bisect", "sparsemax:beta=1e17,solver=bisect"})
  void aHugeBetaRetrievesTheBestMemory(String specText) {
    int m = 300;
    int d = 16;
    FloatMatrix xi = unitMemories(m, d, SEED);
    Random r = new Random(SEED + 3);
    int batch = 6;
    float[] q = new float[batch * d];
    for (int i = 0; i < q.length; i++) {
      q[i] = (float) r.nextGaussian();
    }
    RetrievalResult got = new LocalRetrievalEngine(MemoryBlock.of(xi))
        .retrieve(FloatMatrix.of("queries", q, batch, d), RetrievalSpec.parse(specText));
    for (int b = 0; b < batch; b++) {
      int best = 0;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < m; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += (double) xi.get(i, j) * q[b * d + j];
        }
        if (s > bestScore) {
          bestScore = s;
          best = i;
        }
      }
      String msg = specText + " query " + b + " seed " + SEED;
      assertEquals(1, got.supportSize(b), msg);
      assertArrayEquals(new long[] {best}, got.supportIds(b), msg);
      assertArrayEquals(new double[] {1.0}, got.supportWeights(b), 0.0, msg);
      assertArrayEquals(xi.row(best), got.states().row(b), 0f, msg);
    }
  }

  @Test
  void scoresOverflowingFloatAreRefusedWithAClearLine() {
    FloatMatrix xi = FloatMatrix.of("memories", new float[] {3, 0, 0, 3}, 2, 2);
    FloatMatrix q = FloatMatrix.of("queries", new float[] {2, 1}, 1, 2);
    for (String spec : new String[] {"softmax:beta=1e38", "sparsemax:beta=1e38",
        "topk:k=1,beta=1e38", "entmax:alpha=1.5,beta=1e38"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new LocalRetrievalEngine(MemoryBlock.of(xi)).retrieve(q,
              RetrievalSpec.parse(spec)), spec);
      assertTrue(e.getMessage().startsWith("a score overflowed float32 (Infinity)"),
          spec + ": " + e.getMessage());
    }
  }
}
