package org.hopfieldstore.spark.ml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.spark.dist.DistributedStore;
import scala.Tuple2;
import scala.collection.immutable.ArraySeq;

/**
 * The model's transform: queries are collected to the driver in batches, each batch runs the
 * distributed update steps, and the results travel back to the rows as broadcasts.
 */
final class DriverBatchTransform {
  private DriverBatchTransform() {}

  static Dataset<Row> transform(HopfieldRetrievalParams<?> params, DistributedStore store,
      Dataset<Row> df, StructType out) {
    RetrievalSpec spec = params.spec();
    SparkSession spark = df.sparkSession();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String qc = params.getQueryCol();
    int d = store.dim();
    int width = spec.isSummary() ? 0 : (int) Math.min(params.getReport(), store.memoryCount());
    int batchSize = params.getBatchSize();
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
          results.retrieve(store, batch, inBatch, spec, params.getReport());
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
      results.retrieve(store, batch, inBatch, spec, params.getReport());
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
}
