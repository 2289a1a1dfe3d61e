package org.hopfieldstore.spark.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.kernel.LinearFeatureMap;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.score.ScoreKernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed plan (query blocks crossed with memory blocks, states kept on the executors)
 * gives the in-process answer for every rule, a kernel spec and a tolerance, for several splits
 * of the memories and of the queries.
 */
class DistributedQueriesTest {
  static final long SEED = 77;
  static SparkSession spark;
  static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    spark = SparkSetup.session("local[2]", "DistributedQueriesTest");
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void everyRuleGivesTheInProcessAnswer(@TempDir Path tmp) throws Exception {
    FloatMatrix xi = SyntheticMemories.fromSource("clustered:clusters=8,intrinsic=3,spread=0.3",
        700, 9, SEED);
    QuerySet qs = QuerySet.fromMemories(xi, 37, Corruption.parse("gaussian:0.3"), SEED + 1);
    Path w = tmp.resolve("W.npy");
    LinearFeatureMap.gaussian(12, 9, SEED + 2).write(w);
    String[] specs = {"softmax:beta=8,steps=3", "sparsemax:beta=4,steps=3,tol=1e-4",
        "entmax:alpha=1.5,beta=4,steps=2", "entmax:alpha=1.3,beta=4,solver=bisect",
        "topk:k=5,beta=8,steps=2", "masked:keep=0.5,beta=8,seed=3", "linear:beta=1,steps=2",
        "prf:features=32,beta=2,seed=1", "sparsemax:beta=2,steps=2,kernel=" + w,
        "softmax:beta=4,kernel=" + w + ",kernel_map=normalized"};
    LocalRetrievalEngine local = new LocalRetrievalEngine(MemoryBlock.of(xi),
        ScoreKernels.byName("java"));
    for (int p : new int[] {1, 3}) {
      try (DistributedStore store = DistributedStore.fromMatrix(jsc, xi, p,
          StorageLevel.MEMORY_ONLY(), "java")) {
        for (long shipRows : new long[] {8L << 20, 0}) {
          store.setShipRowsBytes(shipRows); // rows sent along, or the second (sums) pass
          for (String s : specs) {
            String msg = s + " P=" + p + " ship=" + shipRows + " seed=" + SEED;
            RetrievalSpec spec = RetrievalSpec.parse(s);
            // the frame's ids (1000 + row): masked draws its masks from them
            RetrievalResult want = RetrievalLoop.run(local, qs.queries(),
                LongStream.range(1000, 1000 + qs.queries().rows()).toArray(), spec, 6, true);
            List<Row> got = distributed(store, qs.queries(), spec, 6, 3, 10);
            check(want, got, msg);
          }
        }
      }
    }
  }

