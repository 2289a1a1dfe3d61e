package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.spark.dist.SparkSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retrieve command in Spark mode (local[2], Kryo registration required): the same answers as
 * the reference and the in-process mode, Parquet in and out, and clean failures.
 */
class SparkRetrieveCommandTest {
  static final Path REF = RetrieveCommandTest.REF;
  static final Path BAD = RetrieveCommandTest.BAD;

  @TempDir Path tmp;

  static RetrieveCommandTest.Run run(String... args) {
    return RetrieveCommandTest.run(args);
  }

  @Test
  void sparkModeReproducesReferenceCasesAndTheInProcessOutput() throws IOException {
    String[][] cases = {
        {"medium_sparsemax_b4_s3", "sparsemax:beta=4,steps=3", "medium_masked"},
        {"medium_softmax_b32_s3", "softmax:beta=32,steps=3", "medium_masked"},
        {"medium_entmax15_b4", "entmax:alpha=1.5,beta=4", "medium_noisy"},
        {"medium_topk32_b8", "topk:k=32,beta=8", "medium_noisy"}};
    for (String[] c : cases) {
      Path spark = tmp.resolve(c[0] + "-spark");
      Path local = tmp.resolve(c[0] + "-local");
      String mem = REF.resolve("memories/medium.npy").toString();
      String q = REF.resolve("queries/" + c[2] + ".npy").toString();
      RetrieveCommandTest.Run r = run("retrieve", "--memories", mem, "--queries", q, "--spec",
          c[1], "--out", spark.toString(), "--master", "local[2]", "--partitions", "3",
          "--quiet");
      assertEquals(0, r.status(), r.err());
      r = run("retrieve", "--memories", mem, "--queries", q, "--spec", c[1], "--out",
          local.toString(), "--quiet");
      assertEquals(0, r.status(), r.err());
      double[] want = Npy.read(REF.resolve("cases/" + c[0] + "/outputs.npy")).asDoubles();
      double[] got = Npy.read(spark.resolve("states.npy")).asDoubles();
      int off = want.length - got.length;
      for (int i = 0; i < got.length; i++) {
        assertEquals(want[off + i], got[i], 1e-5, c[0] + " value " + i);
      }
      assertEquals(List.of(box(Npy.read(local.resolve("top_ids.npy")).asLongs())),
          List.of(box(Npy.read(spark.resolve("top_ids.npy")).asLongs())), c[0]);
      JsonNode summary = RetrieveCommandTest.JSON.readTree(spark.resolve("summary.json").toFile());
      assertEquals(3, summary.get("partitions").asInt(), summary.toString());
      assertTrue(summary.get("traffic_per_step").get("partial_bytes").get(0).asLong() > 0,
          summary.toString());
    }
  }

