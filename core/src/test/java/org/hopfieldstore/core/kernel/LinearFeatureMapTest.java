package org.hopfieldstore.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.hopfieldstore.core.ReferenceMath;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature map with D < d (U-Hop+'s MNIST setting, d=784 to D=200): loaded from a .npy and
 * used through {@code kernel=W}, one retrieval step equals a float64 loop over the raw entries of
 * W that never calls the map; the random initialisations have the variance of their definition;
 * bad shapes are named.
 */
class LinearFeatureMapTest {
  @TempDir Path tmp;

  @Test
  void aMapIntoFewerDimensionsRetrievesLikeTheFloat64Kernel() {
    long seed = 1919;
    int m = 37;
    int d = 9;
    FloatMatrix xi = SyntheticMemories.uniformSphere(m, d, seed);
    FloatMatrix q = QuerySet.fromMemories(xi, 5, Corruption.parse("gaussian:0.3"), seed + 1)
        .queries();
    for (int big : new int[] {1, 4, 8}) {
      SplittableRandom rnd = new SplittableRandom(seed + big);
      double[] w = new double[big * d];
      for (int i = 0; i < w.length; i++) {
        w[i] = rnd.nextDouble(-1, 1);
      }
      Path file = tmp.resolve("w" + big + ".npy");
      Npy.writeFloat64(file, w, big, d); // written without the class under test
      assertEquals(big, LinearFeatureMap.read(file).outDim());
      for (boolean normalized : new boolean[] {false, true}) {
        RetrievalSpec spec = RetrievalSpec.parse("softmax:beta=3,steps=1,kernel=" + file
            + (normalized ? ",kernel_map=normalized" : ""));
        for (String kernel : new String[] {"java", "nd4j"}) {
          RetrievalResult got = new LocalRetrievalEngine(MemoryBlock.of(xi),
              org.hopfieldstore.core.score.ScoreKernels.byName(kernel)).retrieve(q, spec);
          for (int b = 0; b < q.rows(); b++) {
            double[] want = step(w, big, d, xi, q, b, 3, normalized);
            for (int c = 0; c < d; c++) {
              assertEquals(want[c], got.states().get(b, c), 2e-5, "seed=" + seed + " D=" + big
                  + " d=" + d + " " + spec + " " + kernel + " query " + b + " coordinate " + c);
            }
          }
        }
      }
    }
  }

  /**
   * One softmax step by the definition: {@code z_i = beta <W xi_i, W x>} (over {@code |W xi_i|
   * |W x|} when normalised), from W's raw row-major entries, then {@code Xi^T softmax(z)}.
   */
  private static double[] step(double[] w, int big, int d, FloatMatrix xi, FloatMatrix q, int b,
      double beta, boolean normalized) {
    double[] wx = image(w, big, d, q, b);
    double[] z = new double[xi.rows()];
    for (int i = 0; i < xi.rows(); i++) {
      double[] wi = image(w, big, d, xi, i);
      double s = 0;
      double ni = 0;
      double nx = 0;
      for (int k = 0; k < big; k++) {
        s += wi[k] * wx[k];
        ni += wi[k] * wi[k];
        nx += wx[k] * wx[k];
      }
      z[i] = beta * (normalized ? s / Math.sqrt(ni * nx) : s);
    }
    double[] p = ReferenceMath.softmax(z);
    double[] out = new double[d];
    for (int i = 0; i < xi.rows(); i++) {
      for (int c = 0; c < d; c++) {
        out[c] += p[i] * xi.get(i, c);
      }
    }
    return out;
  }

  private static double[] image(double[] w, int big, int d, FloatMatrix x, int row) {
    double[] v = new double[big];
    for (int k = 0; k < big; k++) {
      for (int c = 0; c < d; c++) {
        v[k] += w[k * d + c] * x.get(row, c);
      }
    }
    return v;
  }

  /**
   * Each init's entries have the mean 0 and the variance of its definition, within 5 standard
   * errors of the sample moments: {@code sd^2 sqrt(2/n)} for a Gaussian's {@code mean(w^2)},
   * {@code b^2 sqrt(4/45n)} for U(-b, b)'s (from its fourth moment {@code b^4/5}); uniform
   * entries stay within the bound. The same seed gives the same map, another seed another.
   */
  @Test
  void initialisationsHaveTheVarianceOfTheirDefinition() {
    int big = 200;
    int d = 100;

    for (long seed : new long[] {7, 8}) {
      check("gaussian N(0, 1/d)", LinearFeatureMap.gaussian(big, d, seed), 1.0 / d, false, seed);
      check("gaussian sd 1", LinearFeatureMap.gaussian(big, d, 1.0, seed), 1.0, false, seed);
      check("kaiming normal N(0, 2/d)", LinearFeatureMap.kaimingNormal(big, d, seed), 2.0 / d,
          false, seed);
      LinearFeatureMap u = LinearFeatureMap.kaimingUniform(big, d, seed);
      check("kaiming uniform U(+-1/sqrt(d))", u, 1.0 / (3 * d), true, seed);
      for (double x : u.weights()) {
        assertTrue(Math.abs(x) <= 1 / Math.sqrt(d), "seed=" + seed + " entry " + x);
      }
      assertEquals(LinearFeatureMap.kaimingNormal(big, d, seed),
          LinearFeatureMap.kaimingNormal(big, d, seed), "seed=" + seed);
      assertTrue(!LinearFeatureMap.kaimingUniform(big, d, seed)
          .equals(LinearFeatureMap.kaimingUniform(big, d, seed + 100)), "seed=" + seed);
    }
  }

  private static void check(String name, LinearFeatureMap map, double variance,
      boolean uniform, long seed) {
    double[] w = map.weights();
    int n = w.length;
    double sum = 0;
    double sq = 0;
    for (double x : w) {
      sum += x;
      sq += x * x;
    }
    double mean = sum / n;
    double var = sq / n; // the mean is 0 by definition
    double se = uniform ? variance * 3 * Math.sqrt(4.0 / (45 * n)) // b^2 = 3 variance
        : variance * Math.sqrt(2.0 / n);
    String msg = "seed=" + seed + " " + name + ": n=" + n + " mean " + mean + " variance "
        + var + ", expected " + variance + " +- 5 x " + se;
    assertEquals(0, mean, 5 * Math.sqrt(variance / n), msg);
    assertEquals(variance, var, 5 * se, msg);
  }

  /**
   * A map with a bias goes to an .npz (weight.npy, bias.npy) and comes back exactly; a map
   * without one is written byte for byte as the bias-less .npy always was, and such a file (or
   * an archive holding only weight.npy) reads as b = 0.
   */
  @Test
  void mapFilesRoundTripWithAndWithoutABias() throws Exception {
    long seed = 5150;
    int big = 4;
    int d = 3;
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] w = new double[big * d];
    for (int i = 0; i < w.length; i++) {
      w[i] = rnd.nextDouble(-1, 1);
    }
    double[] bias = {0.25, -1.5, 0, 3e-7};
    LinearFeatureMap affine = new LinearFeatureMap(w.clone(), bias.clone(), big, d);
    assertTrue(affine.hasBias(), "seed=" + seed);
    assertEquals(".npz", affine.fileSuffix());
    Path file = tmp.resolve("affine.npz");
    affine.write(file);
    LinearFeatureMap back = LinearFeatureMap.read(file);
    assertEquals(affine, back, "seed=" + seed);
    assertTrue(java.util.Arrays.equals(bias, back.bias()), "seed=" + seed);
    assertTrue(java.util.Arrays.equals(w, back.weights()), "seed=" + seed);
    // the stream form writes the same archive; a .npy name does not change what is read
    Path viaStream = tmp.resolve("affine-stream.npy");
    try (java.io.OutputStream o = java.nio.file.Files.newOutputStream(viaStream)) {
      affine.write(o);
    }
    assertEquals(affine, LinearFeatureMap.read(viaStream.toString()), "seed=" + seed);

    // bias-less: the old format, byte for byte, and it reads as b = 0
    Path old = tmp.resolve("old.npy");
    Npy.writeFloat64(old, w, big, d); // written without the class under test
    LinearFeatureMap linear = LinearFeatureMap.read(old);
    assertTrue(!linear.hasBias(), "seed=" + seed);
    assertTrue(java.util.Arrays.equals(new double[big], linear.bias()), "seed=" + seed);
    assertEquals(new LinearFeatureMap(w.clone(), big, d), linear);
    assertEquals(".npy", linear.fileSuffix());
    Path rewritten = tmp.resolve("rewritten.npy");
    linear.write(rewritten);
    assertTrue(java.util.Arrays.equals(java.nio.file.Files.readAllBytes(old),
        java.nio.file.Files.readAllBytes(rewritten)), "seed=" + seed);
    // an explicit zero bias is the linear map, written as such
    assertEquals(linear, new LinearFeatureMap(w.clone(), new double[big], big, d));
    assertEquals(".npy", new LinearFeatureMap(w.clone(), new double[big], big, d).fileSuffix());

    // an archive of W alone (as np.savez(f, weight=W) writes it) reads as b = 0
    Path onlyW = tmp.resolve("only-w.npz");
    npz(onlyW, "weight.npy", old);
    assertEquals(linear, LinearFeatureMap.read(onlyW));

    // a bias of the wrong length, or an archive without W, is named
    Path badBias = tmp.resolve("bad-bias.npz");
    Path wrongLength = tmp.resolve("b5.npy");
    Npy.writeFloat64(wrongLength, new double[5]);
    npz(badBias, "weight.npy", old, "bias.npy", wrongLength);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LinearFeatureMap.read(badBias));
    assertTrue(e.getMessage().contains("bias needs D=4 values, got 5"), e.getMessage());
    Path noW = tmp.resolve("no-w.npz");
    npz(noW, "bias.npy", wrongLength);
    e = assertThrows(IllegalArgumentException.class, () -> LinearFeatureMap.read(noW));
    assertTrue(e.getMessage().contains("no weight.npy"), e.getMessage());
  }

  /** The images, norms and row factors of an affine map include b. */
  @Test
  void affineImagesIncludeTheBias() {
    double[] w = {1, 2, 0, -1, 0.5, 3};
    double[] b = {0.5, -2};
    LinearFeatureMap map = new LinearFeatureMap(w, b, 2, 3);
    float[] x = {1, -1, 2};
    double v0 = 1 - 2 + 0 + 0.5;
    double v1 = -1 - 0.5 + 6 - 2;
    double[] img = map.images(x, 1);
    assertEquals(v0, img[0], 1e-12);
    assertEquals(v1, img[1], 1e-12);
    assertEquals(Math.hypot(v0, v1), map.imageNorm(x, 0), 1e-12);
    assertEquals(1 / Math.hypot(v0, v1), map.inverseImageNorms()
        .scales(MemoryBlock.of(FloatMatrix.of("x", x, 1, 3)))[0], 1e-6);
    // W^T b
    double[] wtb = map.transposedBias();
    assertEquals(1 * 0.5 + -1 * -2, wtb[0], 1e-12);
    assertEquals(2 * 0.5 + 0.5 * -2, wtb[1], 1e-12);
    assertEquals(0 * 0.5 + 3 * -2, wtb[2], 1e-12);
  }

  @Test
  void badShapesAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LinearFeatureMap(new double[0], 0, 4));
    assertTrue(e.getMessage().contains("need D >= 1 and d >= 1, got D=0, d=4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new LinearFeatureMap(new double[5], 2, 3));
    assertTrue(e.getMessage().contains("2 x 3 needs 6 values, got 5"), e.getMessage());
  }

  /** An .npz as numpy's savez writes it: entries named {@code name}, each holding a file's bytes. */
  private static void npz(Path out, Object... nameThenFile) throws java.io.IOException {
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(
        java.nio.file.Files.newOutputStream(out))) {
      for (int i = 0; i < nameThenFile.length; i += 2) {
        zip.putNextEntry(new java.util.zip.ZipEntry((String) nameThenFile[i]));
        zip.write(java.nio.file.Files.readAllBytes((Path) nameThenFile[i + 1]));
        zip.closeEntry();
      }
    }
  }
}
