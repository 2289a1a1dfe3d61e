package org.hopfieldstore.spark.ml;

import java.util.Arrays;
import java.util.Iterator;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.spark.dist.DistributedQueries;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.QueryBlock;
import org.hopfieldstore.spark.dist.QueryData;
import org.hopfieldstore.spark.dist.Vectors;
import scala.collection.immutable.ArraySeq;

/**
 * The model's transform, lazy: a DataFrame whose plan builds query blocks from each partition
 * of the input, runs the distributed plan ({@link DistributedQueries}) and appends each row's
 * results to it, in order; the retrieval runs when an action runs, on the executors, with
 * nothing collected on the driver.
 */
final class DistributedTransform {
  private DistributedTransform() {}

  static Dataset<Row> transform(HopfieldRetrievalParams<?> params, DistributedStore store,
      Dataset<Row> df, StructType out) {
    RetrievalSpec spec = params.spec();
    String qc = params.getQueryCol();
    int qi = df.schema().fieldIndex(qc);
    int d = store.dim();
    int report = params.getReport();
    DistributedQueries.Scoring scoring = DistributedQueries.Scoring.of(store, spec);
    JavaRDD<Row> input = df.javaRDD();
    if (input.getNumPartitions() == 0) {
      return df.sparkSession().createDataFrame(input, out);
    }
    JavaPairRDD<Long, QueryBlock> blocks = QueryData.blocks(df, null, qc, params.getBatchSize(), spec, report, false,
        scoring.store, scoring.kernel);
    JavaPairRDD<Long, QueryBlock> done = DistributedQueries.retrieve(scoring.store, blocks, spec,
        report, input.getNumPartitions());
    int width = spec.isSummary() ? 0 : (int) Math.min(report, store.memoryCount());
    long[] lowest = store.lowestIds(Math.min((int) store.memoryCount(), 2 * width));
    String dimWhy = "the memories have dimension " + d;
    JavaRDD<Row> rows = input.zipPartitions(done.values(),
        (Iterator<Row> rowIt, Iterator<QueryBlock> blockIt) -> appended(rowIt, blockIt, qi, qc,
            d, lowest, dimWhy));
    return df.sparkSession().createDataFrame(rows, out);
  }

  /**
   * Each row with its query's state, top ids and weights, streamed a block at a time, checking
   * that each row holds the query it was given.
   */
  private static Iterator<Row> appended(Iterator<Row> rows, Iterator<QueryBlock> blocks, int qi,
      String qc, int d, long[] lowest, String dimWhy) {
    return new Iterator<Row>() {
      private QueryBlock block;
      private RetrievalResult result;
      private int i;
      private int row;

      @Override
      public boolean hasNext() {
        while (result == null || i == result.batch()) {
          if (!blocks.hasNext()) {
            if (rows.hasNext()) {
              throw changed(row);
            }
            return false;
          }
          block = blocks.next();
          long m = block.state().memoryCount();
          result = block.state().result(m, Arrays.copyOf(lowest,
              block.state().lowestIdsNeeded(m)));
          i = 0;
        }
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        if (!rows.hasNext()) {
          throw changed(row);
        }
        Row input = rows.next();
        float[] q = Vectors.floats(input, qi, d, "queries: row " + row + " of column '" + qc
            + "' (queryCol)", dimWhy);
        if (QueryData.fingerprint(q) != block.ids()[i]) {
          throw changed(row);
        }
        Object[] values = new Object[input.size() + 3];
        for (int j = 0; j < input.size(); j++) {
          values[j] = input.get(j);
        }
        float[] state = Arrays.copyOfRange(result.states().data(), i * d, (i + 1) * d);
        values[input.size()] = ArraySeq.unsafeWrapArray(box(state));
        values[input.size() + 1] = ArraySeq.unsafeWrapArray(result.topIds(i));
        values[input.size() + 2] = ArraySeq.unsafeWrapArray(box(result.topWeights(i)));
        i++;
        row++;
        return RowFactory.create(values);
      }
    };
  }

  private static Float[] box(float[] a) {
    Float[] b = new Float[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i];
    }
    return b;
  }

  private static IllegalStateException changed(int row) {
    return new IllegalStateException("queries: row " + row + " of a partition holds another "
        + "query than when it was retrieved: the query DataFrame's rows are not deterministic; "
        + "sort, cache or checkpoint it before transform");
  }
}
