package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * A Spark-mode retrieve stopped by SIGTERM while its executors write Parquet: exit 143, one line
 * on the terminal (Spark's shutdown traces go to the log file), and no temporary or final output
 * left behind (it once left a .NAME.tmp-* directory holding partial data).
 */
class SignalledRunTest {
  static final long SEED = 9090;

  @TempDir Path tmp;

  @Test
  void sigtermMidWriteLeavesNothingAndPrintsOneLine() throws Exception {
    Random r = new Random(SEED);
    int m = 20_000;
    int d = 32;
    float[] xi = new float[m * d];
    for (int i = 0; i < xi.length; i++) {
      xi[i] = (float) r.nextGaussian();
    }
    float[] q = Arrays.copyOf(xi, 2_000 * d);
    Path mem = tmp.resolve("m.npy");
    Path qs = tmp.resolve("q.npy");
    try (var o = Files.newOutputStream(mem)) {
      Npy.writeFloat32(o, xi, m, d);
    }
    try (var o = Files.newOutputStream(qs)) {
      Npy.writeFloat32(o, q, 2_000, d);
    }
    Path outDir = tmp.resolve("out");
    Files.createDirectories(outDir);
    Path logs = tmp.resolve("logs");
    Files.createDirectories(logs);
    Path repo = Path.of(System.getProperty("hopfield.repo.dir", "..")).toAbsolutePath();
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "@" + repo.resolve("deploy/jvm.options"), "-Xmx1g",
        "-Dlog4j2.configurationFile=" + repo.resolve("deploy/log4j2.properties"),
        "-Dhopfield.log.dir=" + logs, "-cp", System.getProperty("java.class.path"),
        HopfieldStoreMain.class.getName(), "retrieve", "--memories", mem.toString(),
        "--queries", qs.toString(), "--spec", "softmax:beta=1,steps=20", "--master", "local[1]",
        "--batch-size", "100", "--out", outDir.resolve("r.parquet").toString()));
    Path stderr = tmp.resolve("stderr");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile())
        .redirectOutput(tmp.resolve("stdout").toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (names(outDir).isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertTrue(p.isAlive(), "the run ended before it could be stopped: " + read(stderr));
      assertTrue(names(outDir).get(0).startsWith(".r.parquet.tmp-"), names(outDir).toString());
      Thread.sleep(1500); // into the batches' writes
      assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start()
          .waitFor());
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run outlived SIGTERM");
    } finally {
      p.destroyForcibly();
    }
    String err = read(stderr);
    assertEquals(143, p.exitValue(), err);
    List<String> lines = Arrays.stream(err.split("\n"))
        .filter(l -> !l.startsWith("WARNING: Using incubator modules")).collect(
            Collectors.toList());
    assertEquals(List.of("hopfield-store: interrupted: stopping; no output is left at the final"
        + " path (details in " + logs.resolve("hopfield-store.log") + ")"), lines,
        "seed " + SEED + ", stderr:\n" + err);
    assertEquals(List.of(), names(outDir), "left behind");
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
