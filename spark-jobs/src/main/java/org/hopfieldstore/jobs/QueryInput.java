package org.hopfieldstore.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.hopfieldstore.core.io.ByteSource;
import org.hopfieldstore.core.io.Locations;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.kernel.KernelSpace;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.MemoryFrames;
import org.hopfieldstore.spark.dist.QueryBlock;
import org.hopfieldstore.spark.dist.QueryData;
import org.hopfieldstore.spark.dist.Vectors;

/**
 * Where the queries of {@code retrieve} come from: a .npy file (read a batch of rows at a time,
 * or by the executors), IDX images (small: read whole), or Parquet ({@code id}, {@code vector}
 * columns, any size). Queries keep their ids (row indices for files) end to end.
 */
abstract class QueryInput {
  final String location;

  QueryInput(String location) {
    this.location = location;
  }

  /** The query source at {@code location}; Parquet needs a Spark session. */
  static QueryInput open(String location, SparkSession spark, String idCol, String vectorCol)
      throws IOException {
    if (!Locations.exists(location)) {
      throw new IllegalArgumentException(location + ": no such file");
    }
    if (spark != null && SparkBackend.isParquet(location)) {
      return new Frame(location, spark, idCol, vectorCol);
    }
    if (location.toLowerCase(Locale.ROOT).endsWith(".npy")) {
      return new NpyRows(location);
    }
    return new Whole(location, MatrixReader.read(location, "queries"));
  }

  abstract long count();

  /** The queries' dimension, or -1 when only a pass over them tells (Parquet). */
  abstract int dim();

  /** Batches of at most {@code size} queries, read as they are used. */
  abstract Iterator<Batch> batches(int size);

  /** Query blocks for the distributed plan, or null when the source has none (IDX). */
  abstract JavaPairRDD<Long, QueryBlock> blocks(JavaSparkContext jsc, RetrievalSpec spec,
      int report, boolean energy, DistributedStore store, KernelSpace kernel) throws IOException;

  /** A batch: the queries' ids and vectors. */
  static final class Batch {
    final long[] ids;
    final FloatMatrix queries;

    Batch(long[] ids, FloatMatrix queries) {
      this.ids = ids;
      this.queries = queries;
    }
  }

  /** Row ranges of a .npy file, read on the driver a batch at a time. */
  private static final class NpyRows extends QueryInput {
    private final long[] shape;

    NpyRows(String location) throws IOException {
      super(location);
      try (ByteSource src = Locations.open(location)) {
        shape = Npy.matrixShape(src, "queries");
      }
    }

    @Override
    long count() {
      return shape[0];
    }

    @Override
    int dim() {
      return (int) shape[1];
    }

    @Override
    Iterator<Batch> batches(int size) {
      return new Iterator<>() {
        private long next;

        @Override
        public boolean hasNext() {
          return next < shape[0];
        }

        @Override
        public Batch next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          long to = Math.min(shape[0], next + size);
          try (ByteSource src = Locations.open(location)) {
            FloatMatrix m = Npy.readRows(src, "queries", next, to);
            long[] ids = new long[m.rows()];
            for (int i = 0; i < ids.length; i++) {
              ids[i] = next + i;
            }
            next = to;
            return new Batch(ids, m);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(location + ": " + e.getMessage(), e);
          }
        }
      };
    }

    @Override
    JavaPairRDD<Long, QueryBlock> blocks(JavaSparkContext jsc, RetrievalSpec spec, int report,
        boolean energy, DistributedStore store, KernelSpace kernel) throws IOException {
      return QueryData.blocks(jsc, location, spec, report, energy, store, kernel);
    }
  }

  /** A small file read whole (IDX images). */
  private static final class Whole extends QueryInput {
    private final FloatMatrix all;

    Whole(String location, FloatMatrix all) {
      super(location);
      this.all = all;
    }

    @Override
    long count() {
      return all.rows();
    }

    @Override
    int dim() {
      return all.cols();
    }

    @Override
    Iterator<Batch> batches(int size) {
      List<Batch> out = new ArrayList<>();
      int d = all.cols();
      for (int from = 0; from < all.rows(); from += size) {
        int n = Math.min(size, all.rows() - from);
        float[] chunk = java.util.Arrays.copyOfRange(all.data(), from * d, (from + n) * d);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
          ids[i] = from + i;
        }
        out.add(new Batch(ids, FloatMatrix.of("queries", chunk, n, d)));
      }
      return out.iterator();
    }

    @Override
    JavaPairRDD<Long, QueryBlock> blocks(JavaSparkContext jsc, RetrievalSpec spec, int report,
        boolean energy, DistributedStore store, KernelSpace kernel) {
      return null;
    }
  }

  /** A Parquet data set of queries with an id and a vector column. */
  private static final class Frame extends QueryInput {
    private final Dataset<Row> df;
    private final String idCol;
    private final String vectorCol;
    private long count = -1;

    Frame(String location, SparkSession spark, String idCol, String vectorCol) {
      super(location);
      this.df = spark.read().parquet(location);
      this.idCol = idCol;
      this.vectorCol = vectorCol;
      MemoryFrames.requireVector(df.schema(), vectorCol, "queries", "--vector-column");
      if (!java.util.Arrays.asList(df.schema().fieldNames()).contains(idCol)) {
        throw new IllegalArgumentException("queries: column '" + idCol + "' (--id-column) not "
            + "found in " + location + "; columns are "
            + java.util.Arrays.toString(df.schema().fieldNames()));
      }
      MemoryFrames.requireIntegerType(df.schema(), idCol, "queries", "--id-column");
    }

    @Override
    long count() {
      if (count < 0) {
        count = df.count();
      }
      return count;
    }

    @Override
    int dim() {
      return -1;
    }

    @Override
    Iterator<Batch> batches(int size) {
      Iterator<Row> rows = df.select(idCol, vectorCol).toLocalIterator();
      return new Iterator<>() {
        private long row;
        private int dim = -1;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Batch next() {
          List<long[]> ids = new ArrayList<>();
          List<float[]> vectors = new ArrayList<>();
          while (rows.hasNext() && vectors.size() < size) {
            Row r = rows.next();
            float[] v = Vectors.floats(r, 1, dim, "queries: row " + row + " of " + location
                + ", column '" + vectorCol + "'", "the first query has " + dim);
            dim = v.length;
            if (r.isNullAt(0)) {
              throw new IllegalArgumentException("queries: null id in row " + row + " of "
                  + location);
            }
            ids.add(new long[] {((Number) r.get(0)).longValue()});
            vectors.add(v);
            row++;
          }
          float[] data = new float[vectors.size() * dim];
          long[] idArray = new long[vectors.size()];
          for (int i = 0; i < vectors.size(); i++) {
            System.arraycopy(vectors.get(i), 0, data, i * dim, dim);
            idArray[i] = ids.get(i)[0];
          }
          return new Batch(idArray, FloatMatrix.of("queries", data, vectors.size(), dim));
        }
      };
    }

    @Override
    JavaPairRDD<Long, QueryBlock> blocks(JavaSparkContext jsc, RetrievalSpec spec, int report,
        boolean energy, DistributedStore store, KernelSpace kernel) {
      return QueryData.blocks(df, idCol, vectorCol, QueryData.BLOCK_QUERIES, spec, report,
          energy, store, kernel);
    }
  }
}
