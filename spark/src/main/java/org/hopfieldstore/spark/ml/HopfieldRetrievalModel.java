package org.hopfieldstore.spark.ml;

import java.util.HashSet;
import org.apache.spark.ml.Model;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.hopfieldstore.spark.dist.MemoryFrames;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.io.HadoopLocations;
import org.hopfieldstore.spark.store.MemoryStore;
import org.hopfieldstore.spark.store.StoreRef;
import org.hopfieldstore.spark.store.StoreVersion;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;
import java.util.Optional;
import scala.Option;

/**
 * A fitted {@link HopfieldRetrieval}: memories cached on the executors in a {@link
 * DistributedStore}. {@link #transform} retrieves the query column of any DataFrame and adds the
 * final state, the top memory ids and their weights to every row, keeping the rows and their
 * order. The transform is lazy: the returned DataFrame's plan builds blocks of queries where
 * the rows are, crosses them with the cached memory blocks for every update step (the
 * distributed plan of {@link org.hopfieldstore.spark.dist.DistributedQueries}) and appends the
 * results to the rows, so a query frame of any size is retrieved by the executors when an action
 * runs, with nothing collected on the driver. The retrieval params (rule, beta, ..., output
 * columns, report) can be changed on the model; the memory params (idCol, vectorCol,
 * numPartitions, kernel, storageLevel) record how it was fitted.
 *
 * <p>Saved as JSON params metadata plus the memories as Parquet {@code data/} ({@code id: long,
 * vector: array<float>}), or, for a model fitted from a store ({@link
 * HopfieldRetrieval#fitStore}), a reference to the store version under {@code store/}; {@link
 * #load} rebuilds the distributed store with the saved partitioning, kernel and storage level.
 * A model fitted from a DataFrame writes its memories from that frame's lineage, so its source
 * must still be readable (and unchanged) when the model is saved.
 */
public class HopfieldRetrievalModel extends Model<HopfieldRetrievalModel>
    implements HopfieldRetrievalParams<HopfieldRetrievalModel>, MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final RetrievalParams p;
  private transient DistributedStore store;
  private transient Dataset<Row> memories;
  /** The store version the memories are, or null when they came from a DataFrame. */
  private transient StoreVersion storeVersion;

  HopfieldRetrievalModel(String uid, DistributedStore store, Dataset<Row> memories) {
    this(uid, store, memories, null);
  }

  private HopfieldRetrievalModel(String uid, DistributedStore store, Dataset<Row> memories,
      StoreVersion storeVersion) {
    this.uid = uid;
    this.p = new RetrievalParams(this);
    this.store = store;
    this.memories = memories;
    this.storeVersion = storeVersion;
  }

  /** A model over store version {@code v}: its rows cached, its kernel summaries attached. */
  static HopfieldRetrievalModel fromStore(String uid, StoreVersion v, int partitions,
      String storageLevel, String kernel) {
    Dataset<Row> rows = MemoryStore.memories(v);
    DistributedStore store = DistributedStore.fromDataFrame(rows, MemoryFrames.ID,
        MemoryFrames.VECTOR, v.ref().toString(), partitions,
        StorageLevel.fromString(storageLevel), kernel);
    for (var summary : v.summaries()) {
      store.attachSummary(summary);
    }
    return new HopfieldRetrievalModel(uid, store, rows, v);
  }

  /** The store version the memories are (fitStore, or loaded from a model saved from one). */
  public Optional<StoreVersion> storeVersion() {
    return Optional.ofNullable(storeVersion);
  }

  /** The model's spec, {@code kernelPath=store} resolved to the store's attached W. */
  @Override
  public RetrievalSpec spec() {
    RetrievalSpec s = HopfieldRetrievalParams.super.spec();
    return storeVersion == null ? s : storeVersion.resolve(s);
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

  /**
   * The input schema plus stateCol (array<float>), topIdsCol (array<long>) and topWeightsCol
   * (array<float>); the query column must be array<float> or array<double>, of size {@code dim}
   * when both its metadata and {@code dim} (>= 0) know a size.
   */
  static StructType outputSchema(HopfieldRetrievalParams<?> params, StructType schema, int dim) {
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
   * The input rows, in order, with the three output columns, computed when an action runs. A
   * null, mistyped, non-finite or wrong-length query fails naming its row (0-based, in its
   * partition). The frame is read twice (queries, then rows), so its rows must come out the same
   * way each time (true of files, in-memory data and deterministic plans; cache or checkpoint
   * after an unordered shuffle): a row whose query changed between the reads fails the job
   * rather than get another row's answer.
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema(), true);
    return DistributedTransform.transform(this, store, dataset.toDF(), out);
  }

  /** A copy with {@code extra} params, sharing this model's store, memories and parent. */
  @Override
  public HopfieldRetrievalModel copy(ParamMap extra) {
    HopfieldRetrievalModel copy = new HopfieldRetrievalModel(uid, store, memories,
        storeVersion);
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

  /** Where a model fitted from a store saves its reference: location and version. */
  static final String STORE_DIR = "store";
  static final StructType STORE_REF = new StructType().add("location", DataTypes.StringType)
      .add("version", DataTypes.LongType);

  private static boolean exists(org.apache.hadoop.fs.Path p) {
    try {
      return HadoopLocations.isDirectory(p.toString());
    } catch (java.io.IOException e) {
      return false;
    }
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
      if (model.storeVersion != null) {
        // a reference: the store keeps every version, so the pinned one is the memories
        sparkSession().createDataFrame(java.util.List.of(RowFactory.create(
            model.storeVersion.ref().location(), model.storeVersion.version())), STORE_REF)
            .coalesce(1).write().json(new org.apache.hadoop.fs.Path(path, STORE_DIR).toString());
      } else {
        model.memories.write().parquet(new org.apache.hadoop.fs.Path(path, "data").toString());
      }
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
      org.apache.hadoop.fs.Path ref = new org.apache.hadoop.fs.Path(path, STORE_DIR);
      if (exists(ref)) {
        Row r = sparkSession().read().schema(STORE_REF).json(ref.toString()).first();
        StoreVersion v = StoreVersion.open(sparkSession(), new StoreRef(r.getString(0),
            r.getLong(1)));
        int partitions = model.isDefined(model.numPartitions()) ? model.getNumPartitions()
            : v.metadata().partitions;
        HopfieldRetrievalModel loaded = fromStore(md.uid(), v, partitions,
            model.getStorageLevel(), model.getKernel());
        return model.copyValues(loaded, new ParamMap());
      }
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
