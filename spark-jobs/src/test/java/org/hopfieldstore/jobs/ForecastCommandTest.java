package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forecast command: a run on a seeded CSV writes its table; bad CSVs fail cleanly. */
class ForecastCommandTest {
  @TempDir Path tmp;

  private Path csv(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private Path seasonal() throws IOException {
    StringBuilder sb = new StringBuilder("date,a,b,label\n");
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
    for (int t = 0; t < 200; t++) {
      sb.append("2020-").append(t).append(',')
          .append(Math.sin(2 * Math.PI * t / 8) + 0.1 * rnd.nextGaussian()).append(',')
          .append(Math.cos(2 * Math.PI * t / 8) + 0.1 * rnd.nextGaussian()).append(",x\n");
    }
    return csv("seasonal.csv", sb.toString());
  }

  @Test
  void runsAllModelsAndWritesTheTable() throws IOException {
    Path out = tmp.resolve("fc");
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("forecast", "--data",
        seasonal().toString(), "--lookback", "16", "--horizon", "4", "--epochs", "40",
        "--lr", "0.01", "--seed", "2", "--out", out.toString(), "--quiet");
    assertEquals(0, r.status(), r.err());
    List<String[]> rows = Files.readAllLines(out.resolve("results.tsv")).stream()
        .filter(l -> !l.startsWith("#")).skip(1).map(l -> l.split("\t"))
        .collect(Collectors.toList());
    assertEquals(8, rows.size(), "2 baselines + 2 models x (no memory, plug-in PnP, TnP)");
    assertEquals("last-value naive", rows.get(1)[0]);
    assertEquals(ForecastCommand.PLUGIN_PNP, rows.get(3)[1]);
    assertEquals(ForecastCommand.PLUGIN_TNP, rows.get(4)[1]);
    assertTrue(Files.readString(tmp.resolve("fc/results.tsv")).contains("# series = a,b"));
    assertTrue(Files.size(out.resolve("mse.png")) > 1000);
    double naive = Double.parseDouble(rows.get(0)[2]);
    double stanhop = Double.parseDouble(rows.get(2)[2]);
    assertTrue(stanhop < naive, "seed=2: on a noisy period-8 pair of series the trained net "
        + "(test mse " + stanhop + ") beats seasonal naive with season 4 (" + naive + ")");
  }

  @Test
  void bothBlocksTrainAndChart() throws IOException {
    Path out = tmp.resolve("fc-both");
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("forecast", "--data",
        seasonal().toString(), "--lookback", "16", "--horizon", "4", "--epochs", "3",
        "--tune-steps", "20", "--block", "both,encoder-decoder", "--routers", "2", "--heads",
        "2", "--memory", "none,pnp,tnp,blend", "--plugin-epochs", "2", "--seed", "2", "--out",
        out.toString(), "--quiet");
    assertEquals(0, r.status(), r.err());
    String tsv = Files.readString(out.resolve("results.tsv"));
    assertTrue(tsv.contains("STanHop-Net (GSH), full block\t" + ForecastCommand.PLUGIN_TNP),
        tsv);
    assertTrue(tsv.contains("dense Hopfield (softmax), full block\tnone"), tsv);
    assertTrue(tsv.contains("STanHop-Net (GSH), encoder-decoder\tnone"), tsv);
    assertTrue(tsv.contains("dense Hopfield (softmax), encoder-decoder\t"
        + ForecastCommand.BLEND_TNP), tsv);
    assertTrue(tsv.contains("STanHop-Net (GSH)\t" + ForecastCommand.PLUGIN_PNP), tsv);
    assertEquals(1 + 2 + 6 * 5, tsv.lines().filter(l -> !l.startsWith("#")).count(), tsv);
    r = RetrieveCommandTest.run("forecast", "--data", seasonal().toString(), "--lookback", "16",
        "--horizon", "4", "--memory", "none,recall");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--memory must be none, pnp, tnp or blend"), r.err());
    r = RetrieveCommandTest.run("forecast", "--data", seasonal().toString(), "--lookback", "16",
        "--horizon", "4", "--block", "deep");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--block must be compact, full, encoder-decoder or both"),
        r.err());
    r = RetrieveCommandTest.run("forecast", "--data", seasonal().toString(), "--lookback", "16",
        "--horizon", "4", "--block", "encoder-decoder", "--window", "1");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--window must be >= 2"), r.err());
    r = RetrieveCommandTest.run("forecast", "--data", seasonal().toString(), "--lookback", "16",
        "--horizon", "4", "--block", "encoder-decoder", "--heads", "3");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--heads 3 must divide --d-model 16"), r.err());
  }

