package org.hopfieldstore.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Analytic gradients of the separation losses against central finite differences (float64), the
 * exact merge of pair partials, and free spherical-code optimisation reaching known optima.
 */
class SeparationLossTest {
  static MemoryBlock block(int n, int d, long seed, long idOffset) {
    return MemoryBlock.withIdOffset(SyntheticMemories.uniformSphere(n, d, seed).data().clone(),
        n, d, idOffset);
  }

  @ParameterizedTest(name = "{0} na={1} nb={2} D={3} d={4} same={5}")
  @CsvSource({"uhop:2, 5, 5, 4, 3, true", "spherical:0.1, 6, 6, 5, 4, true",
      "uhop:2, 6, 7, 5, 4, false", "spherical:0.1, 4, 9, 8, 8, false",
      "spherical:0.5, 9, 9, 8, 8, true", "uhop-max:2, 5, 5, 4, 3, true",
      "uhop-max:2, 6, 7, 5, 4, false",
      // D < d (U-Hop+'s MNIST setting maps 784 to 200 dimensions)
      "spherical:0.1, 6, 6, 2, 5, true", "uhop:2, 6, 7, 3, 5, false",
      "uhop-max:2, 5, 5, 2, 4, true"})
  void gradientMatchesFiniteDifferences(String lossText, int na, int nb, int big, int d,
      boolean same) {
    long seed = 31L * na + 7L * nb + big + d;
    SeparationLoss loss = SeparationLoss.parse(lossText);
    MemoryBlock a = block(na, d, seed, 0);
    MemoryBlock b = same ? a : block(nb, d, seed + 1, 1000);
    LinearFeatureMap map = LinearFeatureMap.gaussian(big, d, seed + 2);
    long m = same ? na : na + nb;
    double[] grad = loss.gradient(loss.pairs(map, a, b, same), m);
    assertTrue(java.util.Arrays.stream(grad).map(Math::abs).max().getAsDouble() > 1e-4,
        "seed=" + seed + " a gradient that vanishes would check nothing");
    double h = 1e-6;
    // every parameter: W, then b (at b = 0 here; a nonzero b in affineGradientMatches...)
    double[] params = parameters(map);
    assertEquals(params.length, grad.length, "seed=" + seed);
    for (int i = 0; i < grad.length; i++) {
      double[] w = params.clone();
      w[i] += h;
      double up = loss.loss(loss.pairs(LinearFeatureMap.ofParameters(w, big, d), a, b, same), m);
      w[i] -= 2 * h;
      double down = loss.loss(loss.pairs(LinearFeatureMap.ofParameters(w, big, d), a, b, same),
          m);
      double fd = (up - down) / (2 * h);
      assertEquals(fd, grad[i], 1e-6 + 1e-5 * Math.abs(fd),
          "seed=" + seed + " " + lossText + " entry " + i);
    }
  }

  /** W then b, as the gradients lay them out. */
  static double[] parameters(LinearFeatureMap map) {
    double[] w = map.weights();
    double[] p = java.util.Arrays.copyOf(w, w.length + map.outDim());
    System.arraycopy(map.bias(), 0, p, w.length, map.outDim());
    return p;
  }

