package org.hopfieldstore.spark.store;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import io.delta.exceptions.DeltaConcurrentModificationException;
import io.delta.tables.DeltaTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.data.Preprocessing;
import org.hopfieldstore.core.kernel.LinearFeatureMap;
import org.hopfieldstore.core.nonparametric.KernelSummary;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.Errors;
import org.hopfieldstore.spark.dist.MemoryFrames;
import org.hopfieldstore.spark.io.HadoopLocations;

/**
 * A persistent, versioned memory store on Delta Lake. A store is a directory on any Hadoop
 * filesystem holding a Delta table of memories ({@code id: long, vector: array<float>}, the
 * user's columns, the partition key {@code part}) whose every commit carries the store's
 * {@link StoreMetadata}, and under {@code _hopfield/} the kernel summaries those commits name.
 *
 * <p>Rows are validated once, when they enter (finite, one dimension, ids unique across old and
 * new), and stored after the store's preprocessing. An append or delete updates each kernel
 * summary by the terms of its rows only (summaries are sums over memories) and commits rows and
 * metadata in one Delta commit: appends are MERGEs on the id, so two concurrent changes to the
 * store conflict (one fails, having committed nothing) instead of both committing against stale
 * metadata. A change killed midway leaves files no commit names; the store stays at its last
 * version.
 */
public final class MemoryStore {
  /** The partition key column: {@code pmod(xxhash64(id), partitions)}. */
  public static final String PART = "part";
  /** The column of {@code 1 / |W xi|} under the attached kernel W (only with one attached). */
  public static final String ROW_FACTOR = "kernel_row_factor";
  static final String ATTACHMENTS = "_hopfield";
  private static final String USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata";

  /** What a change committed. */
  public record Change(String operation, long version, long rows, long totalRows) {}

  private MemoryStore() {}

