package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hopfieldstore.core.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark-mode retrieves in a JVM of their own, as bin/hopfield-store runs them. Stopped by SIGTERM
 * while its executors write Parquet: exit 143, one line on the terminal (Spark's shutdown traces
 * go to the log file), and no temporary or final output left behind (it once left a
 * .NAME.tmp-* directory holding partial data). Out of memory in a Spark thread: one line. Wide
 * sparse supports on a small driver: the exact answer, with bounded traffic.
 */
class SignalledRunTest {
  static final long SEED = 9090;

  @TempDir Path tmp;

  /** Writes m x d seeded Gaussian memories and their first b rows as queries. */
  private void writeInputs(long seed, int m, int d, int b) throws IOException {
    Random r = new Random(seed);
    float[] xi = new float[m * d];
    for (int i = 0; i < xi.length; i++) {
      xi[i] = (float) r.nextGaussian();
    }
    try (var o = Files.newOutputStream(tmp.resolve("m.npy"))) {
      Npy.writeFloat32(o, xi, m, d);
    }
    try (var o = Files.newOutputStream(tmp.resolve("q.npy"))) {
      Npy.writeFloat32(o, Arrays.copyOf(xi, b * d), b, d);
    }
  }

  /**
   * Starts {@code retrieve} of m.npy and q.npy into out/ in a JVM of its own, as bin/hopfield-store
   * does (its JVM options and log configuration, the log file under logs/); stderr to stderr.
   */
  private Process startRetrieve(String heap, String... args) throws IOException {
    return startRetrieve(List.of(), heap, args);
  }