  /**
   * The distance scores ({@code score=euclidean|manhattan}, whose spec travels to the
   * executors) on the distributed plan and on the store's own steps (the broadcast plan) give
   * the in-process answer, with no energy.
   */
  @Test
  void distanceScoresGiveTheInProcessAnswer() throws Exception {
    FloatMatrix xi = SyntheticMemories.fromSource("clustered:clusters=8,intrinsic=3,spread=0.3",
        500, 9, SEED + 20);
    QuerySet qs = QuerySet.fromMemories(xi, 23, Corruption.parse("gaussian:0.3"), SEED + 21);
    String[] specs = {"softmax:beta=2,steps=3,score=euclidean",
        "sparsemax:beta=1,steps=2,score=manhattan", "entmax:alpha=1.5,beta=2,score=euclidean",
        "topk:k=5,beta=4,steps=2,score=manhattan", "masked:keep=0.5,beta=3,seed=3,score=euclidean",
        "masked:keep=0.5,beta=3,mask=memory,steps=2,score=manhattan"};
    LocalRetrievalEngine local = new LocalRetrievalEngine(MemoryBlock.of(xi),
        ScoreKernels.byName("java"));
    long[] ids = LongStream.range(1000, 1000 + qs.queries().rows()).toArray();
    for (int p : new int[] {1, 3}) {
      try (DistributedStore store = DistributedStore.fromMatrix(jsc, xi, p,
          StorageLevel.MEMORY_ONLY(), "java")) {
        for (long shipRows : new long[] {8L << 20, 0}) {
          store.setShipRowsBytes(shipRows);
          for (String s : specs) {
            String msg = s + " P=" + p + " ship=" + shipRows + " seed=" + (SEED + 20);
            RetrievalSpec spec = RetrievalSpec.parse(s);
            RetrievalResult want = RetrievalLoop.run(local, qs.queries(), ids, spec, 6, true);
            for (int b = 0; b < want.batch(); b++) {
              assertEquals(true, Double.isNaN(want.finalEnergy(b)), msg + " no energy");
            }
            check(want, distributed(store, qs.queries(), spec, 6, 3, 10), msg);
            RetrievalResult broadcast = RetrievalLoop.run(store, qs.queries(), ids, spec, 6,
                true);
            for (int b = 0; b < want.batch(); b++) {
              assertArrayEquals(want.topIds(b), broadcast.topIds(b), msg + " broadcast " + b);
              for (int j = 0; j < xi.cols(); j++) {
                assertEquals(want.states().get(b, j), broadcast.states().get(b, j), 1e-5,
                    msg + " broadcast query " + b);
              }
            }
          }
        }
      }
    }
  }

  /**
   * An affine map {@code W u + b} (an .npz with a nonzero bias): the distributed plan, and the
   * driver's loop over the Spark store, give the in-process answer, linear kernel (with its
   * energy) and normalised (whose per-query score offsets travel in the query blocks); the bias
   * changes the answer, so it is not ignored.
   */
  @Test
  void aBiasedMapGivesTheInProcessAnswer(@TempDir Path tmp) throws Exception {
    FloatMatrix xi = SyntheticMemories.fromSource("clustered:clusters=6,intrinsic=3,spread=0.3",
        500, 8, SEED + 20);
    QuerySet qs = QuerySet.fromMemories(xi, 23, Corruption.parse("gaussian:0.3"), SEED + 21);
    LinearFeatureMap linear = LinearFeatureMap.gaussian(10, 8, SEED + 22);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(SEED + 23);
    double[] bias = new double[10];
    for (int k = 0; k < bias.length; k++) {
      bias[k] = rnd.nextDouble(-0.8, 0.8);
    }
    LinearFeatureMap affine = linear.withBias(bias);
    Path w = tmp.resolve("Wb.npz");
    affine.write(w);
    Path w0 = tmp.resolve("W.npy");
    linear.write(w0);
    String[] specs = {"softmax:beta=4,steps=3,tol=0,kernel=" + w,
        "sparsemax:beta=4,steps=2,kernel=" + w + ",kernel_map=normalized",
        "softmax:beta=6,steps=3,tol=1e-4,kernel=" + w + ",kernel_map=normalized",
        "topk:k=4,beta=6,steps=2,kernel=" + w + ",kernel_map=normalized"};
    LocalRetrievalEngine local = new LocalRetrievalEngine(MemoryBlock.of(xi),
        ScoreKernels.byName("java"));
    long[] ids = LongStream.range(1000, 1000 + qs.queries().rows()).toArray();
    for (String s : specs) {
      RetrievalSpec spec = RetrievalSpec.parse(s);
      RetrievalResult want = RetrievalLoop.run(local, qs.queries(), ids, spec, 6, true);
      RetrievalResult unbiased = RetrievalLoop.run(local, qs.queries(), ids,
          RetrievalSpec.parse(s.replace(w.toString(), w0.toString())), 6, true);
      double moved = 0;
      for (int i = 0; i < want.states().data().length; i++) {
        moved = Math.max(moved, Math.abs(want.states().data()[i]
            - unbiased.states().data()[i]));
      }
      assertTrue(moved > 1e-3, s + " seed=" + SEED + ": the bias changed nothing (" + moved
          + ")");
      for (int p : new int[] {1, 3}) {
        try (DistributedStore store = DistributedStore.fromMatrix(jsc, xi, p,
            StorageLevel.MEMORY_ONLY(), "java")) {
          String msg = s + " P=" + p + " seed=" + SEED;
          check(want, distributed(store, qs.queries(), spec, 6, 3, 7), msg);
          RetrievalResult driver = RetrievalLoop.run(store, qs.queries(), ids, spec, 6, true);
          for (int i = 0; i < want.states().data().length; i++) {
            assertEquals(want.states().data()[i], driver.states().data()[i], 1e-5,
                msg + " driver loop, entry " + i);
          }
          for (int b = 0; b < want.batch(); b++) {
            assertArrayEquals(want.topIds(b), driver.topIds(b), msg + " driver loop, query " + b);
          }
        }
      }
    }
  }

