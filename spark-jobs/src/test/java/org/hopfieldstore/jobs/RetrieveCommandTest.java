package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The retrieve command end to end, in-process: every reference case's final states, the output
 * files, and each kind of bad input (clear one-line error, non-zero exit, nothing left behind).
 */
class RetrieveCommandTest {
  /** The reference copy kept with core's tests (computed by an independent float64 code). */
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path REF = Path.of("../core/src/test/resources/reference").toAbsolutePath();
  static final Path BAD = Path.of("../core/src/test/resources/bad-inputs").toAbsolutePath();

  @TempDir Path tmp;

  /** Result of one command run. */
  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = HopfieldStoreMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> referenceCases() throws IOException {
    List<String> lines = Files.readAllLines(REF.resolve("manifest.csv"));
    List<Arguments> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      // case,memories,queries,rule,beta,alpha,k,steps,...
      double beta = Double.parseDouble(f[4]);
      if (beta <= 0) {
        continue; // beta <= 0 is rejected by the spec; covered by core's normalizer tests
      }
      String spec;
      switch (f[3]) {
        case "softmax":
          spec = "softmax:beta=" + f[4];
          break;
        case "sparsemax":
          spec = "sparsemax:beta=" + f[4];
          break;
        case "sparsemax_bisect":
          spec = "sparsemax:beta=" + f[4] + ",solver=bisect";
          break;
        case "entmax15_sort":
          spec = "entmax:alpha=1.5,beta=" + f[4];
          break;
        case "entmax_bisect":
          spec = "entmax:alpha=" + f[5] + ",beta=" + f[4] + ",solver=bisect";
          break;
        default:
          spec = "topk:k=" + f[6] + ",beta=" + f[4];
      }
      out.add(Arguments.of(f[0], f[1], f[2], spec + ",steps=" + f[7], Integer.parseInt(f[7])));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}: {3}")
  @MethodSource("referenceCases")
  void reproducesEveryReferenceCaseWithin1e5(String name, String mem, String queries, String spec,
      int steps) {
    Path out = tmp.resolve(name);
    Run r = run("retrieve", "--memories", REF.resolve(mem).toString(), "--queries",
        REF.resolve(queries).toString(), "--spec", spec, "--out", out.toString(), "--quiet");
    assertEquals(0, r.status, r.err);
    NpyArray states = Npy.read(out.resolve("states.npy"));
    double[] got = states.asDoubles();
    double[] want = Npy.read(REF.resolve("cases/" + name + "/outputs.npy")).asDoubles();
    int offset = want.length - got.length; // the last step's states
    assertEquals(want.length, got.length * steps, name);
    for (int i = 0; i < got.length; i++) {
      assertEquals(want[offset + i], got[i], 1e-5, name + " value " + i);
    }
  }

  @Test
  void writesAllOutputsWithShapesAndSummary() throws IOException {
    Path out = tmp.resolve("out");
    Run r = run("retrieve", "--memories", REF.resolve("memories/small.npy").toString(),
        "--queries", REF.resolve("queries/small_noisy.npy").toString(), "--targets",
        REF.resolve("queries/small_noisy_targets.npy").toString(), "--spec",
        "sparsemax:beta=8,steps=3", "--out", out.toString());
    assertEquals(0, r.status, r.err);
    assertTrue(r.out.contains("retrieved 8 queries from 200 memories"), r.out);
    assertEquals(List.of(8, 16), List.of(box(Npy.read(out.resolve("states.npy")).shape())));
    assertEquals(List.of(8, 10), List.of(box(Npy.read(out.resolve("top_ids.npy")).shape())));
    assertEquals(List.of(8, 10), List.of(box(Npy.read(out.resolve("top_weights.npy")).shape())));
    JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
    assertEquals("sparsemax:beta=8,steps=3,tol=0,solver=exact", summary.get("spec").asText());
    assertEquals(200, summary.get("M").asLong());
    assertEquals(16, summary.get("d").asInt());
    assertEquals(8, summary.get("B").asInt());
    assertEquals("[3,3,3,3,3,3,3,3]", summary.get("steps").toString());
    assertEquals(8, summary.get("final_energy").size());
    assertEquals(8, summary.get("support_size").size());
    for (String key : new String[] {"load", "retrieve", "write"}) {
      assertTrue(summary.get("wall_seconds").get(key).asDouble() >= 0, key);
    }
    assertEquals(1.0, summary.get("top1_accuracy").asDouble(), "every target is found");
    // top ids: each query's best id is its target on this well-separated set
    long[] ids = Npy.read(out.resolve("top_ids.npy")).asLongs();
    long[] targets = Npy.read(REF.resolve("queries/small_noisy_targets.npy")).asLongs();
    for (int i = 0; i < 8; i++) {
      assertEquals(targets[i], ids[i * 10], "query " + i);
    }
    assertNoTempLeft();
  }