  /**
   * The affine map {@code Phi(u) = W u + b} with a nonzero b: the analytic gradient of each loss
   * in W and b against central differences of a float64 loss computed here from the images
   * {@code W xi + b} formed explicitly (not through the class), and the class's loss value
   * against that reference.
   */
  @ParameterizedTest(name = "{0} na={1} nb={2} D={3} d={4} same={5}")
  @CsvSource({"uhop:2, 6, 6, 4, 3, true", "uhop:2, 5, 7, 5, 4, false",
      "uhop-max:2, 6, 6, 4, 3, true", "uhop-max:2, 5, 7, 5, 4, false",
      "spherical:0.1, 6, 6, 5, 4, true", "spherical:0.2, 4, 8, 6, 6, false",
      // D < d
      "spherical:0.1, 7, 7, 2, 5, true", "uhop:2, 6, 5, 3, 5, false",
      "uhop-max:2, 5, 6, 2, 4, false"})
  void affineGradientMatchesFiniteDifferences(String lossText, int na, int nb, int big, int d,
      boolean same) {
    long seed = 1009L * na + 31L * nb + 7L * big + d + (same ? 1 : 0);
    SeparationLoss loss = SeparationLoss.parse(lossText);
    MemoryBlock a = block(na, d, seed, 0);
    MemoryBlock b = same ? a : block(nb, d, seed + 1, 1000);
    SplittableRandom rnd = new SplittableRandom(seed + 3);
    double[] bias = new double[big];
    for (int k = 0; k < big; k++) {
      bias[k] = 0.8 * SyntheticMemories.gaussian(rnd);
    }
    LinearFeatureMap map = LinearFeatureMap.gaussian(big, d, seed + 2).withBias(bias);
    long m = same ? na : na + nb;
    double[] params = parameters(map);
    assertEquals(referenceLoss(loss, params, big, d, a, b, same, m),
        loss.loss(loss.pairs(map, a, b, same), m), 1e-10, "seed=" + seed + " " + lossText);
    double[] grad = loss.gradient(loss.pairs(map, a, b, same), m);
    assertEquals(params.length, grad.length, "seed=" + seed);
    double biasGrad = 0;
    for (int k = 0; k < big; k++) {
      biasGrad = Math.max(biasGrad, Math.abs(grad[big * d + k]));
    }
    assertTrue(biasGrad > 1e-4, "seed=" + seed + " " + lossText + ": a bias gradient that "
        + "vanishes would check nothing");
    double h = 1e-6;
    for (int i = 0; i < params.length; i++) {
      double[] p = params.clone();
      p[i] += h;
      double up = referenceLoss(loss, p, big, d, a, b, same, m);
      p[i] -= 2 * h;
      double down = referenceLoss(loss, p, big, d, a, b, same, m);
      double fd = (up - down) / (2 * h);
      assertEquals(fd, grad[i], 1e-6 + 1e-5 * Math.abs(fd), "seed=" + seed + " " + lossText
          + (i < big * d ? " W entry " + i : " b entry " + (i - big * d)));
    }
  }

  /**
   * The norm penalty's gradient in W and b, with a nonzero b, against central differences of
   * {@code sum (|W xi + b|^2 - 1)^2} computed here.
   */
  @Test
  void affineNormPenaltyGradientMatchesFiniteDifferences() {
    long seed = 404;
    int n = 9;
    int d = 5;
    for (int big : new int[] {3, 7}) {
      MemoryBlock x = block(n, d, seed + big, 0);
      SplittableRandom rnd = new SplittableRandom(seed + big + 1);
      double[] bias = new double[big];
      for (int k = 0; k < big; k++) {
        bias[k] = 0.5 * SyntheticMemories.gaussian(rnd);
      }
      LinearFeatureMap map = LinearFeatureMap.gaussian(big, d, seed + big + 2).withBias(bias);
      double[] out = new double[1];
      double[] grad = SeparationLoss.normTerms(map, x, out);
      double[] params = parameters(map);
      assertEquals(penalty(params, big, d, x), out[0], 1e-10, "seed=" + seed + " D=" + big);
      assertEquals(params.length, grad.length);
      double h = 1e-6;
      for (int i = 0; i < params.length; i++) {
        double[] p = params.clone();
        p[i] += h;
        double up = penalty(p, big, d, x);
        p[i] -= 2 * h;
        double fd = (up - penalty(p, big, d, x)) / (2 * h);
        assertEquals(fd, grad[i], 1e-6 + 1e-5 * Math.abs(fd), "seed=" + seed + " D=" + big
            + " parameter " + i);
      }
    }
  }

  /** {@code W x + b} of row r of a block, from the raw parameters (W then b). */
  static double[] image(double[] p, int big, int d, MemoryBlock x, int r) {
    double[] v = new double[big];
    for (int k = 0; k < big; k++) {
      double s = p[big * d + k];
      for (int c = 0; c < d; c++) {
        s += p[k * d + c] * x.data()[r * d + c];
      }
      v[k] = s;
    }
    return v;
  }

  static double penalty(double[] p, int big, int d, MemoryBlock x) {
    double s = 0;
    for (int r = 0; r < x.size(); r++) {
      double[] v = image(p, big, d, x, r);
      double sq = 0;
      for (double e : v) {
        sq += e * e;
      }
      s += (sq - 1) * (sq - 1);
    }
    return s;
  }

