package org.hopfieldstore.core.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.hopfieldstore.core.ReferenceMath;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.kernel.Adam;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The GSH layer: every gradient (inputs, projections, alpha) against central finite differences;
 * alpha = 2 is the core's sparsemax retrieval step, alpha near 1 approaches softmax; alpha stays
 * in (1, 2); a student layer fits a teacher.
 */
class GshLayerTest {
  static double[] gaussian(int n, SplittableRandom rnd) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = SyntheticMemories.gaussian(rnd);
    }
    return x;
  }

  /** L = sum(O * G) for a fixed random G. */
  static double loss(GshLayer layer, double[] r, int n, double[] y, int m, double[] g) {
    double[] o = layer.forward(r, n, y, m);
    double s = 0;
    for (int i = 0; i < o.length; i++) {
      s += o[i] * g[i];
    }
    return s;
  }

  interface Param {
    double[] values();
  }

  @ParameterizedTest(name = "alpha0={0} n={1} m={2} dIn={3} dK={4} dOut={5} heads={6}")
  @CsvSource({"1.5, 3, 5, 4, 3, 2, 1", "1.3, 2, 7, 3, 3, 3, 1", "1.8, 4, 4, 5, 2, 3, 1",
      "1.5, 3, 5, 4, 4, 2, 2", "1.3, 2, 6, 3, 6, 3, 3", "1.7, 4, 3, 2, 4, 4, 4"})
  void everyGradientMatchesFiniteDifferences(double alpha0, int n, int m, int dIn, int dK,
      int dOut, int heads) {
    long seed = (long) (alpha0 * 1000) + 31L * n + m + 7L * heads;
    SplittableRandom rnd = new SplittableRandom(seed);
    GshLayer layer = GshLayer.multiHead(dIn, dK, dOut, heads, 2.0, alpha0, false, seed);
    double[] r = gaussian(n * dIn, rnd);
    double[] y = gaussian(m * dIn, rnd);
    double[] g = gaussian(n * dOut, rnd);
    layer.forward(r, n, y, m);
    layer.zeroGrad();
    double[][] dInputs = layer.backward(g);
    double h = 1e-6;
    String msg = "seed=" + seed;
    check(msg + " dR", r, dInputs[0], () -> loss(layer, r, n, y, m, g), h);
    check(msg + " dY", y, dInputs[1], () -> loss(layer, r, n, y, m, g), h);
    check(msg + " dWq", layer.wq, layer.gWq.clone(), () -> loss(layer, r, n, y, m, g), h);
    check(msg + " dWk", layer.wk, layer.gWk.clone(), () -> loss(layer, r, n, y, m, g), h);
    check(msg + " dWv", layer.wv, layer.gWv.clone(), () -> loss(layer, r, n, y, m, g), h);
    double a = layer.a;
    layer.a = a + h;
    double up = loss(layer, r, n, y, m, g);
    layer.a = a - h;
    double down = loss(layer, r, n, y, m, g);
    layer.a = a;
    double fd = (up - down) / (2 * h);
    assertEquals(fd, layer.gA, 1e-6 + 1e-5 * Math.abs(fd), msg + " d alpha-logit");
    assertTrue(Math.abs(fd) > 1e-6, msg + ": a vanishing alpha gradient would check nothing");
  }

  /**
   * Several heads against the definition written out: head g scores with columns
   * [g dK/H, (g+1) dK/H) of Q and K, weighs the value slice [g dOut/H, (g+1) dOut/H) of
   * V = Y W_K W_V with the reference entmax (bisection), and the slices are concatenated.
   */
  @ParameterizedTest(name = "heads={0} alpha={1}")
  @CsvSource({"2, 1.5", "3, 1.3", "6, 1.8", "2, 2.0"})
  void severalHeadsAreTheHeadsDefinitionConcatenated(int heads, double alpha) {
    int n = 4;
    int m = 9;
    int dIn = 5;
    int dK = 6;
    int dOut = 6;
    long seed = 97L * heads;
    SplittableRandom rnd = new SplittableRandom(seed);
    GshLayer layer = GshLayer.multiHead(dIn, dK, dOut, heads, 1.7, alpha, alpha == 2.0, seed);
    double[] r = gaussian(n * dIn, rnd);
    double[] y = gaussian(m * dIn, rnd);
    double[] out = layer.forward(r, n, y, m);
    double[] v = new double[m * dOut];
    for (int j = 0; j < m; j++) {
      for (int o = 0; o < dOut; o++) {
        for (int c = 0; c < dK; c++) {
          double kjc = 0;
          for (int t = 0; t < dIn; t++) {
            kjc += y[j * dIn + t] * layer.wk[t * dK + c];
          }
          v[j * dOut + o] += kjc * layer.wv[c * dOut + o];
        }
      }
    }
    int hk = dK / heads;
    int ho = dOut / heads;
    for (int g = 0; g < heads; g++) {
      for (int i = 0; i < n; i++) {
        double[] z = new double[m];
        for (int j = 0; j < m; j++) {
          for (int c = g * hk; c < (g + 1) * hk; c++) {
            double q = 0;
            double k = 0;
            for (int t = 0; t < dIn; t++) {
              q += r[i * dIn + t] * layer.wq[t * dK + c];
              k += y[j * dIn + t] * layer.wk[t * dK + c];
            }
            z[j] += 1.7 * q * k;
          }
        }
        double[] p = alpha == 2.0 ? ReferenceMath.sparsemax(z)
            : ReferenceMath.entmaxBisect(z, alpha);
        for (int o = g * ho; o < (g + 1) * ho; o++) {
          double want = 0;
          for (int j = 0; j < m; j++) {
            want += p[j] * v[j * dOut + o];
          }
          assertEquals(want, out[i * dOut + o], 1e-9, "seed=" + seed + " head " + g
              + " query " + i + " output " + o);
        }
      }
    }
    // one head through multiHead is the plain layer: same draws, same output
    GshLayer one = GshLayer.multiHead(dIn, dK, dOut, 1, 1.7, 1.5, false, seed);
    GshLayer plain = new GshLayer(dIn, dK, dOut, 1.7, 1.5, seed);
    assertArrayEquals(plain.forward(r, n, y, m), one.forward(r, n, y, m));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GshLayer.multiHead(dIn, 6, 4, 3, 1.0, 1.5, false, 1));
    assertTrue(e.getMessage().contains("divide the key and value widths 6 and 4"),
        e.getMessage());
  }

  static void check(String what, double[] x, double[] grad, java.util.function.DoubleSupplier f,
      double h) {
    double max = 0;
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      x[i] = v + h;
      double up = f.getAsDouble();
      x[i] = v - h;
      double down = f.getAsDouble();
      x[i] = v;
      double fd = (up - down) / (2 * h);
      assertEquals(fd, grad[i], 1e-6 + 1e-5 * Math.abs(fd), what + " entry " + i);
      max = Math.max(max, Math.abs(fd));
    }
    assertTrue(max > 1e-6, what + ": a vanishing gradient would check nothing");
  }

  /** W_Q = W_K = W_V = I, R = queries, Y = memories: one retrieval step of the core. */
  static double[] identityLayerStep(double alpha, double beta, FloatMatrix xi, FloatMatrix q) {
    int d = xi.cols();
    GshLayer layer = GshLayer.fixedAlpha(d, d, d, beta, alpha, 1);
    for (double[] w : new double[][] {layer.wq, layer.wk, layer.wv}) {
      java.util.Arrays.fill(w, 0);
      for (int i = 0; i < d; i++) {
        w[i * d + i] = 1;
      }
    }
    return layer.forward(toDouble(q.data()), q.rows(), toDouble(xi.data()), xi.rows());
  }

  static double[] toDouble(float[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i];
    }
    return out;
  }

  @Test
  void alphaTwoIsTheCoreSparsemaxStepAndAlphaNearOneApproachesSoftmax() {
    long seed = 8;
    FloatMatrix xi = SyntheticMemories.uniformSphere(60, 10, seed);
    FloatMatrix q = SyntheticMemories.uniformSphere(5, 10, seed + 1);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi));
    RetrievalResult sparse = engine.retrieve(q, RetrievalSpec.parse("sparsemax:beta=6,steps=1"));
    RetrievalResult dense = engine.retrieve(q, RetrievalSpec.parse("softmax:beta=6,steps=1"));
    double[] two = identityLayerStep(2.0, 6, xi, q);
    double[] nearOne = identityLayerStep(1.001, 6, xi, q);
    double gapToSoftmax = 0;
    for (int i = 0; i < two.length; i++) {
      assertEquals(sparse.states().data()[i], two[i], 1e-5, "seed=" + seed + " entry " + i);
      assertEquals(dense.states().data()[i], nearOne[i], 5e-3, "seed=" + seed + " entry " + i);
      gapToSoftmax = Math.max(gapToSoftmax, Math.abs(dense.states().data()[i] - two[i]));
    }
    assertTrue(gapToSoftmax > 0.05, "sparsemax and softmax differ on this set: " + gapToSoftmax);
  }

  @Test
  void alphaStaysInsideTheOpenInterval() {
    GshLayer layer = new GshLayer(3, 3, 3, 1.0, 1.5, 2);
    for (double a : new double[] {-1e6, -30, 0, 30, 1e6}) {
      layer.a = a;
      double alpha = layer.alpha();
      assertTrue(alpha > 1 && alpha < 2, "a=" + a + " gives alpha=" + alpha);
    }
  }

  @Test
  void aStudentLayerFitsATeacher() {
    long seed = 77;
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = 6;
    int m = 8;
    GshLayer teacher = new GshLayer(4, 4, 3, 2.0, 1.7, seed);
    double[] r = gaussian(n * 4, rnd);
    double[] y = gaussian(m * 4, rnd);
    double[] target = teacher.forward(r, n, y, m);
    GshLayer student = new GshLayer(4, 4, 3, 2.0, 1.3, seed + 1);
    double[][] params = {student.wq, student.wk, student.wv};
    double[][] grads = {student.gWq, student.gWk, student.gWv};
    Adam[] adams = {new Adam(16, 0.02, false), new Adam(16, 0.02, false),
        new Adam(12, 0.02, false)};
    double first = Double.NaN;
    double last = Double.NaN;
    for (int it = 0; it < 1500; it++) {
      double[] o = student.forward(r, n, y, m);
      double[] d = new double[o.length];
      double l = 0;
      for (int i = 0; i < o.length; i++) {
        d[i] = 2 * (o[i] - target[i]) / o.length;
        l += (o[i] - target[i]) * (o[i] - target[i]) / o.length;
      }
      if (it == 0) {
        first = l;
      }
      last = l;
      student.zeroGrad();
      student.backward(d);
      for (int k = 0; k < 3; k++) {
        adams[k].step(params[k], grads[k]);
      }
      student.a -= 0.02 * student.gA;
    }
    assertTrue(last < 0.05 * first, "seed=" + seed + " mse " + first + " -> " + last);
    assertTrue(student.alpha() > 1 && student.alpha() < 2);
  }
}
