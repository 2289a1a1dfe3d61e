package org.hopfieldstore.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.apache.spark.sql.functions.udf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.Params;
import org.hopfieldstore.core.rules.Rules;
import org.hopfieldstore.core.rules.SpecKey;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF0;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.score.ScoreKernels;
import org.hopfieldstore.spark.dist.QueryData;
import org.hopfieldstore.spark.dist.SparkSetup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.immutable.ArraySeq;

/**
 * The Spark ML API: params (docs, defaults, validators, the spec string), fit/transform against
 * the in-process core engine for every rule, estimator and model save/load, and bad input. One
 * local[2] session with Kryo registration required; data seeded (seed in every message).
 */
class HopfieldRetrievalTest {
  static final long SEED = 20260311L;
  static final int M = 1500;
  static final int D = 24;
  static final int Q = 23;
  static final String[] SPECS = {"softmax:beta=8,steps=3", "sparsemax:beta=4,steps=3",
      "entmax:alpha=1.5,beta=4,steps=2", "entmax:alpha=1.25,beta=4,steps=2,solver=bisect",
      "topk:k=5,beta=8,steps=2", "masked:keep=0.5,beta=8,seed=1", "linear:beta=1,steps=2",
      "prf:features=64,beta=2,seed=1"};

  static SparkSession spark;
  static FloatMatrix memories;
  static FloatMatrix queries;
  static Dataset<Row> memoryFrame;
  static Dataset<Row> queryFrame;
  static HopfieldRetrievalModel model;