  /** The losses by their definitions over the cosines of the explicit images. */
  static double referenceLoss(SeparationLoss loss, double[] p, int big, int d, MemoryBlock a,
      MemoryBlock b, boolean same, long m) {
    java.util.List<Double> cos = new java.util.ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      for (int j = same ? i + 1 : 0; j < b.size(); j++) {
        if (!same && a.id(i) == b.id(j)) {
          continue;
        }
        double[] u = image(p, big, d, a, i);
        double[] v = image(p, big, d, b, j);
        double uv = 0;
        double uu = 0;
        double vv = 0;
        for (int k = 0; k < big; k++) {
          uv += u[k] * v[k];
          uu += u[k] * u[k];
          vv += v[k] * v[k];
        }
        cos.add(uv / Math.sqrt(uu * vv));
      }
    }
    double t = loss.param();
    switch (loss.form()) {
      case UHOP_MAX:
        return -2 * t + 2 * t * cos.stream().mapToDouble(Double::doubleValue).max().getAsDouble();
      case UHOP:
        return Math.log(cos.stream().mapToDouble(c -> Math.exp(-t * (2 - 2 * c))).sum()
            / cos.size());
      default:
        return Math.log(cos.stream().mapToDouble(c -> Math.exp(c / t)).sum() / cos.size()) / m;
    }
  }

  @Test
  void pointGradientMatchesFiniteDifferences() {
    long seed = 5;
    SeparationLoss loss = SeparationLoss.parse("spherical:0.2");
    int n = 7;
    int dim = 3;
    double[] v = new double[n * dim];
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < v.length; i++) {
      v[i] = SyntheticMemories.gaussian(rnd);
    }
    double[] out = new double[2];
    double[] g = loss.pointGradient(v, n, dim, out);
    double h = 1e-6;
    for (int i = 0; i < v.length; i++) {
      double[] p = v.clone();
      p[i] += h;
      loss.pointGradient(p, n, dim, out);
      double up = out[0];
      p[i] -= 2 * h;
      loss.pointGradient(p, n, dim, out);
      double fd = (up - out[0]) / (2 * h);
      assertEquals(fd, g[i], 1e-6 + 1e-5 * Math.abs(fd), "seed=" + seed + " entry " + i);
    }
  }

  @Test
  void blockPairsMergeToTheWholeSet() {
    long seed = 17;
    SeparationLoss loss = SeparationLoss.parse("spherical:0.1");
    MemoryBlock all = block(53, 6, seed, 0);
    LinearFeatureMap map = LinearFeatureMap.gaussian(8, 6, seed + 1);
    PairTerms whole = loss.allPairs(map, all, 53);
    assertEquals(53L * 52 / 2, whole.pairs);
    for (int rows : new int[] {1, 7, 20}) {
      PairTerms split = loss.allPairs(map, all, rows);
      assertEquals(whole.pairs, split.pairs, "rows=" + rows);
      assertEquals(loss.loss(whole, 53), loss.loss(split, 53), 1e-12, "rows=" + rows);
      double[] gw = loss.gradient(whole, 53);
      double[] gs = loss.gradient(split, 53);
      for (int i = 0; i < gw.length; i++) {
        assertEquals(gw[i], gs[i], 1e-10, "seed=" + seed + " rows=" + rows + " entry " + i);
      }
    }
  }

  /** Known optimal codes in 3 dimensions: tetrahedron, octahedron, icosahedron. */
  @ParameterizedTest(name = "{0} points -> {1} degrees")
  @CsvSource({"4, 109.4712", "6, 90.0", "12, 63.4349"})
  void freeSphericalCodeReachesTheKnownOptimum(int n, double optimum) {
    long seed = 20261124L + n;
    double[] v = new double[n * 3];
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < v.length; i++) {
      v[i] = SyntheticMemories.gaussian(rnd);
    }
    Adam adam = new Adam(v.length, 0.02, false);
    double[] out = new double[2];
    // anneal tau so the smooth maximum approaches the largest overlap
    for (double tau : new double[] {0.3, 0.1, 0.05, 0.02}) {
      SeparationLoss loss = new SeparationLoss(SeparationLoss.Form.SPHERICAL, tau);
      for (int it = 0; it < 600; it++) {
        adam.step(v, loss.pointGradient(v, n, 3, out));
        normaliseRows(v, n, 3);
      }
    }
    double angle = Math.toDegrees(Math.acos(out[1]));
    new SeparationLoss(SeparationLoss.Form.SPHERICAL, 0.02).pointGradient(v, n, 3, out);
    angle = Math.toDegrees(Math.acos(Math.min(1, out[1])));
    assertEquals(optimum, angle, 0.5, "seed=" + seed + " min angle of " + n + " points");
  }

  static void normaliseRows(double[] v, int n, int dim) {
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int k = 0; k < dim; k++) {
        s += v[i * dim + k] * v[i * dim + k];
      }
      double inv = 1 / Math.sqrt(s);
      for (int k = 0; k < dim; k++) {
        v[i * dim + k] *= inv;
      }
    }
  }

  @Test
  void badInputIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LinearFeatureMap.gaussian(0, 4, 1));
    assertTrue(e.getMessage().contains("D >= 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SeparationLoss.parse("cosine"));
    assertTrue(e.getMessage().contains("unknown loss 'cosine'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SeparationLoss.parse("spherical:-1"));
    assertTrue(e.getMessage().contains("tau=-1.0 is out of range"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Adam(3, 0, false));
    assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
  }
}
