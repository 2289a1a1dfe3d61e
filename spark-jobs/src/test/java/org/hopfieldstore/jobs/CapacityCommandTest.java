package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capacity command: the committed quick study, trends theory guarantees, bad configs. */
class CapacityCommandTest {
  @TempDir Path tmp;

  static List<String[]> rows(Path tsv) throws IOException {
    return Files.readAllLines(tsv).stream().filter(l -> !l.startsWith("#")).skip(1)
        .map(l -> l.split("\t")).collect(Collectors.toList());
  }

  @Test
  void committedQuickStudyRunsWithItsGridPlotsAndEchoedConfig() throws IOException {
    Path out = tmp.resolve("quick");
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("capacity", "--config",
        Path.of("../deploy/studies/quick.conf").toString(), "--out", out.toString());
    assertEquals(0, r.status(), r.err());
    String tsv = Files.readString(out.resolve("results.tsv"));
    assertTrue(tsv.contains("# name = quick") && tsv.contains("# seed = 20261124"), tsv);
    List<String[]> rows = rows(out.resolve("results.tsv"));
    assertEquals(7 * 2 * 8, rows.size(), "7 sizes x 2 trials x 8 rules");
    for (String png : new String[] {"success.png", "error.png", "separation.png"}) {
      BufferedImage img = ImageIO.read(out.resolve(png).toFile());
      assertNotNull(img, png);
      assertTrue(img.getWidth() >= 600 && img.getHeight() >= 400, png);
    }
    assertTrue(r.err().contains("grid point 7 of 7"), r.err());
  }

  @Test
  void smallSetsWithLittleNoiseAreAlwaysRetrievedAndSeparationShrinksWithM()
      throws IOException {
    Path conf = tmp.resolve("easy.conf");
    Files.writeString(conf, String.join("\n",
        "name = easy", "source = sphere", "dim = 32", "memories = 10..10000 x10",
        "rules = sparsemax:beta=64; softmax:beta=64; entmax:alpha=1.5,beta=64",
        "noise = gaussian:0.02", "queries = 16", "trials = 2", "seed = 5", ""));
    Path out = tmp.resolve("easy");
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("capacity", "--config", conf.toString(),
        "--out", out.toString(), "--quiet");
    assertEquals(0, r.status(), r.err());
    List<String[]> rows = rows(out.resolve("results.tsv"));
    assertEquals(4 * 2 * 3, rows.size());
    double lastAngle = 181;
    for (int m : new int[] {10, 100, 1000, 10000}) {
      double angle = 0;
      for (String[] row : rows) {
        if (Integer.parseInt(row[0]) == m) {
          // noise 0.02 per coordinate (norm ~0.11) on unit memories at beta 64: always retrieved
          assertEquals(1.0, Double.parseDouble(row[3]), 1e-12, String.join(" ", row));
          angle += Double.parseDouble(row[9]) / 6;
        }
      }
      assertTrue(angle < lastAngle, "min angle shrinks as M grows: " + angle + " at M=" + m);
      lastAngle = angle;
    }
    // means.tsv: each (M, rule)'s mean over the two trials and its standard error |a - b| / 2
    List<String[]> means = rows(out.resolve("means.tsv"));
    assertEquals(4 * 3, means.size());
    for (String[] mean : means) {
      List<String[]> trials = rows.stream().filter(t -> t[0].equals(mean[0])
          && t[2].equals(mean[1])).collect(Collectors.toList());
      assertEquals(2, trials.size(), String.join(" ", mean));
      assertEquals("2", mean[2]);
      int[][] columns = {{3, 3}, {4, 5}, {12, 7}}; // results.tsv column, means.tsv column
      for (int[] c : columns) {
        double a = Double.parseDouble(trials.get(0)[c[0]]);
        double b = Double.parseDouble(trials.get(1)[c[0]]);
        assertEquals((a + b) / 2, Double.parseDouble(mean[c[1]]), 1e-5 * (1 + Math.abs(a)),
            String.join(" ", mean));
        assertEquals(Math.abs(a - b) / 2, Double.parseDouble(mean[c[1] + 1]),
            1e-5 * (1 + Math.abs(a)), String.join(" ", mean));
        if (c[0] == 12) {
          assertTrue(a >= 0 && a <= 1, "right-memory rate " + a);
        }
      }
    }
  }

