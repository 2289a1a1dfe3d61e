package org.hopfieldstore.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.Errors;
import org.hopfieldstore.spark.dist.MemoryFrames;
import org.hopfieldstore.spark.dist.SparkSetup;
import org.hopfieldstore.spark.io.HadoopLocations;
import org.hopfieldstore.spark.store.MemoryStore;
import org.hopfieldstore.spark.store.StoreRef;
import org.hopfieldstore.spark.store.StoreVersion;

/** Retrieval on Spark: memories partitioned and cached, partial results merged per step. */
final class SparkBackend implements Backend {
  private final SparkSession spark;
  private final DistributedStore store;
  private final String master;

  private final java.util.concurrent.atomic.AtomicLong shuffleBytes =
      new java.util.concurrent.atomic.AtomicLong();
  private final org.apache.spark.scheduler.SparkListener shuffleMeter;

  /** The store version retrieved from, or null. */
  private final StoreVersion storeVersion;

  private SparkBackend(SparkSession spark, DistributedStore store,
      StoreVersion storeVersion) {
    HeapAfterGc.watch();
    this.spark = spark;
    this.store = store;
    this.storeVersion = storeVersion;
    this.master = spark.sparkContext().master();
    this.shuffleMeter = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          shuffleBytes.addAndGet(end.taskMetrics().shuffleWriteMetrics().bytesWritten());
        }
      }
    };
    spark.sparkContext().addSparkListener(shuffleMeter);
  }

  /** Whether a location is Parquet: a {@code .parquet} name, or a directory. */
  static boolean isParquet(String location) {
    String l = location.replaceAll("/+$", "");
    if (l.endsWith(".parquet")) {
      return true;
    }
    try {
      return HadoopLocations.isDirectory(l);
    } catch (IOException e) {
      return false;
    }
  }

  /** A Spark session for {@code master} with the user's {@code --conf} properties. */
  static SparkSession session(String master, String app, Map<String, String> conf) {
    try {
      SparkSession spark = SparkSetup.session(master, app, conf);
      FatalErrors.install(); // over the handler of Spark's local executor
      return spark;
    } catch (RuntimeException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("stopped SparkContext") || msg.contains("postStartHook")) {
        throw new IllegalStateException("the Spark master " + master + " did not accept this "
            + "driver (unreachable, or refused: with spark.authenticate the driver needs the "
            + "cluster's secret, e.g. through deploy/spark-submit)", e);
      }
      throw e;
    }
  }

  /**
   * Memories on Spark: a .npy file read by the partitions (each its own row range, any Hadoop
   * filesystem), Parquet ({@code idCol}, {@code vectorCol}; validated: ids unique, vectors of one
   * length and finite), or IDX images read on the driver.
   */
  static SparkBackend open(SparkSession spark, String memories, int partitions, String level,
      String kernel, String idCol, String vectorCol) {
    StorageLevel storage = storageLevel(level);
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      int p = partitions > 0 ? partitions : jsc.defaultParallelism();
      DistributedStore store;
      if (!org.hopfieldstore.core.io.Locations.exists(memories)) {
        throw new IllegalArgumentException(memories + ": no such file");
      }
      if (isParquet(memories)) {
        store = MemoryFrames.open(MemoryFrames.validate(spark.read().parquet(memories), idCol,
            vectorCol), p, level, kernel);
      } else if (memories.toLowerCase(Locale.ROOT).endsWith(".npy")) {
        long rows;
        try (org.hopfieldstore.core.io.ByteSource src = HadoopLocations.open(memories,
            jsc.hadoopConfiguration())) {
          rows = org.hopfieldstore.core.io.Npy.matrixShape(src, "memories")[0];
        }
        store = DistributedStore.fromNpy(jsc, memories, (int) Math.min(p, rows), storage,
            kernel);
      } else {
        var matrix = MatrixReader.read(memories, "memories");
        store = DistributedStore.fromMatrix(jsc, matrix, Math.min(p, matrix.rows()), storage,
            kernel);
      }
      return new SparkBackend(spark, store, null);
    } catch (Exception e) {
      throw Errors.unwrap(e);
    }
  }

  /**
   * Memories of a store version ({@code STORE[@VERSION]}), partitioned and cached, with the
   * store's kernel summaries attached.
   */
  static SparkBackend openStore(SparkSession spark, String ref, int partitions, String level,
      String kernel, RetrievalSpec spec) {
    StorageLevel storage = storageLevel(level);
    try {
      StoreVersion v = StoreVersion.open(spark, StoreRef.parse(ref));
      int p = partitions > 0 ? partitions : v.metadata().partitions;
      DistributedStore store;
      if (spec != null && StoreVersion.namesStoreKernel(spec) && spec.kernelNormalized()) {
        // the stored factors 1 / |W xi| of the attached kernel: no pass to compute them
        store = DistributedStore.withStoredRowFactors(v.rows(), MemoryFrames.ID,
            MemoryFrames.VECTOR, MemoryStore.ROW_FACTOR, v.kernelMap(), v.ref().toString(), p,
            storage, kernel);
      } else {
        store = DistributedStore.fromDataFrame(MemoryStore.memories(v), MemoryFrames.ID,
            MemoryFrames.VECTOR, v.ref().toString(), p, storage, kernel);
      }
      for (var summary : v.summaries()) {
        store.attachSummary(summary);
      }
      return new SparkBackend(spark, store, v);
    } catch (Exception e) {
      throw Errors.unwrap(e);
    }
  }

  @Override
  public RetrievalSpec resolve(RetrievalSpec spec) {
    return storeVersion == null ? spec : storeVersion.resolve(spec);
  }

  static StorageLevel storageLevel(String name) {
    try {
      return StorageLevel.fromString(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("unknown --storage-level '" + name
          + "': expected e.g. MEMORY_ONLY, MEMORY_ONLY_SER, MEMORY_AND_DISK, DISK_ONLY");
    }
  }

  SparkSession spark() {
    return spark;
  }

  DistributedStore distributed() {
    return store;
  }

  @Override
  public StepFunction store() {
    return store;
  }

  @Override
  public String describe() {
    return "spark " + master + ", P=" + store.partitions() + (storeVersion == null ? ""
        : ", store version " + storeVersion.version());
  }

  @Override
  public void summarize(ObjectNode json) {
    json.put("master", master).put("partitions", store.partitions());
    if (storeVersion != null) {
      json.putObject("store").put("location", storeVersion.ref().location())
          .put("version", storeVersion.version()).put("latest", storeVersion.latest())
          .put("summaries_attached", storeVersion.metadata().summaries.size());
    }
    List<DistributedStore.StepTraffic> traffic = store.traffic();
    ObjectNode t = json.putObject("traffic_per_step");
    t.set("partial_bytes", Json.array(traffic.stream().mapToLong(s -> s.partialBytes).toArray()));
    t.set("candidates", Json.array(traffic.stream().mapToLong(s -> s.candidates).toArray()));
    t.set("row_bytes", Json.array(traffic.stream().mapToLong(s -> s.rowBytes).toArray()));
    // a step whose sparse supports were too wide to ship: its threshold search's passes and bytes
    t.set("threshold_search_rounds",
        Json.array(traffic.stream().mapToInt(s -> s.searchRounds).toArray()));
    t.set("search_bytes", Json.array(traffic.stream().mapToLong(s -> s.searchBytes).toArray()));
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(10_000); // the last tasks' metrics
    } catch (java.util.concurrent.TimeoutException e) {
      // a late listener event changes a figure, not an answer
    }
    json.put("shuffle_bytes_written", shuffleBytes.get());
    // the driver's JVM (in local mode the executors' too)
    json.put("driver_peak_heap_after_gc_bytes", HeapAfterGc.watch().peakBytes());
  }

  /** Unpersists the memories; the session is the caller's to stop. */
  @Override
  public void close() {
    spark.sparkContext().removeSparkListener(shuffleMeter);
    store.close();
  }
}
