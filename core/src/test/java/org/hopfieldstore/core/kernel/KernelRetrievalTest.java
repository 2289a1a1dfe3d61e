package org.hopfieldstore.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.hopfieldstore.core.ReferenceMath;
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

  /** {@code n} draws from U(-bound, bound), in order. */
  static double[] uniform(java.util.SplittableRandom rnd, int n, double bound) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextDouble(-bound, bound);
    }
    return v;
  }

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
      "entmax:alpha=1.5,beta=4,steps=2", "topk:k=3,beta=4,steps=2",
      "softmax:beta=4,steps=2,kernel_map=normalized",
      "sparsemax:beta=4,steps=2,kernel_map=normalized",
      "entmax:alpha=1.5,beta=4,steps=2,kernel_map=normalized",
      "topk:k=3,beta=4,steps=2,kernel_map=normalized"})
  void kernelRetrievalEqualsTheFloat64Definition(String specText) {
    long seed = 99;
    int m = 41;
    int d = 5;
    int big = 7;
    // uneven memory norms, so the normalised map's per-memory factors matter
    FloatMatrix sphere = SyntheticMemories.uniformSphere(m, d, seed);
    float[] data = sphere.data().clone();
    for (int i = 0; i < m; i++) {
      for (int c = 0; c < d; c++) {
        data[i * d + c] *= 0.5f + (i % 7) * 0.25f;
      }
    }
    FloatMatrix xi = FloatMatrix.of("memories", data, m, d);
    FloatMatrix q = QuerySet.fromMemories(xi, 4, Corruption.parse("gaussian:0.2"), seed + 1)
        .queries();
    LinearFeatureMap map = LinearFeatureMap.gaussian(big, d, seed + 2);
    Path w = tmp.resolve("w.npy");
    map.write(w);
    String[] parts = specText.split(",kernel_map=");
    RetrievalSpec spec = RetrievalSpec.parse(parts[0] + ",kernel=" + w
        + (parts.length > 1 ? ",kernel_map=" + parts[1] : ""));
    assertEquals(parts.length > 1, spec.kernelNormalized());
    for (String kernel : new String[] {"java", "nd4j"}) {
      RetrievalResult got = new LocalRetrievalEngine(MemoryBlock.of(xi),
          org.hopfieldstore.core.score.ScoreKernels.byName(kernel)).retrieve(q, spec);
      double[][] want = referenceStates(xi, q, map, spec);
      for (int b = 0; b < q.rows(); b++) {
        for (int c = 0; c < d; c++) {
          assertEquals(want[b][c], got.states().get(b, c), 2e-5, "seed=" + seed + " " + spec
              + " " + kernel + " query " + b);
        }
      }
    }
  }

  /**
   * Float64 reference: scores {@code <W xi, W x>} (divided by {@code |W xi| |W x|} for the
   * normalised map) computed from the images directly, then the rule, then {@code Xi^T p}.
   */
  static double[][] referenceStates(FloatMatrix xi, FloatMatrix q, LinearFeatureMap map,
      RetrievalSpec spec) {
    int m = xi.rows();
    int d = xi.cols();
    int big = map.outDim();
    double[] images = map.images(xi.data(), m);
    double[][] xs = rows(xi);
    double[][] out = new double[q.rows()][];
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
          double ni = 0;
          double nx = 0;
          for (int k = 0; k < big; k++) {
            s += images[i * big + k] * wx[k];
            ni += images[i * big + k] * images[i * big + k];
            nx += wx[k] * wx[k];
          }
          z[i] = spec.beta() * (spec.kernelNormalized() ? s / Math.sqrt(ni * nx) : s);
        }
        x = ReferenceMath.combine(xs,
            ReferenceMath.normalize(z, spec.rule().key(), spec.alpha(), spec.k()));
      }
      out[b] = x;
    }
    return out;
  }

  /**
   * The affine map {@code Phi(u) = W u + b} with a nonzero b, D below and above d, one and
   * several steps, linear and normalised kernel: the engine's states equal a float64 loop here
   * that forms {@code Phi(x)} and {@code Phi(xi)} from the raw entries of W and b, scores
   * {@code beta <Phi xi, Phi x>} (over {@code |Phi xi| |Phi x|} when normalised), normalises by
   * the rule's definition (softmax; sparsemax by sorting) and takes {@code Xi^T p}.
   */
  @ParameterizedTest(name = "{0} D={1} d={2}")
  @org.junit.jupiter.params.provider.CsvSource({
      "'softmax:beta=3,steps=1,tol=0', 3, 6", "'softmax:beta=3,steps=4,tol=0', 9, 6",
      "'sparsemax:beta=3,steps=1,tol=0', 9, 6", "'sparsemax:beta=3,steps=3,tol=0', 3, 6",
      "'softmax:beta=3,steps=3,tol=0,kernel_map=normalized', 3, 6",
      "'softmax:beta=3,steps=1,tol=0,kernel_map=normalized', 9, 6",
      "'sparsemax:beta=3,steps=1,tol=0,kernel_map=normalized', 3, 6",
      "'sparsemax:beta=3,steps=3,tol=0,kernel_map=normalized', 9, 6"})
  void affineKernelRetrievalEqualsTheFloat64Loop(String specText, int big, int d) {
    long seed = 4242L + 31L * big + specText.hashCode();
    int m = 29;
    FloatMatrix sphere = SyntheticMemories.uniformSphere(m, d, seed);
    float[] data = sphere.data().clone();
    for (int i = 0; i < m; i++) { // uneven norms: the per-memory factors matter
      for (int c = 0; c < d; c++) {
        data[i * d + c] *= 0.5f + (i % 5) * 0.3f;
      }
    }
    FloatMatrix xi = FloatMatrix.of("memories", data, m, d);
    FloatMatrix q = QuerySet.fromMemories(xi, 5, Corruption.parse("gaussian:0.3"), seed + 1)
        .queries();
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed + 2);
    double[] w = uniform(rnd, big * d, 0.8);
    double[] bias = uniform(rnd, big, 1); // comparable to |W xi|: the offsets matter
    Path file = tmp.resolve("affine-" + big + ".npz");
    new LinearFeatureMap(w.clone(), bias.clone(), big, d).write(file);
    String[] parts = specText.split(",kernel_map=");
    RetrievalSpec spec = RetrievalSpec.parse(parts[0] + ",kernel=" + file
        + (parts.length > 1 ? ",kernel_map=" + parts[1] : ""));
    double[][] xs = rows(xi);
    for (String kernel : new String[] {"java", "nd4j"}) {
      RetrievalResult got = new LocalRetrievalEngine(MemoryBlock.of(xi),
          org.hopfieldstore.core.score.ScoreKernels.byName(kernel)).retrieve(q, spec);
      double[][] queries = rows(q);
      for (int b = 0; b < q.rows(); b++) {
        double[] x = queries[b];
        for (int t = 0; t < spec.steps(); t++) {
          double[] px = affineImage(w, bias, big, d, x);
          double[] z = new double[m];
          for (int i = 0; i < m; i++) {
            double[] pi = affineImage(w, bias, big, d, xs[i]);
            double s = 0;
            double ni = 0;
            double nx = 0;
            for (int k = 0; k < big; k++) {
              s += pi[k] * px[k];
              ni += pi[k] * pi[k];
              nx += px[k] * px[k];
            }
            z[i] = spec.beta() * (spec.kernelNormalized() ? s / Math.sqrt(ni * nx) : s);
          }
          double[] p = spec.rule().key().equals("softmax") ? softmax(z) : org.hopfieldstore.core.ReferenceMath.sparsemax(z);
          double[] next = new double[d];
          for (int i = 0; i < m; i++) {
            for (int c = 0; c < d; c++) {
              next[c] += p[i] * xs[i][c];
            }
          }
          // the engine's state between steps is float32
          for (int c = 0; c < d; c++) {
            x[c] = (float) next[c];
          }
        }
        for (int c = 0; c < d; c++) {
          assertEquals(x[c], got.states().get(b, c), 5e-5, "seed=" + seed + " D=" + big
              + " d=" + d + " " + spec + " " + kernel + " query " + b + " coordinate " + c);
        }
      }
    }
  }

  /**
   * The linear kernel of an affine map reports the energy of its full scores: {@code E(x) =
   * -(1/beta) log sum exp(beta K(xi, x)) + K(x, x)/2 + log(M)/beta + m^2/2}, {@code K} the
   * inner product of the explicit images (the scores leave out the per-query constant c(x); the
   * energy puts it back), and it never increases along retrieval.
   */
  @Test
  void affineKernelEnergyIsThatOfTheFullScores() {
    long seed = 77;
    int m = 40;
    int d = 5;
    int big = 7;
    FloatMatrix xi = SyntheticMemories.uniformSphere(m, d, seed);
    FloatMatrix q = QuerySet.fromMemories(xi, 4, Corruption.parse("gaussian:0.3"), seed + 1)
        .queries();
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed + 2);
    double[] w = uniform(rnd, big * d, 0.8);
    double[] bias = uniform(rnd, big, 1);
    Path file = tmp.resolve("energy.npz");
    new LinearFeatureMap(w, bias, big, d).write(file);
    double beta = 2;
    RetrievalSpec spec = RetrievalSpec.parse("softmax:beta=" + beta + ",steps=5,tol=0,kernel="
        + file);
    RetrievalResult r = new LocalRetrievalEngine(MemoryBlock.of(xi)).retrieve(q, spec);
    double[][] xs = rows(xi);
    double maxNorm = 0;
    for (double[] row : xs) {
      double n = 0;
      for (double v : row) {
        n += v * v;
      }
      maxNorm = Math.max(maxNorm, Math.sqrt(n));
    }
    for (int b = 0; b < q.rows(); b++) {
      double[] e = r.energies(b);
      assertEquals(6, e.length, "seed=" + seed);
      for (int t = 1; t < e.length; t++) {
        assertTrue(e[t] <= e[t - 1] + 1e-6, "seed=" + seed + " query " + b + ": " + e[t - 1]
            + " -> " + e[t]);
      }
      double[] x = new double[d];
      for (int c = 0; c < d; c++) {
        x[c] = r.states().get(b, c);
      }
      double[] px = affineImage(w, bias, big, d, x);
      double[] z = new double[m];
      double zmax = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < m; i++) {
        double[] pi = affineImage(w, bias, big, d, xs[i]);
        for (int k = 0; k < big; k++) {
          z[i] += beta * pi[k] * px[k];
        }
        zmax = Math.max(zmax, z[i]);
      }
      double sum = 0;
      for (double v : z) {
        sum += Math.exp(v - zmax);
      }
      double kxx = 0;
      for (double v : px) {
        kxx += v * v;
      }
      double want = -(zmax + Math.log(sum)) / beta + kxx / 2 + Math.log(m) / beta
          + maxNorm * maxNorm / 2;
      assertEquals(want, r.finalEnergy(b), 1e-4 * Math.max(1, Math.abs(want)),
          "seed=" + seed + " query " + b);
    }
  }

  static double[] affineImage(double[] w, double[] bias, int big, int d, double[] x) {
    double[] v = new double[big];
    for (int k = 0; k < big; k++) {
      double s = bias[k];
      for (int c = 0; c < d; c++) {
        s += w[k * d + c] * x[c];
      }
      v[k] = s;
    }
    return v;
  }

  static double[] softmax(double[] z) {
    double max = java.util.Arrays.stream(z).max().getAsDouble();
    double[] p = new double[z.length];
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      p[i] = Math.exp(z[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < z.length; i++) {
      p[i] /= sum;
    }
    return p;
  }



  @Test
  void normalizedIdentityKernelIsCosineRetrieval() {
    // identity W, unit memories: K = cosine = <xi, x> / |x|, i.e. plain retrieval of x / |x|
    FloatMatrix xi = SyntheticMemories.uniformSphere(30, 6, 5);
    FloatMatrix q = QuerySet.fromMemories(xi, 5, Corruption.parse("gaussian:0.3"), 6).queries();
    Path w = tmp.resolve("id.npy");
    LinearFeatureMap.identity(6).write(w);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(xi));
    RetrievalSpec plain = RetrievalSpec.parse("softmax:beta=8,steps=1");
    float[] unit = q.data().clone();
    for (int b = 0; b < q.rows(); b++) {
      double n = 0;
      for (int c = 0; c < 6; c++) {
        n += unit[b * 6 + c] * unit[b * 6 + c];
      }
      for (int c = 0; c < 6; c++) {
        unit[b * 6 + c] /= (float) Math.sqrt(n);
      }
    }
    RetrievalResult a = engine.retrieve(FloatMatrix.of("q", unit, q.rows(), 6), plain);
    RetrievalResult b = engine.retrieve(q, plain.withKernel(w.toString(), true));
    for (int i = 0; i < a.states().data().length; i++) {
      assertEquals(a.states().data()[i], b.states().data()[i], 1e-6);
    }
  }

  @Test
  void zeroFeatureImagesAndBadScalesAreRejected() {
    float[] data = {1, 0, 0, 0, 1, 0, 0, 0, 0}; // the third memory is zero
    LocalRetrievalEngine engine = new LocalRetrievalEngine(MemoryBlock.of(data, 3, 3));
    Path w = tmp.resolve("id3.npy");
    LinearFeatureMap.identity(3).write(w);
    RetrievalSpec spec = RetrievalSpec.parse("softmax:beta=2,kernel=" + w
        + ",kernel_map=normalized");
    FloatMatrix q = FloatMatrix.of("q", new float[] {1, 1, 0}, 1, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> engine.retrieve(q, spec));
    assertTrue(e.getMessage().contains("memory id 2 has a zero feature image"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("softmax:beta=2,kernel_map=normalized"));
    assertTrue(e.getMessage().contains("kernel_map=normalized needs kernel=PATH"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("softmax:beta=2,kernel=w.npy,kernel_map=cosine"));
    assertTrue(e.getMessage().contains("kernel_map is linear or normalized"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> MemoryBlock.of(data, 3, 3).withRowScale(new float[] {1, 0, 1}));
    assertTrue(e.getMessage().contains("value 0.0 at row 1 must be finite and > 0"),
        e.getMessage());
    RetrievalSpec parsed =
        RetrievalSpec.parse("sparsemax:beta=2,kernel=w.npy,kernel_map=normalized");
    assertEquals(parsed, RetrievalSpec.parse(parsed.toString()));
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

  /** The normalised map's update is no CCCP step on an energy: none is reported for it. */
  @Test
  void theNormalisedKernelReportsNoEnergy() {
    long seed = 31;
    FloatMatrix xi = SyntheticMemories.uniformSphere(50, 6, seed);
    FloatMatrix q = QuerySet.fromMemories(xi, 3, Corruption.parse("gaussian:0.3"), seed + 1)
        .queries();
    Path w = tmp.resolve("n.npy");
    LinearFeatureMap.gaussian(8, 6, seed + 2).write(w);
    RetrievalSpec spec = RetrievalSpec.parse("softmax:beta=6,steps=3,kernel=" + w
        + ",kernel_map=normalized");
    assertFalse(spec.hasEnergy());
    assertTrue(RetrievalSpec.parse("softmax:beta=6,kernel=" + w).hasEnergy());
    RetrievalResult r = new LocalRetrievalEngine(MemoryBlock.of(xi)).retrieve(q, spec);
    for (int b = 0; b < r.batch(); b++) {
      assertEquals(0, r.energies(b).length, "seed " + seed);
    }
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
   * images and keeps their norms near 1 (retrieval with it:
   * {@link #learnedNormalizedMapRetrievesTheRightMemoryMoreOften}).
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
      adam.step(w, java.util.Arrays.copyOf(g, w.length)); // W only: the map stays linear
    }
    return new LinearFeatureMap(w, d, d);
  }

  /**
   * The spherical-code claim (arXiv 2410.23126): a W learned to separate the normalised images
   * of a tightly clustered set makes the normalised-kernel retrieval land on the right memory
   * (top weight on the target: no metastable mixture of near-duplicates) far more often than
   * the identity map, plain or cosine. The learned map under the LINEAR kernel does worse (image
   * norms grow and then dominate the scores), which is printed and kept as a regression check.
   */
  @Test
  void learnedNormalizedMapRetrievesTheRightMemoryMoreOften() {
    long seed = 7;
    FloatMatrix xi = SyntheticMemories.clustered(120, 8, 4, 2, 0.4, seed);
    int d = xi.cols();
    MemoryBlock block = MemoryBlock.of(xi);
    SeparationLoss loss = SeparationLoss.parse("spherical:0.1");
    double[] w = LinearFeatureMap.identity(d).weights().clone();
    Adam adam = new Adam(w.length, 0.01, false);
    for (int epoch = 0; epoch < 30; epoch++) {
      adam.step(w, java.util.Arrays.copyOf(loss.gradient(loss.allPairs(
          new LinearFeatureMap(w, d, d), block, 0), xi.rows()), w.length));
    }
    LinearFeatureMap learned = new LinearFeatureMap(w, d, d);
    Path wi = tmp.resolve("identity.npy");
    Path wl = tmp.resolve("learned.npy");
    LinearFeatureMap.identity(d).write(wi);
    learned.write(wl);
    QuerySet qs = QuerySet.fromMemories(xi, xi.rows(), Corruption.parse("gaussian:0.02"),
        seed + 4);
    LocalRetrievalEngine engine = new LocalRetrievalEngine(block);
    RetrievalSpec spec = RetrievalSpec.parse("softmax:beta=64,steps=3");
    double plain = rightMemoryRate(engine, qs, spec);
    double cosine = rightMemoryRate(engine, qs, spec.withKernel(wi.toString(), true));
    double learnedNormalized = rightMemoryRate(engine, qs, spec.withKernel(wl.toString(), true));
    double learnedLinear = rightMemoryRate(engine, qs, spec.withKernel(wl.toString(), false));
    double angleBefore = minAngle(LinearFeatureMap.identity(d), xi);
    double angleAfter = minAngle(learned, xi);
    String msg = String.format("seed=%d min angle %.2f -> %.2f deg; right memory: plain %.3f, "
        + "cosine %.3f, learned normalised %.3f, learned linear %.3f", seed, angleBefore,
        angleAfter, plain, cosine, learnedNormalized, learnedLinear);
    System.out.println(msg);
    assertTrue(angleAfter > angleBefore + 0.5, msg);
    assertTrue(learnedNormalized > plain + 0.2, msg);
    assertTrue(learnedNormalized > cosine + 0.2, msg);
    assertTrue(learnedLinear < learnedNormalized, msg);
  }

  static double rightMemoryRate(LocalRetrievalEngine engine, QuerySet qs, RetrievalSpec spec) {
    return org.hopfieldstore.core.capacity.RetrievalQuality.rightMemoryRate(
        engine.retrieve(qs.queries(), spec), qs.targets());
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