  @BeforeAll
  static void start() {
    spark = SparkSetup.session("local[2]", "HopfieldRetrievalTest");
    memories = SyntheticMemories.uniformSphere(M, D, SEED);
    queries = QuerySet.fromMemories(memories, Q, Corruption.parse("gaussian:0.05"), SEED + 1)
        .queries();
    memoryFrame = memoryFrame(memories, DataTypes.DoubleType);
    queryFrame = queryFrame(queries);
    model = new HopfieldRetrieval().setNumPartitions(3).setBatchSize(7).fit(memoryFrame);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** (id, vector) rows, ids = row index; vector of the given element type. */
  static Dataset<Row> memoryFrame(FloatMatrix m, DataType element) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < m.rows(); i++) {
      rows.add(RowFactory.create((long) i, boxed(m.row(i), element)));
    }
    return spark.createDataFrame(rows, new StructType()
        .add("id", DataTypes.LongType)
        .add("vector", DataTypes.createArrayType(element)));
  }

  /**
   * (qid = 100 - row, tag, query: array<float>) over three partitions, built on the executors
   * from spark.range so row order across partitions is fixed.
   */
  static Dataset<Row> queryFrame(FloatMatrix q) {
    float[] data = q.data();
    int d = q.cols();
    StructType schema = new StructType()
        .add("qid", DataTypes.LongType)
        .add("tag", DataTypes.StringType)
        .add("query", DataTypes.createArrayType(DataTypes.FloatType));
    return spark.range(0, q.rows(), 1, 3).map((MapFunction<Long, Row>) i -> {
      float[] row = Arrays.copyOfRange(data, (int) (i * d), (int) ((i + 1) * d));
      return RowFactory.create(100 - i, "q" + i,
          ArraySeq.unsafeWrapArray(boxed(row, DataTypes.FloatType)));
    }, Encoders.row(schema));
  }

  static Object[] boxed(float[] v, DataType element) {
    Object[] out = new Object[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = element.equals(DataTypes.FloatType) ? (Object) v[j] : (Object) (double) v[j];
    }
    return out;
  }

  @Test
  void kryoRegistrationIsRequiredInTheseTests() {
    assertEquals("true", spark.sparkContext().getConf().get("spark.kryo.registrationRequired"));
  }

  // ---- params ---------------------------------------------------------------------------------

  /** Spark's ParamsSuite.checkParams (not published for Java): order, owner, copy type. */
  static void checkParams(Params obj) throws NoSuchMethodException {
    Param<?>[] params = obj.params();
    String[] names = Arrays.stream(params).map(Param::name).toArray(String[]::new);
    String[] sorted = names.clone();
    Arrays.sort(sorted);
    assertArrayEquals(sorted, names, "params must be ordered by name");
    for (Param<?> p : params) {
      assertEquals(obj.uid(), p.parent(), p.name());
      assertSame(p, obj.getParam(p.name()), p.name());
      assertFalse(p.doc() == null || p.doc().isBlank(), p.name() + " has no doc");
    }
    assertEquals(obj.getClass(), obj.getClass().getMethod("copy", ParamMap.class)
        .getReturnType(), "copy must return " + obj.getClass().getName());
  }

  @Test
  void paramsFollowSparkConventionsWithDocumentedDefaults() throws Exception {
    HopfieldRetrieval h = new HopfieldRetrieval();
    checkParams(h);
    checkParams(model);
    assertEquals(List.of("alpha", "batchSize", "beta", "features", "idCol", "k", "keep",
        "kernel", "kernelMap", "kernelPath", "mask", "numPartitions", "projection", "queryCol", "report",
        "rule", "score", "seed",
        "solver", "stateCol", "steps", "storageLevel", "tol", "topIdsCol", "topWeightsCol",
        "vectorCol"),
        Arrays.stream(h.params()).map(Param::name).toList());
    assertEquals("softmax", h.getRule());
    assertEquals(org.hopfieldstore.core.rules.SpecKeys.BETA.defaultValue(), h.getBeta());
    assertEquals(1.0, h.getBeta());
    assertEquals(1, h.getSteps());
    assertEquals(0.0, h.getTol());
    assertEquals(1.5, h.getAlpha());
    assertEquals(32, h.getK());
    assertEquals("exact", h.getSolver());
    assertEquals("id", h.getIdCol());
    assertEquals("vector", h.getVectorCol());
    assertEquals("query", h.getQueryCol());
    assertEquals("state", h.getStateCol());
    assertEquals("top_ids", h.getTopIdsCol());
    assertEquals("top_weights", h.getTopWeightsCol());
    assertEquals(10, h.getReport());
    assertEquals(1024, h.getBatchSize());
    assertEquals("nd4j", h.getKernel());
    assertEquals("MEMORY_ONLY", h.getStorageLevel());
    assertEquals("orthogonal", h.getOrDefault(h.getParam("projection")));
    assertEquals("prf:features=8,beta=1,steps=1,tol=0,seed=2,projection=iid",
        new HopfieldRetrieval().setSpec("prf:features=8,seed=2,projection=iid").spec().toString());
    assertFalse(h.isDefined(h.numPartitions()), "numPartitions defaults to the frame's count");
    assertEquals(RetrievalSpec.parse("softmax"), h.spec());
    // the model records what fit used
    assertEquals(3, model.getNumPartitions());
    assertEquals(M, model.memoryCount());
    assertEquals(D, model.dim());
    assertTrue(h.uid().startsWith("hopfieldRetrieval_"), h.uid());
  }

  @Test
  void everySpecKeyOfTheRegistryIsAParamWithItsDefault() {
    for (Params owner : new Params[] {new HopfieldRetrieval(), model}) {
      for (SpecKey<?> key : Rules.allKeys()) {
        assertTrue(owner.hasParam(key.paramName()), key.name() + " has no Param on " + owner);
        Param<?> p = owner.getParam(key.paramName());
        assertTrue(p.doc().contains(key.range()), p.doc());
        if (key.defaultValue() != null) {
          assertEquals(key.defaultValue(), owner.getOrDefault(p), key.name());
        } else {
          assertFalse(owner.isDefined(p), key.name());
        }
      }
      for (String rule : Rules.names()) {
        assertTrue((Boolean) ((HopfieldRetrievalParams<?>) owner).rule().isValid().apply(rule), rule);
      }
    }
  }

  @Test
  void validatorsRejectOutOfRangeValues() {
    HopfieldRetrieval h = new HopfieldRetrieval();
    List<Consumer<HopfieldRetrieval>> bad = List.of(
        e -> e.setBeta(0), e -> e.setBeta(-1), e -> e.setBeta(Double.NaN),
        e -> e.setBeta(Double.POSITIVE_INFINITY), e -> e.setAlpha(1.0), e -> e.setAlpha(2.5),
        e -> e.setAlpha(0.5), e -> e.setK(0), e -> e.setSteps(0), e -> e.setTol(-1e-9),
        e -> e.setRule("gauss"), e -> e.setRule("Softmax"), e -> e.setSolver("newton"),
        e -> e.setReport(0), e -> e.setBatchSize(0), e -> e.setNumPartitions(0),
        e -> e.setKernel("cuda"), e -> e.setStorageLevel("NONE"),
        e -> e.setStorageLevel("MEMORY_SOMETIMES"), e -> e.setIdCol(""),
        e -> e.setQueryCol(" "));
    for (int i = 0; i < bad.size(); i++) {
      Consumer<HopfieldRetrieval> set = bad.get(i);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> set.accept(h), "bad value #" + i + " accepted");
      assertTrue(e.getMessage().contains("invalid value"), e.getMessage());
    }
    assertEquals(RetrievalSpec.parse("softmax"), h.spec(), "rejected values left no trace");
    // the edges of the ranges are valid
    h.setAlpha(2.0).setTol(0).setK(1).setSteps(1).setBeta(1e-6).setStorageLevel("DISK_ONLY");
  }

  @Test
  void specRoundTripsThroughTheParams() {
    String[] specs = {"softmax", "softmax:beta=8,steps=3,tol=1e-6", "sparsemax:beta=4",
        "sparsemax:beta=4,solver=bisect", "entmax:alpha=1.25,beta=2.5,steps=7",
        "entmax:alpha=2,solver=bisect", "topk:k=3,beta=8", "topk:k=64,beta=0.5,tol=0.01",
        "masked:keep=0.5,beta=2,seed=-3", "linear:beta=0.5,steps=2", "prf:features=16,seed=9",
        "softmax:beta=2,kernel=w.npy,kernel_map=normalized", "topk:k=2,kernel=w.npy"};
    for (String s : specs) {
      RetrievalSpec want = RetrievalSpec.parse(s);
      HopfieldRetrieval h = new HopfieldRetrieval().setSpec("entmax:alpha=1.75,solver=bisect")
          .setK(9).setSpec(s);
      assertEquals(want, h.spec(), s);
      assertEquals(want.toString(), h.spec().toString(), s);
      assertEquals(want, RetrievalSpec.parse(h.spec().toString()), s);
      assertEquals(want, model.copy(new ParamMap()).setSpec(s).spec(), s);
    }
    HopfieldRetrieval h = new HopfieldRetrieval().setRule("entmax").setAlpha(1.25).setBeta(4)
        .setSteps(2).setSolver("bisect");
    assertEquals(RetrievalSpec.parse("entmax:alpha=1.25,beta=4,steps=2,solver=bisect"),
        h.spec());
    // params a rule does not use do not change its spec
    assertEquals(RetrievalSpec.parse("topk:k=4"),
        new HopfieldRetrieval().setRule("topk").setK(4).setAlpha(1.9).setSolver("bisect").spec());
    assertThrows(IllegalArgumentException.class, () -> new HopfieldRetrieval().setSpec("gauss"));
  }

  // ---- fit and transform ----------------------------------------------------------------------

  @Test
  void transformEqualsTheCoreEngineForEveryRuleAndKeepsRows() {
    LocalRetrievalEngine local =
        new LocalRetrievalEngine(MemoryBlock.of(memories), ScoreKernels.byName("java"));
    for (String s : SPECS) {
      String msg = s + ", seed " + SEED;
      // transform knows a query by a fingerprint of its vector: masked draws its masks from it
      RetrievalResult want = RetrievalLoop.run(local, queries, IntStream.range(0, Q)
          .mapToLong(b -> QueryData.fingerprint(queries.row(b))).toArray(),
          RetrievalSpec.parse(s), 10, true);
      List<Row> got = model.copy(new ParamMap()).setSpec(s).transform(queryFrame)
          .collectAsList();
      checkAgainst(want, got, msg);
    }
  }

  /** Rows in input order (qid 100, 99, ...), tag kept, states within 1e-5, ids tie-aware. */
  static void checkAgainst(RetrievalResult want, List<Row> got, String msg) {
    assertEquals(Q, got.size(), msg);
    for (int b = 0; b < Q; b++) {
      Row r = got.get(b);
      assertEquals(100L - b, r.getLong(r.fieldIndex("qid")), msg + " row order");
      assertEquals("q" + b, r.getString(r.fieldIndex("tag")), msg);
      List<Float> state = r.getList(r.fieldIndex("state"));
      List<Long> ids = r.getList(r.fieldIndex("top_ids"));
      List<Float> weights = r.getList(r.fieldIndex("top_weights"));
      assertEquals(D, state.size(), msg);
      for (int j = 0; j < D; j++) {
        assertEquals(want.states().get(b, j), state.get(j), 1e-5,
            msg + " query " + b + " coordinate " + j);
      }
      long[] wi = want.topIds(b);
      float[] ww = want.topWeights(b);
      assertEquals(wi.length, ids.size(), msg);
      for (int k = 0; k < wi.length; k++) {
        assertEquals(ww[k], weights.get(k), 1e-5, msg + " top weight " + k + " of " + b);
        boolean tied = ww[k] > 0 && ((k > 0 && Math.abs(ww[k] - ww[k - 1]) < 1e-6)
            || (k + 1 < wi.length && Math.abs(ww[k] - ww[k + 1]) < 1e-6));
        if (!tied) {
          assertEquals(wi[k], ids.get(k), msg + " top id " + k + " of query " + b);
        }
      }
    }
  }

  @Test
  void schemasAreCheckedAndDerived() {
    StructType out = model.transformSchema(queryFrame.schema());
    assertEquals(List.of("qid", "tag", "query", "state", "top_ids", "top_weights"),
        Arrays.asList(out.fieldNames()));
    assertEquals(DataTypes.createArrayType(DataTypes.LongType, false),
        out.apply("top_ids").dataType());
    assertEquals(D, Columns.knownSize(out.apply("state")));
    // the state column can be the next retrieval's query column (dimension known)
    Dataset<Row> once = model.copy(new ParamMap()).setSpec("softmax:beta=8").transform(queryFrame)
        .select("qid", "state");
    Dataset<Row> twice = model.copy(new ParamMap()).setQueryCol("state").setStateCol("state2")
        .transform(once);
    assertEquals(Q, twice.count());
    // the estimator passes a memories-only schema through
    StructType mem = memoryFrame.schema();
    assertEquals(mem, new HopfieldRetrieval().transformSchema(mem));
    // ... and derives the output of a frame that also holds queries, as a pipeline would
    StructType both = new HopfieldRetrieval().setQueryCol("vector").transformSchema(mem);
    assertEquals(List.of("id", "vector", "state", "top_ids", "top_weights"),
        Arrays.asList(both.fieldNames()));
  }

  @Test
  void worksAsAPipelineStageAndSavesWithIt(@TempDir Path dir) throws IOException {
    FloatMatrix small = SyntheticMemories.uniformSphere(40, 6, SEED + 2);
    Dataset<Row> frame = memoryFrame(small, DataTypes.FloatType);
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new HopfieldRetrieval().setSpec("sparsemax:beta=16").setQueryCol("vector")
            .setReport(1).setKernel("java")});
    PipelineModel fitted = pipeline.fit(frame);
    String path = dir.resolve("pipeline").toString();
    fitted.write().save(path);
    PipelineModel back = PipelineModel.load(path);
    for (PipelineModel pm : List.of(fitted, back)) {
      List<Row> rows = pm.transform(frame).select("id", "top_ids").collectAsList();
      for (Row r : rows) {
        // a stored pattern retrieves itself at a high beta (seed in the message)
        assertEquals(List.of(r.getLong(0)), r.getList(1), "memory " + r.getLong(0) + ", seed "
            + (SEED + 2));
      }
    }
    ((HopfieldRetrievalModel) fitted.stages()[0]).unpersist();
    ((HopfieldRetrievalModel) back.stages()[0]).unpersist();
  }

  // ---- persistence ----------------------------------------------------------------------------

  @Test
  void estimatorSaveLoadKeepsEveryParam(@TempDir Path dir) throws IOException {
    HopfieldRetrieval h = new HopfieldRetrieval().setSpec("entmax:alpha=1.25,beta=3,steps=4")
        .setIdCol("key").setVectorCol("v").setQueryCol("x").setStateCol("s")
        .setTopIdsCol("i").setTopWeightsCol("w").setReport(3).setBatchSize(5)
        .setNumPartitions(4).setKernel("java").setStorageLevel("MEMORY_AND_DISK");
    String path = dir.resolve("estimator").toString();
    h.save(path);
    HopfieldRetrieval back = HopfieldRetrieval.load(path);
    assertEquals(h.uid(), back.uid());
    assertParamsEqual(h, back);
    assertEquals(h.spec(), back.spec());
    assertThrows(IOException.class, () -> h.save(path), "save must not overwrite silently");
    h.write().overwrite().save(path);
  }

  static void assertParamsEqual(Params a, Params b) {
    for (Param<?> p : a.params()) {
      Param<Object> q = b.getParam(p.name());
      assertEquals(a.isSet(p), b.isSet(q), p.name() + " set");
      assertEquals(a.isDefined(p), b.isDefined(q), p.name() + " defined");
      if (a.isDefined(p)) {
        assertEquals(a.getOrDefault(p), b.getOrDefault(q), p.name());
      }
    }
  }

  @Test
  void modelSaveLoadGivesTheSameTransform(@TempDir Path dir) throws IOException {
    HopfieldRetrievalModel m = model.copy(new ParamMap()).setSpec("sparsemax:beta=4,steps=2")
        .setReport(4);
    String path = dir.resolve("model").toString();
    m.write().save(path);
    HopfieldRetrievalModel back = HopfieldRetrievalModel.load(path);
    assertEquals(m.uid(), back.uid());
    assertParamsEqual(m, back);
    assertEquals(M, back.memoryCount());
    assertEquals(3, back.store().partitions());
    List<Row> want = m.transform(queryFrame).collectAsList();
    List<Row> got = back.transform(queryFrame).collectAsList();
    assertEquals(want.size(), got.size());
    for (int i = 0; i < want.size(); i++) {
      Row w = want.get(i);
      Row g = got.get(i);
      assertEquals(w.getLong(0), g.getLong(0), "row order, seed " + SEED);
      assertEquals(w.getList(4), g.getList(4), "top ids of row " + i + ", seed " + SEED);
      List<Float> ws = w.getList(3);
      List<Float> gs = g.getList(3);
      for (int j = 0; j < D; j++) {
        assertEquals(ws.get(j), gs.get(j), 1e-6f, "row " + i + " coordinate " + j);
      }
    }
    assertEquals(List.of("id", "vector"), Arrays.asList(
        spark.read().parquet(dir.resolve("model/data").toString()).schema().fieldNames()));
    back.unpersist();
  }

  /**
   * fitStore: a model over a pinned store version transforms as the model fitted from the same
   * rows (its kernel summary attached for linear), saves a reference instead of the rows, and
   * loads at that version after the store has moved on.
   */
  @Test
  void modelFittedFromAStoreVersionSavesAReferenceAndStaysAtIt(@TempDir Path dir)
      throws IOException {
    String store = dir.resolve("store").toString();
    org.hopfieldstore.spark.store.MemoryStore.create(spark, memoryFrame, "id", "vector", store,
        org.hopfieldstore.core.data.Preprocessing.NONE, 4,
        List.of(RetrievalSpec.parse("linear:beta=1")), "java");
    FloatMatrix extra = SyntheticMemories.uniformSphere(50, D, SEED + 3);
    Dataset<Row> more = memoryFrame(extra, DataTypes.FloatType)
        .withColumn("id", org.apache.spark.sql.functions.col("id").plus(M));
    org.hopfieldstore.spark.store.MemoryStore.append(spark, store, more, "id", "vector", "java");
    HopfieldRetrievalModel fromStore = new HopfieldRetrieval().setBatchSize(7)
        .setSpec("sparsemax:beta=4,steps=2").fitStore(store + "@0");
    assertEquals(M, fromStore.memoryCount());
    assertEquals(4, fromStore.store().partitions());
    assertEquals(0, fromStore.storeVersion().orElseThrow().version());
    LocalRetrievalEngine local =
        new LocalRetrievalEngine(MemoryBlock.of(memories), ScoreKernels.byName("java"));
    for (String s : new String[] {"sparsemax:beta=4,steps=2", "linear:beta=1,steps=2"}) {
      checkAgainst(local.retrieve(queries, RetrievalSpec.parse(s), 10, true),
          fromStore.copy(new ParamMap()).setSpec(s).transform(queryFrame).collectAsList(),
          s + " from store@0, seed " + SEED);
    }
    String path = dir.resolve("model").toString();
    fromStore.write().save(path);
    assertFalse(java.nio.file.Files.exists(dir.resolve("model/data")), "rows copied");
    org.hopfieldstore.spark.store.MemoryStore.delete(spark, store, null, "id < 10", "java");
    HopfieldRetrievalModel back = HopfieldRetrievalModel.load(path);
    assertEquals(0, back.storeVersion().orElseThrow().version());
    assertEquals(M, back.memoryCount());
    checkAgainst(local.retrieve(queries, RetrievalSpec.parse("sparsemax:beta=4,steps=2"), 10,
        true), back.transform(queryFrame).collectAsList(), "loaded, seed " + SEED);
    HopfieldRetrievalModel latest = new HopfieldRetrieval().fitStore(store);
    assertEquals(M + 50 - 10, latest.memoryCount());
    String msg = failure(() -> new HopfieldRetrieval()
        .setSpec("softmax:beta=2,kernel=store").fitStore(store));
    assertTrue(msg.contains("has no attached kernel"), msg);
    fromStore.unpersist();
    back.unpersist();
    latest.unpersist();
  }

  // ---- bad input ------------------------------------------------------------------------------

  static String failure(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  /** Runs the lazy transform (an action), with the task's own exception as Spark's cause. */
  static void collect(Dataset<Row> transformed) {
    try {
      transformed.collectAsList();
    } catch (Exception e) {
      throw org.hopfieldstore.spark.dist.Errors.unwrap(e);
    }
  }

  static Dataset<Row> frame(StructType schema, Row... rows) {
    return spark.createDataFrame(Arrays.asList(rows), schema);
  }

  static final StructType MEM = new StructType().add("id", DataTypes.LongType)
      .add("vector", DataTypes.createArrayType(DataTypes.FloatType));

  @Test
  void badMemoriesAreRejectedNamingTheColumn() {
    HopfieldRetrieval h = new HopfieldRetrieval().setKernel("java");
    String msg = failure(() -> h.setVectorCol("embedding").fit(memoryFrame));
    assertTrue(msg.contains("'embedding'") && msg.contains("not found")
        && msg.contains("array<float>, array<double> or an ML Vector"), msg);
    h.setVectorCol("vector");
    msg = failure(() -> h.fit(memoryFrame.selectExpr("id", "cast(vector as string) as vector")));
    assertTrue(msg.contains("'vector'") && msg.contains("type string"), msg);
    msg = failure(() -> h.fit(memoryFrame.selectExpr("cast(id as double) as id", "vector")));
    assertTrue(msg.contains("'id'") && msg.contains("type double")
        && msg.contains("long, int, short or byte"), msg);
    msg = failure(() -> h.fit(memoryFrame.limit(0)));
    assertTrue(msg.contains("empty memories"), msg);
    msg = failure(() -> h.fit(frame(MEM, RowFactory.create(0L, new Float[] {1f, 2f}),
        RowFactory.create(1L, new Float[] {1f, 2f, 3f}))));
    assertTrue(msg.contains("dimension mismatch") && msg.contains("memory id 0 has 2")
        && msg.contains("memory id 1 has 3"), msg);
    msg = failure(() -> h.fit(frame(MEM, RowFactory.create(0L, new Float[] {1f}),
        RowFactory.create(5L, null))));
    assertTrue(msg.contains("'vector' is null") && msg.contains("memory id 5"), msg);
    msg = failure(() -> h.fit(frame(MEM, RowFactory.create(null, new Float[] {1f}))));
    assertTrue(msg.contains("'id' is null"), msg);
    msg = failure(() -> h.fit(frame(MEM, RowFactory.create(3L, new Float[] {1f, null}))));
    assertTrue(msg.contains("null values") && msg.contains("memory id 3"), msg);
    msg = failure(() -> h.fit(frame(MEM, RowFactory.create(0L, new Float[] {1f, 0f}),
        RowFactory.create(7L, new Float[] {Float.NaN, 0f}))));
    assertTrue(msg.contains("non-finite") && msg.contains("memory id 7"), msg);
    StructType dbl = new StructType().add("id", DataTypes.IntegerType)
        .add("vector", DataTypes.createArrayType(DataTypes.DoubleType));
    msg = failure(() -> h.fit(frame(dbl, RowFactory.create(2, new Double[] {1e300}))));
    assertTrue(msg.contains("non-finite") && msg.contains("memory id 2"), msg);
    msg = failure(() -> h.fit(frame(MEM, RowFactory.create(4L, new Float[] {1f}),
        RowFactory.create(4L, new Float[] {2f}))));
    assertTrue(msg.contains("duplicate ids") && msg.contains("id 4 appears 2 times"), msg);
    msg = failure(() -> h.fit(frame(MEM, RowFactory.create(-1L, new Float[] {1f}))));
    assertTrue(msg.contains("negative id -1"), msg);
    // int ids and double vectors are fine
    HopfieldRetrievalModel tiny = h.fit(frame(dbl, RowFactory.create(2, new Double[] {1.0, 0.0}),
        RowFactory.create(9, new Double[] {0.0, 1.0})));
    assertEquals(2, tiny.memoryCount());
    tiny.unpersist();
  }

  @Test
  void badQueriesAreRejectedNamingTheColumnAndRow() {
    String msg = failure(() -> model.copy(new ParamMap()).setQueryCol("probe")
        .transform(queryFrame));
    assertTrue(msg.contains("queries") && msg.contains("'probe'") && msg.contains("not found"),
        msg);
    msg = failure(() -> model.transform(queryFrame.selectExpr("qid",
        "transform(query, x -> cast(x as string)) as query")));
    assertTrue(msg.contains("'query'") && msg.contains("type array<string>"), msg);
    msg = failure(() -> collect(model.transform(queryFrame.selectExpr("qid",
        "case when qid = 98 then concat(query, array(cast(0 as float))) else query end "
            + "as query"))));
    assertTrue(msg.contains("row ") && msg.contains("has " + (D + 1) + " values")
        && msg.contains("memories have dimension " + D), msg);
    msg = failure(() -> model.transform(queryFrame.withColumnRenamed("tag", "state")));
    assertTrue(msg.contains("'state'") && msg.contains("already exists"), msg);
    StructType q = new StructType().add("query", DataTypes.createArrayType(DataTypes.FloatType));
    Float[] ok = new Float[D];
    Arrays.fill(ok, 0.1f);
    Float[] nan = ok.clone();
    nan[5] = Float.NaN;
    msg = failure(() -> collect(model.transform(frame(q, RowFactory.create((Object) ok),
        RowFactory.create((Object) nan)))));
    assertTrue(msg.contains("row ") && msg.contains("non-finite") && msg.contains("index 5"),
        msg);
    msg = failure(() -> collect(model.transform(frame(q, RowFactory.create((Object) null)))));
    assertTrue(msg.contains("row 0") && msg.contains("is null"), msg);
    // no queries: no retrieval, the output columns all the same
    Dataset<Row> none = model.transform(queryFrame.limit(0));
    assertEquals(0, none.count());
    assertNotNull(none.schema().apply("top_weights"));
  }

  @Test
  void transformIsLazyAndRunsOnTheExecutorsWhenAnActionRuns() throws Exception {
    AtomicInteger jobs = new AtomicInteger();
    org.apache.spark.scheduler.SparkListener count = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
        jobs.incrementAndGet();
      }
    };
    spark.sparkContext().addSparkListener(count);
    try {
      Dataset<Row> out = model.copy(new ParamMap()).setSpec("sparsemax:beta=4,steps=2")
          .transform(queryFrame);
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertEquals(0, jobs.get(), "transform ran a Spark job");
      assertEquals(Q, out.count());
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertTrue(jobs.get() > 0, "the action ran the retrieval");
    } finally {
      spark.sparkContext().removeSparkListener(count);
    }
  }

  static final AtomicInteger CALLS = new AtomicInteger();

  @Test
  void rowsThatChangeBetweenTheTwoReadsFailInsteadOfGettingAnotherAnswer() {
    UserDefinedFunction calls =
        udf((UDF0<Float>) () -> (float) CALLS.incrementAndGet(), DataTypes.FloatType)
            .asNondeterministic();
    Dataset<Row> moving = queryFrame.withColumn("shift", calls.apply())
        .selectExpr("qid", "transform(query, x -> x + shift * 1e-3) as query");
    SparkException e = assertThrows(SparkException.class,
        () -> model.transform(moving).collectAsList());
    Throwable t = e;
    while (t != null && !(t instanceof IllegalStateException)) {
      t = t.getCause();
    }
    String msg = t == null ? e.getMessage() : t.getMessage();
    assertTrue(msg.contains("holds another query") && msg.contains("not deterministic")
        || e.getMessage().contains("not deterministic"), msg);
  }

  @Test
  void copiesShareTheStoreButNotTheParams() {
    HopfieldRetrievalModel copy = model.copy(ParamMap.empty().put(model.report().w(3)));
    assertSame(model.store(), copy.store());
    assertEquals(3, copy.getReport());
    assertEquals(10, model.getReport());
    assertSame(model.parent(), copy.parent());
    HopfieldRetrieval e = new HopfieldRetrieval().setBeta(2);
    HopfieldRetrieval ec = e.copy(new ParamMap().put(new ParamPair<>(e.beta(), 5.0)));
    assertEquals(5.0, ec.getBeta());
    assertEquals(2.0, e.getBeta());
    assertEquals(e.uid(), ec.uid());
  }
}
