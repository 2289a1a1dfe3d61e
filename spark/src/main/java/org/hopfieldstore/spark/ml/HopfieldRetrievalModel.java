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
 * vector: array<float>}); {@link #load} rebuilds the store with the saved partitioning, kernel
 * and storage level. A fitted model writes its memories from the fit DataFrame's lineage, so that
 * frame's source must still be readable (and unchanged) when the model is saved.
 */
public class HopfieldRetrievalModel extends Model<HopfieldRetrievalModel>
    implements HopfieldRetrievalParams<HopfieldRetrievalModel>, MLWritable {
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
