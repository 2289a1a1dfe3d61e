package org.hopfieldstore.spark.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.Preprocessing;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.kernel.LinearFeatureMap;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.nonparametric.KernelSummary;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.score.ScoreKernels;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.SparkSetup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store through create, append and delete: every version retrieves what the in-process engine
 * retrieves from the same raw rows preprocessed here, summaries kept through the changes equal
 * summaries rebuilt from the rows, bad input leaves the store at its version, and concurrent
 * appends never both commit against the same base.
 */
class MemoryStoreTest {
  static final long SEED = 4242;
  static final int D = 9;
  static final String[] SPECS = {"softmax:beta=8,steps=3", "sparsemax:beta=4,steps=3,tol=1e-4",
      "entmax:alpha=1.5,beta=4,steps=2", "topk:k=5,beta=8,steps=2",
      "masked:keep=0.5,beta=8,seed=3", "linear:beta=1,steps=2", "prf:features=32,beta=2,seed=1"};
  static final List<RetrievalSpec> SUMMARIES = List.of(RetrievalSpec.parse("linear:beta=1"),
      RetrievalSpec.parse("prf:features=32,beta=2,seed=1"));
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSetup.session("local[2]", "MemoryStoreTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Raw memories by id (what the user's files hold), and a label column. */
  static final class Raw {
    final TreeMap<Long, float[]> rows = new TreeMap<>();

    Raw add(FloatMatrix m, long firstId) {
      for (int r = 0; r < m.rows(); r++) {
        rows.put(firstId + r, Arrays.copyOfRange(m.data(), r * m.cols(), (r + 1) * m.cols()));
      }
      return this;
    }

    Raw copy() {
      Raw c = new Raw();
      c.rows.putAll(rows);
      return c;
    }

    Dataset<Row> frame(long from, long to) {
      List<Row> out = new ArrayList<>();
      rows.subMap(from, to).forEach((id, v) -> {
        Float[] boxed = new Float[v.length];
        for (int j = 0; j < v.length; j++) {
          boxed[j] = v[j];
        }
        out.add(RowFactory.create(id, boxed, (int) (id % 7)));
      });
      StructType schema = new StructType().add("key", DataTypes.LongType)
          .add("embedding", DataTypes.createArrayType(DataTypes.FloatType))
          .add("label", DataTypes.IntegerType);
      return spark.createDataFrame(out, schema).repartition(3);
    }

    /** The in-process engine over these rows after center-unit with {@code center}. */
    LocalRetrievalEngine engine(double[] center) {
      float[] data = new float[rows.size() * D];
      long[] ids = new long[rows.size()];
      int r = 0;
      for (var e : rows.entrySet()) {
        System.arraycopy(e.getValue(), 0, data, r * D, D);
        Preprocessing.CENTER_UNIT.applyRow(data, r * D, D, center);
        ids[r++] = e.getKey();
      }
      return new LocalRetrievalEngine(MemoryBlock.withIds(data, ids, D),
          ScoreKernels.byName("java"));
    }
  }

  @Test
  void everyVersionRetrievesWhatItsRowsRetrieve(@TempDir Path tmp) {
    String store = tmp.resolve("store").toString();
    FloatMatrix first = SyntheticMemories.fromSource("clustered:clusters=6,intrinsic=3,spread=0.3",
        300, D, SEED);
    FloatMatrix more = SyntheticMemories.fromSource("clustered:clusters=6,intrinsic=3,spread=0.3",
        80, D, SEED + 1);
    Raw v0 = new Raw().add(first, 0);
    double[] center = Preprocessing.mean(first.data(), first.rows(), D);

    MemoryStore.Change c = MemoryStore.create(spark, v0.frame(0, 300), "key", "embedding", store,
        Preprocessing.CENTER_UNIT, 3, SUMMARIES, "java");
    assertEquals(0, c.version());
    assertEquals(300, c.totalRows());
    Raw v1 = v0.copy().add(more, 300);
    c = MemoryStore.append(spark, store, v1.frame(300, 380), "key", "embedding", "java");
    assertEquals(1, c.version());
    assertEquals(380, c.totalRows());
    Raw v2 = v1.copy();
    List<Row> doomed = new ArrayList<>();
    for (long id : new long[] {5, 17, 42, 300, 379}) {
      v2.rows.remove(id);
      doomed.add(RowFactory.create(id));
    }
    Dataset<Row> ids = spark.createDataFrame(doomed, new StructType().add("id",
        DataTypes.LongType));
    c = MemoryStore.delete(spark, store, ids, null, "java");
    assertEquals(2, c.version());
    assertEquals(375, c.totalRows());
    Raw v3 = v2.copy();
    v3.rows.keySet().removeIf(id -> id % 7 == 3);
    c = MemoryStore.delete(spark, store, null, "label = 3", "java");
    assertEquals(3, c.version());
    assertEquals(v3.rows.size(), c.totalRows());
    c = MemoryStore.compact(spark, store);
    assertEquals(4, c.version());

    QuerySet qs = QuerySet.fromMemories(first, 23, Corruption.parse("gaussian:0.3"), SEED + 2);
    Raw[] versions = {v0, v1, v2, v3, v3};
    for (int v = 0; v < versions.length; v++) {
      StoreVersion sv = StoreVersion.open(spark, StoreRef.parse(store + "@" + v));
      assertEquals(v, sv.version());
      assertEquals(versions[v].rows.size(), sv.rows().count(), "rows of version " + v);
      assertEquals(List.of("label"), sv.metadata().columns);
      assertArrayEquals(center, sv.metadata().center, 1e-12, "centre of version " + v);
      LocalRetrievalEngine local = versions[v].engine(center);
      try (DistributedStore ds = DistributedStore.fromDataFrame(MemoryStore.memories(sv), "id",
          "vector", store, 2, StorageLevel.MEMORY_ONLY(), "java")) {
        for (KernelSummary kept : sv.summaries()) {
          KernelSummary rebuilt = local.summary(kept.spec());
          assertEquals(rebuilt.count(), kept.count(), "summary count, version " + v);
          assertTrue(kept.maxAbsDifference(rebuilt) < 1e-3, kept.spec() + " kept vs rebuilt "
              + kept.maxAbsDifference(rebuilt) + " at version " + v + " seed " + SEED);
          ds.attachSummary(kept);
        }
        for (String s : SPECS) {
          RetrievalSpec spec = RetrievalSpec.parse(s);
          RetrievalResult want = local.retrieve(qs.queries(), spec, 6, false);
          RetrievalResult got = ds.retrieve(qs.queries(), spec, 6, false);
          String msg = s + " version " + v + " seed " + SEED;
          assertArrayEquals(want.states().data(), got.states().data(), 1e-4f, msg);
          for (int b = 0; b < qs.queries().rows(); b++) {
            assertArrayEquals(want.topIds(b), got.topIds(b), msg + " query " + b);
          }
        }
      }
    }
    List<StoreVersion.Commit> history = StoreVersion.open(spark, StoreRef.parse(store))
        .history();
    assertEquals(List.of("WRITE", "MERGE", "MERGE", "DELETE", "OPTIMIZE"),
        history.stream().map(StoreVersion.Commit::operation).toList());
  }

  /**
   * An attached map W u + b (with a bias: the .npz): every row's stored factor equals 1 / |W xi +
   * b| computed here from the entries of W and b
   * (after an append, which computes the new rows' only, and a delete), the normalised-kernel
   * retrieval from the stored factors equals the in-process one that computes them, and the
   * versions before the attachment have none.
   */
  @Test
  void attachedKernelRowFactorsStayInStepWithTheRows(@TempDir Path tmp) throws Exception {
    String store = tmp.resolve("store").toString();
    FloatMatrix first = SyntheticMemories.fromSource("clustered:clusters=5,intrinsic=3,spread=0.3",
        200, D, SEED + 5);
    FloatMatrix more = SyntheticMemories.uniformSphere(40, D, SEED + 6);
    Raw raw = new Raw().add(first, 0);
    double[] center = Preprocessing.mean(first.data(), first.rows(), D);
    MemoryStore.create(spark, raw.frame(0, 200), "key", "embedding", store,
        Preprocessing.CENTER_UNIT, 2, List.of(), "java");
    // D=5 < d=9: the factors 1 / |W xi| need no D >= d (U-Hop+ maps 784 to 200 dimensions)
    double[] bias = {0.3, -0.2, 0.5, 0.1, -0.4};
    LinearFeatureMap w = LinearFeatureMap.gaussian(5, D, SEED + 7).withBias(bias);
    expect("the kernel maps d=4, the store has dimension 9; nothing attached",
        () -> MemoryStore.attachKernel(spark, store, LinearFeatureMap.gaussian(6, 4, 1), "test",
            0));
    assertEquals(0, StoreVersion.open(spark, StoreRef.parse(store)).version());
    MemoryStore.Change c = MemoryStore.attachKernel(spark, store, w, "test", 0);
    assertEquals(1, c.version());
    raw.add(more, 200);
    MemoryStore.append(spark, store, raw.frame(200, 240), "key", "embedding", "java");
    List<Row> doomed = new ArrayList<>();
    for (long id : new long[] {3, 150, 210}) {
      raw.rows.remove(id);
      doomed.add(RowFactory.create(id));
    }
    c = MemoryStore.delete(spark, store, spark.createDataFrame(doomed, new StructType()
        .add("id", DataTypes.LongType)), null, "java");
    assertEquals(3, c.version());

    StoreVersion sv = StoreVersion.open(spark, StoreRef.parse(store));
    assertEquals(w, sv.kernelMap());
    assertTrue(sv.kernelLocation().endsWith(".npz"), sv.kernelLocation());
    List<Row> rows = sv.rows().select("id", "vector", MemoryStore.ROW_FACTOR).collectAsList();
    assertEquals(raw.rows.size(), rows.size());
    for (Row r : rows) {
      List<Float> v = r.getList(1);
      float[] x = new float[D];
      for (int j = 0; j < D; j++) {
        x[j] = v.get(j);
      }
      double ss = 0;
      for (int k = 0; k < 5; k++) {
        double e = bias[k];
        for (int j = 0; j < D; j++) {
          e += w.weights()[k * D + j] * x[j];
        }
        ss += e * e;
      }
      assertEquals(1 / Math.sqrt(ss), r.getFloat(2), 1e-6 / Math.sqrt(ss),
          "row factor of id " + r.getLong(0) + " seed " + SEED);
    }

    RetrievalSpec spec = sv.resolve(RetrievalSpec.parse(
        "softmax:beta=8,steps=2,kernel=store,kernel_map=normalized"));
    assertEquals(sv.kernelLocation(), spec.kernel());
    QuerySet qs = QuerySet.fromMemories(first, 17, Corruption.parse("gaussian:0.2"), SEED + 8);
    RetrievalResult want = raw.engine(center).retrieve(qs.queries(), spec, 5, true);
    try (DistributedStore ds = DistributedStore.withStoredRowFactors(sv.rows(), "id", "vector",
        MemoryStore.ROW_FACTOR, w, store, 3, StorageLevel.MEMORY_ONLY(), "java")) {
      RetrievalResult got = ds.retrieve(qs.queries(), spec, 5, true);
      assertArrayEquals(want.states().data(), got.states().data(), 1e-5f, "seed " + SEED);
      for (int b = 0; b < qs.queries().rows(); b++) {
        assertArrayEquals(want.topIds(b), got.topIds(b), "query " + b + " seed " + SEED);
      }
      expect("they retrieve only with kernel=store,kernel_map=normalized",
          () -> ds.retrieve(qs.queries(), RetrievalSpec.parse("softmax:beta=8"), 5, false));
    }
    StoreVersion v0 = StoreVersion.open(spark, StoreRef.parse(store + "@0"));
    assertEquals(null, v0.metadata().kernel);
    expect("has no attached kernel", () -> v0.resolve(RetrievalSpec.parse(
        "softmax:beta=8,kernel=store")));
  }

  @Test
  void badInputLeavesTheStoreAtItsVersion(@TempDir Path tmp) throws Exception {
    String store = tmp.resolve("store").toString();
    FloatMatrix first = SyntheticMemories.fromSource("sphere", 50, D, SEED + 3);
    Raw raw = new Raw().add(first, 0);
    MemoryStore.create(spark, raw.frame(0, 50), "key", "embedding", store, Preprocessing.UNIT, 2,
        SUMMARIES, "java");

    Raw wide = new Raw().add(SyntheticMemories.fromSource("sphere", 5, D + 1, SEED), 100);
    expect("dimension 10, the store 9", () -> MemoryStore.append(spark, store,
        wide.frame(100, 105), "key", "embedding", "java"));
    expect("5 of the new ids are already in the store", () -> MemoryStore.append(spark, store,
        raw.frame(45, 50), "key", "embedding", "java"));
    Raw nan = new Raw().add(SyntheticMemories.fromSource("sphere", 4, D, SEED), 200);
    nan.rows.get(202L)[3] = Float.NaN;
    expect("non-finite values", () -> MemoryStore.append(spark, store, nan.frame(200, 204),
        "key", "embedding", "java"));
    Dataset<Row> unknown = spark.createDataFrame(List.of(RowFactory.create(7L),
        RowFactory.create(999L)), new StructType().add("id", DataTypes.LongType));
    expect("1 of the ids are not in the store", () -> MemoryStore.delete(spark, store, unknown,
        null, "java"));
    expect("no memory matches", () -> MemoryStore.delete(spark, store, null, "label = 99",
        "java"));
    expect("there is no version 9", () -> StoreVersion.open(spark, StoreRef.parse(store
        + "@9")));
    expect("exists", () -> MemoryStore.create(spark, raw.frame(0, 50), "key", "embedding", store,
        Preprocessing.UNIT, 2, List.of(), "java"));
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    expect("not a store (a directory without a Delta table)", () -> StoreVersion.open(spark,
        StoreRef.parse(empty.toString())));
    expect("not a store (no such directory)", () -> StoreVersion.open(spark,
        StoreRef.parse(tmp.resolve("nothing").toString())));

    StoreVersion now = StoreVersion.open(spark, StoreRef.parse(store));
    assertEquals(0, now.version(), "every refused change left version 0");
    assertEquals(50, now.rows().count());
    assertEquals(50, now.summaries().get(0).count());
  }

  static void expect(String fragment, org.junit.jupiter.api.function.Executable run) {
    Exception e = assertThrows(Exception.class, run);
    assertNotNull(e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: "
        + e.getMessage());
  }

  /**
   * Two appends of different rows at once, each in its own session: either both commit, one
   * after the other, or one fails having committed nothing; the summaries count exactly the
   * rows that are in the store.
   */
  @Test
  void concurrentAppendsNeverBothCommitOnOneBase(@TempDir Path tmp) throws Exception {
    String store = tmp.resolve("store").toString();
    Raw raw = new Raw().add(SyntheticMemories.fromSource("sphere", 200, D, SEED + 5), 0);
    MemoryStore.create(spark, raw.frame(0, 100), "key", "embedding", store, Preprocessing.NONE,
        2, SUMMARIES, "java");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<MemoryStore.Change>> runs = new ArrayList<>();
    for (long from : new long[] {100, 150}) {
      SparkSession session = spark.newSession();
      runs.add(pool.submit(() -> MemoryStore.append(session, store, raw.frame(from, from + 50),
          "key", "embedding", "java")));
    }
    int committed = 0;
    for (Future<MemoryStore.Change> f : runs) {
      try {
        f.get();
        committed++;
      } catch (java.util.concurrent.ExecutionException e) {
        assertTrue(e.getCause().getMessage().contains("committed first"), e.getCause()
            .toString());
      }
    }
    pool.shutdown();
    assertTrue(committed >= 1, "at least one append commits");
    StoreVersion now = StoreVersion.open(spark, StoreRef.parse(store));
    long rows = now.rows().count();
    assertEquals(100 + 50L * committed, rows);
    assertEquals(rows, now.rows().select("id").distinct().count(), "ids unique");
    for (KernelSummary k : now.summaries()) {
      assertEquals(rows, k.count(), k.spec() + " counts every stored row");
    }
    System.out.println("concurrentAppends: " + committed + " of 2 committed, version "
        + now.version());
  }
}
