package org.hopfieldstore.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every notebook in notebooks/ runs headless ({@code jupyter nbconvert --execute}) on the
 * project's Java kernel built by this module; a cell error fails the build, and each executed
 * notebook must hold inline PNG images. Without Jupyter the tests are skipped with a message,
 * unless HOPFIELD_REQUIRE_NOTEBOOKS=1 (CI sets it after notebooks/setup.sh --system-only).
 */
class NotebooksIT {
  static final Path NOTEBOOKS = Path.of("../notebooks").toAbsolutePath().normalize();
  static final long TIMEOUT_MINUTES = 10;

  @TempDir static Path tmp;

  static Stream<String> notebooks() throws IOException {
    try (Stream<Path> s = Files.list(NOTEBOOKS)) {
      List<String> names = s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".ipynb")).sorted().collect(Collectors.toList());
      assertFalse(names.isEmpty(), "no notebooks in " + NOTEBOOKS);
      return names.stream();
    }
  }

  @BeforeAll
  static void kernelSpec() throws IOException, InterruptedException {
    if (!jupyterWorks()) {
      String why = "jupyter nbconvert is not installed: run notebooks/setup.sh (as root it "
          + "installs jupyter-notebook and jupyter-nbconvert)";
      if ("1".equals(System.getenv("HOPFIELD_REQUIRE_NOTEBOOKS"))) {
        fail(why);
      }
      Assumptions.abort(why);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> argv = new ArrayList<>(List.of(java, "-Xmx6g"));
    argv.addAll(Arrays.asList(System.getProperty("kernel.opens").trim().split("\\s+")));
    argv.addAll(List.of("-cp", System.getProperty("kernel.jar") + File.pathSeparator
        + System.getProperty("kernel.lib") + File.separator + "*",
        KernelMain.class.getName(), "{connection_file}"));
    JsonObject spec = new JsonObject();
    spec.add("argv", new com.google.gson.Gson().toJsonTree(argv));
    spec.addProperty("display_name", "Java (hopfield-store, test)");
    spec.addProperty("language", "java");
    Path dir = tmp.resolve("jupyter/kernels/hopfield-java");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("kernel.json"), spec.toString());
  }

  static boolean jupyterWorks() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("jupyter", "nbconvert", "--version")
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notebooks")
  void executesWithoutErrorsAndShowsImages(String name) throws Exception {
    Path out = tmp.resolve("out");
    Path log = tmp.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder("jupyter", "nbconvert", "--to", "notebook",
        "--execute", "--ExecutePreprocessor.timeout=" + TIMEOUT_MINUTES * 60,
        "--ExecutePreprocessor.kernel_name=hopfield-java", "--output-dir", out.toString(),
        "--output", name, NOTEBOOKS.resolve(name).toString())
        .directory(NOTEBOOKS.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("JUPYTER_PATH", tmp.resolve("jupyter").toString());
    pb.environment().put("JUPYTER_RUNTIME_DIR", tmp.resolve("runtime").toString());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    if (!p.waitFor(TIMEOUT_MINUTES + 1, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail(name + ": nbconvert ran past " + TIMEOUT_MINUTES + " minutes; log " + log);
    }
    String logText = Files.readString(log);
    assertEquals(0, p.exitValue(), name + " failed:\n" + tail(logText, 4000));
    JsonObject nb = JsonParser.parseString(Files.readString(out.resolve(name)))
        .getAsJsonObject();
    int images = 0;
    int code = 0;
    for (JsonElement cell : nb.getAsJsonArray("cells")) {
      JsonObject c = cell.getAsJsonObject();
      if (!c.get("cell_type").getAsString().equals("code")) {
        continue;
      }
      code++;
      for (JsonElement o : c.getAsJsonArray("outputs")) {
        JsonObject output = o.getAsJsonObject();
        String type = output.get("output_type").getAsString();
        assertFalse(type.equals("error"), name + ": a cell failed: " + output);
        if (output.has("data") && output.getAsJsonObject("data").has("image/png")) {
          images++;
        }
      }
    }
    assertTrue(code > 0, name + " has no code cells");
    assertTrue(images > 0, name + ": no inline PNG image among the outputs");
  }

  /** A cell that throws, and one that does not compile, must fail a headless run. */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "throw new IllegalStateException(\"boom\");", "int x = \"not an int\";"})
  void aFailingCellFailsTheRun(String cell) throws Exception {
    JsonObject nb = new JsonObject();
    com.google.gson.JsonArray cells = new com.google.gson.JsonArray();
    for (String src : new String[] {"int before = 1;", cell, "int after = 2;"}) {
      JsonObject c = new JsonObject();
      c.addProperty("cell_type", "code");
      c.addProperty("id", "c" + cells.size());
      c.add("metadata", new JsonObject());
      c.add("outputs", new com.google.gson.JsonArray());
      c.add("execution_count", com.google.gson.JsonNull.INSTANCE);
      c.addProperty("source", src);
      cells.add(c);
    }
    nb.add("cells", cells);
    JsonObject spec = new JsonObject();
    spec.addProperty("name", "hopfield-java");
    spec.addProperty("display_name", "Java (hopfield-store)");
    spec.addProperty("language", "java");
    JsonObject meta = new JsonObject();
    meta.add("kernelspec", spec);
    nb.add("metadata", meta);
    nb.addProperty("nbformat", 4);
    nb.addProperty("nbformat_minor", 5);
    Path file = tmp.resolve("failing-" + Math.abs(cell.hashCode()) + ".ipynb");
    Files.writeString(file, nb.toString());
    Path log = tmp.resolve(file.getFileName() + ".log");
    ProcessBuilder pb = new ProcessBuilder("jupyter", "nbconvert", "--to", "notebook",
        "--execute", "--ExecutePreprocessor.timeout=120",
        "--ExecutePreprocessor.kernel_name=hopfield-java", "--output-dir",
        tmp.resolve("failing-out").toString(), file.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("JUPYTER_PATH", tmp.resolve("jupyter").toString());
    pb.environment().put("JUPYTER_RUNTIME_DIR", tmp.resolve("runtime").toString());
    Process p = pb.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "nbconvert hung on " + cell);
    String text = Files.readString(log);
    assertTrue(p.exitValue() != 0, "a failing cell must fail the run: " + cell + "\n"
        + tail(text, 2000));
    assertTrue(text.contains("CellExecutionError"), tail(text, 2000));
  }

  private static String tail(String s, int n) {
    return s.length() <= n ? s : s.substring(s.length() - n);
  }
}
