package org.hopfieldstore.spark.dist;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import org.hopfieldstore.core.aggregate.BlockAggregation;
import org.hopfieldstore.core.aggregate.Mergeable;
import org.hopfieldstore.core.aggregate.PairAggregation;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.spark.io.HadoopLocations;
import scala.Tuple2;

/**
 * Memories partitioned into blocks of the core {@link MemoryBlock} type and cached on the
 * executors, with the generic distributed passes over them: a {@link BlockAggregation} folds
 * each cached block where it lives and merges the partials; a {@link PairAggregation} does the
 * same for every unordered pair of blocks. Nothing here knows a rule.
 */
public final class SparkBlocks {
  private static final int LOWEST_IDS_KEPT = 1024;
  /** Above this many partitions, partials merge in a two-level tree instead of on the driver. */
  private static final int TREE_MERGE_PARTITIONS = 32;

  private final JavaSparkContext jsc;
  private final JavaRDD<MemoryBlock> blocks;
  private final long count;
  private final int dim;
  private final double maxNorm;
  private final int partitions;
  private long[] lowest;

  SparkBlocks(JavaSparkContext jsc, JavaRDD<MemoryBlock> blocks, StorageLevel level) {
    this.jsc = jsc;
    this.blocks = blocks.persist(level);
    List<double[]> stats = withDescription("memory statistics",
        () -> this.blocks.map(b -> new double[] {b.size(), b.dim(), b.maxNorm()}).collect());
    if (stats.isEmpty()) {
      throw new IllegalArgumentException("empty memory set: no partition holds a memory");
    }
    long n = 0;
    double norm = 0;
    int d = (int) stats.get(0)[1];
    for (double[] s : stats) {
      if ((int) s[1] != d) {
        throw new IllegalArgumentException("dimension mismatch between memory partitions: "
            + d + " and " + (int) s[1]);
      }
      n += (long) s[0];
      norm = Math.max(norm, s[2]);
    }
    this.count = n;
    this.dim = d;
    this.maxNorm = norm;
    this.partitions = blocks.getNumPartitions();
    this.lowest = lowestIds(this.blocks, LOWEST_IDS_KEPT);
  }

  /**
   * Splits an in-memory matrix into {@code partitions} contiguous row ranges (ids = row index).
   * The matrix travels once as a broadcast (tasks carry only their row range); its executor
   * copies are dropped once the blocks are cached, and the driver's copy lets Spark rebuild a
   * lost block.
   */
  static SparkBlocks fromMatrix(JavaSparkContext jsc, FloatMatrix memories, int partitions,
      StorageLevel level) {
    checkPartitions(partitions, memories.rows());
    int d = memories.cols();
    Broadcast<float[]> data = jsc.broadcast(memories.data());
    JavaRDD<MemoryBlock> rdd = jsc.parallelize(ranges(memories.rows(), partitions), partitions)
        .map(r -> MemoryBlock.withIdOffset(Arrays.copyOfRange(data.value(), r[0] * d, r[1] * d),
            r[1] - r[0], d, r[0]));
    SparkBlocks blocks = new SparkBlocks(jsc, rdd, level);
    data.unpersist(false);
    return blocks;
  }

  /**
   * Each partition reads and checks its own row range of a 2-D float .npy file on any Hadoop
   * filesystem (positioned reads; the header is read once, here): no limit on the file's size,
   * each block at most one Java array.
   */
  static SparkBlocks fromNpy(JavaSparkContext jsc, String location, int partitions,
      StorageLevel level) throws java.io.IOException {
    long[] shape = npyShape(jsc, location);
    long m = shape[0];
    long d = shape[1];
    checkPartitions(partitions, m);
    int p = (int) Math.max(partitions, (m * d + MAX_BLOCK_VALUES - 1) / MAX_BLOCK_VALUES);
    List<long[]> ranges = new ArrayList<>();
    for (int i = 0; i < p; i++) {
      ranges.add(new long[] {m * i / p, m * (i + 1) / p});
    }
    return new SparkBlocks(jsc, npyRanges(jsc, location, ranges), level);
  }

  /** The (rows, columns) of a 2-D float .npy file on any Hadoop filesystem: its header only. */
  static long[] npyShape(JavaSparkContext jsc, String location) throws java.io.IOException {
    try (org.hopfieldstore.core.io.ByteSource src =
        HadoopLocations.open(location, jsc.hadoopConfiguration())) {
      return Npy.matrixShape(src, "memories");
    }
  }

