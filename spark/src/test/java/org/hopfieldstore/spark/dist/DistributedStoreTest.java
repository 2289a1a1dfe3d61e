package org.hopfieldstore.spark.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.capacity.Separation;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.score.ScoreKernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Partition invariance: for every rule and P in {1, 2, 3, 7, 16}, the distributed result equals
 * the in-process core result on the same data (states within 1e-5, the same supports and top ids,
 * tie-aware), on a reference case and on a seeded 50k x 128 set. Spark runs local[2] with Kryo
 * registration required.
 */
class DistributedStoreTest {
  static final Path REF = Path.of("../core/src/test/resources/reference").toAbsolutePath();
  static final String[] SPECS = {"softmax:beta=8,steps=3", "sparsemax:beta=4,steps=3",
      "entmax:alpha=1.5,beta=4,steps=2", "entmax:alpha=1.25,beta=4,steps=2",
      "topk:k=32,beta=8,steps=2", "topk:k=3,beta=8", "masked:keep=0.3,beta=8,steps=2,seed=4",
      "linear:beta=2,steps=2", "prf:features=128,beta=2,seed=3"};
  static final int[] PARTITIONS = {1, 2, 3, 7, 16};

  static SparkSession spark;
  static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    spark = SparkSetup.session("local[2]", "DistributedStoreTest");
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void kryoRegistrationIsRequiredInTheseTests() {
    assertEquals("true", jsc.getConf().get("spark.kryo.registrationRequired"));
    assertEquals("org.apache.spark.serializer.KryoSerializer",
        jsc.getConf().get("spark.serializer"));
  }

  @Test
  void referenceCaseGivesTheLocalAnswerForEveryPartitioning() {
    FloatMatrix memories = Npy.readMatrix(REF.resolve("memories/medium.npy"), "memories");
    FloatMatrix queries = Npy.readMatrix(REF.resolve("queries/medium_noisy.npy"), "queries");
    checkInvariance(memories, queries, "medium reference");
  }

  @Test
  void seededSyntheticSetGivesTheLocalAnswerForEveryPartitioning() {
    long seed = 20261124L;
    FloatMatrix memories = SyntheticMemories.uniformSphere(50_000, 128, seed);
    FloatMatrix queries = QuerySet.fromMemories(memories, 12, Corruption.parse("gaussian:0.05"),
        seed + 1).queries();
    checkInvariance(memories, queries, "50k x 128, seed " + seed);
  }

  @Test
  void separationOfTheWholeStoreEqualsTheSingleMachineAnswer() {
    long seed = 777L;
    FloatMatrix sphere = SyntheticMemories.uniformSphere(2003, 24, seed);
    float[] x = sphere.data().clone();
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    for (int r = 0; r < sphere.rows(); r++) { // uneven norms, so Delta_min is not 1 - max cos
      float scale = (float) (0.5 + rnd.nextDouble());
      for (int c = 0; c < 24; c++) {
        x[r * 24 + c] *= scale;
      }
    }
    FloatMatrix memories = FloatMatrix.of("memories", x, sphere.rows(), 24);
    Separation want = Separation.of(memories, 0);
    for (int p : new int[] {1, 3, 7}) {
      String msg = "seed=" + seed + " P=" + p;
      try (DistributedStore store = DistributedStore.fromMatrix(jsc, memories, p,
          StorageLevel.MEMORY_ONLY(), "nd4j")) {
        Separation got = new DistributedStudies(store.blocks()).separation();
        assertEquals(want.maxCosine, got.maxCosine, 1e-6, msg);
        assertEquals(java.util.Set.of(want.pairA, want.pairB), java.util.Set.of(got.pairA,
            got.pairB), msg);
        assertEquals(want.minSeparation, got.minSeparation, 1e-5, msg);
      }
    }
  }

