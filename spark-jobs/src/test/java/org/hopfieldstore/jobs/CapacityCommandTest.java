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
}