  /**
   * One block per {@code [from, to)} row range of a .npy file, each read and checked by its own
   * task (positioned reads), ids the row numbers.
   */
  static JavaRDD<MemoryBlock> npyRanges(JavaSparkContext jsc, String location,
      List<long[]> ranges) {
    SerializableConfiguration conf = new SerializableConfiguration(jsc.hadoopConfiguration());
    return jsc.parallelize(ranges, Math.max(1, ranges.size())).map(r -> {
      try (org.hopfieldstore.core.io.ByteSource src = HadoopLocations.open(location,
          conf.value())) {
        FloatMatrix rows = Npy.readRows(src, "memories", r[0], r[1]);
        return MemoryBlock.withIdOffset(rows.data(), rows.rows(), rows.cols(), r[0]);
      }
    });
  }

  /** Most values in one block (one Java array; a larger file gets more partitions). */
  static final long MAX_BLOCK_VALUES = Integer.MAX_VALUE - 8;

  /**
   * Memories from any DataFrame with a long id column and an array-of-numbers vector column;
   * {@code source} names the data in error messages. Rows are spread over {@code partitions},
   * then packed into one block per partition.
   */
  static SparkBlocks fromDataFrame(Dataset<Row> df, String idCol, String vectorCol,
      String source, int partitions, StorageLevel level) {
    return fromDataFrame(df, idCol, vectorCol, null, source, partitions, level);
  }