  private static Long[] box(long[] a) {
    Long[] b = new Long[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i];
    }
    return b;
  }

  @Test
  void parquetInAndOutMatchTheNpyRun() throws IOException {
    Path memNpy = REF.resolve("memories/small.npy");
    Path q = REF.resolve("queries/small_noisy.npy");
    // memories as Parquet (id, vector) with ids = row index
    Path memParquet = tmp.resolve("memories.parquet");
    double[] xi = Npy.read(memNpy).asDoubles();
    int d = 16;
    SparkSession spark = SparkSetup.session("local[2]", "write-memories");
    try {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < xi.length / d; i++) {
        Float[] v = new Float[d];
        for (int j = 0; j < d; j++) {
          v[j] = (float) xi[i * d + j];
        }
        rows.add(RowFactory.create((long) i, v));
      }
      StructType schema = new StructType().add("id", DataTypes.LongType)
          .add("vector", DataTypes.createArrayType(DataTypes.FloatType));
      spark.createDataFrame(rows, schema).write().parquet(memParquet.toString());
    } finally {
      spark.stop();
    }
    Path out = tmp.resolve("out.parquet");
    RetrieveCommandTest.Run r = run("retrieve", "--memories", memParquet.toString(), "--queries",
        q.toString(), "--spec", "sparsemax:beta=8,steps=2", "--out", out.toString(), "--master",
        "local[2]", "--partitions", "2", "--quiet");
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.exists(out.resolve("_summary.json")));
    Path npy = tmp.resolve("npy");
    r = run("retrieve", "--memories", memNpy.toString(), "--queries", q.toString(), "--spec",
        "sparsemax:beta=8,steps=2", "--out", npy.toString(), "--quiet");
    assertEquals(0, r.status(), r.err());
    double[] states = Npy.read(npy.resolve("states.npy")).asDoubles();
    long[] ids = Npy.read(npy.resolve("top_ids.npy")).asLongs();
    spark = SparkSetup.session("local[2]", "read-output");
    try {
      Dataset<Row> df = spark.read().parquet(out.toString()).orderBy("query_id");
      assertEquals(List.of("query_id", "state", "top_ids", "top_weights", "steps", "energy"),
          List.of(df.columns()));
      List<Row> got = df.collectAsList();
      assertEquals(8, got.size());
      for (Row row : got) {
        int i = (int) row.getLong(0);
        List<Float> s = row.getList(1);
        for (int j = 0; j < d; j++) {
          assertEquals(states[i * d + j], s.get(j), 1e-6, "query " + i);
        }
        List<Long> top = row.getList(2);
        assertEquals(ids[i * 10], top.get(0), "query " + i);
        assertEquals(2, row.getInt(4));
        assertFalse(row.isNullAt(5));
      }
    } finally {
      spark.stop();
    }
  }

  /** Memories with ids 1000000 + 7i, queries with ids 5000 + i: both kept end to end. */
  @Test
  void parquetQueriesThroughBothPlansKeepTheirIdsAndDuplicateMemoryIdsAreRefused()
      throws IOException {
    FloatMatrix xi = org.hopfieldstore.core.data.SyntheticMemories.fromSource("sphere", 400, 6,
        91);
    FloatMatrix qs = org.hopfieldstore.core.data.SyntheticMemories.fromSource("sphere", 50, 6,
        92);
    Path memNpy = tmp.resolve("m.npy");
    Path qNpy = tmp.resolve("q.npy");
    Npy.writeFloat32(memNpy, xi.data(), 400, 6);
    Npy.writeFloat32(qNpy, qs.data(), 50, 6);
    Path memParquet = tmp.resolve("m.parquet");
    Path qParquet = tmp.resolve("q.parquet");
    Path dupParquet = tmp.resolve("dup.parquet");
    SparkSession spark = SparkSetup.session("local[2]", "write-inputs");
    try {
      parquet(spark, xi, 1_000_000, 7, memParquet, 3);
      parquet(spark, qs, 5000, 1, qParquet, 2);
      parquet(spark, xi, 0, 1, dupParquet, 1);
      // a second file in the same directory repeats id 3 (another partition)
      parquet(spark, FloatMatrix.of("m", java.util.Arrays.copyOf(xi.data(), 6), 1, 6), 3, 1,
          dupParquet, 1);
    } finally {
      spark.stop();
    }
    Path local = tmp.resolve("local");
    assertEquals(0, run("retrieve", "--memories", memNpy.toString(), "--queries",
        qNpy.toString(), "--spec", "sparsemax:beta=8,steps=2", "--out", local.toString(),
        "--quiet").status());
    double[] want = Npy.read(local.resolve("states.npy")).asDoubles();
    long[] wantIds = Npy.read(local.resolve("top_ids.npy")).asLongs();
    for (String plan : new String[] {"broadcast", "distributed"}) {
      Path out = tmp.resolve(plan + ".parquet");
      RetrieveCommandTest.Run r = run("retrieve", "--memories", memParquet.toString(),
          "--queries", qParquet.toString(), "--spec", "sparsemax:beta=8,steps=2", "--out",
          out.toString(), "--master", "local[2]", "--partitions", "3", "--plan", plan);
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().contains(plan + " plan"), r.out());
      spark = SparkSetup.session("local[2]", "read-output");
      try {
        List<Row> got = spark.read().parquet(out.toString()).orderBy("query_id")
            .collectAsList();
        assertEquals(50, got.size(), plan);
        for (Row row : got) {
          int i = (int) (row.getLong(0) - 5000);
          List<Float> s = row.getList(1);
          for (int j = 0; j < 6; j++) {
            assertEquals(want[i * 6 + j], s.get(j), 1e-5, plan + " query " + i);
          }
          List<Long> top = row.getList(2);
          assertEquals(1_000_000 + 7 * wantIds[i * 10], top.get(0), plan + " query " + i
              + ": memory ids, not row indices");
        }
      } finally {
        spark.stop();
      }
    }
    Path refused = tmp.resolve("refused.parquet");
    RetrieveCommandTest.Run r = run("retrieve", "--memories", dupParquet.toString(),
        "--queries", qParquet.toString(), "--spec", "softmax", "--out", refused.toString(),
        "--master", "local[2]");
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("duplicate ids") && r.err().contains("id 3 appears 2 times"),
        r.err());
    assertFalse(Files.exists(refused));
  }

  /** Rows {@code (id: first + step * i, vector)} as Parquet in {@code files} files. */
  static void parquet(SparkSession spark, FloatMatrix m, long first, long step, Path dir,
      int files) {
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < m.rows(); i++) {
      Float[] v = new Float[m.cols()];
      for (int j = 0; j < v.length; j++) {
        v[j] = m.get(i, j);
      }
      rows.add(RowFactory.create(first + step * i, v));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("vector", DataTypes.createArrayType(DataTypes.FloatType));
    spark.createDataFrame(rows, schema).repartition(files).write().mode("append")
        .parquet(dir.toString());
  }

  @Test
  void sparkModeFailuresAreOneLineAndLeaveNothing() throws IOException {
    Path ok = BAD.resolve("ok_5x4.npy");
    String out = tmp.resolve("out").toString();
    RetrieveCommandTest.Run r = run("retrieve", "--memories", BAD.resolve("zero_rows.npy")
        .toString(), "--queries", ok.toString(), "--spec", "softmax", "--out", out, "--master",
        "local[2]");
    assertFails(r, "empty memories");
    r = run("retrieve", "--memories", ok.toString(), "--queries",
        BAD.resolve("dim_mismatch_5x3.npy").toString(), "--spec", "softmax", "--out", out,
        "--master", "local[2]");
    assertFails(r, "dimension mismatch");
    r = run("retrieve", "--memories", BAD.resolve("nan_row2_col1.npy").toString(), "--queries",
        ok.toString(), "--spec", "softmax", "--out", out, "--master", "local[2]");
    assertFails(r, "row 2, column 1");
    r = run("retrieve", "--memories", tmp.resolve("missing.npy").toString(), "--queries",
        ok.toString(), "--spec", "softmax", "--out", out, "--master", "local[2]");
    assertFails(r, "missing.npy");
    Files.createDirectories(tmp.resolve("exists.parquet"));
    r = run("retrieve", "--memories", ok.toString(), "--queries", ok.toString(), "--spec",
        "softmax", "--out", tmp.resolve("exists.parquet").toString(), "--master", "local[2]");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("already exists"), r.err());
    r = run("retrieve", "--memories", ok.toString(), "--queries", ok.toString(), "--spec",
        "softmax", "--out", tmp.resolve("x.parquet").toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("needs Spark mode"), r.err());
  }

  /** Query frames with a wrong schema or bad rows, unknown schemes, an unreachable namenode. */
  @Test
  void badLocationsAndBadQueryFramesAreOneLineAndLeaveNothing() throws IOException {
    String mem = BAD.resolve("ok_5x4.npy").toString();
    String out = tmp.resolve("out").toString();
    Path wrongType = tmp.resolve("wrong_type.parquet");
    Path noVector = tmp.resolve("no_vector.parquet");
    Path ragged = tmp.resolve("ragged.parquet");
    Path nullVector = tmp.resolve("null_vector.parquet");
    Path nan = tmp.resolve("nan.parquet");
    Path wide = tmp.resolve("wide.parquet");
    Path stringId = tmp.resolve("string_id.parquet");
    Path truncated = tmp.resolve("truncated.parquet");
    StructType arrays = new StructType().add("id", DataTypes.LongType)
        .add("vector", DataTypes.createArrayType(DataTypes.DoubleType));
    SparkSession spark = SparkSetup.session("local[2]", "write-bad-queries");
    try {
      spark.createDataFrame(List.of(RowFactory.create(1L, "0.1,0.2,0.3,0.4")),
          new StructType().add("id", DataTypes.LongType).add("vector", DataTypes.StringType))
          .write().parquet(wrongType.toString());
      spark.createDataFrame(List.of(RowFactory.create(1L, new Double[] {1.0, 0.0, 0.0, 0.0})),
          new StructType().add("id", DataTypes.LongType)
              .add("v", DataTypes.createArrayType(DataTypes.DoubleType)))
          .write().parquet(noVector.toString());
      spark.createDataFrame(List.of(RowFactory.create(1L, new Double[] {1.0, 0.0, 0.0, 0.0}),
          RowFactory.create(2L, new Double[] {1.0, 0.0, 0.0})), arrays).repartition(1)
          .write().parquet(ragged.toString());
      spark.createDataFrame(List.of(RowFactory.create(1L, new Double[] {1.0, 0.0, 0.0, 0.0}),
          RowFactory.create(7L, null)), arrays).repartition(1).write()
          .parquet(nullVector.toString());
      spark.createDataFrame(List.of(RowFactory.create(4L, new Double[] {1.0, Double.NaN, 0.0,
          0.0})), arrays).write().parquet(nan.toString());
      spark.createDataFrame(List.of(RowFactory.create(1L, new Double[] {1.0, 0.0, 0.0, 0.0,
          0.0})), arrays).write().parquet(wide.toString());
      spark.createDataFrame(List.of(RowFactory.create("q1", new Double[] {1.0, 0.0, 0.0, 0.0})),
          new StructType().add("id", DataTypes.StringType)
              .add("vector", DataTypes.createArrayType(DataTypes.DoubleType)))
          .write().parquet(stringId.toString());
      spark.createDataFrame(List.of(RowFactory.create(1L, new Double[] {1.0, 0.0, 0.0, 0.0})),
          arrays).repartition(1).write().parquet(truncated.toString());
    } finally {
      spark.stop();
    }
    try (var parts = Files.list(truncated)) {
      Path part = parts.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.write(part, Arrays.copyOf(Files.readAllBytes(part), 100));
      // without its checksum side file, as on a filesystem that keeps none
      Files.delete(part.resolveSibling("." + part.getFileName() + ".crc"));
    }
    assertFails(spark(mem, "foo://bucket/q.parquet", out), "unknown filesystem scheme 'foo'");
    assertFails(spark("foo://bucket/m.npy", mem, out), "unknown filesystem scheme 'foo'");
    long t0 = System.nanoTime();
    assertFails(spark("hdfs://127.0.0.1:1/m.npy", mem, out), "127.0.0.1:1");
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    assertTrue(seconds < 60, "an unreachable namenode took " + seconds + " s to report");
    assertFails(spark(mem, wrongType.toString(), out), "'vector'");
    assertFails(spark(mem, noVector.toString(), out), "'vector'");
    // was "Job aborted due to stage failure: ... Exception thrown in awaitResult:"
    assertFails(spark(mem, truncated.toString(), out), "is not a Parquet file");
    // a string id was a ClassCastException from inside a task
    assertFails(spark(mem, stringId.toString(), out), "queries: column 'id' (--id-column) has"
        + " type string; expected long, int, short or byte");
    for (String plan : new String[] {"broadcast", "distributed"}) {
      assertFails(spark(mem, ragged.toString(), out, "--plan", plan), "3 values");
      assertFails(spark(mem, nullVector.toString(), out, "--plan", plan), "null");
      assertFails(spark(mem, nan.toString(), out, "--plan", plan), "non-finite");
      assertFails(spark(mem, wide.toString(), out, "--plan", plan), "dimension");
    }
  }

  private static RetrieveCommandTest.Run spark(String memories, String queries, String out,
      String... more) {
    List<String> args = new ArrayList<>(List.of("retrieve", "--memories", memories, "--queries",
        queries, "--spec", "softmax", "--out", out + ".parquet", "--master", "local[2]"));
    args.addAll(List.of(more));
    return run(args.toArray(new String[0]));
  }

  private void assertFails(RetrieveCommandTest.Run r, String fragment) throws IOException {
    assertEquals(1, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("hopfield-store")).count(),
        r.err());
    assertTrue(r.err().contains(fragment), "'" + fragment + "' in " + r.err());
    assertFalse(Files.exists(tmp.resolve("out")));
    assertFalse(Files.exists(tmp.resolve("out.parquet")));
    try (var s = Files.list(tmp)) {
      assertEquals(0, s.filter(p -> p.getFileName().toString().contains(".tmp-")).count());
    }
  }
}