  /** As above with more JVM options. */
  private Process startRetrieve(List<String> jvmOptions, String heap, String... args)
      throws IOException {
    Files.createDirectories(tmp.resolve("out"));
    Files.createDirectories(tmp.resolve("logs"));
    Path repo = Path.of(System.getProperty("hopfield.repo.dir", "..")).toAbsolutePath();
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "@" + repo.resolve("deploy/jvm.options"), "-Xmx" + heap));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of(
        "-Dlog4j2.configurationFile=" + repo.resolve("deploy/log4j2.properties"),
        "-Dhopfield.log.dir=" + tmp.resolve("logs"), "-cp", System.getProperty("java.class.path"),
        HopfieldStoreMain.class.getName(), "retrieve",
        "--memories", tmp.resolve("m.npy").toString(), "--queries", tmp.resolve("q.npy").toString()));
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(tmp.resolve("stderr").toFile())
        .redirectOutput(tmp.resolve("stdout").toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start();
  }

  @Test
  void sigtermMidWriteLeavesNothingAndPrintsOneLine() throws Exception {
    writeInputs(SEED, 20_000, 32, 2_000);
    Path outDir = tmp.resolve("out");
    Path stderr = tmp.resolve("stderr");
    Process p = signalMidWrite("TERM", outDir.resolve("r.parquet").toString());
    String err = read(stderr);
    assertEquals(143, p.exitValue(), err);
    List<String> lines = Arrays.stream(err.split("\n"))
        .filter(l -> !l.startsWith("WARNING: Using incubator modules")).collect(
            Collectors.toList());
    assertEquals(List.of("hopfield-store: interrupted (SIGTERM): stopping; no output is left at"
        + " the final path (details in " + tmp.resolve("logs").resolve("hopfield-store.log")
        + ")"), lines, "seed " + SEED + ", stderr:\n" + err);
    assertEquals(List.of(), names(outDir), "left behind");
  }

  /**
   * SIGKILL mid-write leaves the temporary output (no hook runs); the next retrieve to the same
   * output on this host removes it and succeeds, with nothing else left.
   */
  @Test
  void aRunKilledMidWriteLeavesNothingThatOutlivesTheRerun() throws Exception {
    writeInputs(SEED + 3, 20_000, 32, 2_000);
    Path outDir = tmp.resolve("out");
    String out = outDir.resolve("r.parquet").toString();
    signalMidWrite("KILL", out);
    List<String> left = names(outDir);
    assertEquals(1, left.size(), left.toString());
    assertTrue(left.get(0).startsWith(".r.parquet.tmp-"), left.toString());
    Process again = startRetrieve("1g", "--spec", "softmax:beta=1,steps=1", "--master",
        "local[1]", "--batch-size", "1000", "--out", out);
    try {
      assertTrue(again.waitFor(180, TimeUnit.SECONDS), "the rerun hung");
    } finally {
      again.destroyForcibly();
    }
    assertEquals(0, again.exitValue(), "seed " + (SEED + 3) + ": " + read(tmp.resolve("stderr")));
    assertEquals(List.of("r.parquet"), names(outDir), "the killed run's temporary output stays");
  }

  /**
   * Sparse supports as wide as the memories (beta = 1e-6) with the candidate cap off, on a small
   * driver heap: the heap runs out in a Spark thread, and the command ends with one line naming
   * memory (it once hung after an OutOfMemoryError in the scheduler's thread, or exited 52
   * without a word).
   */
  @Test
  void outOfMemoryInASparkThreadEndsWithOneLine() throws Exception {
    writeInputs(SEED + 1, 100_000, 16, 256);
    Path outDir = tmp.resolve("out");
    Path stderr = tmp.resolve("stderr");
    Process p = startRetrieve(List.of("-Dhopfield.spark.maxCandidateBytes=-1"), "600m", "--spec",
        "sparsemax:beta=1e-6", "--master", "local[2]", "--partitions", "4", "--out",
        outDir.resolve("r").toString());
    try {
      assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the run hung: " + read(stderr));
    } finally {
      p.destroyForcibly();
    }
    String err = read(stderr);
    assertTrue(p.exitValue() != 0, err);
    List<String> ours = Arrays.stream(err.split("\n"))
        .filter(l -> l.startsWith("hopfield-store: ")).collect(Collectors.toList());
    assertEquals(1, ours.size(), err);
    assertTrue(ours.get(0).startsWith("hopfield-store: error: out of memory"), err);
    assertTrue(Arrays.stream(err.split("\n")).noneMatch(l -> l.startsWith("\tat ")),
        "a stack trace on the terminal:\n" + err);
    assertEquals(List.of(), names(outDir), "left behind");
  }

  /**
   * The issue's wide-support run with the candidate cap on (the default): 200k x 64 memories,
   * 256 queries, sparsemax at beta = 1e-6 (supports of ~125k memories), local[2], 4 partitions,
   * a 1 GB heap. It ends well, its traffic per step is small and reported, and its answer is the
   * float64 step computed here (before the threshold search this run ran out of memory). The
   * distributed plan, searching each query block's thresholds, gives the same states.
   */
  @Test
  void wideSupportsOnAOneGigabyteDriverGiveTheFloat64Step() throws Exception {
    int m = 200_000;
    int d = 64;
    writeInputs(SEED + 2, m, d, 256);
    Path outDir = tmp.resolve("out").resolve("r");
    Process p = startRetrieve("1g", "--spec", "sparsemax:beta=1e-6", "--master", "local[2]",
        "--partitions", "4", "--out", outDir.toString());
    try {
      assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the run hung: " + read(tmp.resolve("stderr")));
    } finally {
      p.destroyForcibly();
    }
    String why = "seed " + (SEED + 2) + ", stderr:\n" + read(tmp.resolve("stderr"));
    assertEquals(0, p.exitValue(), why);
    JsonNode summary = RetrieveCommandTest.JSON.readTree(outDir.resolve("summary.json").toFile());
    JsonNode traffic = summary.get("traffic_per_step");
    assertEquals(2, traffic.get("partial_bytes").size(), "a step and the energy pass: " + traffic);
    for (int s = 0; s < 2; s++) {
      assertTrue(traffic.get("threshold_search_rounds").get(s).asInt() >= 1, traffic.toString());
      long bytes = traffic.get("partial_bytes").get(s).asLong()
          + traffic.get("search_bytes").get(s).asLong();
      assertTrue(bytes < (8 << 20), "bytes per step do not grow with M: " + traffic);
    }
    float[] xi = Npy.readMatrix(tmp.resolve("m.npy"), "memories").data();
    float[] states = Npy.readMatrix(outDir.resolve("states.npy"), "states").data();
    long[] top = Npy.read(outDir.resolve("top_ids.npy")).asLongs();
    int width = top.length / 256;
    for (int b = 0; b < 256; b += 37) {
      double[] z = new double[m];
      for (int i = 0; i < m; i++) {
        double dot = 0;
        for (int c = 0; c < d; c++) {
          dot += (double) xi[b * d + c] * xi[i * d + c];
        }
        z[i] = 1e-6 * dot;
      }
      double tau = sparsemaxThreshold(z);
      double[] want = new double[d];
      int support = 0;
      for (int i = 0; i < m; i++) {
        double w = z[i] - tau;
        if (w > 0) {
          support++;
          for (int c = 0; c < d; c++) {
            want[c] += w * xi[i * d + c];
          }
        }
      }
      String at = why + ", query " + b;
      assertTrue(support > 10_000, at); // wide indeed
      // float32 scores against float64 ones may move a memory at the threshold in or out
      assertEquals(support, summary.get("support_size").get(b).asLong(), 2, at);
      for (int c = 0; c < d; c++) {
        assertEquals(want[c], states[b * d + c], 1e-6, at);
      }
      Integer[] order = new Integer[m];
      for (int i = 0; i < m; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (i, j) -> z[i] != z[j] ? Double.compare(z[j], z[i]) : i - j);
      for (int r = 0; r < width; r++) {
        assertEquals(order[r].longValue(), top[b * width + r], at + ", rank " + r);
      }
    }
    // the distributed plan (queries read and answered by the executors) on the same heap:
    // threshold searches per query block, the same states
    Path parquet = tmp.resolve("out").resolve("r.parquet");
    Process dp = startRetrieve("1g", "--spec", "sparsemax:beta=1e-6", "--master", "local[2]",
        "--partitions", "4", "--plan", "distributed", "--out", parquet.toString());
    try {
      assertTrue(dp.waitFor(300, TimeUnit.SECONDS), "the run hung: " + read(tmp.resolve("stderr")));
    } finally {
      dp.destroyForcibly();
    }
    why = "seed " + (SEED + 2) + ", distributed plan, stderr:\n" + read(tmp.resolve("stderr"));
    assertEquals(0, dp.exitValue(), why);
    JsonNode searches = RetrieveCommandTest.JSON.readTree(parquet.resolve("_summary.json")
        .toFile()).get("threshold_searches");
    assertTrue(searches != null, why);
    assertEquals("[1,2]", searches.get("step").toString(), "a step and the energy pass");
    for (JsonNode bytes : searches.get("bytes")) {
      assertTrue(bytes.asLong() > 0 && bytes.asLong() < (8 << 20), "search bytes per step do "
          + "not grow with M: " + searches);
    }
    org.apache.spark.sql.SparkSession spark =
        org.hopfieldstore.spark.dist.SparkSetup.session("local[1]", "read-results");
    try {
      List<org.apache.spark.sql.Row> rows = spark.read().parquet(parquet.toString())
          .orderBy("query_id").collectAsList();
      assertEquals(256, rows.size(), why);
      for (int b = 0; b < 256; b++) {
        List<Float> state = rows.get(b).getList(1);
        for (int c = 0; c < d; c++) {
          assertEquals(states[b * d + c], state.get(c), 1e-6, why + ", query " + b);
        }
      }
    } finally {
      spark.stop();
    }
  }

  /** The sparsemax threshold of z, by sorting (Martins and Astudillo, Algorithm 1). */
  private static double sparsemaxThreshold(double[] z) {
    double[] s = z.clone();
    Arrays.sort(s);
    double cum = 0;
    double tau = 0;
    for (int k = 1; k <= s.length; k++) {
      double v = s[s.length - k];
      cum += v;
      if (1 + k * v > cum) {
        tau = (cum - 1) / k;
      }
    }
    return tau;
  }

  /**
   * Starts a 20-step softmax retrieve of m.npy and q.npy on local[1] writing Parquet to {@code
   * out}, sends SIGNAL once its temporary output exists and its batches are being written, and
   * waits for it to end; returns the ended process.
   */
  private Process signalMidWrite(String signal, String out) throws Exception {
    Path outDir = Path.of(out).getParent();
    Process p = startRetrieve("1g", "--spec", "softmax:beta=1,steps=20", "--master", "local[1]",
        "--batch-size", "100", "--out", out);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (names(outDir).isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertTrue(p.isAlive(), "the run ended before SIG" + signal + ": "
          + read(tmp.resolve("stderr")));
      String name = Path.of(out).getFileName().toString();
      assertTrue(names(outDir).get(0).startsWith("." + name + ".tmp-"), names(outDir).toString());
      Thread.sleep(1500); // into the batches' writes
      assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start()
          .waitFor());
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run outlived SIG" + signal);
    } finally {
      p.destroyForcibly();
    }
    return p;
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(x -> x.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }
}