  /**
   * The memories on Spark stores (local[2], 3 partitions: the plug-ins' per block, Tune-and-Play
   * tuned through them, and the blend baseline's) give the in-process numbers.
   */
  @Test
  void aSparkMemoryGivesTheInProcessResults() throws IOException {
    String[] base = {"forecast", "--data", seasonal().toString(), "--lookback", "16",
        "--horizon", "4", "--epochs", "3", "--tune-steps", "50", "--block", "full",
        "--routers", "2", "--memory", "none,pnp,tnp,blend", "--plugin-epochs", "2", "--seed",
        "2", "--quiet"};
    RetrieveCommandTest.Run local = RetrieveCommandTest.run(base);
    assertEquals(0, local.status(), local.err());
    String[] spark = Stream.concat(Stream.of(base),
        Stream.of("--master", "local[2]", "--partitions", "3")).toArray(String[]::new);
    RetrieveCommandTest.Run dist = RetrieveCommandTest.run(spark);
    assertEquals(0, dist.status(), dist.err());
    String[] a = local.out().trim().split("\n");
    String[] b = dist.out().trim().split("\n");
    assertEquals(a.length, b.length, dist.out());
    for (int i = 2; i < a.length; i++) {
      String[] x = a[i].split("\\|");
      String[] y = b[i].split("\\|");
      assertEquals(x[1] + x[2], y[1] + y[2]);
      for (int k = 3; k <= 4; k++) { // test MSE and MAE, printed with 4 decimals
        assertEquals(Double.parseDouble(x[k].trim()), Double.parseDouble(y[k].trim()), 1.5e-4,
            "seed=2 row " + a[i] + " vs " + b[i]);
      }
    }
  }

