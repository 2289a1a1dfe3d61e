package org.hopfieldstore.spark.ml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.spark.dist.DistributedStore;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.ArraySeq;

/**
 * A fitted {@link HopfieldRetrieval}: memories cached on the executors in a {@link
 * DistributedStore}. {@link #transform} retrieves the query column of any DataFrame and adds the
 * final state, the top memory ids and their weights to every row, keeping the rows and their
 * order. Queries are a batch problem (the memories are what is big): they are collected to the
 * driver in batches of {@code batchSize}, each batch runs the distributed update steps, and the
 * results travel back to the rows as broadcasts. Retrieval therefore runs when {@code transform}
 * is called, not when the returned DataFrame is evaluated. The retrieval params (rule, beta, ...,
 * output columns, report, batchSize) can be changed on the model; the memory params (idCol,
 * vectorCol, numPartitions, kernel, storageLevel) record how it was fitted.
 *
 * <p>Saved as JSON params metadata plus the memories as Parquet {@code data/} ({@code id: long,
 * vector: array<float>}); {@link #load} rebuilds the store with the saved partitioning, kernel
 * and storage level. A fitted model writes its memories from the fit DataFrame's lineage, so that
 * frame's source must still be readable (and unchanged) when the model is saved.
 */
public class HopfieldRetrievalModel extends Model<HopfieldRetrievalModel>
    implements HopfieldRetrievalParams, MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final RetrievalParams p;
  private transient DistributedStore store;
  private transient Dataset<Row> memories;

  HopfieldRetrievalModel(String uid, DistributedStore store, Dataset<Row> memories) {
    this.uid = uid;
    this.p = new RetrievalParams(this);
    this.store = store;
    this.memories = memories;
  }

  @Override
  public RetrievalParams hopfieldParams() {
    return p;
  }

  @Override
  public String uid() {
    return uid;
  }

  /** Every param, the generated spec-key params included. */
  @Override
  public Param<?>[] params() {
    return p.all();
  }

  /** Number of stored memories. */
  public long memoryCount() {
    return store.memoryCount();
  }

  /** Dimension of the memories, and so of queries and states. */
  public int dim() {
    return store.dim();
  }

  /** The distributed store behind this model (shared with its copies). */
  public DistributedStore store() {
    return store;
  }

  /** The stored memories as {@code (id: long, vector: array<float>)}, as saved. */
  public Dataset<Row> memories() {
    return memories;
  }

  /** Drops the cached memory blocks; this model and its copies cannot transform afterwards. */
  public void unpersist() {
    store.close();
  }

  /** Sets rule, beta, steps, tol and, where the rule uses them, alpha, k and solver. */
  public HopfieldRetrievalModel setSpec(String spec) {
    p.setSpec(this, RetrievalSpec.parse(spec));
    return this;
  }

  /** Sets the params from a spec, as {@link #setSpec(String)}. */
  public HopfieldRetrievalModel setSpec(RetrievalSpec spec) {
    p.setSpec(this, spec);
    return this;
  }

  /** Sets {@link #rule()}. */
  public HopfieldRetrievalModel setRule(String value) {
    set(p.rule, value);
    return this;
  }

  /** Sets {@link #beta()}. */
  public HopfieldRetrievalModel setBeta(double value) {
    set(beta(), value);
    return this;
  }

  /** Sets {@link #steps()}. */
  public HopfieldRetrievalModel setSteps(int value) {
    set(steps(), value);
    return this;
  }

  /** Sets {@link #tol()}. */
  public HopfieldRetrievalModel setTol(double value) {
    set(tol(), value);
    return this;
  }

  /** Sets {@link #alpha()}. */
  public HopfieldRetrievalModel setAlpha(double value) {
    set(alpha(), value);
    return this;
  }

  /** Sets {@link #k()}. */
  public HopfieldRetrievalModel setK(int value) {
    set(k(), value);
    return this;
  }

  /** Sets {@link #solver()}. */
  public HopfieldRetrievalModel setSolver(String value) {
    set(solver(), value);
    return this;
  }

  /** Sets {@link #queryCol()}. */
  public HopfieldRetrievalModel setQueryCol(String value) {
    set(p.queryCol, value);
    return this;
  }

  /** Sets {@link #stateCol()}. */
  public HopfieldRetrievalModel setStateCol(String value) {
    set(p.stateCol, value);
    return this;
  }

  /** Sets {@link #topIdsCol()}. */
  public HopfieldRetrievalModel setTopIdsCol(String value) {
    set(p.topIdsCol, value);
    return this;
  }

  /** Sets {@link #topWeightsCol()}. */
  public HopfieldRetrievalModel setTopWeightsCol(String value) {
    set(p.topWeightsCol, value);
    return this;
  }

  /** Sets {@link #report()}. */
  public HopfieldRetrievalModel setReport(int value) {
    set(p.report, value);
    return this;
  }

  /** Sets {@link #batchSize()}. */
  public HopfieldRetrievalModel setBatchSize(int value) {
    set(p.batchSize, value);
    return this;
  }

  /**
   * The input schema plus stateCol (array<float>), topIdsCol (array<long>) and topWeightsCol
   * (array<float>); the query column must be array<float> or array<double>, of size {@code dim}
   * when both its metadata and {@code dim} (>= 0) know a size.
   */
  static StructType outputSchema(HopfieldRetrievalParams params, StructType schema, int dim) {
    StructField q = Columns.requireVector(schema, params.getQueryCol(), "queries", "queryCol");
    long known = Columns.knownSize(q);
    if (dim >= 0 && known >= 0 && known != dim) {
      throw new IllegalArgumentException("queries: column '" + q.name() + "' (queryCol) holds "
          + "vectors of size " + known + " (its metadata); the memories have dimension " + dim);
    }
    String[][] outputs = {{params.getStateCol(), "stateCol"},
        {params.getTopIdsCol(), "topIdsCol"}, {params.getTopWeightsCol(), "topWeightsCol"}};
    HashSet<String> names = new HashSet<>();
    for (String[] o : outputs) {
      Columns.requireAbsent(schema, o[0], o[1]);
      if (!names.add(o[0])) {
        throw new IllegalArgumentException("output column '" + o[0] + "' (" + o[1]
            + ") is named twice among stateCol, topIdsCol and topWeightsCol");
      }
    }
    long size = dim >= 0 ? dim : known;
    return schema
        .add(new StructField(params.getStateCol(),
            DataTypes.createArrayType(DataTypes.FloatType, false), false,
            size >= 0 ? Columns.sized(size) : Metadata.empty()))
        .add(params.getTopIdsCol(), DataTypes.createArrayType(DataTypes.LongType, false), false)
        .add(params.getTopWeightsCol(), DataTypes.createArrayType(DataTypes.FloatType, false),
            false);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return outputSchema(this, schema, store == null ? -1 : store.dim());
  }

  /**
   * Retrieves every query and returns the input rows, in order, with the three output columns.
   * A null, mistyped, non-finite or wrong-length query fails naming its row (0-based, in the
   * frame's order). The frame is computed more than once (row count, queries, then rows), so its
   * rows must come out the same way each time (true of files, in-memory data and deterministic
   * plans; cache or checkpoint after an unordered shuffle): a row whose query changed between
   * the reads fails the job rather than get another row's answer.
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema(), true);
    RetrievalSpec spec = spec();
    Dataset<Row> df = dataset.toDF();
    SparkSession spark = df.sparkSession();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String qc = getQueryCol();
    int d = store.dim();
    int width = spec.isSummary() ? 0 : (int) Math.min(getReport(), store.memoryCount());
    int batchSize = getBatchSize();
    String dimWhy = "the memories have dimension " + d;

    int qi = df.schema().fieldIndex(qc);
    // one indexed RDD for both reads: the same plan computed twice gives the same row order
    JavaPairRDD<Row, Long> indexed = df.javaRDD().zipWithIndex();
    Iterator<float[]> it = indexed.map(t -> Columns.floats(t._1(), qi, d,
        "queries: row " + t._2() + " of column '" + qc + "' (queryCol)", dimWhy))
        .toLocalIterator();
    Batches results = new Batches(d, width);
    float[] batch = new float[Math.multiplyExact(batchSize, d)];
    int inBatch = 0;
    try {
      while (it.hasNext()) {
        float[] q = it.next();
        if (inBatch == batchSize) {
          results.retrieve(store, batch, inBatch, spec, getReport());
          inBatch = 0;
        }
        System.arraycopy(q, 0, batch, inBatch * d, d);
        results.fingerprints.add(Columns.fingerprint(q, 0, d));
        inBatch++;
      }
    } catch (Exception e) {
      throw Errors.unwrap(e);
    }
    if (inBatch > 0) {
      results.retrieve(store, batch, inBatch, spec, getReport());
    }

    Broadcast<float[]> states = jsc.broadcast(results.states());
    Broadcast<long[]> ids = jsc.broadcast(results.ids());
    Broadcast<float[]> weights = jsc.broadcast(results.weights());
    Broadcast<long[]> prints = jsc.broadcast(results.fingerprints.toArray());
    JavaRDD<Row> rows =
        indexed.map(new AppendResults(qi, d, width, dimWhy, states, ids, weights, prints));
    return spark.createDataFrame(rows, out);
  }

  /** Results of all batches so far, concatenated row-major. */
  private static final class Batches {
    final int d;
    final int width;
    final List<float[]> states = new ArrayList<>();
    final List<long[]> ids = new ArrayList<>();
    final List<float[]> weights = new ArrayList<>();
    final LongList fingerprints = new LongList();

    Batches(int d, int width) {
      this.d = d;
      this.width = width;
    }

    void retrieve(DistributedStore store, float[] batch, int n, RetrievalSpec spec, int report) {
      FloatMatrix q = FloatMatrix.of("queries", Arrays.copyOf(batch, n * d), n, d);
      RetrievalResult r;
      try {
        r = store.retrieve(q, spec, report, false);
      } catch (Exception e) {
        throw Errors.unwrap(e);
      }
      states.add(r.states().data());
      long[] i = new long[n * width];
      float[] w = new float[n * width];
      for (int b = 0; b < n; b++) {
        System.arraycopy(r.topIds(b), 0, i, b * width, width);
        System.arraycopy(r.topWeights(b), 0, w, b * width, width);
      }
      ids.add(i);
      weights.add(w);
    }

    float[] states() {
      return concat(states);
    }

    long[] ids() {
      int n = ids.stream().mapToInt(a -> a.length).sum();
      long[] out = new long[n];
      int at = 0;
      for (long[] a : ids) {
        System.arraycopy(a, 0, out, at, a.length);
        at += a.length;
      }
      return out;
    }

    float[] weights() {
      return concat(weights);
    }

    private static float[] concat(List<float[]> parts) {
      long n = parts.stream().mapToLong(a -> a.length).sum();
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("queries: " + n + " output values do not fit one "
            + "transform; split the query DataFrame");
      }
      float[] out = new float[(int) n];
      int at = 0;
      for (float[] a : parts) {
        System.arraycopy(a, 0, out, at, a.length);
        at += a.length;
      }
      return out;
    }
  }

  /** A growable long array. */
  private static final class LongList {
    long[] a = new long[16];
    int n;

    void add(long v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[n++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }

  /** Appends row i's state, top ids and top weights to row i, after checking its query. */
  private static final class AppendResults implements Function<Tuple2<Row, Long>, Row> {
    private static final long serialVersionUID = 1L;
    private final int qi;
    private final int d;
    private final int width;
    private final String dimWhy;
    private final Broadcast<float[]> states;
    private final Broadcast<long[]> ids;
    private final Broadcast<float[]> weights;
    private final Broadcast<long[]> prints;

    AppendResults(int qi, int d, int width, String dimWhy, Broadcast<float[]> states,
        Broadcast<long[]> ids, Broadcast<float[]> weights, Broadcast<long[]> prints) {
      this.qi = qi;
      this.d = d;
      this.width = width;
      this.dimWhy = dimWhy;
      this.states = states;
      this.ids = ids;
      this.weights = weights;
      this.prints = prints;
    }

    @Override
    public Row call(Tuple2<Row, Long> t) {
      Row row = t._1();
      long i = t._2();
      float[] q = Columns.floats(row, qi, d, "queries: row " + i, dimWhy);
      long[] known = prints.value();
      if (i >= known.length || known[(int) i] != Columns.fingerprint(q, 0, d)) {
        throw new IllegalStateException("queries: row " + i + " holds another query than when "
            + "it was retrieved: the query DataFrame's row order is not deterministic; sort, "
            + "cache or checkpoint it before transform");
      }
      int b = (int) i;
      Object[] values = new Object[row.size() + 3];
      for (int j = 0; j < row.size(); j++) {
        values[j] = row.get(j);
      }
      // the Row encoder takes arrays as Scala Seqs
      values[row.size()] =
          ArraySeq.unsafeWrapArray(Arrays.copyOfRange(states.value(), b * d, (b + 1) * d));
      values[row.size() + 1] = ArraySeq.unsafeWrapArray(
          Arrays.copyOfRange(ids.value(), b * width, (b + 1) * width));
      values[row.size() + 2] = ArraySeq.unsafeWrapArray(
          Arrays.copyOfRange(weights.value(), b * width, (b + 1) * width));
      return RowFactory.create(values);
    }
  }

  /** A copy with {@code extra} params, sharing this model's store, memories and parent. */
  @Override
  public HopfieldRetrievalModel copy(ParamMap extra) {
    HopfieldRetrievalModel copy = new HopfieldRetrievalModel(uid, store, memories);
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /** Reads a model saved with {@code write().save(path)}. */
  public static MLReader<HopfieldRetrievalModel> read() {
    return new Reader();
  }

  /** Loads a model saved with {@code save(path)}, rebuilding its distributed store. */
  public static HopfieldRetrievalModel load(String path) {
    return read().load(path);
  }

  /** Params as JSON metadata ({@link DefaultParamsWriter}), memories as Parquet {@code data/}. */
  static final class Writer extends MLWriter {
    private final HopfieldRetrievalModel model;

    Writer(HopfieldRetrievalModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sparkSession());
      model.memories.write().parquet(new org.apache.hadoop.fs.Path(path, "data").toString());
    }
  }

  /** The inverse of {@link Writer}: params first, then the store from {@code data/}. */
  static final class Reader extends MLReader<HopfieldRetrievalModel> {
    @Override
    public HopfieldRetrievalModel load(String path) {
      DefaultParamsReader.Metadata md = DefaultParamsReader$.MODULE$.loadMetadata(path,
          sparkSession(), HopfieldRetrievalModel.class.getName());
      HopfieldRetrievalModel model = new HopfieldRetrievalModel(md.uid(), null, null);
      md.getAndSetParams(model, Option.empty());
      Dataset<Row> memories = sparkSession().read()
          .parquet(new org.apache.hadoop.fs.Path(path, "data").toString());
      Columns.requireId(memories.schema(), MemoryFrames.ID, MemoryFrames.ROLE, "saved id");
      Columns.requireVector(memories.schema(), MemoryFrames.VECTOR, MemoryFrames.ROLE,
          "saved vector");
      int partitions = model.isDefined(model.numPartitions()) ? model.getNumPartitions()
          : Math.max(1, memories.rdd().getNumPartitions());
      model.memories = memories;
      model.store = MemoryFrames.open(memories, partitions, model.getStorageLevel(),
          model.getKernel());
      return model;
    }
  }
}
