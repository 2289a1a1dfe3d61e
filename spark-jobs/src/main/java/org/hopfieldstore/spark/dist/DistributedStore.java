package org.hopfieldstore.spark.dist;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.hopfieldstore.core.capacity.Separation;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.kernel.LinearFeatureMap;
import org.hopfieldstore.core.kernel.SeparationLoss;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.nonparametric.KernelSummary;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.Partials;
import org.hopfieldstore.core.reduce.RowSource;
import org.hopfieldstore.core.reduce.SoftmaxPartial;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.reduce.SupportPartial;
import org.hopfieldstore.core.retrieval.BlockScan;
import org.hopfieldstore.core.retrieval.RowScaler;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.ScoreKernels;
import org.hopfieldstore.core.score.SimdScoreKernel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Memories partitioned into P blocks of the core {@link MemoryBlock} type and cached on the
 * executors. A retrieval step broadcasts the batch of states; each partition folds its block into
 * the core partial result (the same code as in-process retrieval), sparse rules keep only their
 * local support, and the partials are merged with {@code treeReduce} into the exact global answer.
 * Sparse rules and top-K then fetch only the rows of the global support. Bytes of partial results
 * and fetched rows are counted per step.
 */
public final class DistributedStore implements StepFunction, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedStore.class);
  private static final int LOWEST_IDS_KEPT = 1024;
  /**
   * A partition sends its sparse candidates' rows with its partial when they take at most this
   * many bytes (or at most its share of a weighted-sum pass, if larger): one Spark job per step
   * instead of two. {@code -Dhopfield.spark.shipRowsBytes=0} turns it off.
   */
  private volatile long shipRowsBytes = Long.getLong("hopfield.spark.shipRowsBytes", 8L << 20);

  private final JavaSparkContext jsc;
  private final JavaRDD<MemoryBlock> blocks;
  private final String kernelName;
  private final long count;
  private final int dim;
  private final double maxNorm;
  private final int partitions;
  private long[] lowest;
  private final List<StepTraffic> traffic = Collections.synchronizedList(new ArrayList<>());

  /** Bytes that crossed the wire in one distributed step. */
  public static final class StepTraffic {
    public final String rule;
    public final int batch;
    public final long partialBytes;
    public final long candidates;
    public final long rowBytes;

    StepTraffic(String rule, int batch, long partialBytes, long candidates, long rowBytes) {
      this.rule = rule;
      this.batch = batch;
      this.partialBytes = partialBytes;
      this.candidates = candidates;
      this.rowBytes = rowBytes;
    }

    @Override
    public String toString() {
      return rule + " batch=" + batch + " partial_bytes=" + partialBytes + " candidates="
          + candidates + " row_bytes=" + rowBytes;
    }
  }

  private DistributedStore(JavaSparkContext jsc, JavaRDD<MemoryBlock> blocks, String kernelName,
      StorageLevel level) {
    this.jsc = jsc;
    this.kernelName = kernelName;
    ScoreKernels.byName(kernelName); // validate the name on the driver
    this.blocks = blocks.persist(level);
    List<double[]> stats = this.blocks.map(b -> new double[] {b.size(), b.dim(), b.maxNorm()})
        .collect();
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
    this.partitions = stats.size();
    this.lowest = lowestIds(this.blocks, LOWEST_IDS_KEPT);
  }

  /**
   * Splits an in-memory matrix into {@code partitions} contiguous row ranges (ids = row index).
   * The matrix travels once as a broadcast (tasks carry only their row range); its executor
   * copies are dropped once the blocks are cached, and the driver's copy lets Spark rebuild a
   * lost block.
   */
  public static DistributedStore fromMatrix(JavaSparkContext jsc, FloatMatrix memories,
      int partitions, StorageLevel level, String kernel) {
    checkPartitions(partitions, memories.rows());
    int m = memories.rows();
    int d = memories.cols();
    Broadcast<float[]> data = jsc.broadcast(memories.data());
    JavaRDD<MemoryBlock> rdd = jsc.parallelize(ranges(m, partitions), partitions).map(r -> {
      float[] slab = Arrays.copyOfRange(data.value(), r[0] * d, r[1] * d);
      return MemoryBlock.withIdOffset(slab, r[1] - r[0], d, r[0]);
    });
    DistributedStore store = new DistributedStore(jsc, rdd, kernel, level);
    data.unpersist(false);
    return store;
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

  /**
   * Each partition reads its own row range of a 2-D float .npy file (the path must be readable
   * from every executor: a local path on one machine, a shared file system on a cluster).
   */
  public static DistributedStore fromNpy(JavaSparkContext jsc, Path path, int partitions,
      StorageLevel level, String kernel) {
    long[] shape = Npy.matrixShape(path, "memories");
    int m = (int) shape[0];
    checkPartitions(partitions, m);
    String file = path.toAbsolutePath().toString();
    JavaRDD<MemoryBlock> rdd = jsc.parallelize(ranges(m, partitions), partitions).map(r -> {
      FloatMatrix rows = Npy.readRows(Path.of(file), "memories", r[0], r[1]);
      return MemoryBlock.withIdOffset(rows.data(), rows.rows(), rows.cols(), r[0]);
    });
    return new DistributedStore(jsc, rdd, kernel, level);
  }

  /** Memories from Parquet with columns {@code id: long, vector: array<float>}. */
  public static DistributedStore fromParquet(SparkSession spark, String path, int partitions,
      StorageLevel level, String kernel) {
    return fromDataFrame(spark.read().parquet(path), "id", "vector", path, partitions, level,
        kernel);
  }

  /**
   * Memories from any DataFrame with a long id column and an array-of-numbers vector column;
   * {@code source} names the data in error messages. Rows are turned into (id, float[]) pairs
   * before they are spread over {@code partitions}, then packed into one block per partition.
   */
  public static DistributedStore fromDataFrame(Dataset<Row> df, String idCol, String vectorCol,
      String source, int partitions, StorageLevel level, String kernel) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    JavaRDD<IdVector> pairs = df.select(idCol, vectorCol).javaRDD().map(row -> {
      if (row.isNullAt(0) || row.isNullAt(1)) {
        throw new IllegalArgumentException(source + ": null " + idCol + " or " + vectorCol);
      }
      long id = row.getLong(0);
      List<Object> v = row.getList(1);
      float[] f = new float[v.size()];
      for (int i = 0; i < f.length; i++) {
        Object x = v.get(i);
        if (x == null) {
          throw new IllegalArgumentException(source + ": null value in memory id " + id
              + ", column " + i);
        }
        f[i] = ((Number) x).floatValue();
      }
      return new IdVector(id, f);
    });
    JavaRDD<MemoryBlock> rdd = pairs.repartition(partitions).mapPartitions(
        (FlatMapFunction<Iterator<IdVector>, MemoryBlock>) it -> {
          List<IdVector> rows = new ArrayList<>();
          it.forEachRemaining(rows::add);
          if (rows.isEmpty()) {
            return Collections.emptyIterator();
          }
          int d = rows.get(0).vector.length;
          float[] slab = new float[rows.size() * d];
          long[] ids = new long[rows.size()];
          for (int i = 0; i < rows.size(); i++) {
            IdVector r = rows.get(i);
            if (r.vector.length != d) {
              throw new IllegalArgumentException(source + ": dimension mismatch: memory id "
                  + r.id + " has " + r.vector.length + " values, memory id " + ids[0] + " has "
                  + d);
            }
            System.arraycopy(r.vector, 0, slab, i * d, d);
            ids[i] = r.id;
          }
          return Collections.singletonList(MemoryBlock.withIds(slab, ids, d)).iterator();
        });
    return new DistributedStore(JavaSparkContext.fromSparkContext(df.sparkSession()
        .sparkContext()), rdd, kernel, level);
  }

  private static void checkPartitions(int partitions, int rows) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (partitions > rows) {
      throw new IllegalArgumentException("partitions (" + partitions
          + ") must not exceed the number of memories (" + rows + ")");
    }
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

  /** Multi-step retrieval over the cluster; the same loop and stopping rule as the core. */
  public RetrievalResult retrieve(FloatMatrix queries, RetrievalSpec spec, int report,
      boolean trackEnergy) {
    return RetrievalLoop.run(this, queries, spec, report, trackEnergy);
  }

  @Override
  public long memoryCount() {
    return count;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public double maxNorm() {
    return maxNorm;
  }

  public int partitions() {
    return partitions;
  }

  /** Traffic of every step run so far, oldest first. */
  public List<StepTraffic> traffic() {
    synchronized (traffic) {
      return new ArrayList<>(traffic);
    }
  }

  @Override
  public synchronized long[] lowestIds(int n) {
    if (n > lowest.length && lowest.length < count) {
      lowest = lowestIds(blocks, n);
    }
    return Arrays.copyOf(lowest, n);
  }

  @Override
  public StepOutput step(float[] states, int batch, RetrievalSpec spec, int report,
      boolean wantStates) {
    if (spec.isSummary()) {
      KernelSummary summary = summary(spec);
      return StepOutput.ofSummary(summary.step(states, batch), batch, summary.count());
    }
    float[] q = BlockScan.scaledQueries(states, batch, dim, spec.beta());
    Broadcast<float[]> bq = jsc.broadcast(q);
    LongAccumulator bytes = jsc.sc().longAccumulator();
    LongAccumulator candidates = jsc.sc().longAccumulator();
    String specText = spec.toString();
    String kernel = kernelName;
    int d = dim;
    // sparse rules: a partition whose candidate rows are few sends them with its partial, so
    // the states need no second job (an empty array: it had too many, the driver fetches)
    long shipLimit = shipRowsBytes <= 0 ? -1 : Math.max((long) batch * d * 4, shipRowsBytes);
    boolean ship = wantStates;
    Tuple2<byte[], byte[]> merged = merge(blocks.map(block -> {
      RetrievalSpec s = RetrievalSpec.parse(specText);
      PartialScores<?> partial = foldBlock(block, bq.value(), batch, d, s, report, kernel);
      if (partial instanceof SupportPartial) {
        ((SupportPartial) partial).compact();
      }
      byte[] b = partial.toBytes();
      bytes.add(b.length);
      candidates.add(partial.candidateCount());
      byte[] rows = new byte[0];
      if (ship && !(partial instanceof SoftmaxPartial)) {
        long[] ids = partial.candidateIds();
        if (ids.length * (8L + 4L * d) <= shipLimit) {
          rows = ShippedRows.pack(block, ids);
        }
      }
      return new Tuple2<>(b, rows);
    }), (a, b) -> new Tuple2<>(
        Partials.merge(Partials.fromBytes(a._1()), Partials.fromBytes(b._1())).toBytes(),
        ShippedRows.concat(a._2(), b._2())));
    bq.destroy();
    PartialScores<?> total = Partials.fromBytes(merged._1());
    StepOutput out;
    long rowBytes = 0;
    if (total instanceof SoftmaxPartial) { // softmax and masked carry their weighted sums
      out = total.finish(null, wantStates);
    } else {
      out = total.finish(null, false);
      Map<Long, float[]> shipped = wantStates ? ShippedRows.unpack(merged._2(), dim) : null;
      if (shipped != null && Arrays.stream(out.supportIds).flatMapToLong(Arrays::stream)
          .allMatch(shipped::containsKey)) {
        rowBytes = merged._2().length;
        out = out.withStatesFrom(RowSource.of(shipped, dim));
      } else if (wantStates) {
        // either fetch the support rows, or let each partition add up its part of the weighted
        // sum: whichever sends fewer bytes (rows win for small sparse supports, partial sums for
        // wide top-K supports over few partitions)
        long distinct = Arrays.stream(out.supportIds).flatMapToLong(Arrays::stream).distinct()
            .count();
        long rowCost = distinct * (8L + 4L * dim);
        long sumCost = (long) partitions * batch * dim * 4L;
        if (rowCost <= sumCost) {
          Map<Long, float[]> rows = fetchRows(out.supportIds);
          rowBytes = rows.size() * (8L + 4L * dim);
          out = out.withStatesFrom(RowSource.of(rows, dim));
        } else {
          float[] sums = weightedSums(out.supportIds, out.supportWeights, batch);
          rowBytes = sumCost;
          out = new StepOutput(sums, out.conjugate, out.supportIds, out.supportWeights,
              out.supportSize);
        }
      }
    }
    StepTraffic t = new StepTraffic(spec.rule().key(), batch, bytes.value(), candidates.value(),
        rowBytes);
    traffic.add(t);
    LOG.info("step over {} partitions: {}", partitions, t);
    return out;
  }

  /**
   * The same memories scoring with per-memory factors (the normalised feature map): each
   * partition computes its block's factors with {@code scaler}; the derived blocks share the
   * cached rows (and the executors' bound kernels), adding one float per memory. Close it when
   * done to unpersist the derived blocks.
   */
  @Override
  public DistributedStore withRowScales(RowScaler scaler) {
    JavaRDD<MemoryBlock> scaled = blocks.map(b -> b.withRowScale(scaler.scales(b)));
    return new DistributedStore(jsc, scaled, kernelName, blocks.getStorageLevel());
  }

  /**
   * Sets the size under which a partition sends its sparse candidates' rows with its partial
   * (default 8 MiB, {@code -Dhopfield.spark.shipRowsBytes}); 0 always fetches them in a second
   * job. Results are the same either way.
   */
  public void setShipRowsBytes(long bytes) {
    this.shipRowsBytes = bytes;
  }

  private final Map<RetrievalSpec, KernelSummary> summaries = new HashMap<>();

  /**
   * The kernel summary of a linear/prf model over the whole store: each partition summarises its
   * block, the driver adds them ({@code treeReduce}); built once per model and kept.
   */
  public synchronized KernelSummary summary(RetrievalSpec spec) {
    RetrievalSpec key = spec.withSteps(1).withTol(0);
    KernelSummary cached = summaries.get(key);
    if (cached != null) {
      return cached;
    }
    String specText = key.toString();
    int d = dim;
    String kernel = kernelName;
    LongAccumulator bytes = jsc.sc().longAccumulator();
    byte[] merged = merge(blocks.map(block -> {
      ScoreKernel.Bound bound = bound(block, kernel);
      byte[] b;
      synchronized (bound) {
        b = new KernelSummary(RetrievalSpec.parse(specText), d).add(block, bound).toBytes();
      }
      bytes.add(b.length);
      return b;
    }), (a, b) -> KernelSummary.fromBytes(a).merge(KernelSummary.fromBytes(b)).toBytes());
    KernelSummary summary = KernelSummary.fromBytes(merged);
    traffic.add(new StepTraffic(key.rule().key() + " summary", 0, bytes.value(), 0, 0));
    summaries.put(key, summary);
    return summary;
  }

  /**
   * {@code x_b = sum_r w_br xi_(id_br)} with each partition adding the terms of the ids it holds
   * (in float64), summed over partitions.
   */
  private float[] weightedSums(long[][] ids, double[][] weights, int batch) {
    Broadcast<long[][]> bi = jsc.broadcast(ids);
    Broadcast<double[][]> bw = jsc.broadcast(weights);
    int d = dim;
    double[] total = merge(blocks.map(block -> {
      double[] acc = new double[batch * d];
      float[] x = block.data();
      long[][] id = bi.value();
      double[][] w = bw.value();
      for (int b = 0; b < id.length; b++) {
        for (int r = 0; r < id[b].length; r++) {
          int row = block.rowOf(id[b][r]);
          if (row >= 0) {
            for (int c = 0, o = row * d; c < d; c++) {
              acc[b * d + c] += w[b][r] * x[o + c];
            }
          }
        }
      }
      return acc;
    }), (a, b) -> {
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
      return a;
    });
    bi.destroy();
    bw.destroy();
    float[] out = new float[total.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) total[i];
    }
    return out;
  }

  /** The rows of every id in the supports, fetched from the partitions holding them. */
  private Map<Long, float[]> fetchRows(long[][] supportIds) {
    long[] wanted = Arrays.stream(supportIds).flatMapToLong(Arrays::stream).distinct().sorted()
        .toArray();
    Broadcast<long[]> bw = jsc.broadcast(wanted);
    List<RowFetch> got = blocks.flatMap(block -> {
      List<RowFetch> out = new ArrayList<>();
      int d = block.dim();
      for (long id : bw.value()) {
        int r = block.rowOf(id);
        if (r >= 0) {
          out.add(new RowFetch(id, Arrays.copyOfRange(block.data(), r * d, (r + 1) * d)));
        }
      }
      return out.iterator();
    }).collect();
    bw.destroy();
    Map<Long, float[]> rows = new HashMap<>();
    for (RowFetch f : got) {
      rows.put(f.id, f.row);
    }
    return rows;
  }

  /**
   * Executor-side kernels bound to the rows of cached blocks, so ND4J copies rows off-heap only
   * once (a block derived by {@link #withRowScales} shares its parent's rows and kernel).
   */
  private static final Map<FloatMatrix, ScoreKernel.Bound> BOUND =
      Collections.synchronizedMap(new WeakHashMap<>());

  private static ScoreKernel.Bound bound(MemoryBlock block, String kernelName) {
    ExecutorThreads.limit();
    return BOUND.computeIfAbsent(block.matrix(), m -> ScoreKernels.byName(kernelName).bind(block));
  }

  /** One partition's partial: the core partial folded over the block tile by tile. */
  static PartialScores<?> foldBlock(MemoryBlock block, float[] q, int batch, int d,
      RetrievalSpec spec, int report, String kernelName) {
    PartialScores<?> partial = Partials.empty(spec, batch, d, report);
    if (ScoreKernels.heapScan(ScoreKernels.byName(kernelName), batch)) {
      // a pass over the cached rows on the heap: no off-heap copy, no shared state to lock
      BlockScan.fold(partial, block, SimdScoreKernel.INSTANCE.bind(block), q, batch,
          BlockScan.cacheTileRows(d));
      return partial;
    }
    ScoreKernel.Bound bound = bound(block, kernelName);
    synchronized (bound) {
      BlockScan.fold(partial, block, bound, q, batch, 0);
    }
    return partial;
  }

  /**
   * The exact separation of the whole store (largest pairwise cosine with its pair, minimal
   * angle, {@code Delta_min}): every unordered pair of cached blocks is one task that computes the
   * block-pair products with the core code ({@link Separation#between}); the per-row maxima are
   * merged by block ({@code reduceByKey}, elementwise max) and the largest cosine by a reduce.
   * Cost: M^2 d / 2 multiply-adds in P(P+1)/2 tasks; traffic: a double per memory and pair.
   */
  public Separation separation() {
    if (memoryCount() < 2) {
      throw new IllegalArgumentException(
          "separation needs at least 2 memories, the store holds " + memoryCount());
    }
    String kernel = kernelName;
    JavaPairRDD<Integer, MemoryBlock> indexed = indexedBlocks();
    // one task per unordered pair of blocks, keyed by the two block indices
    JavaPairRDD<Tuple2<Integer, Integer>, Separation.Cross> crosses = indexed.cartesian(indexed)
        .filter(p -> p._1()._1() <= p._2()._1())
        .mapToPair(p -> new Tuple2<>(new Tuple2<>(p._1()._1(), p._2()._1()),
            Separation.between(p._1()._2(), p._2()._2(), p._1()._1().equals(p._2()._1()),
                ScoreKernels.byName(kernel), 0)));
    crosses.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      double[] best = crosses.map(t -> new double[] {t._2().maxCos, t._2().idA, t._2().idB})
          .reduce((x, y) -> y[0] > x[0] || (y[0] == x[0] && y[1] < x[1]) ? y : x);
      double minSep = crosses.flatMapToPair(t -> {
        List<Tuple2<Integer, double[]>> out = new ArrayList<>();
        out.add(new Tuple2<>(t._1()._1(), t._2().maxOtherA));
        if (!t._1()._1().equals(t._1()._2())) {
          out.add(new Tuple2<>(t._1()._2(), t._2().maxOtherB));
        }
        return out.iterator();
      }).reduceByKey((x, y) -> {
        double[] m = x.clone();
        for (int r = 0; r < m.length; r++) {
          m[r] = Math.max(m[r], y[r]);
        }
        return m;
      }).join(indexed)
          .map(t -> Separation.minSeparation(t._2()._2(), t._2()._1()))
          .reduce(Math::min);
      return Separation.of(best[0], (long) best[1], (long) best[2], minSep);
    } finally {
      crosses.unpersist(false);
    }
  }

  /**
   * The separation-loss terms of the whole store under the map W (U-Hop Stage I, distributed as
   * in ALGORITHMS.md section 6): W (and the negative sample) are broadcast; with a sample each
   * partition pairs its memories with it, otherwise every pair of blocks is one task; the pair
   * partials merge exactly ({@code treeReduce}). {@code penalty[0]} receives the summed norm
   * penalty terms; the returned array pairs the merged partial with the penalty gradient.
   */
  public SeparationLoss.Partial separationTerms(LinearFeatureMap map, SeparationLoss loss,
      MemoryBlock negatives, double[] penalty, double[] penaltyGrad) {
    int big = map.outDim();
    int d = map.inDim();
    Broadcast<double[]> w = jsc.broadcast(map.weights());
    Broadcast<MemoryBlock> sample = negatives == null ? null : jsc.broadcast(negatives);
    SeparationLoss.Form form = loss.form();
    double param = loss.param();
    try {
      // per block: the penalty terms {sum, grad...}, and with a sample the pair terms too
      Tuple2<SeparationLoss.Partial, double[]> perBlock = blocks.map(block -> {
        LinearFeatureMap m = new LinearFeatureMap(w.value(), big, d);
        double[] pen = new double[1];
        double[] g = SeparationLoss.normTerms(m, block, pen);
        double[] packed = new double[g.length + 1];
        packed[0] = pen[0];
        System.arraycopy(g, 0, packed, 1, g.length);
        SeparationLoss.Partial pairs = sample == null ? new SeparationLoss.Partial(big * d)
            : new SeparationLoss(form, param).pairs(m, block, sample.value(), false);
        return new Tuple2<>(pairs, packed);
      }).treeReduce((a, b) -> {
        double[] sum = a._2().clone();
        for (int i = 0; i < sum.length; i++) {
          sum[i] += b._2()[i];
        }
        return new Tuple2<>(a._1().merge(b._1()), sum);
      }, partitions > 32 ? 2 : 1);
      penalty[0] = perBlock._2()[0];
      System.arraycopy(perBlock._2(), 1, penaltyGrad, 0, penaltyGrad.length);
      if (sample != null) {
        return perBlock._1();
      }
      JavaPairRDD<Integer, MemoryBlock> indexed = indexedBlocks();
      return indexed.cartesian(indexed)
          .filter(p -> p._1()._1() <= p._2()._1())
          .map(p -> new SeparationLoss(form, param).pairs(
              new LinearFeatureMap(w.value(), big, d), p._1()._2(), p._2()._2(),
              p._1()._1().equals(p._2()._1())))
          .treeReduce(SeparationLoss.Partial::merge, partitions > 8 ? 2 : 1);
    } finally {
      w.destroy();
      if (sample != null) {
        sample.destroy();
      }
    }
  }

  /** The cached blocks keyed by partition index. */
  private JavaPairRDD<Integer, MemoryBlock> indexedBlocks() {
    return blocks.mapPartitionsWithIndex((i, it) -> {
      List<Tuple2<Integer, MemoryBlock>> out = new ArrayList<>();
      it.forEachRemaining(b -> out.add(new Tuple2<>(i, b)));
      return out.iterator();
    }, true).mapToPair(t -> t);
  }

  /**
   * Merges per-partition results: a plain {@code reduce} (one job; measured ~7 ms less per step
   * than a depth-1 {@code treeReduce} in local mode), a two-level {@code treeReduce} for many
   * partitions, where merging all partials on the driver would be the bottleneck.
   */
  private <T> T merge(JavaRDD<T> parts, org.apache.spark.api.java.function.Function2<T, T, T> f) {
    return partitions > 32 ? parts.treeReduce(f, 2) : parts.reduce(f);
  }

  /** Unpersists the cached blocks (the Spark session stays open). */
  @Override
  public void close() {
    blocks.unpersist(false);
  }
}
