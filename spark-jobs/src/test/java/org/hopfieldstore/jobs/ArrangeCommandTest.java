package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.kernel.PairTerms;
import org.hopfieldstore.core.kernel.SeparationTerms;
import org.hopfieldstore.spark.dist.DistributedStudies;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.kernel.KernelTraining;
import org.hopfieldstore.core.kernel.LinearFeatureMap;
import org.hopfieldstore.core.kernel.SeparationLoss;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.SparkSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The arrange command: the distributed separation terms equal the single-machine ones, a run
 * resumed from a checkpoint ends exactly where an uninterrupted run ends, bad input fails
 * cleanly.
 */
class ArrangeCommandTest {
  @TempDir Path tmp;

  @Test
  void distributedTermsEqualTheSingleMachineTerms() {
    long seed = 404;
    FloatMatrix mem = SyntheticMemories.clustered(301, 6, 3, 2, 0.3, seed);
    LinearFeatureMap linear = LinearFeatureMap.gaussian(8, 6, seed + 1);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed + 2);
    double[] bias = new double[8];
    for (int k = 0; k < 8; k++) {
      bias[k] = rnd.nextDouble(-0.5, 0.5);
    }
    MemoryBlock sample = ArrangeCommand.sample(mem, 40, seed, 3);
    SparkSession spark = SparkSetup.session("local[2]", "ArrangeCommandTest");
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      // the linear map, and the affine one (its gradients carry b's after W's)
      for (LinearFeatureMap map : new LinearFeatureMap[] {linear, linear.withBias(bias)}) {
        for (String lossText : new String[] {"spherical:0.1", "uhop-max:2"}) {
          SeparationLoss loss = SeparationLoss.parse(lossText);
          for (MemoryBlock negatives : new MemoryBlock[] {null, sample}) {
            // the single-machine terms, straight from the core functions
            double[] pen = new double[1];
            double[] penGrad = SeparationLoss.normTerms(map, MemoryBlock.of(mem), pen);
            PairTerms want = negatives == null ? loss.allPairs(map, MemoryBlock.of(mem), 0)
                : loss.pairs(map, MemoryBlock.of(mem), negatives, false);
            for (int p : new int[] {1, 3, 7}) {
              String msg = "seed=" + seed + " " + lossText + " P=" + p
                  + (map.hasBias() ? " with a bias" : "")
                  + (negatives == null ? " all pairs" : " 40 negatives");
              try (DistributedStore store = DistributedStore.fromMatrix(jsc, mem, p,
                  StorageLevel.MEMORY_ONLY(), "nd4j")) {
                SeparationTerms.Epoch terms = new DistributedStudies(store.blocks())
                    .separationTerms(map, loss, negatives);
                PairTerms got = terms.pairs;
                double[] gotPen = {terms.penalty};
                double[] gotPenGrad = terms.penaltyGradient;
                assertEquals(want.pairs, got.pairs, msg);
                assertEquals(loss.loss(want, 301), loss.loss(got, 301), 1e-10, msg);
                assertEquals(pen[0], gotPen[0], 1e-9 * Math.max(1, pen[0]), msg);
                double[] gw = loss.gradient(want, 301);
                double[] gg = loss.gradient(got, 301);
                assertEquals(8 * 6 + 8, gg.length, msg);
                for (int i = 0; i < gw.length; i++) {
                  assertEquals(gw[i], gg[i], 1e-9 + 1e-9 * Math.abs(gw[i]), msg + " entry " + i);
                  assertEquals(penGrad[i], gotPenGrad[i], 1e-9 + 1e-9 * Math.abs(penGrad[i]),
                      msg);
                }
              }
            }
          }
        }
      }
    } finally {
      spark.stop();
    }
  }

  private Path memories() {
    Path mem = tmp.resolve("mem.npy");
    if (!Files.exists(mem)) {
      FloatMatrix x = SyntheticMemories.uniformSphere(150, 8, 77);
      Npy.writeFloat32(mem, x.data(), x.rows(), x.cols());
    }
    return mem;
  }

  private RetrieveCommandTest.Run arrange(String... extra) {
    String[] base = {"arrange", "--memories", memories().toString(), "--dim", "10",
        "--negatives", "20", "--seed", "5", "--quiet"};
    String[] all = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
    return RetrieveCommandTest.run(all);
  }

  @Test
  void aResumedRunEndsWhereAnUninterruptedRunEnds() throws IOException {
    RetrieveCommandTest.Run whole = arrange("--epochs", "6", "--checkpoint",
        tmp.resolve("ck-whole").toString(), "--out", tmp.resolve("whole.npy").toString());
    assertEquals(0, whole.status(), whole.err());
    assertTrue(whole.out().contains("arranged 150 memories (d=8) into D=10"), whole.out());
    RetrieveCommandTest.Run part = arrange("--epochs", "3", "--checkpoint",
        tmp.resolve("ck").toString(), "--out", tmp.resolve("part.npy").toString());
    assertEquals(0, part.status(), part.err());
    RetrieveCommandTest.Run resumed = arrange("--epochs", "6", "--checkpoint",
        tmp.resolve("ck").toString(), "--out", tmp.resolve("resumed.npy").toString());
    assertEquals(0, resumed.status(), resumed.err());
    double[] a = LinearFeatureMap.read(tmp.resolve("whole.npy")).weights();
    double[] b = LinearFeatureMap.read(tmp.resolve("resumed.npy")).weights();
    double[] p = LinearFeatureMap.read(tmp.resolve("part.npy")).weights();
    assertArrayEquals(a, b, "seed=5: resumed after 3 of 6 epochs");
    assertFalse(java.util.Arrays.equals(a, p), "3 epochs differ from 6");
  }

  /**
   * D < d end to end: arrange learns a 5 x 8 W, and retrieving with {@code kernel=W} (linear and
   * normalised) equals one softmax step computed in float64 from W's entries.
   */
  @Test
  void aMapIntoFewerDimensionsIsLearnedAndRetrievesLikeTheFloat64Kernel() throws IOException {
    Path w = tmp.resolve("small.npy");
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("arrange", "--memories",
        memories().toString(), "--dim", "5", "--epochs", "3", "--init", "gaussian", "--seed",
        "5", "--quiet", "--out", w.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("arranged 150 memories (d=8) into D=5"), r.out());
    double[] wv = Npy.read(w.toString()).asDoubles();
    assertEquals(5 * 8, wv.length);
    FloatMatrix mem = SyntheticMemories.uniformSphere(150, 8, 77); // as memories() writes them
    FloatMatrix q = org.hopfieldstore.core.data.QuerySet.fromMemories(mem, 6,
        org.hopfieldstore.core.data.Corruption.parse("gaussian:0.3"), 78).queries();
    Path qFile = tmp.resolve("q.npy");
    Npy.writeFloat32(qFile, q.data(), q.rows(), 8);
    for (boolean normalized : new boolean[] {false, true}) {
      String spec = "softmax:beta=4,steps=1,kernel=" + w
          + (normalized ? ",kernel_map=normalized" : "");
      Path dir = tmp.resolve("ret-" + normalized);
      r = RetrieveCommandTest.run("retrieve", "--memories", memories().toString(), "--queries",
          qFile.toString(), "--spec", spec, "--out", dir.toString(), "--quiet");
      assertEquals(0, r.status(), r.err());
      double[] got = Npy.read(dir.resolve("states.npy").toString()).asDoubles();
      for (int b = 0; b < q.rows(); b++) {
        double[] x = new double[8];
        double[] z = new double[150];
        double[] wx = image(wv, 5, 8, q.data(), b);
        double zmax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < 150; i++) {
          double[] wi = image(wv, 5, 8, mem.data(), i);
          double s = 0;
          double ni = 0;
          double nx = 0;
          for (int k = 0; k < 5; k++) {
            s += wi[k] * wx[k];
            ni += wi[k] * wi[k];
            nx += wx[k] * wx[k];
          }
          z[i] = 4 * (normalized ? s / Math.sqrt(ni * nx) : s);
          zmax = Math.max(zmax, z[i]);
        }
        double sum = 0;
        for (int i = 0; i < 150; i++) {
          z[i] = Math.exp(z[i] - zmax);
          sum += z[i];
        }
        for (int i = 0; i < 150; i++) {
          for (int c = 0; c < 8; c++) {
            x[c] += z[i] / sum * mem.get(i, c);
          }
        }
        for (int c = 0; c < 8; c++) {
          assertEquals(x[c], got[b * 8 + c], 2e-5, "seed=5 D=5 d=8 " + spec + " query " + b);
        }
      }
    }
  }

  /**
   * {@code --bias}: on by default with {@code --preset uhop-plus} (U-Hop+'s nn.Linear), which
   * writes an .npz with a nonzero, learned b; off by default otherwise and with {@code --bias
   * false}, which write the .npy of W as before; a biased run resumed from a checkpoint ends
   * where the uninterrupted one ends.
   */
  @Test
  void theBiasIsLearnedWhereThePresetOrTheOptionAsksForIt() throws IOException {
    Path plus = tmp.resolve("plus.npz");
    RetrieveCommandTest.Run r = arrangeAll("--epochs", "2", "--preset", "uhop-plus", "--out",
        plus.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("into D=6 (with a bias)"), r.out());
    LinearFeatureMap learned = LinearFeatureMap.read(plus);
    assertTrue(learned.hasBias(), "seed=5 uhop-plus");
    // not the init's draw: b moved
    double[] start = KernelTraining.initialBias("kaiming", 6, 8, 5);
    assertFalse(java.util.Arrays.equals(start, learned.bias()), "seed=5: b was not learned");
    for (double v : start) {
      assertTrue(Math.abs(v) <= 1 / Math.sqrt(8) && v != 0, "seed=5 init " + v);
    }

    Path off = tmp.resolve("off.npy");
    r = arrangeAll("--epochs", "2", "--preset", "uhop-plus", "--bias", "false", "--out",
        off.toString());
    assertEquals(0, r.status(), r.err());
    assertFalse(LinearFeatureMap.read(off).hasBias(), "seed=5 --bias false");
    Path plain = tmp.resolve("plain.npy");
    r = arrange("--epochs", "2", "--out", plain.toString());
    assertEquals(0, r.status(), r.err());
    assertFalse(LinearFeatureMap.read(plain).hasBias(), "seed=5 default");
    // from the identity, b starts at zero and is learned
    Path id = tmp.resolve("id.npz");
    r = arrange("--epochs", "3", "--bias", "true", "--out", id.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(LinearFeatureMap.read(id).hasBias(), "seed=5 --bias true from the identity");

    RetrieveCommandTest.Run whole = arrange("--epochs", "4", "--bias", "true", "--init",
        "kaiming", "--checkpoint", tmp.resolve("bk-whole").toString(), "--out",
        tmp.resolve("bwhole.npz").toString());
    assertEquals(0, whole.status(), whole.err());
    RetrieveCommandTest.Run part = arrange("--epochs", "2", "--bias", "true", "--init",
        "kaiming", "--checkpoint", tmp.resolve("bk").toString(), "--out",
        tmp.resolve("bpart.npz").toString());
    assertEquals(0, part.status(), part.err());
    RetrieveCommandTest.Run resumed = arrange("--epochs", "4", "--bias", "true", "--init",
        "kaiming", "--checkpoint", tmp.resolve("bk").toString(), "--out",
        tmp.resolve("bresumed.npz").toString());
    assertEquals(0, resumed.status(), resumed.err());
    assertEquals(LinearFeatureMap.read(tmp.resolve("bwhole.npz")),
        LinearFeatureMap.read(tmp.resolve("bresumed.npz")), "seed=5: resumed with a bias");
    // a bias-less checkpoint is not resumed as a biased run
    RetrieveCommandTest.Run mixed = arrange("--epochs", "4", "--init", "kaiming",
        "--checkpoint", tmp.resolve("bk").toString(), "--out", tmp.resolve("mixed.npy")
            .toString());
    assertTrue(mixed.status() != 0, "seed=5: a biased checkpoint resumed without --bias");
  }

  @Test
  void initNamesTheSeededMaps() {
    assertEquals(LinearFeatureMap.kaimingNormal(20, 10, 3), KernelTraining.initial("kaiming", 20,
        10, 3));
    assertEquals(LinearFeatureMap.kaimingUniform(4, 10, 3),
        KernelTraining.initial("kaiming-uniform", 4, 10, 3));
    assertEquals(LinearFeatureMap.gaussian(20, 10, 1.0, 3), KernelTraining.initial("gaussian:1",
        20, 10, 3));
    assertEquals(LinearFeatureMap.gaussian(20, 10, 3), KernelTraining.initial("gaussian", 20, 10,
        3));
    for (String bad : new String[] {"xavier", "gaussian:-1", "gaussian:x", "kaiming:2"}) {
      KernelTraining.Refusal e = org.junit.jupiter.api.Assertions.assertThrows(
          KernelTraining.Refusal.class, () -> KernelTraining.initial(bad, 20, 10, 3));
      assertEquals("init=" + bad + ": must be identity, gaussian[:SD] (SD > 0), kaiming or "
          + "kaiming-uniform", e.getMessage());
      UsageException u = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
          () -> ArrangeCommand.training(null, null, null, null, null, null, null, bad, null));
      assertEquals("--init " + bad + ": must be identity, gaussian[:SD] (SD > 0), kaiming or "
          + "kaiming-uniform", u.getMessage());
    }
    UsageException penalty = org.junit.jupiter.api.Assertions.assertThrows(
        UsageException.class, () -> ArrangeCommand.training(null, null, null, null, null, null,
            -1.0, null, null));
    assertEquals("--norm-penalty -1.0: must be >= 0", penalty.getMessage());
    RetrieveCommandTest.Run r = arrange("--epochs", "1", "--init", "kaiming", "--out",
        tmp.resolve("k.npy").toString());
    assertEquals(0, r.status(), r.err());
  }

  /** The norm penalty's default: 0 for the spherical loss, 1 for the uhop losses. */
  @Test
  void normPenaltyDefaultsToZeroForTheSphericalLossOnly() {
    String[][] runs = {{"spherical", null}, {"spherical", "0"}, {"spherical", "1"},
        {"uhop", null}, {"uhop", "1"}, {"uhop", "0"}};
    double[][] w = new double[runs.length][];
    for (int i = 0; i < runs.length; i++) {
      Path out = tmp.resolve("pen-" + i + ".npy");
      String[] args = {"--epochs", "2", "--loss", runs[i][0], "--out", out.toString()};
      if (runs[i][1] != null) {
        args = concat(args, "--norm-penalty", runs[i][1]);
      }
      RetrieveCommandTest.Run r = arrange(args);
      assertEquals(0, r.status(), r.err());
      w[i] = LinearFeatureMap.read(out).weights();
    }
    assertArrayEquals(w[1], w[0], "seed=5 spherical: the default is --norm-penalty 0");
    assertFalse(java.util.Arrays.equals(w[2], w[0]), "seed=5 spherical: 1 differs from 0");
    assertArrayEquals(w[4], w[3], "seed=5 uhop: the default is --norm-penalty 1");
    assertFalse(java.util.Arrays.equals(w[5], w[3]), "seed=5 uhop: 0 differs from 1");
  }

  private RetrieveCommandTest.Run arrangeAll(String... extra) {
    return RetrieveCommandTest.run(concat(new String[] {"arrange", "--memories",
        memories().toString(), "--dim", "6", "--seed", "5", "--quiet"}, extra));
  }

  private double[] learned(String name, String... extra) {
    Path out = tmp.resolve(name + ".npy");
    RetrieveCommandTest.Run r = arrangeAll(concat(extra, "--out", out.toString()));
    assertEquals(0, r.status(), name + ": " + r.err());
    return LinearFeatureMap.read(out).weights();
  }

  /**
   * A preset is its list of options: the same W as passing them, explicit options override it,
   * --help names both; mini-batches take one step per batch on the pairs within it.
   */
  @Test
  void presetsAreTheirOptionsAndExplicitOptionsOverrideThem() {
    String[] plus = {"--loss", "spherical:0.1", "--optimiser", "adam", "--lr", "0.1", "--init",
        "kaiming", "--batch", "16", "--norm-penalty", "0", "--bias", "true"};
    String[] uhop = {"--loss", "uhop:2", "--optimiser", "sgd", "--lr", "1", "--decay", "--init",
        "gaussian:1", "--norm-penalty", "0"};
    double[] a = learned("plus", "--preset", "uhop-plus", "--epochs", "2");
    assertArrayEquals(learned("plus-explicit", concat(plus, "--epochs", "2")), a,
        "seed=5 uhop-plus");
    double[] b = learned("plus-lr", "--preset", "uhop-plus", "--lr", "0.05", "--epochs", "2");
    plus[5] = "0.05";
    assertArrayEquals(learned("plus-lr-explicit", concat(plus, "--epochs", "2")), b,
        "seed=5 uhop-plus --lr 0.05");
    assertFalse(java.util.Arrays.equals(a, b), "seed=5: --lr overrides the preset's");
    double[] c = learned("uhop", "--preset", "uhop", "--epochs", "3");
    assertArrayEquals(learned("uhop-explicit", concat(uhop, "--epochs", "3")), c, "seed=5 uhop");
    double[] e = learned("uhop-nodecay", "--preset", "uhop", "--no-decay", "--epochs", "3");
    assertFalse(java.util.Arrays.equals(c, e), "seed=5: --no-decay overrides the preset");
    // 150 memories in batches of 16: 9 full batches (120 pairs each) and one of 6 (15 pairs)
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("arrange", "--memories",
        memories().toString(), "--dim", "6", "--seed", "5", "--epochs", "1", "--preset",
        "uhop-plus", "--out", tmp.resolve("count.npy").toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("among 1095 pairs"), r.err());
    // one batch of every memory is the all-pairs step (the shuffle only reorders the sums)
    double[] whole = learned("whole", "--epochs", "3", "--init", "kaiming");
    double[] oneBatch = learned("one-batch", "--epochs", "3", "--init", "kaiming", "--batch",
        "150");
    assertArrayEquals(whole, oneBatch, 1e-9, "seed=5 --batch M equals --batch 0");
    r = RetrieveCommandTest.run("arrange", "--help");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("--preset") && r.out().contains("uhop-plus  U-Hop+")
        && r.out().contains("uhop       U-Hop"), r.out());
    for (String[] bad : new String[][] {{"--preset", "uhop++"}, {"--batch", "1"},
        {"--batch", "4", "--negatives", "2"}, {"--optimiser", "rmsprop"}}) {
      r = arrangeAll(concat(bad, "--epochs", "1", "--out", tmp.resolve("bad.npy").toString()));
      assertEquals(2, r.status(), String.join(" ", bad) + ": " + r.err());
    }
  }

  /** The SGD and mini-batch runs resume from a checkpoint exactly, as the Adam run does. */
  @Test
  void presetRunsResumeWhereUninterruptedRunsEnd() {
    for (String preset : new String[] {"uhop", "uhop-plus"}) {
      double[] whole = learned(preset + "-whole", "--preset", preset, "--epochs", "4",
          "--checkpoint", tmp.resolve(preset + "-ck-whole").toString());
      learned(preset + "-part", "--preset", preset, "--epochs", "2", "--checkpoint",
          tmp.resolve(preset + "-ck").toString());
      double[] resumed = learned(preset + "-resumed", "--preset", preset, "--epochs", "4",
          "--checkpoint", tmp.resolve(preset + "-ck").toString());
      assertArrayEquals(whole, resumed, "seed=5 --preset " + preset + ": resumed after 2 of 4");
    }
  }

  /** {@code W x} of row {@code row} of x, from W's row-major entries. */
  private static double[] image(double[] w, int big, int d, float[] x, int row) {
    double[] v = new double[big];
    for (int k = 0; k < big; k++) {
      for (int c = 0; c < d; c++) {
        v[k] += w[k * d + c] * x[row * d + c];
      }
    }
    return v;
  }

  @Test
  void temperatureScheduleAndReportOfBothKernelForms() {
    assertEquals(0.1, ArrangeCommand.annealed(0.1, 0.01, 0, 5), 1e-15);
    assertEquals(0.01, ArrangeCommand.annealed(0.1, 0.01, 4, 5), 1e-15);
    assertEquals(Math.sqrt(0.1 * 0.01), ArrangeCommand.annealed(0.1, 0.01, 2, 5), 1e-15);
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("arrange", "--memories",
        memories().toString(), "--dim", "8", "--epochs", "3", "--loss", "spherical:0.2",
        "--tau-final", "0.05", "--seed", "5", "--out", tmp.resolve("annealed.npy").toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("epoch 1/3: spherical:0.2 loss"), r.err());
    assertTrue(r.err().contains("epoch 3/3: spherical:0.05 loss"), r.err());
    assertTrue(r.out().matches("(?s).*right memory [0-9.]+ -> [0-9.]+ linear, [0-9.]+ "
        + "normalised.*"), r.out());
    r = RetrieveCommandTest.run("arrange", "--memories", memories().toString(), "--dim", "8",
        "--epochs", "2", "--loss", "uhop", "--tau-final", "0.05", "--out",
        tmp.resolve("bad.npy").toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--tau-final needs the spherical loss"), r.err());
    assertFalse(Files.exists(tmp.resolve("bad.npy")));
  }

  @Test
  void badInputFailsCleanlyAndWritesNothing() throws IOException {
    Path out = tmp.resolve("w.npy");
    RetrieveCommandTest.Run r = arrange("--dim", "4", "--epochs", "2", "--out", out.toString());
    assertEquals(2, r.status(), "--dim given twice is a usage error: " + r.err());
    String[] base = {"arrange", "--memories", memories().toString(), "--seed", "5", "--quiet",
        "--out", out.toString()};
    r = RetrieveCommandTest.run(concat(base, "--dim", "4", "--epochs", "2"));
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("--init identity needs D >= d (W = [I; 0]), got D=4 < d=8"),
        r.err());
    r = RetrieveCommandTest.run(concat(base, "--dim", "8", "--epochs", "0"));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--epochs must be >= 1"), r.err());
    r = RetrieveCommandTest.run(concat(base, "--dim", "8", "--epochs", "1", "--loss", "cos"));
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("unknown loss 'cos'"), r.err());
    // a checkpoint of another run is refused
    Path ck = tmp.resolve("ck-other");
    String[] noOut = {"arrange", "--memories", memories().toString(), "--seed", "5", "--quiet"};
    assertEquals(0, RetrieveCommandTest.run(concat(noOut, "--dim", "8", "--epochs", "1",
        "--checkpoint", ck.toString(), "--out", tmp.resolve("first.npy").toString())).status());
    r = RetrieveCommandTest.run(concat(base, "--dim", "9", "--epochs", "2", "--checkpoint",
        ck.toString()));
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("belongs to another run"), r.err());
    assertFalse(Files.exists(out), "nothing written at " + out);
    try (Stream<Path> s = Files.list(tmp)) {
      assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".w.npy.tmp")),
          "no temporary output left");
    }
    // retrieving with a W of the wrong shape names the mismatch
    Path wrong = tmp.resolve("wrong.npy");
    LinearFeatureMap.identity(5).write(wrong);
    r = RetrieveCommandTest.run("retrieve", "--memories", memories().toString(), "--queries",
        memories().toString(), "--spec", "softmax:beta=4,kernel=" + wrong, "--out",
        tmp.resolve("ret").toString());
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("dimension mismatch: the kernel maps d=5"), r.err());
    assertFalse(Files.exists(tmp.resolve("ret")));
  }

  private static String[] concat(String[] a, String... b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }
}
