package org.hopfieldstore.spark.dist;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.hopfieldstore.core.io.ByteSource;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.kernel.KernelSpace;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.spark.io.HadoopLocations;
import scala.Tuple2;
import scala.collection.immutable.ArraySeq;

/**
 * Queries as distributed data for the distributed plan, and its results as rows: query blocks
 * built where the queries live (partitions of a DataFrame, or row ranges of a .npy file read by
 * the executors), and one output row per query written by the executors.
 */
public final class QueryData {
  /** Queries per block of the distributed plan. */
  public static final int BLOCK_QUERIES = 1024;

  /** Columns of the results, one row per query. */
  public static final StructType RESULT_SCHEMA = new StructType()
      .add("query_id", DataTypes.LongType, false)
      .add("state", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("top_ids", DataTypes.createArrayType(DataTypes.LongType, false), false)
      .add("top_weights", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("steps", DataTypes.IntegerType, false)
      .add("energy", DataTypes.DoubleType, true);

  private QueryData() {}

  /** What every block is built with: the model, the report width, the store's constants. */
  static final class Plan implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final RetrievalSpec spec;
    final int report;
    final boolean energy;
    final long memoryCount;
    final double maxNorm;
    final int dim;
    final KernelSpace kernel;

    Plan(RetrievalSpec spec, int report, boolean energy, DistributedStore store,
        KernelSpace kernel) {
      this.spec = spec;
      this.report = report;
      this.energy = energy;
      this.memoryCount = store.memoryCount();
      this.maxNorm = store.maxNorm();
      this.dim = store.dim();
      this.kernel = kernel;
    }

    QueryBlock block(int partition, int block, long[] ids, float[] vectors, int n) {
      return QueryBlock.of(partition, block, ids, FloatMatrix.of("queries", vectors, n, dim),
          spec, report, energy, memoryCount, maxNorm, kernel);
    }
  }

  /**
   * Query blocks of a frame's rows, each row's vector checked. {@code idCol} may be null: then a
   * query's id is a fingerprint of its vector ({@link #fingerprint}), by which a later pass over
   * the same rows checks that each row still holds the query it was given.
   */
  public static JavaPairRDD<Long, QueryBlock> blocks(Dataset<Row> queries, String idCol,
      String vectorCol, int blockQueries, RetrievalSpec spec, int report, boolean energy,
      DistributedStore store, KernelSpace kernel) {
    Plan plan = new Plan(spec, report, energy, store, kernel);
    Dataset<Row> df = idCol == null ? queries.select(vectorCol)
        : queries.select(idCol, vectorCol);
    int v = idCol == null ? 0 : 1;
    String dimWhy = "the memories have dimension " + plan.dim;
    return df.javaRDD().mapPartitionsWithIndex((partition, rows) -> {
      List<Tuple2<Long, QueryBlock>> out = new ArrayList<>();
      float[] buf = new float[blockQueries * plan.dim];
      long[] ids = new long[blockQueries];
      int n = 0;
      int row = 0;
      while (rows.hasNext()) {
        Row r = rows.next();
        String what = "queries: row " + row + " of partition " + partition + ", column '"
            + vectorCol + "'";
        if (v == 1 && r.isNullAt(0)) {
          throw new IllegalArgumentException("queries: null id in row " + row + " of partition "
              + partition + ", column '" + idCol + "'");
        }
        float[] q = Vectors.floats(r, v, plan.dim, what, dimWhy);
        ids[n] = v == 1 ? ((Number) r.get(0)).longValue() : fingerprint(q);
        System.arraycopy(q, 0, buf, n * plan.dim, plan.dim);
        n++;
        row++;
        if (n == blockQueries) {
          QueryBlock b = plan.block(partition, out.size(), ids.clone(), buf.clone(), n);
          out.add(new Tuple2<>(b.key, b));
          n = 0;
        }
      }
      if (n > 0) {
        QueryBlock b = plan.block(partition, out.size(), java.util.Arrays.copyOf(ids, n),
            java.util.Arrays.copyOf(buf, n * plan.dim), n);
        out.add(new Tuple2<>(b.key, b));
      }
      return out.iterator();
    }, true).mapToPair(t -> t);
  }

  /**
   * Query blocks of a 2-D float .npy file on any Hadoop filesystem, each block's rows read by an
   * executor with positioned reads (ids: row indices).
   */
  public static JavaPairRDD<Long, QueryBlock> blocks(JavaSparkContext jsc, String npy,
      RetrievalSpec spec, int report, boolean energy, DistributedStore store,
      KernelSpace kernel) throws java.io.IOException {
    Plan plan = new Plan(spec, report, energy, store, kernel);
    long rows;
    long cols;
    try (ByteSource src = HadoopLocations.open(npy, jsc.hadoopConfiguration())) {
      long[] shape = Npy.matrixShape(src, "queries");
      rows = shape[0];
      cols = shape[1];
    }
    if (cols != plan.dim) {
      throw new IllegalArgumentException("dimension mismatch: queries " + npy
          + " have dimension " + cols + " but the memories have dimension " + plan.dim);
    }
    List<long[]> ranges = new ArrayList<>();
    for (long from = 0; from < rows; from += BLOCK_QUERIES) {
      ranges.add(new long[] {from, Math.min(rows, from + BLOCK_QUERIES)});
    }
    SerializableConfiguration conf = new SerializableConfiguration(jsc.hadoopConfiguration());
    int partitions = Math.max(1, Math.min(ranges.size(), jsc.defaultParallelism() * 4));
    JavaRDD<long[]> rdd = jsc.parallelize(ranges, partitions);
    return rdd.mapPartitionsWithIndex((partition, it) -> {
      List<Tuple2<Long, QueryBlock>> out = new ArrayList<>();
      try (ByteSource src = HadoopLocations.open(npy, conf.value())) {
        while (it.hasNext()) {
          long[] r = it.next();
          FloatMatrix m = Npy.readRows(src, "queries", r[0], r[1]);
          long[] ids = new long[m.rows()];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = r[0] + i;
          }
          QueryBlock b = plan.block(partition, out.size(), ids, m.data(), m.rows());
          out.add(new Tuple2<>(b.key, b));
        }
      }
      return out.iterator();
    }, true).mapToPair(t -> t);
  }