  /** The same, with each block's score factors from float column {@code factorCol}. */
  static SparkBlocks fromDataFrame(Dataset<Row> df, String idCol, String vectorCol,
      String factorCol, String source, int partitions, StorageLevel level) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    Dataset<Row> selected = factorCol == null ? df.select(idCol, vectorCol)
        : df.select(idCol, vectorCol, factorCol);
    boolean internal = IdVector.decodesInternally(selected.schema());
    if (factorCol != null && !internal) {
      throw new IllegalArgumentException(source + ": row factors need a long id, an array of "
          + "floats or doubles and a float factor column, got " + selected.schema().simpleString());
    }
    boolean floats = internal && IdVector.floatVectors(selected.schema());
    JavaRDD<IdVector> pairs = internal
        ? selected.queryExecution().toRdd().toJavaRDD()
            .map(row -> IdVector.of(row, floats, source, idCol, vectorCol))
        : selected.javaRDD().map(row -> IdVector.of(row, source, idCol, vectorCol));
    // merging neighbouring input splits needs no shuffle; only too few splits are repartitioned
    JavaRDD<IdVector> placed = pairs.getNumPartitions() >= partitions
        ? pairs.coalesce(partitions) : pairs.repartition(partitions);
    JavaRDD<MemoryBlock> rdd = placed.mapPartitions(
        (FlatMapFunction<Iterator<IdVector>, MemoryBlock>) it -> IdVector.pack(it, source));
    return new SparkBlocks(JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext()),
        rdd, level);
  }

  /** The same blocks, each transformed by {@code f} (which must keep its memories and ids). */
  SparkBlocks map(Function<MemoryBlock, MemoryBlock> f) {
    return new SparkBlocks(jsc, blocks.map(f), blocks.getStorageLevel());
  }

  /**
   * Folds every cached block with {@code aggregation} where it lives (each partition from the
   * zero) and merges the partials: a plain {@code reduce} (one job), or a two-level tree for
   * many partitions, where merging every partial on the driver would be the bottleneck.
   */
  public <A extends Mergeable<A>> A aggregate(BlockAggregation<A> aggregation) {
    Broadcast<byte[]> shipped = jsc.broadcast(Shipped.bytes(aggregation));
    try {
      JavaRDD<A> parts = blocks.mapPartitions(it -> {
        ExecutorThreads.limit();
        BlockAggregation<A> agg = Shipped.read(shipped.value());
        A acc = agg.zero();
        while (it.hasNext()) {
          acc = agg.fold(acc, it.next());
        }
        return Collections.singletonList(acc).iterator();
      });
      return withDescription(aggregation.describe(), () -> merge(parts));
    } finally {
      shipped.destroy();
    }
  }

  /** Folds every unordered pair of blocks (each with itself too) in a task of its own. */
  public <A extends Mergeable<A>> A aggregatePairs(PairAggregation<A> aggregation) {
    Broadcast<byte[]> shipped = jsc.broadcast(Shipped.bytes(aggregation));
    try {
      JavaRDD<A> parts = blockPairs().map(p -> {
        ExecutorThreads.limit();
        PairAggregation<A> agg = Shipped.read(shipped.value());
        return agg.fold(agg.zero(), p._1()._2(), p._2()._2(), p._1()._1().equals(p._2()._1()));
      });
      return withDescription(aggregation.describe(), () -> merge(parts));
    } finally {
      shipped.destroy();
    }
  }

  /**
   * An aggregation travels as a broadcast of its Java-serialised bytes, read once per task: it
   * may carry megabytes (a batch of queries, a sample of negatives) that would otherwise ride
   * in every stage's task binary.
   */
  static final class Shipped {
    private Shipped() {}

    static byte[] bytes(java.io.Serializable value) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(out)) {
        o.writeObject(value);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return out.toByteArray();
    }

    @SuppressWarnings("unchecked")
    static <T> T read(byte[] bytes) {
      try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
          new java.io.ByteArrayInputStream(bytes)) {
        @Override
        protected Class<?> resolveClass(java.io.ObjectStreamClass desc)
            throws java.io.IOException, ClassNotFoundException {
          ClassLoader task = Thread.currentThread().getContextClassLoader();
          try {
            return Class.forName(desc.getName(), false, task); // the application jar's loader
          } catch (ClassNotFoundException e) {
            return super.resolveClass(desc);
          }
        }
      }) {
        return (T) in.readObject();
      } catch (java.io.IOException | ClassNotFoundException e) {
        throw new IllegalStateException("cannot read a shipped aggregation", e);
      }
    }
  }

  private <A extends Mergeable<A>> A merge(JavaRDD<A> parts) {
    Function2<A, A, A> f = Mergeable::merge;
    return partitions > TREE_MERGE_PARTITIONS ? parts.treeReduce(f, 2) : parts.reduce(f);
  }

  /** Runs {@code job} with {@code what} as the Spark job description (the UI shows it). */
  <T> T withDescription(String what, java.util.function.Supplier<T> job) {
    String before = jsc.getLocalProperty("spark.job.description");
    jsc.setJobDescription("hopfield-store: " + what);
    try {
      return job.get();
    } finally {
      jsc.setLocalProperty("spark.job.description", before);
    }
  }

  /** The cached blocks, one a partition. */
  JavaRDD<MemoryBlock> rdd() {
    return blocks;
  }

  /** The cached blocks keyed by partition index. */
  JavaPairRDD<Integer, MemoryBlock> indexed() {
    return blocks.mapPartitionsWithIndex((i, it) -> {
      List<Tuple2<Integer, MemoryBlock>> out = new ArrayList<>();
      it.forEachRemaining(b -> out.add(new Tuple2<>(i, b)));
      return out.iterator();
    }, true).mapToPair(t -> t);
  }

  /** Every unordered pair of indexed blocks, a block with itself included. */
  JavaPairRDD<Tuple2<Integer, MemoryBlock>, Tuple2<Integer, MemoryBlock>> blockPairs() {
    JavaPairRDD<Integer, MemoryBlock> indexed = indexed();
    return indexed.cartesian(indexed).filter(p -> p._1()._1() <= p._2()._1());
  }

  public JavaSparkContext jsc() {
    return jsc;
  }

  public long count() {
    return count;
  }

  public int dim() {
    return dim;
  }

  public double maxNorm() {
    return maxNorm;
  }

  public int partitions() {
    return partitions;
  }

  /** The {@code n} smallest memory ids, ascending. */
  public synchronized long[] lowestIds(int n) {
    if (n > lowest.length && lowest.length < count) {
      lowest = lowestIds(blocks, n);
    }
    return Arrays.copyOf(lowest, n);
  }

  /** Every block, on the driver. */
  List<MemoryBlock> collect() {
    return blocks.collect();
  }

  /** Drops the cached blocks. */
  void unpersist() {
    blocks.unpersist(false);
  }

  private static long[] lowestIds(JavaRDD<MemoryBlock> blocks, int n) {
    List<long[]> parts = blocks.map(b -> {
      long[] ids = new long[b.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = b.id(i);
      }
      Arrays.sort(ids);
      return Arrays.copyOf(ids, Math.min(n, ids.length));
    }).collect();
    long[] all = parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return Arrays.copyOf(all, Math.min(n, all.length));
  }

  /** P contiguous, near-equal row ranges {@code [from, to)} of m rows. */
  private static List<int[]> ranges(int m, int partitions) {
    List<int[]> ranges = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ranges.add(new int[] {(int) ((long) m * p / partitions),
          (int) ((long) m * (p + 1) / partitions)});
    }
    return ranges;
  }

  private static void checkPartitions(int partitions, long rows) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (partitions > rows) {
      throw new IllegalArgumentException("partitions (" + partitions
          + ") must not exceed the number of memories (" + rows + ")");
    }
  }
}