  /**
   * Creates a store at {@code location} from {@code input} (version 0): validates the rows
   * ({@code idCol}, {@code vectorCol}; other columns are carried along), applies {@code
   * preprocessing}, partitions by id into {@code partitions} and builds a kernel summary for each
   * of {@code summarySpecs} (linear/prf models).
   */
  public static Change create(SparkSession spark, Dataset<Row> input, String idCol,
      String vectorCol, String location, Preprocessing preprocessing, int partitions,
      List<RetrievalSpec> summarySpecs, String kernel) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (org.hopfieldstore.core.io.Locations.exists(location)) {
      throw new IllegalArgumentException(location + " exists; a store is created in a new "
          + "directory");
    }
    try {
      Dataset<Row> rows = checked(input, idCol, vectorCol);
      List<String> columns = userColumns(rows);
      int dim = dimension(rows);
      double[] center = preprocessing == Preprocessing.CENTER_UNIT ? mean(rows, dim) : null;
      StoreMetadata meta = new StoreMetadata(dim, preprocessing, center, partitions, columns,
          List.of(), null);
      Dataset<Row> prepared = prepare(rows, meta).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        long n = prepared.count();
        List<RetrievalSpec> specs = summarySpecs.stream().map(MemoryStore::canonical).toList();
        List<StoreMetadata.Summary> sums = new ArrayList<>();
        for (KernelSummary k : summarize(prepared, specs, kernel)) {
          sums.add(writeSummary(spark, location, k));
        }
        meta = meta.withSummaries(sums);
        prepared.write().format("delta").partitionBy(PART)
            .option("userMetadata", meta.toCommitJson("create", -1)).save(location);
        return new Change("create", 0, n, n);
      } finally {
        prepared.unpersist();
      }
    } catch (Exception e) {
      throw Errors.unwrap(e);
    }
  }

  /**
   * Appends {@code input}'s rows: same dimension and user columns as the store, ids new to it;
   * the store's preprocessing (a center-unit store's own centre) and partitioning; each summary
   * plus the new rows' terms.
   */
  public static Change append(SparkSession spark, String location, Dataset<Row> input,
      String idCol, String vectorCol, String kernel) {
    StoreVersion base = StoreVersion.open(spark, new StoreRef(location, null));
    StoreMetadata meta = base.metadata();
    try {
      Dataset<Row> rows = checked(input, idCol, vectorCol);
      int dim = dimension(rows);
      if (dim != meta.dim) {
        throw new IllegalArgumentException("append: the new rows have dimension " + dim
            + ", the store " + dim(meta) + "; nothing appended");
      }
      List<String> columns = userColumns(rows);
      if (!columns.equals(meta.columns)) {
        throw new IllegalArgumentException("append: the new rows' other columns " + columns
            + " differ from the store's " + meta.columns + "; nothing appended");
      }
      List<Row> clash = rows.select(MemoryFrames.ID)
          .join(base.rows().select(MemoryFrames.ID), MemoryFrames.ID).limit(3).collectAsList();
      if (!clash.isEmpty()) {
        long n = rows.select(MemoryFrames.ID).join(base.rows().select(MemoryFrames.ID),
            MemoryFrames.ID).count();
        throw new IllegalArgumentException("append: " + n + " of the new ids are already in "
            + "the store (version " + base.version() + "), e.g. id " + clash.get(0).get(0)
            + "; ids must be unique; nothing appended");
      }
      Dataset<Row> prepared = prepare(rows, meta);
      if (meta.kernel != null) {
        prepared = withRowFactors(prepared, base.kernelMap());
      }
      prepared = prepared.persist(StorageLevel.MEMORY_AND_DISK());
      try {
        long n = prepared.count();
        StoreMetadata next = meta.withSummaries(updatedSummaries(spark, base, prepared, true,
            kernel));
        long before = totalRows(base);
        Dataset<Row> source = prepared;
        commit(spark, location, next.toCommitJson("append", base.version()), "append", () ->
            DeltaTable.forPath(spark, location).as("t")
                .merge(source.as("s"), "t.id = s.id").whenNotMatched().insertAll()
                .execute());
        return verified(spark, location, "append", "numTargetRowsInserted", n, before + n);
      } finally {
        prepared.unpersist();
      }
    } catch (Exception e) {
      throw Errors.unwrap(e);
    }
  }

  /**
   * Deletes the rows whose ids are in {@code ids} (a frame with an {@code id} column), or, with
   * {@code ids} null, those matching the SQL condition {@code where}. Every id must be in the
   * store; each summary minus the deleted rows' terms.
   */
  public static Change delete(SparkSession spark, String location, Dataset<Row> ids,
      String where, String kernel) {
    if ((ids == null) == (where == null)) {
      throw new IllegalArgumentException("delete takes ids or a condition, not both or neither");
    }
    StoreVersion base = StoreVersion.open(spark, new StoreRef(location, null));
    StoreMetadata meta = base.metadata();
    try {
      Dataset<Row> stored = base.rows();
      Dataset<Row> doomed;
      Dataset<Row> distinctIds = null;
      if (ids != null) {
        distinctIds = ids.select(col(MemoryFrames.ID).cast("long").as(MemoryFrames.ID))
            .distinct().persist(StorageLevel.MEMORY_AND_DISK());
        List<Row> unknown = distinctIds.join(stored.select(MemoryFrames.ID), 
            distinctIds.col(MemoryFrames.ID).equalTo(stored.col(MemoryFrames.ID)), "left_anti")
            .limit(3).collectAsList();
        if (!unknown.isEmpty()) {
          long n = distinctIds.join(stored.select(MemoryFrames.ID), MemoryFrames.ID,
              "left_anti").count();
          distinctIds.unpersist();
          throw new IllegalArgumentException("delete: " + n + " of the ids are not in the "
              + "store (version " + base.version() + "), e.g. id " + unknown.get(0).get(0)
              + "; nothing deleted");
        }
        doomed = stored.join(distinctIds, MemoryFrames.ID, "left_semi");
      } else {
        doomed = stored.filter(expr(where));
      }
      doomed = doomed.persist(StorageLevel.MEMORY_AND_DISK());
      try {
        long n = doomed.count();
        long before = totalRows(base);
        if (n == 0) {
          throw new IllegalArgumentException("delete: no memory matches "
              + (where != null ? "'" + where + "'" : "the ids") + " (version " + base.version()
              + "); nothing deleted");
        }
        if (n == before) {
          throw new IllegalArgumentException("delete: that would remove all " + n
              + " memories; a store keeps at least one; nothing deleted");
        }
        String json = meta.withSummaries(updatedSummaries(spark, base, doomed, false, kernel))
            .toCommitJson("delete", base.version());
        Dataset<Row> idsToDelete = distinctIds;
        commit(spark, location, json, "delete", () -> {
          DeltaTable t = DeltaTable.forPath(spark, location);
          if (idsToDelete != null) {
            t.as("t").merge(idsToDelete.as("s"), "t.id = s.id").whenMatched().delete()
                .execute();
          } else {
            t.delete(where);
          }
        });
        return verified(spark, location, "delete",
            idsToDelete != null ? "numTargetRowsDeleted" : "numDeletedRows", n, before - n);
      } finally {
        doomed.unpersist();
        if (distinctIds != null) {
          distinctIds.unpersist();
        }
      }
    } catch (Exception e) {
      throw Errors.unwrap(e);
    }
  }

  /**
   * Attaches the feature map {@code map} (learned by {@code learnedBy} from version {@code
   * learnedOn}) to the latest version: W (with its bias b, if any: an .npz) is written under
   * {@code _hopfield/} and every row gets its factor {@code 1 / |W xi + b|} of the normalised
   * kernel in column {@link #ROW_FACTOR}, in one
   * commit that rewrites the rows (so a change committed meanwhile conflicts with it instead of
   * being overwritten). An earlier attachment is replaced; earlier versions keep theirs.
   */
  public static Change attachKernel(SparkSession spark, String location, LinearFeatureMap map,
      String learnedBy, long learnedOn) {
    StoreVersion base = StoreVersion.open(spark, new StoreRef(location, null));
    StoreMetadata meta = base.metadata();
    if (map.inDim() != meta.dim) {
      throw new IllegalArgumentException("attach: the kernel maps d=" + map.inDim() + ", the "
          + "store has dimension " + meta.dim + "; nothing attached");
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      map.write(bytes);
      String file = writeAttachment(spark, location, "kernel", map.fileSuffix(),
          bytes.toByteArray());
      StoreMetadata next = meta.withKernel(new StoreMetadata.Kernel(file, map.outDim(),
          map.inDim(), learnedBy, learnedOn));
      Dataset<Row> rows = base.rows();
      if (Arrays.asList(rows.columns()).contains(ROW_FACTOR)) {
        rows = rows.drop(ROW_FACTOR);
      }
      Dataset<Row> withFactors = withRowFactors(rows, map);
      long n = totalRows(base);
      String json = next.toCommitJson("attach-kernel", base.version());
      commit(spark, location, json, "attach", () -> withFactors.write().format("delta")
          .mode("overwrite").option("overwriteSchema", "true").partitionBy(PART).save(location));
      StoreVersion now = StoreVersion.open(spark, new StoreRef(location, null));
      if (now.version() != base.version() + 1 || now.metadata().kernel == null
          || !now.metadata().kernel.file().equals(file)) {
        throw new IllegalStateException("attach committed over a change made meanwhile (the "
            + "store went from version " + base.version() + " to " + now.version()
            + "); inspect it with store info");
      }
      return new Change("attach-kernel", now.version(), n, n);
    } catch (Exception e) {
      throw Errors.unwrap(e);
    }
  }

  /** {@code rows} with column {@link #ROW_FACTOR}: {@code 1 / |W xi + b|} of each vector. */
  static Dataset<Row> withRowFactors(Dataset<Row> rows, LinearFeatureMap map) {
    StructType schema = rows.schema().add(ROW_FACTOR, DataTypes.FloatType, false);
    int vi = rows.schema().fieldIndex(MemoryFrames.VECTOR);
    int ii = rows.schema().fieldIndex(MemoryFrames.ID);
    int d = map.inDim();
    JavaRDD<Row> mapped = rows.javaRDD().map(row -> {
      float[] x = vector(row, vi, d);
      Object[] values = new Object[row.length() + 1];
      for (int i = 0; i < row.length(); i++) {
        values[i] = row.get(i);
      }
      values[row.length()] = map.inverseImageNorm(x, 0, row.getLong(ii));
      return RowFactory.create(values);
    });
    return rows.sparkSession().createDataFrame(mapped, schema);
  }

  /**
   * Rewrites the latest version's small files into fewer (Delta's OPTIMIZE): the rows, the
   * metadata and every earlier version stay as they are.
   */
  public static Change compact(SparkSession spark, String location) {
    StoreVersion base = StoreVersion.open(spark, new StoreRef(location, null));
    long rows = totalRows(base);
    commit(spark, location, base.metadata().toCommitJson("compact", base.version()), "compact",
        () -> DeltaTable.forPath(spark, location).optimize().executeCompaction());
    StoreVersion now = StoreVersion.open(spark, new StoreRef(location, null));
    return new Change("compact", now.version(), 0, rows);
  }

  /** Rows of a version (from the commit log's statistics where Delta has them). */
  public static long totalRows(StoreVersion v) {
    return v.rows().count();
  }

  private static String dim(StoreMetadata m) {
    return m.dim + " (" + m.preprocessing + ")";
  }

  /** Runs one Delta commit with our metadata; a lost race is one clear line. */
  private static void commit(SparkSession spark, String location, String userMetadata,
      String operation, Runnable change) {
    spark.conf().set(USER_METADATA, userMetadata);
    try {
      change.run();
    } catch (DeltaConcurrentModificationException e) {
      throw new IllegalStateException(operation + ": another change to the store " + location
          + " committed first (" + e.getClass().getSimpleName() + "); this " + operation
          + " committed nothing; run it again", e);
    } finally {
      spark.conf().unset(USER_METADATA);
    }
  }

  /** Checks that the newest commit is ours and changed {@code expected} rows. */
  private static Change verified(SparkSession spark, String location, String operation,
      String metric, long expected, long total) {
    StoreVersion now = StoreVersion.open(spark, new StoreRef(location, null));
    StoreVersion.Commit last = now.history().get(now.history().size() - 1);
    String changed = last.metrics().get(metric);
    if (changed != null && Long.parseLong(changed) != expected) {
      throw new IllegalStateException(operation + " committed version " + last.version()
          + " with " + changed + " rows changed where " + expected + " were checked; the store "
          + "changed under it: inspect with store info");
    }
    return new Change(operation, now.version(), expected, total);
  }

  /** Validated rows with the user's columns; reserved names refused. */
  private static Dataset<Row> checked(Dataset<Row> input, String idCol, String vectorCol) {
    for (String c : input.columns()) {
      boolean other = !c.equals(idCol) && !c.equals(vectorCol);
      if (other && (c.equals(PART) || c.equals(MemoryFrames.ID)
          || c.equals(MemoryFrames.VECTOR) || c.equals(ROW_FACTOR))) {
        throw new IllegalArgumentException("memories: column '" + c + "' is reserved in a "
            + "store (" + MemoryFrames.ID + ", " + MemoryFrames.VECTOR + ", " + PART + ", "
            + ROW_FACTOR + "); rename it");
      }
    }
    return MemoryFrames.validate(input, idCol, vectorCol, true);
  }

  private static List<String> userColumns(Dataset<Row> rows) {
    List<String> cols = new ArrayList<>(Arrays.asList(rows.columns()));
    cols.removeAll(List.of(MemoryFrames.ID, MemoryFrames.VECTOR));
    return cols;
  }

  private static int dimension(Dataset<Row> rows) {
    return rows.select(MemoryFrames.VECTOR).first().getList(0).size();
  }

  /** The mean memory, summed in double on the executors. */
  private static double[] mean(Dataset<Row> rows, int dim) {
    JavaRDD<Row> r = rows.select(MemoryFrames.VECTOR).javaRDD();
    double[] sum = r.aggregate(new double[dim + 1], (acc, row) -> {
      List<Float> v = row.getList(0);
      for (int c = 0; c < dim; c++) {
        acc[c] += v.get(c);
      }
      acc[dim] += 1;
      return acc;
    }, (a, b) -> {
      for (int c = 0; c <= dim; c++) {
        a[c] += b[c];
      }
      return a;
    });
    double[] mean = Arrays.copyOf(sum, dim);
    for (int c = 0; c < dim; c++) {
      mean[c] /= sum[dim];
    }
    return mean;
  }

  /** The {@code d} floats of the array column at {@code index} of a validated row. */
  private static float[] vector(Row row, int index, int d) {
    List<Float> v = row.getList(index);
    float[] x = new float[d];
    for (int c = 0; c < d; c++) {
      x[c] = v.get(c);
    }
    return x;
  }

  /** The rows after the store's preprocessing, with the partition key. */
  private static Dataset<Row> prepare(Dataset<Row> rows, StoreMetadata meta) {
    Preprocessing pre = meta.preprocessing;
    double[] center = meta.center;
    int d = meta.dim;
    StructType schema = rows.schema();
    int vi = schema.fieldIndex(MemoryFrames.VECTOR);
    Dataset<Row> out = rows;
    if (pre != Preprocessing.NONE) {
      JavaRDD<Row> mapped = rows.javaRDD().map(row -> {
        float[] x = vector(row, vi, d);
        pre.applyRow(x, 0, d, center);
        Float[] boxed = new Float[d];
        for (int c = 0; c < d; c++) {
          boxed[c] = x[c];
        }
        Object[] values = new Object[row.length()];
        for (int i = 0; i < values.length; i++) {
          values[i] = i == vi ? boxed : row.get(i);
        }
        return RowFactory.create(values);
      });
      out = rows.sparkSession().createDataFrame(mapped, schema);
    }
    return out.withColumn(PART, pmod(xxhash64(col(MemoryFrames.ID)), lit(meta.partitions))
        .cast("int"));
  }

  private static RetrievalSpec canonical(RetrievalSpec spec) {
    if (!spec.isSummary()) {
      throw new IllegalArgumentException("a store keeps summaries of linear and prf models; '"
          + spec + "' has none");
    }
    return spec.withSteps(1).withTol(0);
  }

  /**
   * The summaries of {@code rows} under each of {@code specs}, built where the rows are: the rows
   * are packed into cached blocks once for all of them.
   */
  private static List<KernelSummary> summarize(Dataset<Row> rows, List<RetrievalSpec> specs,
      String kernel) {
    if (specs.isEmpty()) {
      return List.of();
    }
    int partitions = Math.max(1, rows.rdd().getNumPartitions());
    try (DistributedStore s = DistributedStore.fromDataFrame(rows, MemoryFrames.ID,
        MemoryFrames.VECTOR, "store rows", partitions, StorageLevel.MEMORY_AND_DISK(), kernel)) {
      return specs.stream().map(s::summary).toList();
    }
  }

  /**
   * Each summary of {@code base} plus ({@code add}) or minus the terms of {@code rows}, written
   * under new names.
   */
  private static List<StoreMetadata.Summary> updatedSummaries(SparkSession spark,
      StoreVersion base, Dataset<Row> rows, boolean add, String kernel) throws IOException {
    List<RetrievalSpec> specs = base.metadata().summaries.stream()
        .map(s -> RetrievalSpec.parse(s.spec())).toList();
    List<KernelSummary> terms = summarize(rows, specs, kernel);
    List<KernelSummary> kept = base.summaries();
    List<StoreMetadata.Summary> out = new ArrayList<>();
    for (int i = 0; i < kept.size(); i++) {
      KernelSummary k = add ? kept.get(i).merge(terms.get(i)) : kept.get(i).subtract(terms.get(i));
      out.add(writeSummary(spark, base.ref().location(), k));
    }
    return out;
  }

  /** Writes a summary under {@code _hopfield/} (a new name each time: files are immutable). */
  private static StoreMetadata.Summary writeSummary(SparkSession spark, String location,
      KernelSummary k) throws IOException {
    String name = writeAttachment(spark, location, "summary-" + k.spec().rule().key(), ".ksum",
        k.toBytes());
    return new StoreMetadata.Summary(k.spec().toString(), name, k.count());
  }

  /** Writes {@code bytes} under {@code _hopfield/} by a new name, atomically; the name. */
  private static String writeAttachment(SparkSession spark, String location, String prefix,
      String suffix, byte[] bytes) throws IOException {
    String name = ATTACHMENTS + "/" + prefix + "-" + UUID.randomUUID() + suffix;
    Path target = new Path(location, name);
    Path tmp = new Path(location, ATTACHMENTS + "/.tmp-" + UUID.randomUUID());
    FileSystem fs = HadoopLocations.fileSystem(target, spark.sparkContext().hadoopConfiguration());
    try (OutputStream out = fs.create(tmp, false)) {
      out.write(bytes);
    }
    if (!fs.rename(tmp, target)) {
      fs.delete(tmp, false);
      throw new IOException("could not rename " + tmp + " to " + target);
    }
    return name;
  }

  /** The store's rows of {@code v} as {@code (id, vector)}, for retrieval. */
  public static Dataset<Row> memories(StoreVersion v) {
    return v.rows().select(MemoryFrames.ID, MemoryFrames.VECTOR);
  }
}