  /** A 64-bit fingerprint of a vector (FNV-1a over its float bits). */
  public static long fingerprint(float[] a) {
    long h = 0xcbf29ce484222325L;
    for (float x : a) {
      h = (h ^ Float.floatToIntBits(x)) * 0x100000001b3L;
    }
    return h;
  }

  /** The number of partitions the blocks of {@link #blocks} are kept in. */
  public static int partitions(JavaPairRDD<Long, QueryBlock> blocks) {
    return blocks.getNumPartitions();
  }

  /** One result row per query of every block ({@link #RESULT_SCHEMA}). */
  public static JavaRDD<Row> resultRows(JavaPairRDD<Long, QueryBlock> done, long[] lowestIds) {
    return done.values().flatMap(b -> rows(b, lowestIds).iterator());
  }

  /** The results of one block, in its queries' order. */
  static List<Row> rows(QueryBlock b, long[] lowestIds) {
    long m = b.state.memoryCount();
    RetrievalResult r = b.state.result(m, java.util.Arrays.copyOf(lowestIds,
        b.state.lowestIdsNeeded(m)));
    return rows(r, b.ids);
  }

  /** Result rows of a retrieval whose queries have ids {@code ids}. */
  public static List<Row> rows(RetrievalResult r, long[] ids) {
    List<Row> out = new ArrayList<>(r.batch());
    float[] states = r.states().data();
    int d = r.states().cols();
    for (int i = 0; i < r.batch(); i++) {
      float[] state = java.util.Arrays.copyOfRange(states, i * d, (i + 1) * d);
      double e = r.finalEnergy(i);
      out.add(RowFactory.create(ids[i], seq(state), ArraySeq.unsafeWrapArray(r.topIds(i)),
          seq(r.topWeights(i)), r.steps(i), Double.isFinite(e) ? e : null));
    }
    return out;
  }

  /** The Row encoder takes arrays as Scala Seqs (of boxed values for float arrays). */
  static ArraySeq<Object> seq(float[] a) {
    Float[] boxed = new Float[a.length];
    for (int i = 0; i < a.length; i++) {
      boxed[i] = a[i];
    }
    return ArraySeq.unsafeWrapArray(boxed);
  }

  /** Writes result rows as Parquet into {@code dir} (a temporary directory the caller renames). */
  public static void writeParquet(SparkSession spark, JavaRDD<Row> rows, String dir) {
    spark.createDataFrame(rows, RESULT_SCHEMA).write().mode("overwrite").parquet(dir);
  }
}