  /**
   * capacity --store draws its memory sets from the store's rows as it draws them from an image
   * file: a store created from an IDX file gives the same results as that file as the source.
   */
  @Test
  void memorySetsFromAStoreEqualThoseFromTheFileItWasCreatedFrom() throws IOException {
    long seed = 77;
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    int n = 120;
    int side = 5;
    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream data = new java.io.DataOutputStream(raw);
    data.writeInt(0x803);
    data.writeInt(n);
    data.writeInt(side);
    data.writeInt(side);
    for (int i = 0; i < n * side * side; i++) {
      data.writeByte(rnd.nextInt(256));
    }
    Path images = tmp.resolve("images");
    Files.createDirectories(images);
    Path idx = images.resolve("train-images-idx3-ubyte.gz");
    try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(idx))) {
      gz.write(raw.toByteArray());
    }
    String store = tmp.resolve("store").toString();
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("store", "create", "--from",
        idx.toString(), "--out", store, "--master", "local[2]", "--partitions", "3");
    assertEquals(0, r.status(), r.err());
    String body = String.join("\n", "memories = 10..100 x10",
        "rules = sparsemax:beta=8; softmax:beta=8", "noise = gaussian:0.1", "queries = 8",
        "trials = 2", "seed = " + seed, "preprocess = center-unit", "");
    Path fromFile = tmp.resolve("file.conf");
    Files.writeString(fromFile, "name = f\nsource = fashion-mnist:path=" + images + "\n" + body);
    Path fromStore = tmp.resolve("store.conf");
    Files.writeString(fromStore, "name = f\nsource = sphere\ndim = 4\n" + body);
    r = RetrieveCommandTest.run("capacity", "--config", fromFile.toString(), "--out",
        tmp.resolve("a").toString(), "--quiet");
    assertEquals(0, r.status(), r.err());
    r = RetrieveCommandTest.run("capacity", "--config", fromStore.toString(), "--store",
        store + "@0", "--out", tmp.resolve("b").toString(), "--quiet");
    assertEquals(0, r.status(), r.err());
    List<String[]> want = rows(tmp.resolve("a/results.tsv"));
    List<String[]> got = rows(tmp.resolve("b/results.tsv"));
    assertEquals(2 * 2 * 2, want.size());
    assertEquals(want.size(), got.size());
    for (int i = 0; i < want.size(); i++) {
      for (int c : new int[] {0, 1, 2, 3, 4, 5, 6, 8, 9, 10}) { // all but seconds (7)
        assertEquals(want.get(i)[c], got.get(i)[c], "row " + i + " column " + c + " seed "
            + seed);
      }
    }
    assertTrue(Files.readString(tmp.resolve("b/results.tsv")).contains("# store = " + store
        + "@0"));
  }

  /**
   * Several noises get their own queries, rows, means and plots; top-K sized as a share of M
   * keeps exactly round(share M) memories (softmax weights over them are all positive).
   */
  @Test
  void severalNoisesAndTopKAsAShareOfTheMemorySet() throws IOException {
    Path conf = tmp.resolve("noises.conf");
    Files.writeString(conf, String.join("\n", "name = noises", "source = sphere", "dim = 16",
        "memories = 10,40", "rules = topk:k=20%,beta=4; softmax:beta=4",
        "noise = mask-bottom; gaussian-clamp:0.2", "queries = 5", "trials = 2", "seed = 3", ""));
    Path out = tmp.resolve("noises");
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("capacity", "--config", conf.toString(),
        "--out", out.toString());
    assertEquals(0, r.status(), r.err());
    List<String[]> rows = rows(out.resolve("results.tsv"));
    assertEquals(2 * 2 * 2 * 2, rows.size(), "2 sizes x 2 trials x 2 noises x 2 rules");
    for (String[] row : rows) {
      assertTrue(row[13].equals("mask-bottom") || row[13].equals("gaussian-clamp:0.2"),
          String.join(" ", row));
      if (row[2].startsWith("topk")) {
        assertTrue(row[2].contains("k=20%"), row[2]);
        double k = Math.round(0.2 * Integer.parseInt(row[0]));
        assertEquals(k, Double.parseDouble(row[5]), 0, "support = K: " + String.join(" ", row));
      }
    }
    assertEquals(2 * 2 * 2, rows(out.resolve("means.tsv")).size(), "(noise, M, rule)");
    for (String png : new String[] {"success-mask-bottom.png", "error-gaussian-clamp-0.2.png"}) {
      assertNotNull(ImageIO.read(out.resolve(png).toFile()), png);
    }
    assertTrue(r.out().contains("2 noises") && r.out().contains("peak heap after GC"), r.out());
  }

  @Test
  void distributedSeparationOnSparkEqualsTheExactInProcessOne() throws IOException {
    String common = String.join("\n", "source = sphere", "dim = 16", "memories = 300",
        "rules = topk:k=4,beta=16", "noise = gaussian:0.05", "queries = 8", "seed = 9", "");
    Path local = tmp.resolve("local.conf");
    Files.writeString(local, "name = local\n" + common);
    Path dist = tmp.resolve("dist.conf");
    Files.writeString(dist, "name = dist\nseparation_max = 50\nseparation_distributed = true\n"
        + common);
    RetrieveCommandTest.Run a = RetrieveCommandTest.run("capacity", "--config", local.toString(),
        "--out", tmp.resolve("a").toString(), "--quiet");
    assertEquals(0, a.status(), a.err());
    RetrieveCommandTest.Run b = RetrieveCommandTest.run("capacity", "--config", dist.toString(),
        "--out", tmp.resolve("b").toString(), "--quiet", "--master", "local[2]",
        "--partitions", "3");
    assertEquals(0, b.status(), b.err());
    String[] want = rows(tmp.resolve("a/results.tsv")).get(0);
    String[] got = rows(tmp.resolve("b/results.tsv")).get(0);
    assertEquals("300", got[11], "every row measured, not a sample of 50");
    for (int col = 8; col <= 10; col++) { // max cosine, min angle, Delta_min
      assertEquals(Double.parseDouble(want[col]), Double.parseDouble(got[col]), 1e-5,
          "column " + col);
    }
  }

  @Test
  void badConfigsFailInOneLineAndWriteNothing() throws IOException {
    String[][] cases = {
        {"colour = blue\nmemories = 10\nrules = softmax\n", "unknown key 'colour'"},
        {"memories = 10..5 x2\nrules = softmax\n", "memories"},
        {"memories = 10\nrules = softmax:beta=-1\n", "beta"},
        {"memories = 10\n", "missing key 'rules'"},
        {"memories = 10\nrules = softmax\nnoise = pink\n", "unknown corruption"}};
    for (String[] c : cases) {
      Path conf = tmp.resolve("bad.conf");
      Files.writeString(conf, c[0]);
      RetrieveCommandTest.Run r = RetrieveCommandTest.run("capacity", "--config",
          conf.toString(), "--out", tmp.resolve("out").toString());
      assertEquals(1, r.status(), c[0]);
      assertTrue(r.err().contains(c[1]) && r.err().strip().lines().count() == 1,
          c[1] + " in " + r.err());
      assertFalse(Files.exists(tmp.resolve("out")));
    }
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("capacity", "--config",
        tmp.resolve("none.conf").toString(), "--out", tmp.resolve("out").toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("no such file"), r.err());
  }

  /** java.io.tmpdir's temporary W directories of the capacity command. */
  private static java.util.Set<String> kernelTemps() throws IOException {
    try (java.util.stream.Stream<Path> f = Files.list(Path.of(System.getProperty(
        "java.io.tmpdir")))) {
      return f.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("hopfield-capacity-W-")).collect(Collectors.toSet());
    }
  }

  /**
   * kernel_epochs: each kernel rule gets one row per N (0: no map), the other rules one row;
   * results.tsv and means.tsv end with the N column; the N = 0 rows are the plain study's rows,
   * and without the keys the outputs keep their columns.
   */
  @Test
  void kernelEpochsAddRowsPerNAndALastColumnAndNZeroIsThePlainModel() throws IOException {
    String body = String.join("\n", "source = sphere", "dim = 12", "memories = 20,40",
        "rules = softmax:beta=4; sparsemax:beta=4; softmax:beta=4,score=euclidean",
        "noise = gaussian:0.3", "queries = 16", "trials = 2", "seed = 11", "");
    Path plainConf = tmp.resolve("plain.conf");
    Files.writeString(plainConf, "name = w\n" + body);
    Path kernelConf = tmp.resolve("kernel.conf");
    Files.writeString(kernelConf, "name = w\n" + body + "kernel_epochs = 0,2,20\n"
        + "kernel_train = preset=uhop-max,share=0.5\n");
    java.util.Set<String> temps = kernelTemps();
    RetrieveCommandTest.Run p = RetrieveCommandTest.run("capacity", "--config",
        plainConf.toString(), "--out", tmp.resolve("plain").toString(), "--quiet");
    assertEquals(0, p.status(), p.err());
    RetrieveCommandTest.Run k = RetrieveCommandTest.run("capacity", "--config",
        kernelConf.toString(), "--out", tmp.resolve("kernel").toString());
    assertEquals(0, k.status(), k.err());
    assertTrue(k.err().contains("grid point 2 of 2 (M=40), trial 2 of 2")
        && k.err().contains("(W learned to N=20 in "), k.err());
    assertEquals(temps, kernelTemps(), "the temporary W files are deleted");
    assertFalse(Files.exists(tmp.resolve("kernel/kernels")), "kept only with --keep-kernels");

    String plainHeader = Files.readAllLines(tmp.resolve("plain/results.tsv")).stream()
        .filter(l -> l.startsWith("M\t")).findFirst().orElseThrow();
    assertTrue(plainHeader.endsWith("\tright_memory\tnoise"), plainHeader);
    String header = Files.readAllLines(tmp.resolve("kernel/results.tsv")).stream()
        .filter(l -> l.startsWith("M\t")).findFirst().orElseThrow();
    assertEquals(plainHeader + "\tkernel_epochs", header);
    assertTrue(Files.readString(tmp.resolve("plain/means.tsv")).startsWith("M\t")
        && Files.readString(tmp.resolve("plain/means.tsv")).lines().findFirst().orElseThrow()
            .endsWith("\tnoise"));

    List<String[]> plain = rows(tmp.resolve("plain/results.tsv"));
    List<String[]> kernel = rows(tmp.resolve("kernel/results.tsv"));
    assertEquals(2 * 2 * 3, plain.size());
    assertEquals(14, plain.get(0).length);
    assertEquals(2 * 2 * (3 + 2 * 2), kernel.size(), "2 sizes x 2 trials x (3 rules + 2 x 2 N)");
    java.util.Map<String, java.util.Set<String>> ns = new java.util.TreeMap<>();
    for (String[] r : kernel) {
      assertEquals(15, r.length);
      assertEquals("gaussian:0.3", r[13], "the noise column keeps its index");
      ns.computeIfAbsent(r[2], x -> new java.util.TreeSet<>()).add(r[14]);
    }
    assertEquals(java.util.Set.of("0"), ns.get("softmax:beta=4,steps=1,tol=0,score=euclidean"));
    assertEquals(java.util.Set.of("0", "2", "20"), ns.get("softmax:beta=4,steps=1,tol=0"));
    assertEquals(java.util.Set.of("0", "2", "20"),
        ns.get("sparsemax:beta=4,steps=1,tol=0,solver=exact"));
    List<String[]> zero = kernel.stream().filter(r -> r[14].equals("0"))
        .collect(Collectors.toList());
    assertEquals(plain.size(), zero.size());
    for (int i = 0; i < plain.size(); i++) {
      for (int c = 0; c < 14; c++) {
        if (c != 7) { // all but seconds
          assertEquals(plain.get(i)[c], zero.get(i)[c], "row " + i + " column " + c);
        }
      }
    }
    boolean changed = false;
    for (String[] r : kernel) {
      if (r[14].equals("20")) {
        String[] base = zero.stream().filter(z -> z[0].equals(r[0]) && z[1].equals(r[1])
            && z[2].equals(r[2])).findFirst().orElseThrow();
        changed |= !base[4].equals(r[4]);
        assertEquals(base[9], r[9], "the set's own separation on every row");
      }
    }
    assertTrue(changed, "retrieval in a learned kernel space differs from the plain model's");

    List<String[]> means = rows(tmp.resolve("kernel/means.tsv"));
    assertEquals(2 * (3 + 2 * 2), means.size(), "(M, rule, N)");
    assertTrue(Files.readString(tmp.resolve("kernel/means.tsv")).lines().findFirst()
        .orElseThrow().endsWith("\tnoise\tkernel_epochs"));
    for (String[] m : means) {
      assertEquals("2", m[2], String.join(" ", m));
      assertEquals(13, m.length);
      List<String[]> trials = kernel.stream().filter(r -> r[0].equals(m[0]) && r[2].equals(m[1])
          && r[14].equals(m[12])).collect(Collectors.toList());
      assertEquals(2, trials.size());
      double a = Double.parseDouble(trials.get(0)[4]);
      double b = Double.parseDouble(trials.get(1)[4]);
      assertEquals((a + b) / 2, Double.parseDouble(m[5]), 1e-5 * (1 + a), String.join(" ", m));
    }
    String summary = Files.readString(tmp.resolve("kernel/summary.json"));
    assertTrue(summary.contains("\"kernel_epochs\"") && !Files.readString(
        tmp.resolve("plain/summary.json")).contains("kernel_epochs"), summary);
  }

  /**
   * The learned maps (kept with --keep-kernels) separate the memories they learned from: the
   * minimal angle between the images W xi of the set's first half, computed here from the saved
   * W and the regenerated set, grows with the iterations, and U-Hop's max loss falls; a run to
   * N = 10 alone gives the same W as the N = 10 snapshot of a run to 100.
   */
  @Test
  void learnedMapsSeparateTheFirstHalfOfTheSet() throws IOException {
    String body = String.join("\n", "source = clustered:clusters=3,intrinsic=4,spread=0.2",
        "dim = 16", "memories = 60", "rules = softmax:beta=8; sparsemax:beta=8",
        "noise = gaussian:0.1", "queries = 8", "seed = 4",
        "kernel_train = preset=uhop-max,share=0.5", "");
    Path conf = tmp.resolve("learn.conf");
    Files.writeString(conf, body + "kernel_epochs = 1,10,100\n");
    Path out = tmp.resolve("learn");
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("capacity", "--config", conf.toString(),
        "--out", out.toString(), "--quiet", "--keep-kernels");
    assertEquals(0, r.status(), r.err());
    List<String[]> rows = rows(out.resolve("results.tsv"));
    assertEquals(2 * 4, rows.size(), "without 0 in the list the plain rows still come (N 0)");
    assertEquals(List.of("0", "1", "10", "100"), rows.stream().filter(x -> x[2]
        .startsWith("softmax")).map(x -> x[14]).collect(Collectors.toList()));
    try (java.util.stream.Stream<Path> f = Files.list(out.resolve("kernels"))) {
      assertEquals(java.util.Set.of("M60-trial0-N1.npy", "M60-trial0-N10.npy",
          "M60-trial0-N100.npy"), f.map(x -> x.getFileName().toString())
              .collect(Collectors.toSet()));
    }
    // the set as the command draws it: seed * 1_000_003 + trial * 7_919 + M, no preprocessing
    org.hopfieldstore.core.memory.FloatMatrix set = org.hopfieldstore.core.data.SyntheticMemories
        .fromSource("clustered:clusters=3,intrinsic=4,spread=0.2", 60, 16, 4 * 1_000_003L + 60);
    float[] half = java.util.Arrays.copyOf(set.data(), 30 * 16);
    org.hopfieldstore.core.kernel.SeparationLoss loss =
        org.hopfieldstore.core.kernel.SeparationLoss.parse("uhop-max");
    double[] angle = new double[3];
    double[] value = new double[3];
    int[] ns = {1, 10, 100};
    for (int i = 0; i < 3; i++) {
      org.hopfieldstore.core.kernel.LinearFeatureMap w = org.hopfieldstore.core.kernel
          .LinearFeatureMap.read(out.resolve("kernels/M60-trial0-N" + ns[i] + ".npy"));
      assertEquals(16, w.outDim());
      assertEquals(16, w.inDim());
      double[] img = w.images(half, 30);
      double maxCos = -1;
      for (int a = 0; a < 30; a++) {
        for (int b = a + 1; b < 30; b++) {
          double dot = 0;
          double na = 0;
          double nb = 0;
          for (int c = 0; c < 16; c++) {
            dot += img[a * 16 + c] * img[b * 16 + c];
            na += img[a * 16 + c] * img[a * 16 + c];
            nb += img[b * 16 + c] * img[b * 16 + c];
          }
          maxCos = Math.max(maxCos, dot / Math.sqrt(na * nb));
        }
      }
      angle[i] = Math.toDegrees(Math.acos(maxCos));
      value[i] = loss.loss(loss.allPairs(w, org.hopfieldstore.core.memory.MemoryBlock.of(
          org.hopfieldstore.core.memory.FloatMatrix.of("half", half, 30, 16)), 0), 30);
    }
    assertTrue(angle[2] > angle[0] + 1, "min angle of the images " + java.util.Arrays
        .toString(angle));
    assertTrue(value[2] < value[0], "max loss " + java.util.Arrays.toString(value));
    // a run to 10 alone: the same W as the snapshot after 10 of the run to 100
    Path conf10 = tmp.resolve("ten.conf");
    Files.writeString(conf10, body + "kernel_epochs = 10\n");
    r = RetrieveCommandTest.run("capacity", "--config", conf10.toString(), "--out",
        tmp.resolve("ten").toString(), "--quiet", "--keep-kernels");
    assertEquals(0, r.status(), r.err());
    assertTrue(java.util.Arrays.equals(Files.readAllBytes(out.resolve(
        "kernels/M60-trial0-N10.npy")), Files.readAllBytes(tmp.resolve(
        "ten/kernels/M60-trial0-N10.npy"))));
    List<String[]> ten = rows(tmp.resolve("ten/results.tsv"));
    for (String[] t : ten) {
      String[] same = rows.stream().filter(x -> x[2].equals(t[2]) && x[14].equals(t[14]))
          .findFirst().orElseThrow();
      assertEquals(same[4], t[4], "the N=10 rows of both runs");
    }
  }

  @Test
  void badKernelTrainingSettingsFailBeforeAnyWorkAndTheHelpListsTheKeys() throws IOException {
    String[][] cases = {{"preset=uhop-pro", "preset=uhop-pro: must be uhop, uhop-max or "
        + "uhop-plus"}, {"init=xavier", "init=xavier: must be identity, gaussian[:SD] (SD > 0), "
        + "kaiming or kaiming-uniform"}};
    for (String[] c : cases) {
      Path conf = tmp.resolve("bad.conf");
      Files.writeString(conf, "memories = 10\nrules = softmax\nkernel_epochs = 1\n"
          + "kernel_train = " + c[0] + "\n");
      RetrieveCommandTest.Run r = RetrieveCommandTest.run("capacity", "--config",
          conf.toString(), "--out", tmp.resolve("out").toString());
      assertEquals(1, r.status(), c[0]);
      assertTrue(r.err().contains("kernel_train = " + c[0] + ": " + c[1])
          && r.err().strip().lines().count() == 1, r.err());
      assertFalse(Files.exists(tmp.resolve("out")));
    }
    RetrieveCommandTest.Run h = RetrieveCommandTest.run("capacity", "--help");
    for (String s : new String[] {"\n  kernel_epochs\n", "\n  kernel_rules\n",
        "\n  kernel_train\n", "--keep-kernels"}) {
      assertTrue(h.out().contains(s), s + " in " + h.out());
    }
  }
}
