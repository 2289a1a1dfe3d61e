package org.hopfieldstore.core.normalize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.hopfieldstore.core.ReferenceMath;
import org.junit.jupiter.api.Test;

/**
 * Properties of every normalizer on random and awkward score vectors (sizes 1, 7, 13, 207, 1021;
 * ties; constants; +-1e4; 1e-9 spacing), and agreement with the independent reference.
 */
class NormalizerPropertiesTest {
  static final int[] SIZES = {1, 7, 13, 207, 1021};

  /** A seeded awkward score vector: kind picks the pattern, seed the values. */
  static double[] scores(int kind, int n, long seed) {
    Random r = new Random(seed);
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      switch (kind) {
        case 0: // gaussian
          z[i] = r.nextGaussian();
          break;
        case 1: // heavy ties
          z[i] = r.nextInt(3);
          break;
        case 2: // constant
          z[i] = 0.25;
          break;
        case 3: // huge magnitudes
          z[i] = (r.nextBoolean() ? 1e4 : -1e4) * r.nextDouble();
          break;
        case 4: // 1e-9 spacing
          z[i] = 1 + 1e-9 * r.nextInt(50);
          break;
        default: // scaled by beta in [1e-3, 1e4]
          z[i] = Math.pow(10, -3 + 7 * r.nextDouble()) * r.nextGaussian();
      }
    }
    return z;
  }

  @Provide
  Arbitrary<double[]> awkward() {
    return Arbitraries.integers().between(0, 5).flatMap(kind ->
        Arbitraries.of(1, 7, 13, 207, 1021).flatMap(n ->
            Arbitraries.longs().map(seed -> scores(kind, n, seed))));
  }

  static Normalizer[] all() {
    return new Normalizer[] {SoftmaxNormalizer.INSTANCE, SparsemaxNormalizer.INSTANCE,
        Entmax15Normalizer.INSTANCE, new EntmaxBisectNormalizer(1.25),
        new EntmaxBisectNormalizer(1.75), new EntmaxBisectNormalizer(2.0),
        new TopKNormalizer(1), new TopKNormalizer(5), new TopKNormalizer(5000)};
  }

  @Property(tries = 300, seed = "20261124")
  void everyOutputIsOnTheSimplex(@ForAll("awkward") double[] z) {
    for (Normalizer n : all()) {
      double[] p = n.apply(z);
      double s = 0;
      for (double v : p) {
        assertTrue(v >= 0 && Double.isFinite(v), n + " gave " + v);
        s += v;
      }
      assertEquals(1.0, s, 1e-9, n + " sum, n=" + z.length);
    }
  }

  @Property(tries = 200, seed = "7")
  void shiftingAllScoresChangesNothing(@ForAll("awkward") double[] z) {
    double shift = 3.5;
    double[] zs = Arrays.stream(z).map(v -> v + shift).toArray();
    for (Normalizer n : all()) {
      double[] a = n.apply(z);
      double[] b = n.apply(zs);
      // 1e4-sized scores lose ~1e-12 relative to the shift's rounding; weights move ~1e-8 at most
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-7, n + " entry " + i);
      }
    }
  }

  @Property(tries = 300, seed = "11")
  void exactFastPathsEqualTheirSortReferences(@ForAll("awkward") double[] z) {
    int n = z.length;
    double t = SparsemaxNormalizer.INSTANCE.threshold(z, n);
    double ts = SparsemaxNormalizer.thresholdSort(z, n);
    assertEquals(ts, t, 1e-12 * Math.max(1, Math.abs(ts)), "sparsemax threshold");
    double e = Entmax15Normalizer.INSTANCE.threshold(z, n);
    double es = Entmax15Normalizer.thresholdSort(z, n);
    assertEquals(es, e, 1e-12 * Math.max(1, Math.abs(es)), "entmax15 threshold");
  }

  @Property(tries = 300, seed = "13")
  void productionNormalizersEqualTheIndependentReference(@ForAll("awkward") double[] z) {
    assertClose(ReferenceMath.softmax(z), SoftmaxNormalizer.INSTANCE.apply(z), 1e-12, "softmax");
    assertClose(ReferenceMath.sparsemax(z), SparsemaxNormalizer.INSTANCE.apply(z), 1e-12,
        "sparsemax");
    assertClose(ReferenceMath.entmax15(z), Entmax15Normalizer.INSTANCE.apply(z), 1e-12,
        "entmax15");
    // bisection: 60 halvings of a bracket <= 1 wide, then renormalised (reference tolerance)
    assertClose(ReferenceMath.entmaxBisect(z, 1.25), new EntmaxBisectNormalizer(1.25).apply(z),
        1e-6, "entmax 1.25");
    assertClose(ReferenceMath.entmaxBisect(z, 1.75), new EntmaxBisectNormalizer(1.75).apply(z),
        1e-6, "entmax 1.75");
    assertClose(ReferenceMath.topk(z, 5), new TopKNormalizer(5).apply(z), 1e-12, "topk 5");
    for (double alpha : new double[] {1.25, 1.5, 2.0}) {
      ThresholdNormalizer norm = ThresholdNormalizer.forAlpha(alpha, false);
      double[] p = norm.apply(z);
      assertEquals(ReferenceMath.conjugate(z, p, alpha), norm.conjugate(z, z.length),
          1e-9 * Math.max(1, Arrays.stream(z).map(Math::abs).max().orElse(1)), "Psi* " + alpha);
    }
    assertEquals(ReferenceMath.conjugate(z, null, 1), SoftmaxNormalizer.INSTANCE.conjugate(z,
        z.length), 1e-9 * Math.max(1, Arrays.stream(z).map(Math::abs).max().orElse(1)));
  }

  @Property(tries = 200, seed = "17")
  void entmaxAtTwoIsSparsemaxAndBisectionAtOnePointFiveIsTheExactOne(
      @ForAll("awkward") double[] z) {
    assertClose(SparsemaxNormalizer.INSTANCE.apply(z), new EntmaxBisectNormalizer(2.0).apply(z),
        1e-9, "alpha=2 bisection vs sparsemax");
    assertClose(Entmax15Normalizer.INSTANCE.apply(z), new EntmaxBisectNormalizer(1.5).apply(z),
        1e-9, "alpha=1.5 bisection vs sort");
  }

  @Property(tries = 100, seed = "19")
  void entmaxNearOneApproachesSoftmax(@ForAll long seed) {
    // moderate scores: as alpha -> 1 the Tsallis entropy tends to Shannon's, and entmax to
    // softmax; at alpha = 1.001 the L1 gap on N(0,1) scores is a few 1e-3
    double[] z = scores(0, 50, seed);
    double[] a = new EntmaxBisectNormalizer(1.001).apply(z);
    double[] b = SoftmaxNormalizer.INSTANCE.apply(z);
    double l1 = 0;
    for (int i = 0; i < z.length; i++) {
      l1 += Math.abs(a[i] - b[i]);
    }
    assertTrue(l1 < 1e-2, "L1 gap " + l1 + " seed " + seed);
    double[] c = new EntmaxBisectNormalizer(1.1).apply(z);
    double l1far = 0;
    for (int i = 0; i < z.length; i++) {
      l1far += Math.abs(c[i] - b[i]);
    }
    assertTrue(l1 < l1far, "closer to softmax as alpha -> 1, seed " + seed);
  }

  @Property(tries = 200, seed = "23")
  void sparseWeightsAreZeroExactlyAtOrBelowTheThreshold(@ForAll("awkward") double[] z) {
    for (ThresholdNormalizer n : new ThresholdNormalizer[] {SparsemaxNormalizer.INSTANCE,
        Entmax15Normalizer.INSTANCE}) {
      double tau = n.threshold(z, z.length);
      double[] p = n.apply(z);
      int support = 0;
      for (int i = 0; i < z.length; i++) {
        if (n.toX(z[i]) <= tau) {
          assertEquals(0.0, p[i], n + " entry " + i);
        } else {
          assertTrue(p[i] > 0, n + " entry " + i);
          support++;
        }
      }
      assertTrue(support >= 1 && support <= z.length);
    }
  }

  @Property(tries = 100, seed = "29")
  void permutingScoresPermutesWeights(@ForAll long seed) {
    double[] z = scores(0, 31, seed); // distinct with probability 1: no tie-breaking involved
    Random r = new Random(seed);
    int[] perm = new int[z.length];
    for (int i = 0; i < perm.length; i++) {
      perm[i] = i;
    }
    for (int i = perm.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    double[] zp = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      zp[i] = z[perm[i]];
    }
    for (Normalizer n : all()) {
      double[] a = n.apply(z);
      double[] b = n.apply(zp);
      for (int i = 0; i < z.length; i++) {
        assertEquals(a[perm[i]], b[i], 1e-12, n + " seed " + seed);
      }
    }
  }

  @Test
  void topKWithKAtLeastNIsSoftmaxAndTiesGoToTheLowerIndex() {
    double[] z = {1, 3, 3, 2, 3};
    assertArrayEquals(SoftmaxNormalizer.INSTANCE.apply(z), new TopKNormalizer(5).apply(z));
    assertArrayEquals(SoftmaxNormalizer.INSTANCE.apply(z), new TopKNormalizer(9).apply(z));
    double[] p = new TopKNormalizer(2).apply(z);
    assertEquals(0.5, p[1], 1e-15);
    assertEquals(0.5, p[2], 1e-15);
    assertEquals(0.0, p[4]);
    assertArrayEquals(new int[] {1, 2, 4, 3}, TopKNormalizer.topIndices(z, 5, 4));
  }

  @Test
  void softmaxSurvivesHugeScores() {
    double[] z = {1e4, 1e4 - 1, -1e4};
    double[] p = SoftmaxNormalizer.INSTANCE.apply(z);
    assertEquals(1 / (1 + Math.exp(-1)), p[0], 1e-15);
    assertEquals(0.0, p[2]);
    assertEquals(1e4 + Math.log(1 + Math.exp(-1)), SoftmaxNormalizer.INSTANCE.conjugate(z, 3),
        1e-9);
  }

  @Test
  void sparsemaxSupportIsNeverLargerThanSoftmaxAndShrinksWithBeta() {
    double[] z = scores(0, 1021, 5);
    int last = Integer.MAX_VALUE;
    for (double beta : new double[] {0.01, 0.1, 1, 10, 100}) {
      double[] zb = Arrays.stream(z).map(v -> beta * v).toArray();
      int support = (int) Arrays.stream(SparsemaxNormalizer.INSTANCE.apply(zb))
          .filter(v -> v > 0).count();
      assertTrue(support <= z.length && support <= last, "beta " + beta + ": " + support);
      last = support;
    }
    assertEquals(1, last);
  }

  @Test
  void alphaOutsideItsRangeIsRejected() {
    for (double alpha : new double[] {1.0, 0.5, 2.5, Double.NaN}) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> new EntmaxBisectNormalizer(alpha));
      assertTrue(e.getMessage().contains("alpha must be in (1, 2]"), e.getMessage());
    }
  }

  static void assertClose(double[] want, double[] got, double tol, String what) {
    assertEquals(want.length, got.length, what);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], tol, what + " entry " + i + " of " + want.length);
    }
  }
}