  private static Integer[] box(int[] a) {
    Integer[] b = new Integer[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i];
    }
    return b;
  }

  private void assertNoTempLeft() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      List<String> names = s.map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".tmp-") || n.contains(".old-")).toList();
      assertEquals(List.of(), names, "temporary outputs left behind");
    }
  }

  private void assertFailsCleanly(Run r, int status, String... fragments) throws IOException {
    assertEquals(status, r.status, r.err);
    assertEquals(1, r.err.strip().lines().count(), "one error line: " + r.err);
    assertTrue(r.err.startsWith("hopfield-store: error: "), r.err);
    for (String f : fragments) {
      assertTrue(r.err.contains(f), "'" + f + "' in: " + r.err);
    }
    assertFalse(Files.exists(tmp.resolve("out")), "no output directory after a failure");
    assertNoTempLeft();
  }

  private Run retrieve(Path memories, Path queries, String spec, String... extra) {
    List<String> args = new ArrayList<>(List.of("retrieve", "--memories", memories.toString(),
        "--queries", queries.toString(), "--spec", spec, "--out", tmp.resolve("out").toString(),
        "--quiet"));
    args.addAll(List.of(extra));
    return run(args.toArray(new String[0]));
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("truncated_data.npy", "expected 80 bytes"),
        Arguments.of("truncated_header.npy", "truncated_header.npy"),
        Arguments.of("bad_magic.npy", "magic"),
        Arguments.of("empty_file.npy", "empty_file.npy"),
        Arguments.of("fortran_order.npy", "Fortran"),
        Arguments.of("complex_dtype.npy", "dtype"),
        Arguments.of("object_dtype.npy", "dtype"),
        Arguments.of("three_d.npy", "2-D"),
        Arguments.of("zero_rows.npy", "empty"),
        Arguments.of("huge_shape.npy", "huge_shape.npy"),
        Arguments.of("negative_shape.npy", "negative"),
        Arguments.of("garbage_header.npy", "header"),
        Arguments.of("nan_row2_col1.npy", "row 2, column 1"),
        Arguments.of("inf_row4_col3.npy", "row 4, column 3"),
        Arguments.of("idx_truncated-idx3-ubyte", "truncated"),
        Arguments.of("idx_bad_magic-idx3-ubyte", "magic"),
        Arguments.of("idx_corrupt_gzip-idx3-ubyte.gz", "gzip"));
  }

  @ParameterizedTest(name = "memories {0}")
  @MethodSource("badFiles")
  void badMemoriesFileFailsCleanly(String file, String fragment) throws IOException {
    assertFailsCleanly(retrieve(BAD.resolve(file), BAD.resolve("ok_5x4.npy"), "softmax:beta=2"),
        1, fragment);
  }

  @ParameterizedTest(name = "queries {0}")
  @MethodSource("badFiles")
  void badQueriesFileFailsCleanly(String file, String fragment) throws IOException {
    assertFailsCleanly(retrieve(BAD.resolve("ok_5x4.npy"), BAD.resolve(file), "softmax:beta=2"),
        1, fragment);
  }

  @Test
  void dimensionMismatchNamesBothDimensions() throws IOException {
    assertFailsCleanly(retrieve(BAD.resolve("ok_5x4.npy"), BAD.resolve("dim_mismatch_5x3.npy"),
        "softmax:beta=2"), 1, "dimension mismatch", "3", "4");
  }

  @Test
  void badSpecsNameTheKey() throws IOException {
    Path ok = BAD.resolve("ok_5x4.npy");
    assertFailsCleanly(retrieve(ok, ok, "softmax:beta=0"), 1, "beta", "0 < beta <= 3.4e38");
    assertFailsCleanly(retrieve(ok, ok, "entmax:alpha=2.5"), 1, "alpha", "(1, 2]");
    assertFailsCleanly(retrieve(ok, ok, "topk:k=0"), 1, "k=0", "k >= 1");
    assertFailsCleanly(retrieve(ok, ok, "softmax:steps=0"), 1, "steps", "steps >= 1");
    assertFailsCleanly(retrieve(ok, ok, "hopfield:beta=1"), 1, "unknown rule 'hopfield'");
    assertFailsCleanly(retrieve(ok, ok, "softmax:gamma=1"), 1, "unknown key 'gamma'");
  }

  @Test
  void missingInputIsNamed() throws IOException {
    Path missing = tmp.resolve("nope.npy");
    assertFailsCleanly(retrieve(missing, BAD.resolve("ok_5x4.npy"), "softmax"), 1,
        missing.toString());
  }

  @Test
  void existingOutputNeedsOverwriteAndIsReplacedWhole() throws IOException {
    Path ok = BAD.resolve("ok_5x4.npy");
    Path out = tmp.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("old.txt"), "keep me unless overwritten");
    Run r = retrieve(ok, ok, "softmax:beta=2");
    assertEquals(2, r.status, "an existing output is a usage mistake");
    assertTrue(r.err.contains("already exists") && r.err.contains("--overwrite"), r.err);
    assertTrue(Files.exists(out.resolve("old.txt")), "existing output untouched");

    // a failing run with --overwrite keeps the old output
    r = retrieve(ok, BAD.resolve("dim_mismatch_5x3.npy"), "softmax:beta=2", "--overwrite");
    assertEquals(1, r.status);
    assertTrue(Files.exists(out.resolve("old.txt")), "old output kept after a failed overwrite");

    r = retrieve(ok, ok, "softmax:beta=2", "--overwrite");
    assertEquals(0, r.status, r.err);
    assertFalse(Files.exists(out.resolve("old.txt")));
    assertTrue(Files.exists(out.resolve("summary.json")));
    assertNoTempLeft();
  }

  @Test
  void usageErrorsExitTwoWithOneLine() throws IOException {
    Path ok = BAD.resolve("ok_5x4.npy");
    String[][] mistakes = {
        {"Missing required parameter for option '--memories'", "retrieve", "--memories"},
        {"Unknown options: '--bogus'", "retrieve", "--memories", ok.toString(), "--queries",
            ok.toString(), "--spec", "softmax", "--out", tmp.resolve("k").toString(), "--bogus",
            "1"},
        {"Missing required options: '--queries=PATH', '--out=DIR'", "retrieve", "--spec",
            "softmax"},
        {"Missing required argument (specify one of these): (--memories=PATH | --store",
            "retrieve", "--queries", ok.toString(), "--spec", "softmax", "--out",
            tmp.resolve("k").toString()},
        {"--memories=PATH, --store=STORE[@VERSION] are mutually exclusive", "retrieve",
            "--memories", ok.toString(), "--store", ok.toString(), "--queries", ok.toString(),
            "--spec", "softmax", "--out", tmp.resolve("k").toString()},
        {"Unmatched argument", "frobnicate"},
        {"unknown score kernel 'cuda'", "retrieve", "--memories", ok.toString(), "--queries",
            ok.toString(), "--spec", "softmax", "--out", tmp.resolve("k").toString(),
            "--kernel", "cuda"},
        {"--report must be >= 1", "retrieve", "--memories", ok.toString(), "--queries",
            ok.toString(), "--spec", "softmax", "--out", tmp.resolve("k").toString(),
            "--report", "0"},
        {"'x' is not an int", "retrieve", "--report", "x"},
        {"no command given"}};
    for (String[] m : mistakes) {
      Run r = run(Arrays.copyOfRange(m, 1, m.length));
      assertEquals(2, r.status, String.join(" ", m));
      assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
      assertTrue(r.err.contains(m[0]) && r.err.contains("--help"), m[0] + " in " + r.err);
    }
    assertFalse(Files.exists(tmp.resolve("k")));
    assertNoTempLeft();
  }

  @Test
  void batchesGiveTheSameAnswerAsOneBatch() throws IOException {
    String mem = REF.resolve("memories/medium.npy").toString();
    String q = REF.resolve("queries/medium_noisy.npy").toString();
    Run a = run("retrieve", "--memories", mem, "--queries", q, "--spec", "entmax:alpha=1.5,beta=4",
        "--out", tmp.resolve("a").toString(), "--quiet");
    Run b = run("retrieve", "--memories", mem, "--queries", q, "--spec", "entmax:alpha=1.5,beta=4",
        "--out", tmp.resolve("b").toString(), "--quiet", "--batch-size", "3");
    assertEquals(0, a.status, a.err);
    assertEquals(0, b.status, b.err);
    double[] sa = Npy.read(tmp.resolve("a/states.npy")).asDoubles();
    double[] sb = Npy.read(tmp.resolve("b/states.npy")).asDoubles();
    for (int i = 0; i < sa.length; i++) {
      assertEquals(sa[i], sb[i], 1e-6, "value " + i);
    }
    assertEquals(List.of(box(new int[] {16, 10})),
        List.of(box(Npy.read(tmp.resolve("b/top_ids.npy")).shape())));
    long[] ia = Npy.read(tmp.resolve("a/top_ids.npy")).asLongs();
    long[] ib = Npy.read(tmp.resolve("b/top_ids.npy")).asLongs();
    for (int i = 0; i < 16; i++) {
      assertEquals(ia[i * 10], ib[i * 10], "best id of query " + i);
    }
  }
}
