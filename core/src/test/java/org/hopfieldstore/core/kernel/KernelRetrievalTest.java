package org.hopfieldstore.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.hopfieldstore.core.ReferenceMath;
import org.hopfieldstore.core.capacity.RetrievalQuality;
import org.hopfieldstore.core.capacity.Separation;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retrieval in kernel space ({@code kernel=PATH}) against a float64 reference that scores with
 * {@code <W xi, W x>} directly; monotone energy; a learned W separates a clustered set and
 * retrieves better than the identity map.
 */
class KernelRetrievalTest {
  @TempDir Path tmp;

  static double[][] rows(FloatMatrix m) {
    double[][] out = new double[m.rows()][m.cols()];
    for (int i = 0; i < m.rows(); i++) {
      for (int j = 0; j < m.cols(); j++) {
        out[i][j] = m.get(i, j);
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"softmax:beta=4,steps=2", "sparsemax:beta=4,steps=2",
      "entmax:alpha=1.5,beta=4,steps=2", "topk:k=3,beta=4,steps=2"})
  void kernelRetrievalEqualsTheFloat64Definition(String specText) {
    long seed = 99;
    int m = 41;
    int d = 5;
    int big = 7;
    FloatMatrix xi = SyntheticMemories.uniformSphere(m, d, seed);
    FloatMatrix q = QuerySet.fromMemories(xi, 4, Corruption.parse("gaussian:0.2"), seed + 1)
        .queries();
    LinearFeatureMap map = LinearFeatureMap.gaussian(big, d, seed + 2);
    Path w = tmp.resolve("w.npy");
    map.write(w);
    RetrievalSpec spec = RetrievalSpec.parse(specText + ",kernel=" + w);
    RetrievalResult got = new LocalRetrievalEngine(MemoryBlock.of(xi)).retrieve(q, spec);
    double[][] xs = rows(xi);
    double[][] images = new double[m][];
    for (int i = 0; i < m; i++) {
      images[i] = map.images(xi.data(), m) == null ? null
          : java.util.Arrays.copyOfRange(map.images(xi.data(), m), i * big, (i + 1) * big);
    }
    String rule = spec.rule().key();
    for (int b = 0; b < q.rows(); b++) {
      double[] x = rows(q)[b];
      for (int t = 0; t < spec.steps(); t++) {
        float[] xf = new float[d];
        for (int c = 0; c < d; c++) {
          xf[c] = (float) x[c];
        }
        double[] wx = map.images(xf, 1);
        double[] z = new double[m];
        for (int i = 0; i < m; i++) {
          double s = 0;
          for (int k = 0; k < big; k++) {
            s += images[i][k] * wx[k];
          }
          z[i] = spec.beta() * s;
        }
        x = ReferenceMath.combine(xs, ReferenceMath.normalize(z, rule, spec.alpha(), spec.k()));
      }
      for (int c = 0; c < d; c++) {
        assertEquals(x[c], got.states().get(b, c), 2e-5, "seed=" + seed + " " + specText
            + " query " + b);
      }
    }
  }

  @Test
  void identityKernelGivesThePlainAnswer() {
    FloatMatrix xi = SyntheticMemories.uniformSphere(30, 6, 3);
    FloatMatrix q = QuerySet.fromMemories(xi, 5, Corruption.parse("gaussian:0.3"), 4).queries();
    Path w = tmp.resolve("id.npy");
    LinearFeatureMap.identity(6).write(w);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi));
    RetrievalSpec plain = RetrievalSpec.parse("sparsemax:beta=8,steps=3");
    RetrievalResult a = engine.retrieve(q, plain);
    RetrievalResult b = engine.retrieve(q, plain.withKernel(w.toString()));
    assertEquals(java.util.Arrays.toString(a.states().data()),
        java.util.Arrays.toString(b.states().data()));
    assertEquals(a.finalEnergy(2), b.finalEnergy(2), 1e-6);
  }

  @ParameterizedTest
  @ValueSource(strings = {"softmax:beta=6,steps=6,tol=0", "sparsemax:beta=6,steps=6,tol=0",
      "entmax:alpha=1.5,beta=6,steps=6,tol=0"})
  void energyNeverIncreasesInKernelSpace(String specText) {
    long seed = specText.hashCode();
    FloatMatrix xi = SyntheticMemories.uniformSphere(200, 12, seed);
    FloatMatrix q = QuerySet.fromMemories(xi, 8, Corruption.parse("gaussian:0.4"), seed + 1)
        .queries();
    Path w = tmp.resolve("k.npy");
    LinearFeatureMap.gaussian(16, 12, seed + 2).write(w);
    RetrievalResult r = new LocalRetrievalEngine(MemoryBlock.of(xi))
        .retrieve(q, RetrievalSpec.parse(specText + ",kernel=" + w));
    for (int b = 0; b < r.batch(); b++) {
      double[] e = r.energies(b);
      assertEquals(7, e.length);
      for (int t = 1; t < e.length; t++) {
        assertTrue(e[t] <= e[t - 1] + 1e-6, "seed=" + seed + " query " + b + ": " + e[t - 1]
            + " -> " + e[t]);
      }
    }
  }

  /**
   * Learning W (spherical loss + norm penalty) on a clustered set raises the minimal angle of the
   * images and keeps their norms near 1. Retrieval success on noisy queries is NOT asserted to
   * rise: measured on this set it falls (gaussian:0.2 softmax beta 8: 1.00 -> 0.88), see the
   * note of issue 8; {@link #learnedMapSuccessIsMeasured} records it.
   */
  @Test
  void learnedMapRaisesTheMinimalAngleOfAClusteredSet() {
    long seed = 2024;
    FloatMatrix xi = SyntheticMemories.clustered(60, 8, 4, 2, 0.4, seed);
    LinearFeatureMap learned = learn(xi, 400);
    double before = minAngle(LinearFeatureMap.identity(8), xi);
    double after = minAngle(learned, xi);
    assertTrue(after > before + 0.5, "seed=" + seed + " min angle " + before + " -> " + after);
    double[] v = learned.images(xi.data(), xi.rows());
    for (int i = 0; i < xi.rows(); i++) {
      double sq = 0;
      for (int k = 0; k < 8; k++) {
        sq += v[i * 8 + k] * v[i * 8 + k];
      }
      assertEquals(1.0, Math.sqrt(sq), 0.1, "seed=" + seed + " norm of image " + i);
    }
  }

  static LinearFeatureMap learn(FloatMatrix xi, int epochs) {
    int d = xi.cols();
    MemoryBlock block = MemoryBlock.of(xi);
    SeparationLoss loss = SeparationLoss.parse("spherical:0.05");
    double[] w = LinearFeatureMap.identity(d).weights().clone();
    Adam adam = new Adam(w.length, 0.02, false);
    for (int epoch = 0; epoch < epochs; epoch++) {
      LinearFeatureMap map = new LinearFeatureMap(w, d, d);
      double[] g = loss.gradient(loss.allPairs(map, block, 0), xi.rows());
      double[] pen = SeparationLoss.normTerms(map, block, new double[1]);
      for (int i = 0; i < g.length; i++) {
        g[i] += pen[i] / xi.rows();
      }
      adam.step(w, g);
    }
    return new LinearFeatureMap(w, d, d);
  }

  @Test
  void learnedMapSuccessIsMeasured() {
    long seed = 2024;
    FloatMatrix xi = SyntheticMemories.clustered(60, 8, 4, 2, 0.4, seed);
    Path wi = tmp.resolve("identity.npy");
    Path wl = tmp.resolve("learned.npy");
    LinearFeatureMap.identity(8).write(wi);
    learn(xi, 400).write(wl);
    QuerySet qs = QuerySet.fromMemories(xi, 60, Corruption.parse("gaussian:0.2"), 2025);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi));
    RetrievalSpec spec = RetrievalSpec.parse("softmax:beta=8,steps=1");
    double before = RetrievalQuality.of(xi, qs.targets(),
        engine.retrieve(qs.queries(), spec.withKernel(wi.toString())).states(), 0.2, false)
        .successRate;
    double after = RetrievalQuality.of(xi, qs.targets(),
        engine.retrieve(qs.queries(), spec.withKernel(wl.toString())).states(), 0.2, false)
        .successRate;
    System.out.printf("seed=%d kernel retrieval success: identity %.3f, learned %.3f%n", seed,
        before, after);
    assertEquals(1.0, before, 1e-12, "the identity map retrieves this easy set");
    assertTrue(after > 0.5, "the learned map still retrieves most: " + after);
  }

  static double minAngle(LinearFeatureMap map, FloatMatrix xi) {
    double[] v = map.images(xi.data(), xi.rows());
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return Separation.of(FloatMatrix.of("images", f, xi.rows(), map.outDim()), 0)
        .minAngleDegrees();
  }

  @Test
  void badKernelsFailWithClearMessages() {
    FloatMatrix xi = SyntheticMemories.uniformSphere(10, 4, 1);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi));
    Path wrong = tmp.resolve("wrong.npy");
    LinearFeatureMap.identity(5).write(wrong);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> engine.retrieve(xi, RetrievalSpec.parse("softmax:beta=2,kernel=" + wrong)));
    assertTrue(e.getMessage().contains("dimension mismatch: the kernel maps d=5"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> engine.retrieve(xi,
        RetrievalSpec.parse("softmax:beta=2,kernel=" + tmp.resolve("missing.npy"))));
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("linear:beta=2,kernel=w.npy"));
    assertTrue(e.getMessage().contains("unknown key 'kernel' for rule linear"), e.getMessage());
  }
}