  /** An external memory set: other series with the same columns, standardised like the data. */
  @Test
  void anExternalMemorySeriesFeedsThePlugins() throws IOException {
    StringBuilder sb = new StringBuilder("b,a\n");
    for (int t = 0; t < 60; t++) {
      sb.append(Math.cos(2 * Math.PI * t / 8)).append(',').append(Math.sin(2 * Math.PI * t / 8))
          .append('\n');
    }
    Path memory = csv("memory.csv", sb.toString());
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("forecast", "--data",
        seasonal().toString(), "--lookback", "16", "--horizon", "4", "--epochs", "3",
        "--block", "encoder-decoder", "--routers", "2", "--memory", "pnp,tnp",
        "--plugin-epochs", "2", "--memory-data", memory.toString(), "--seed", "2");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("45 windows"), r.err());
    assertTrue(r.err().contains("store retrievals"), r.err());
    assertTrue(r.out().contains(ForecastCommand.PLUGIN_TNP), r.out());
    assertFalse(r.out().contains("encoder-decoder | none |"), r.out());
    Path wrong = csv("wrong.csv", "a,c\n1,2\n3,4\n");
    r = RetrieveCommandTest.run("forecast", "--data", seasonal().toString(), "--lookback", "16",
        "--horizon", "4", "--memory-data", wrong.toString());
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("no column 'b'"), r.err());
  }

  /**
   * On a trending pair (the test part above the training range), adding the window mean lets
   * the same network follow the level.
   */
  @Test
  void theWindowMeanFollowsATrend() throws IOException {
    StringBuilder sb = new StringBuilder("a,b\n");
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(4);
    for (int t = 0; t < 200; t++) {
      sb.append(0.05 * t + Math.sin(2 * Math.PI * t / 8) + 0.1 * rnd.nextGaussian()).append(',')
          .append(0.03 * t + 0.1 * rnd.nextGaussian()).append('\n');
    }
    Path trend = csv("trend.csv", sb.toString());
    String[] base = {"forecast", "--data", trend.toString(), "--lookback", "16", "--horizon", "4",
        "--epochs", "20", "--lr", "0.01", "--memory", "none", "--seed", "2", "--quiet"};
    RetrieveCommandTest.Run plain = RetrieveCommandTest.run(base);
    assertEquals(0, plain.status(), plain.err());
    RetrieveCommandTest.Run based = RetrieveCommandTest.run(Stream.concat(Stream.of(base),
        Stream.of("--window-mean")).toArray(String[]::new));
    assertEquals(0, based.status(), based.err());
    String row = based.out().lines().filter(l -> l.contains("STanHop-Net (GSH), + window mean"))
        .findFirst().orElseThrow(() -> new AssertionError(based.out()));
    String plainRow = plain.out().lines().filter(l -> l.startsWith("| STanHop-Net (GSH) |"))
        .findFirst().orElseThrow(() -> new AssertionError(plain.out()));
    double withMean = Double.parseDouble(row.split("\\|")[3].trim());
    double without = Double.parseDouble(plainRow.split("\\|")[3].trim());
    assertTrue(withMean < without, "seed=2: test mse with the window mean " + withMean
        + ", without " + without);
  }

  @Test
  void aFocusScoresTheTestWindowsOverlappingIt() throws IOException {
    Path data = seasonal();
    Path out = tmp.resolve("focus");
    // rows 0..199: train [0, 140), validation [140, 160), test [160, 200)
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("forecast", "--data", data.toString(),
        "--lookback", "16", "--horizon", "4", "--epochs", "1", "--memory", "none",
        "--focus", "170:172,197:200", "--seed", "2", "--out", out.toString(), "--quiet");
    assertEquals(0, r.status(), r.err());
    List<String> lines = Files.readAllLines(out.resolve("results.tsv"));
    assertTrue(lines.contains("# focus = 170:172,197:200"), lines.toString());
    List<String[]> rows = lines.stream().filter(l -> !l.startsWith("#")).map(l -> l.split("\t"))
        .collect(Collectors.toList());
    assertEquals(List.of("model", "memory", "test_mse", "test_mae", "focus_mse", "focus_mae",
        "epochs"), List.of(rows.get(0)));
    // last-value naive from the CSV itself: standardise with the training rows' mean and
    // (population) std; windows t whose horizon [t, t+4) meets [170, 172) or [197, 200)
    double[][] v = new double[2][200];
    List<String> csvLines = Files.readAllLines(data);
    for (int t = 0; t < 200; t++) {
      String[] cells = csvLines.get(t + 1).split(",");
      v[0][t] = Double.parseDouble(cells[1]);
      v[1][t] = Double.parseDouble(cells[2]);
    }
    double se = 0;
    double seAll = 0;
    int n = 0;
    int nAll = 0;
    for (double[] x : v) {
      double mean = java.util.Arrays.stream(x, 0, 140).average().orElseThrow();
      double var = java.util.Arrays.stream(x, 0, 140).map(a -> (a - mean) * (a - mean))
          .sum() / 140;
      double sd = Math.sqrt(var);
      for (int t = 160; t + 4 <= 200; t++) {
        boolean focused = (t < 172 && t + 4 > 170) || (t < 200 && t + 4 > 197);
        for (int h = 0; h < 4; h++) {
          double e = (x[t + h] - x[t - 1]) / sd;
          seAll += e * e;
          nAll++;
          if (focused) {
            se += e * e;
            n++;
          }
        }
      }
    }
    String[] naive = rows.get(2);
    assertEquals("last-value naive", naive[0]);
    assertEquals(seAll / nAll, Double.parseDouble(naive[2]), 1e-4);
    assertEquals(se / n, Double.parseDouble(naive[4]), 1e-4);
    assertTrue(Math.abs(se / n - seAll / nAll) > 1e-3, "the focus must select a different set");
    // a focus on the whole test part scores what the test columns score
    Path all = tmp.resolve("focus-all");
    r = RetrieveCommandTest.run("forecast", "--data", data.toString(), "--lookback", "16",
        "--horizon", "4", "--epochs", "1", "--memory", "none", "--focus", "160:200", "--seed",
        "2", "--out", all.toString(), "--quiet");
    assertEquals(0, r.status(), r.err());
    Files.readAllLines(all.resolve("results.tsv")).stream().filter(l -> !l.startsWith("#"))
        .skip(1).map(l -> l.split("\t")).forEach(row -> {
          assertEquals(row[2], row[4], String.join(" ", row));
          assertEquals(row[3], row[5], String.join(" ", row));
        });
    String[][] bad = {{"170", "takes ranges A:B of data rows, got '170'"},
        {"10:5", "need 0 <= A < B <= 200"}, {"0:150", "no test window's horizon overlaps it"}};
    for (String[] c : bad) {
      r = RetrieveCommandTest.run("forecast", "--data", data.toString(), "--lookback", "16",
          "--horizon", "4", "--epochs", "1", "--focus", c[0], "--out",
          tmp.resolve("never").toString(), "--quiet");
      assertTrue(r.status() != 0 && r.err().contains(c[1]), c[0] + ": " + r.err());
      assertFalse(Files.exists(tmp.resolve("never")));
    }
  }

  @Test
  void badInputFailsInOneLineAndWritesNothing() throws IOException {
    Path out = tmp.resolve("never");
    String[][] cases = {
        {"a,b\n1,2\n3\n4,5\n", "row 3 has 1 cells, the header has 2", null},
        {"a,b\n1,2\n3,x\n4,5\n", "row 3, column 'b': 'x' is not a finite number", "a,b"},
        {"a,b\n1,2\n3,4\n5,6\n", "longer than the test part", null},
        {"a,b\n1,2\n3,4\n5,6\n", "no column 'c'", "a,c"}};
    for (String[] c : cases) {
      Path data = csv("bad.csv", c[0]);
      List<String> args = new java.util.ArrayList<>(List.of("forecast", "--data",
          data.toString(), "--lookback", "8", "--horizon", "2", "--out", out.toString()));
      if (c[2] != null) {
        args.addAll(List.of("--columns", c[2]));
      }
      RetrieveCommandTest.Run r = RetrieveCommandTest.run(args.toArray(String[]::new));
      assertEquals(1, r.status(), r.err());
      assertTrue(r.err().contains(c[1]), r.err());
      assertFalse(Files.exists(out));
      try (Stream<Path> s = Files.list(tmp)) {
        assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".never")),
            "no temporary output left");
      }
    }
  }
}
