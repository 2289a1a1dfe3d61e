package org.hopfieldstore.spark.ml;

import java.util.Arrays;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.hopfieldstore.spark.dist.MemoryFrames;
import org.hopfieldstore.spark.store.StoreRef;
import org.hopfieldstore.spark.store.StoreVersion;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.spark.dist.DistributedStore;

/**
 * Spark ML estimator of a modern Hopfield associative memory: {@link #fit} stores the memories of
 * a DataFrame ({@code id}, {@code vector}) in a {@link DistributedStore} (partitioned, cached on
 * the executors) and returns a {@link HopfieldRetrievalModel} that retrieves query columns of
 * other DataFrames. The params mirror a {@link RetrievalSpec} string ({@link #setSpec}), so a
 * pipeline, the command line and notebooks name the same model. Saved as params-only JSON
 * metadata ({@link DefaultParamsWritable}).
 *
 * <pre>
 *   HopfieldRetrievalModel model = new HopfieldRetrieval().setSpec("entmax:alpha=1.5,beta=4")
 *       .setNumPartitions(16).fit(memories);
 *   Dataset&lt;Row&gt; retrieved = model.transform(queries);  // + state, top_ids, top_weights
 * </pre>
 */
public class HopfieldRetrieval extends Estimator<HopfieldRetrievalModel>
    implements HopfieldRetrievalParams<HopfieldRetrieval>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final RetrievalParams p;

  /** An estimator with a random uid and every param at its default. */
  public HopfieldRetrieval() {
    this(Identifiable$.MODULE$.randomUID("hopfieldRetrieval"));
  }

  /** An estimator with the given uid (used by the reader and by {@link #copy}). */
  public HopfieldRetrieval(String uid) {
    this.uid = uid;
    this.p = new RetrievalParams(this);
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

  /** Sets {@link #idCol()}. */
  public HopfieldRetrieval setIdCol(String value) {
    set(p.idCol, value);
    return this;
  }

  /** Sets {@link #vectorCol()}. */
  public HopfieldRetrieval setVectorCol(String value) {
    set(p.vectorCol, value);
    return this;
  }

  /** Sets {@link #numPartitions()}. */
  public HopfieldRetrieval setNumPartitions(int value) {
    set(p.numPartitions, value);
    return this;
  }

  /** Sets {@link #kernel()}. */
  public HopfieldRetrieval setKernel(String value) {
    set(p.kernel, value);
    return this;
  }

  /** Sets {@link #storageLevel()}. */
  public HopfieldRetrieval setStorageLevel(String value) {
    set(p.storageLevel, value);
    return this;
  }

  /**
   * Checks and stores the memories of {@code dataset}: rejects a missing or mistyped column, an
   * empty frame, null, negative or duplicate ids, null or non-finite values and vectors of
   * different lengths, naming the column and a memory id. The model's numPartitions records the
   * partition count used.
   */
  @Override
  public HopfieldRetrievalModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Dataset<Row> df = dataset.toDF();
    RetrievalSpec spec = spec(); // fail on an invalid model before touching the data
    Dataset<Row> memories = MemoryFrames.validate(df, getIdCol(), getVectorCol());
    int partitions = isDefined(p.numPartitions) ? getNumPartitions()
        : Math.max(1, df.rdd().getNumPartitions());
    DistributedStore store =
        MemoryFrames.open(memories, partitions, getStorageLevel(), getKernel());
    log().info("stored {} memories of dimension {} in {} partitions for {}",
        store.memoryCount(), store.dim(), store.partitions(), spec);
    HopfieldRetrievalModel model = new HopfieldRetrievalModel(uid, store, memories);
    copyValues(model, new ParamMap());
    model.set(model.numPartitions(), partitions);
    return model.setParent(this);
  }

  /**
   * A model over the memories of a store version ({@code STORE[@VERSION]}, the latest when
   * unpinned; read with the active session): the store's rows as validated when they entered
   * it, its partitioning unless numPartitions is set, its kernel summaries attached, and {@code
   * kernelPath=store} naming its attached feature map. The model is pinned to that version (it
   * saves a reference to it, not a copy of the rows).
   */
  public HopfieldRetrievalModel fitStore(String storeRef) {
    spec(); // fail on an invalid model before touching the data
    StoreVersion v = StoreVersion.open(SparkSession.active(), StoreRef.parse(storeRef));
    int partitions = isDefined(p.numPartitions) ? getNumPartitions() : v.metadata().partitions;
    HopfieldRetrievalModel model = HopfieldRetrievalModel.fromStore(uid, v, partitions,
        getStorageLevel(), getKernel());
    copyValues(model, new ParamMap());
    model.spec(); // kernelPath=store on a store without a kernel fails here
    model.set(model.numPartitions(), partitions);
    return model.setParent(this);
  }

  /**
   * Checks the memory columns (idCol integral, vectorCol array of float or double). When the
   * schema also holds the query column (the model would transform this same frame, as in a
   * pipeline), returns it with the model's output columns; otherwise unchanged.
   */
  @Override
  public StructType transformSchema(StructType schema) {
    Columns.requireId(schema, getIdCol(), MemoryFrames.ROLE, "idCol");
    Columns.requireVector(schema, getVectorCol(), MemoryFrames.ROLE, "vectorCol");
    if (Arrays.asList(schema.fieldNames()).contains(getQueryCol())) {
      return HopfieldRetrievalModel.outputSchema(this, schema, -1);
    }
    return schema;
  }

  @Override
  public HopfieldRetrieval copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads an estimator saved with {@code write().save(path)}. */
  public static MLReader<HopfieldRetrieval> read() {
    return new DefaultParamsReader<>();
  }

  /** Loads an estimator saved with {@code save(path)}. */
  public static HopfieldRetrieval load(String path) {
    return read().load(path);
  }
}