  /**
   * Supports too wide for the candidate bound (beta 1e-6: every memory; alpha near 1) are
   * solved by the distributed threshold search: the in-process answer (uncapped), with the
   * search's rounds and bytes recorded, and those bytes far below the candidates a full support
   * would have sent; a narrow support under the same bound needs no search. The lazy plan refuses
 * the wide ones in one line.
   */
  @Test
  void wideSupportsAreSearchedWithBoundedTraffic() throws Exception {
    int m = 3000;
    FloatMatrix xi = SyntheticMemories.fromSource("clustered:clusters=8,intrinsic=3,spread=0.3",
        m, 9, SEED + 30);
    QuerySet qs = QuerySet.fromMemories(xi, 31, Corruption.parse("gaussian:0.3"), SEED + 31);
    LocalRetrievalEngine local = new LocalRetrievalEngine(MemoryBlock.of(xi),
        ScoreKernels.byName("java"));
    try (DistributedStore store = DistributedStore.fromMatrix(jsc, xi, 3,
        StorageLevel.MEMORY_ONLY(), "java")) {
      store.setMaxCandidateBytes(64 << 10); // about 200 candidates a query and partial
      String[][] cases = {{"sparsemax:beta=1e-6,steps=2", "wide"},
          {"entmax:alpha=1.5,beta=1e-4,steps=2", "wide"},
          {"entmax:alpha=1.0001,beta=1,steps=1", "wide"},
          {"sparsemax:beta=4,steps=2", "narrow"}};
      for (String[] c : cases) {
        RetrievalSpec spec = RetrievalSpec.parse(c[0]);
        String msg = c[0] + " seed=" + SEED;
        RetrievalResult want = RetrievalLoop.run(local, qs.queries(),
            LongStream.range(1000, 1000 + qs.queries().rows()).toArray(), spec, 6, true);
        DistributedQueries.Searches searches = new DistributedQueries.Searches();
        List<Row> got = distributed(store, qs.queries(), spec, 6, 3, 10, searches);
        check(want, got, msg);
        if (c[1].equals("narrow")) {
          assertTrue(searches.isEmpty(), msg + ": searched steps " + searches.steps);
          check(want, distributed(store, qs.queries(), spec, 6, 3, 10, null), msg + " lazy");
          continue;
        }
        // the lazy plan (the ML transform's) cannot search: one line naming the bound
        Exception lazy = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
            () -> distributed(store, qs.queries(), spec, 6, 3, 10, null), msg);
        Throwable root = lazy;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        assertTrue(root.getMessage().contains("wider than the candidate bound (65536 bytes"),
            msg + ": " + root);
        // every step and the energy pass searched, each for every block (31 queries in 3 or more)
        assertEquals(List.of(1, 2, 3).subList(0, spec.steps() + 1), searches.steps, msg);
        for (int i = 0; i < searches.steps.size(); i++) {
          assertTrue(searches.blocks.get(i) >= 3, msg + " blocks searched " + searches.blocks);
          assertTrue(searches.rounds.get(i) >= 1, msg + " rounds " + searches.rounds);
          long fullSupport = 16L * m * qs.queries().rows();
          assertTrue(searches.bytes.get(i) > 0 && searches.bytes.get(i) < fullSupport / 10,
              msg + ": " + searches.bytes.get(i) + " search bytes vs " + fullSupport
              + " for the full support's candidates");
        }
        for (int b = 0; b < want.batch(); b++) {
          assertTrue(want.supportSize(b) > 600, msg + " support of query " + b + ": "
              + want.supportSize(b) + " (the case is meant to be wide)");
        }
      }
    }
  }

  /** The queries as a frame of 3 partitions, blocks of {@code block} queries. */
  static List<Row> distributed(DistributedStore store, FloatMatrix queries, RetrievalSpec spec,
      int report, int partitions, int block) {
    return distributed(store, queries, spec, report, partitions, block,
        new DistributedQueries.Searches());
  }

  static List<Row> distributed(DistributedStore store, FloatMatrix queries, RetrievalSpec spec,
      int report, int partitions, int block, DistributedQueries.Searches searches) {
    List<Row> rows = new ArrayList<>();
    int d = queries.cols();
    for (int i = 0; i < queries.rows(); i++) {
      Float[] v = new Float[d];
      for (int j = 0; j < d; j++) {
        v[j] = queries.get(i, j);
      }
      rows.add(RowFactory.create((long) 1000 + i, v));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("vector", DataTypes.createArrayType(DataTypes.FloatType));
    Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(partitions);
    try (DistributedQueries.Scoring scoring = DistributedQueries.Scoring.of(store, spec)) {
      JavaPairRDD<Long, QueryBlock> blocks = QueryData.blocks(df, "id", "vector", block, spec,
          report, true, scoring.store, scoring.kernel);
      JavaPairRDD<Long, QueryBlock> done = DistributedQueries.retrieve(scoring.store, blocks,
          spec, report, blocks.getNumPartitions(), 0, searches);
      List<Row> out = new ArrayList<>(spark.createDataFrame(QueryData.resultRows(done,
          store.lowestIds(64)), QueryData.RESULT_SCHEMA).collectAsList());
      out.sort((a, b) -> Long.compare(a.getLong(0), b.getLong(0)));
      return out;
    }
  }

  static void check(RetrievalResult want, List<Row> got, String msg) {
    assertEquals(want.batch(), got.size(), msg);
    for (int b = 0; b < want.batch(); b++) {
      Row r = got.get(b);
      assertEquals(1000L + b, r.getLong(0), msg);
      List<Float> state = r.getList(1);
      for (int j = 0; j < state.size(); j++) {
        assertEquals(want.states().get(b, j), state.get(j), 1e-5, msg + " query " + b);
      }
      List<Long> ids = r.getList(2);
      long[] gotIds = ids.stream().mapToLong(Long::longValue).toArray();
      assertArrayEquals(want.topIds(b), gotIds, msg + " top ids of query " + b);
      assertEquals(want.steps(b), r.getInt(4), msg + " steps of query " + b);
      double e = want.finalEnergy(b);
      if (Double.isFinite(e)) {
        assertEquals(e, r.getDouble(5), 1e-5 * Math.max(1, Math.abs(e)), msg + " energy " + b);
      } else {
        assertEquals(true, r.isNullAt(5), msg + " no energy");
      }
    }
  }

  /** Checkpoints every 2 of 5 steps: the same answer, and the states were written out. */
  @Test
  void checkpointedStepsGiveTheSameAnswer(@TempDir Path tmp) throws Exception {
    FloatMatrix xi = SyntheticMemories.fromSource("sphere", 400, 8, SEED + 7);
    QuerySet qs = QuerySet.fromMemories(xi, 29, Corruption.parse("gaussian:0.4"), SEED + 8);
    RetrievalSpec spec = RetrievalSpec.parse("softmax:beta=3,steps=5");
    RetrievalResult want = new LocalRetrievalEngine(MemoryBlock.of(xi),
        ScoreKernels.byName("java")).retrieve(qs.queries(), spec, 4, true);
    Path dir = tmp.resolve("checkpoints");
    jsc.setCheckpointDir(dir.toString());
    try (DistributedStore store = DistributedStore.fromMatrix(jsc, xi, 2,
        StorageLevel.MEMORY_ONLY(), "java")) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < qs.queries().rows(); i++) {
        Float[] v = new Float[8];
        for (int j = 0; j < 8; j++) {
          v[j] = qs.queries().get(i, j);
        }
        rows.add(RowFactory.create((long) 1000 + i, v));
      }
      Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("id",
          DataTypes.LongType).add("vector", DataTypes.createArrayType(DataTypes.FloatType)))
          .repartition(3);
      JavaPairRDD<Long, QueryBlock> blocks = QueryData.blocks(df, "id", "vector", 7, spec, 4,
          true, store, null);
      JavaPairRDD<Long, QueryBlock> done = DistributedQueries.retrieve(store, blocks, spec, 4,
          blocks.getNumPartitions(), 2);
      List<Row> got = new ArrayList<>(spark.createDataFrame(QueryData.resultRows(done,
          store.lowestIds(64)), QueryData.RESULT_SCHEMA).collectAsList());
      got.sort((a, b) -> Long.compare(a.getLong(0), b.getLong(0)));
      check(want, got, "checkpointed " + spec + " seed=" + SEED);
    }
    long written;
    try (var files = Files.walk(dir)) {
      written = files.filter(f -> f.getFileName().toString().startsWith("part-")).count();
    }
    // steps 2 and 4 of 5, each a checkpoint of 3 query partitions
    assertEquals(6, written, "checkpoint part files under " + dir);
  }

  @Test
  void npyQueriesAreReadByTheExecutors(@TempDir Path tmp) throws Exception {
    FloatMatrix xi = SyntheticMemories.fromSource("sphere", 300, 7, SEED + 5);
    FloatMatrix queries = SyntheticMemories.fromSource("sphere", 2500, 7, SEED + 6);
    Path q = tmp.resolve("q.npy");
    org.hopfieldstore.core.io.Npy.writeFloat32(q, queries.data(), 2500, 7);
    RetrievalSpec spec = RetrievalSpec.parse("sparsemax:beta=8,steps=2");
    RetrievalResult want = new LocalRetrievalEngine(MemoryBlock.of(xi),
        ScoreKernels.byName("java")).retrieve(queries, spec, 4, true);
    try (DistributedStore store = DistributedStore.fromMatrix(jsc, xi, 2,
        StorageLevel.MEMORY_ONLY(), "java")) {
      JavaPairRDD<Long, QueryBlock> blocks = QueryData.blocks(jsc, "file://" + q, spec, 4, true,
          store, null);
      List<Row> got = new ArrayList<>(spark.createDataFrame(QueryData.resultRows(
          DistributedQueries.retrieve(store, blocks, spec, 4, blocks.getNumPartitions()),
          store.lowestIds(64)), QueryData.RESULT_SCHEMA).collectAsList());
      got.sort((a, b) -> Long.compare(a.getLong(0), b.getLong(0)));
      assertEquals(2500, got.size());
      for (int b = 0; b < 2500; b += 97) {
        List<Float> state = got.get(b).getList(1);
        for (int j = 0; j < 7; j++) {
          assertEquals(want.states().get(b, j), state.get(j), 1e-5, "query " + b);
        }
      }
    }
    assertEquals(true, Files.exists(q));
  }
}
