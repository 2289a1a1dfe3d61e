package org.hopfieldstore.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.SparkSetup;

/** Retrieval on Spark: memories partitioned and cached, partial results merged per step. */
final class SparkBackend implements Backend {
  /** Columns of the Parquet output, one row per query. */
  static final StructType OUTPUT_SCHEMA = new StructType()
      .add("query_id", DataTypes.LongType, false)
      .add("state", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("top_ids", DataTypes.createArrayType(DataTypes.LongType, false), false)
      .add("top_weights", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("steps", DataTypes.IntegerType, false)
      .add("energy", DataTypes.DoubleType, true);

  private final SparkSession spark;
  private final DistributedStore store;
  private final String master;

  private SparkBackend(SparkSession spark, DistributedStore store) {
    this.spark = spark;
    this.store = store;
    this.master = spark.sparkContext().master();
  }

  static boolean isParquet(Path p) {
    return p.getFileName().toString().endsWith(".parquet") || Files.isDirectory(p);
  }

  static SparkBackend open(String master, Path memories, int partitions, String level,
      String kernel) {
    StorageLevel storage = storageLevel(level);
    if (!Files.exists(memories)) {
      throw new IllegalArgumentException(memories + ": no such file");
    }
    SparkSession spark;
    try {
      spark = SparkSetup.session(master, "hopfield-store retrieve");
    } catch (RuntimeException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("stopped SparkContext") || msg.contains("postStartHook")) {
        throw new IllegalStateException("the Spark master " + master + " did not accept this "
            + "driver (unreachable, or refused: with spark.authenticate the driver needs the "
            + "cluster's secret, e.g. through deploy/spark-submit)", e);
      }
      throw e;
    }
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      int p = partitions > 0 ? partitions : jsc.defaultParallelism();
      DistributedStore store;
      String name = memories.getFileName().toString();
      if (isParquet(memories)) {
        store = DistributedStore.fromParquet(spark, memories.toAbsolutePath().toString(), p,
            storage, kernel);
      } else if (name.endsWith(".npy")) {
        long rows = org.hopfieldstore.core.io.Npy.matrixShape(memories, "memories")[0];
        store = DistributedStore.fromNpy(jsc, memories, (int) Math.min(p, rows), storage, kernel);
      } else {
        var matrix = MatrixReader.read(memories, "memories");
        store = DistributedStore.fromMatrix(jsc, matrix, Math.min(p, matrix.rows()), storage,
            kernel);
      }
      return new SparkBackend(spark, store);
    } catch (RuntimeException e) {
      spark.stop();
      Exception u = unwrap(e);
      throw u instanceof RuntimeException ? (RuntimeException) u : e;
    }
  }

  /** Spark wraps task failures; surface our own one-line message when it is there. */
  static <E extends Exception> Exception unwrap(E e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return (IllegalArgumentException) t;
      }
    }
    String msg = e.getMessage();
    if (msg != null) {
      int at = msg.indexOf("java.lang.IllegalArgumentException: ");
      if (at >= 0) {
        String rest = msg.substring(at + "java.lang.IllegalArgumentException: ".length());
        int nl = rest.indexOf('\n');
        return new IllegalArgumentException(nl < 0 ? rest : rest.substring(0, nl), e);
      }
    }
    return e;
  }

  static StorageLevel storageLevel(String name) {
    try {
      return StorageLevel.fromString(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("unknown --storage-level '" + name
          + "': expected e.g. MEMORY_ONLY, MEMORY_ONLY_SER, MEMORY_AND_DISK, DISK_ONLY");
    }
  }

  @Override
  public StepFunction store() {
    return store;
  }

  @Override
  public String describe() {
    return "spark " + master + ", P=" + store.partitions();
  }

  @Override
  public void summarize(ObjectNode json) {
    json.put("master", master).put("partitions", store.partitions());
    List<DistributedStore.StepTraffic> traffic = store.traffic();
    ObjectNode t = json.putObject("traffic_per_step");
    t.set("partial_bytes", Json.array(traffic.stream().mapToLong(s -> s.partialBytes).toArray()));
    t.set("candidates", Json.array(traffic.stream().mapToLong(s -> s.candidates).toArray()));
    t.set("row_bytes", Json.array(traffic.stream().mapToLong(s -> s.rowBytes).toArray()));
  }

  /** Writes one Parquet row per query into {@code dir} (the atomic output's temporary dir). */
  void writeParquet(Path dir, float[] states, long[] topIds, float[] topWeights, int[] steps,
      double[] energy, int b, int d, int width) {
    List<Row> rows = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      Float[] s = new Float[d];
      for (int j = 0; j < d; j++) {
        s[j] = states[i * d + j];
      }
      Long[] ids = new Long[width];
      Float[] w = new Float[width];
      for (int r = 0; r < width; r++) {
        ids[r] = topIds[i * width + r];
        w[r] = topWeights[i * width + r];
      }
      rows.add(RowFactory.create((long) i, s, ids, w, steps[i],
          Double.isFinite(energy[i]) ? energy[i] : null));
    }
    spark.createDataFrame(rows, OUTPUT_SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite)
        .parquet(dir.toAbsolutePath().toString());
  }

  @Override
  public void close() {
    try {
      store.close();
    } finally {
      spark.stop();
    }
  }
}