  /**
   * Sparse rules: partitions send their candidates' rows with their partials (one Spark job per
   * step) unless they are too many (then the driver fetches the support rows: two jobs); both
   * give the in-process answer.
   */
  @Test
  void candidateRowsShippedWithPartialsSpareTheSecondJob() throws Exception {
    long seed = 17;
    FloatMatrix memories = SyntheticMemories.uniformSphere(3000, 24, seed);
    FloatMatrix queries = QuerySet.fromMemories(memories, 16, Corruption.parse("gaussian:0.2"),
        seed + 1).queries();
    AtomicInteger jobs = new AtomicInteger();
    SparkListener counter = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart e) {
        jobs.incrementAndGet();
      }
    };
    jsc.sc().addSparkListener(counter);
    try {
      LocalRetrievalEngine local =
          new LocalRetrievalEngine(MemoryBlock.of(memories), ScoreKernels.byName("java"));
      for (String s : new String[] {"sparsemax:beta=8", "entmax:alpha=1.5,beta=8",
          "topk:k=8,beta=8"}) {
        RetrievalSpec spec = RetrievalSpec.parse(s);
        RetrievalResult want = local.retrieve(queries, spec, 10, false);
        try (DistributedStore store = DistributedStore.fromMatrix(jsc, memories, 3,
            StorageLevel.MEMORY_ONLY(), "nd4j")) {
          for (long limit : new long[] {8L << 20, 0}) {
            store.setShipRowsBytes(limit);
            jsc.sc().listenerBus().waitUntilEmpty();
            int before = jobs.get();
            RetrievalResult got = store.retrieve(queries, spec, 10, false);
            jsc.sc().listenerBus().waitUntilEmpty();
            assertSame(want, got, "seed=" + seed + " " + s + " ship limit " + limit);
            assertEquals(limit > 0 ? 1 : 2, jobs.get() - before,
                "seed=" + seed + " " + s + " Spark jobs for one step, ship limit " + limit);
          }
        }
      }
    } finally {
      jsc.sc().removeSparkListener(counter);
    }
  }

  /**
   * Kernelized retrieval (linear and normalised feature maps; the normalised one makes every
   * partition derive per-memory factors from W) equals the in-process answer for P in {1, 3, 7}.
   */
  @Test
  void kernelRetrievalGivesTheLocalAnswerForEveryPartitioning(
      @org.junit.jupiter.api.io.TempDir Path tmp) {
    long seed = 31;
    FloatMatrix sphere = SyntheticMemories.uniformSphere(500, 12, seed);
    float[] data = sphere.data().clone();
    for (int i = 0; i < data.length; i++) {
      data[i] *= 0.5f + ((i / 12) % 5) * 0.3f; // uneven norms
    }
    FloatMatrix memories = FloatMatrix.of("memories", data, 500, 12);
    FloatMatrix queries = QuerySet.fromMemories(memories, 9, Corruption.parse("gaussian:0.3"),
        seed + 1).queries();
    Path w = tmp.resolve("w.npy");
    org.hopfieldstore.core.kernel.LinearFeatureMap.gaussian(16, 12, seed + 2).write(w);
    LocalRetrievalEngine local =
        new LocalRetrievalEngine(MemoryBlock.of(memories), ScoreKernels.byName("java"));
    for (String s : new String[] {"softmax:beta=8,steps=3", "sparsemax:beta=8,steps=2",
        "entmax:alpha=1.5,beta=8,steps=2", "topk:k=5,beta=8,steps=2"}) {
      for (boolean normalized : new boolean[] {false, true}) {
        RetrievalSpec spec = RetrievalSpec.parse(s).withKernel(w.toString(), normalized);
        RetrievalResult want = local.retrieve(queries, spec, 10, true);
        for (int p : new int[] {1, 3, 7}) {
          try (DistributedStore store = DistributedStore.fromMatrix(jsc, memories, p,
              StorageLevel.MEMORY_ONLY(), "nd4j")) {
            assertSame(want, store.retrieve(queries, spec, 10, true),
                "seed=" + seed + " " + spec + " P=" + p);
          }
        }
      }
    }
  }

  private void checkInvariance(FloatMatrix memories, FloatMatrix queries, String what) {
    LocalRetrievalEngine local =
        new LocalRetrievalEngine(MemoryBlock.of(memories), ScoreKernels.byName("java"));
    for (String s : SPECS) {
      RetrievalSpec spec = RetrievalSpec.parse(s);
      RetrievalResult want = local.retrieve(queries, spec, 10, true);
      for (int p : PARTITIONS) {
        try (DistributedStore store = DistributedStore.fromMatrix(jsc, memories, p,
            StorageLevel.MEMORY_ONLY(), "nd4j")) {
          RetrievalResult got = store.retrieve(queries, spec, 10, true);
          assertSame(want, got, what + " " + s + " P=" + p);
        }
      }
    }
  }

  /** States within 1e-5, same steps and support sizes, top ids equal up to float ties. */
  static void assertSame(RetrievalResult want, RetrievalResult got, String msg) {
    for (int b = 0; b < want.batch(); b++) {
      assertEquals(want.steps(b), got.steps(b), msg + " steps of query " + b);
      assertEquals(want.supportSize(b), got.supportSize(b), msg + " support of query " + b);
      for (int j = 0; j < want.states().cols(); j++) {
        assertEquals(want.states().get(b, j), got.states().get(b, j), 1e-5,
            msg + " query " + b + " coordinate " + j);
      }
      double[] we = want.energies(b);
      double[] ge = got.energies(b);
      assertEquals(we.length, ge.length, msg);
      for (int t = 0; t < we.length; t++) {
        assertEquals(we[t], ge[t], 1e-5, msg + " energy " + t + " of query " + b);
      }
      long[] wi = want.topIds(b);
      long[] gi = got.topIds(b);
      float[] ww = want.topWeights(b);
      float[] gw = got.topWeights(b);
      for (int r = 0; r < wi.length; r++) {
        assertEquals(ww[r], gw[r], 1e-5, msg + " top weight " + r + " of query " + b);
        // float32 scores carry ~1e-7 relative rounding, so weights of different memories can
        // swap only when they agree to ~1e-4 relative (entmax amplifies near its threshold):
        // only those count as ties
        boolean tied = ww[r] > 0 && ((r > 0 && Math.abs(ww[r] - ww[r - 1]) <= 1e-4 * ww[r])
            || (r + 1 < wi.length && Math.abs(ww[r] - ww[r + 1]) <= 1e-4 * ww[r]));
        if (!tied) {
          assertEquals(wi[r], gi[r], msg + " top id " + r + " of query " + b);
        }
      }
    }
  }

  @Test
  void sparsemaxSendsOnlyLocalSupportsOnWellSeparatedMemories() {
    long seed = 7L;
    FloatMatrix memories = SyntheticMemories.uniformSphere(20_000, 64, seed);
    FloatMatrix queries = QuerySet.fromMemories(memories, 8, Corruption.parse("gaussian:0.02"),
        seed).queries();
    int p = 7;
    try (DistributedStore store = DistributedStore.fromMatrix(jsc, memories, p,
        StorageLevel.MEMORY_ONLY(), "nd4j")) {
      RetrievalResult r = store.retrieve(queries, RetrievalSpec.parse("sparsemax:beta=16"), 10,
          false);
      List<DistributedStore.StepTraffic> traffic = store.traffic();
      assertEquals(1, traffic.size());
      DistributedStore.StepTraffic t = traffic.get(0);
      // each partition sends at most its local support per query; beta = 16 on unit vectors
      // keeps every local support tiny, so candidates stay far below M per query
      assertTrue(t.candidates <= (long) p * 8 * 20, "candidates " + t.candidates);
      assertTrue(t.candidates < 20_000L * 8 / 100, "candidates " + t.candidates);
      // the rows come with the partials: at most every candidate's row (plus a header each)
      assertTrue(t.rowBytes > 0 && t.rowBytes <= t.candidates * (8 + 4 * 64) + 8L * p,
          "row bytes " + t.rowBytes + " for " + t.candidates + " candidates");
      assertTrue(r.supportSize(0) >= 1);
      // softmax, for contrast, sends d + 2 numbers per query per partition
      store.retrieve(queries, RetrievalSpec.parse("softmax:beta=16"), 10, false);
      DistributedStore.StepTraffic soft = store.traffic().get(1);
      assertTrue(soft.partialBytes > t.partialBytes, soft + " vs " + t);
    }
  }

  @Test
  void badPartitionCountsAndEmptyStoresAreRejected() {
    FloatMatrix memories = SyntheticMemories.uniformSphere(5, 4, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DistributedStore.fromMatrix(jsc, memories, 0, StorageLevel.MEMORY_ONLY(), "nd4j"));
    assertTrue(e.getMessage().contains("partitions must be >= 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> DistributedStore.fromMatrix(jsc, memories, 6, StorageLevel.MEMORY_ONLY(), "nd4j"));
    assertTrue(e.getMessage().contains("must not exceed the number of memories"), e.getMessage());
    try (DistributedStore store = DistributedStore.fromMatrix(jsc, memories, 2,
        StorageLevel.MEMORY_ONLY(), "nd4j")) {
      FloatMatrix q = SyntheticMemories.uniformSphere(2, 3, 1);
      e = assertThrows(IllegalArgumentException.class,
          () -> store.retrieve(q, RetrievalSpec.parse("softmax"), 10, false));
      assertTrue(e.getMessage().contains("dimension mismatch"), e.getMessage());
    }
  }

  /**
   * Data frames of float or double arrays decode (as internal rows) to the same store, its
   * input splits merged without a shuffle or repartitioned when too few, and a null inside a
   * vector is rejected with the memory's id.
   */
  @Test
  void dataFramesOfEveryVectorTypeGiveTheLocalAnswer() {
    long seed = 11L;
    FloatMatrix memories = SyntheticMemories.uniformSphere(300, 12, seed);
    FloatMatrix queries = QuerySet.fromMemories(memories, 16, Corruption.parse("gaussian:0.1"), seed + 1)
        .queries();
    RetrievalSpec spec = RetrievalSpec.parse("sparsemax:beta=4,steps=3");
    RetrievalResult want = new LocalRetrievalEngine(MemoryBlock.of(memories),
        ScoreKernels.byName("java")).retrieve(queries, spec, 10, true);
    List<org.apache.spark.sql.Row> floats = new java.util.ArrayList<>();
    List<org.apache.spark.sql.Row> doubles = new java.util.ArrayList<>();
    for (int i = 0; i < memories.rows(); i++) {
      Float[] f = new Float[memories.cols()];
      Double[] g = new Double[memories.cols()];
      for (int j = 0; j < f.length; j++) {
        f[j] = memories.get(i, j);
        g[j] = (double) memories.get(i, j);
      }
      floats.add(org.apache.spark.sql.RowFactory.create((long) i, f));
      doubles.add(org.apache.spark.sql.RowFactory.create((long) i, g));
    }
    var types = new org.apache.spark.sql.types.DataType[] {
        org.apache.spark.sql.types.DataTypes.createArrayType(
            org.apache.spark.sql.types.DataTypes.FloatType),
        org.apache.spark.sql.types.DataTypes.createArrayType(
            org.apache.spark.sql.types.DataTypes.DoubleType)};
    List<List<org.apache.spark.sql.Row>> data = List.of(floats, doubles);
    for (int t = 0; t < types.length; t++) {
      var df = spark.createDataFrame(data.get(t), new org.apache.spark.sql.types.StructType()
          .add("id", org.apache.spark.sql.types.DataTypes.LongType).add("vector", types[t]))
          .repartition(5);
      for (int p : new int[] {3, 8}) {
        try (DistributedStore store = DistributedStore.fromDataFrame(df, "id", "vector", "frame",
            p, StorageLevel.MEMORY_ONLY(), "nd4j")) {
          assertEquals(p, store.partitions(), types[t] + " P=" + p);
          assertSame(want, store.retrieve(queries, spec, 10, true), types[t] + " P=" + p
              + " seed=" + seed);
        }
      }
    }
    List<org.apache.spark.sql.Row> holed = new java.util.ArrayList<>(floats);
    holed.set(7, org.apache.spark.sql.RowFactory.create(7L, new Float[] {1f, null, 0f}));
    var df = spark.createDataFrame(holed, new org.apache.spark.sql.types.StructType()
        .add("id", org.apache.spark.sql.types.DataTypes.LongType).add("vector", types[0]));
    Exception e = assertThrows(Exception.class, () -> DistributedStore.fromDataFrame(df, "id",
        "vector", "frame", 2, StorageLevel.MEMORY_ONLY(), "nd4j").memoryCount());
    assertTrue(Errors.unwrap(e).getMessage().contains("frame: null value in memory id 7, "
        + "column 1"), Errors.unwrap(e).getMessage());
  }
}
