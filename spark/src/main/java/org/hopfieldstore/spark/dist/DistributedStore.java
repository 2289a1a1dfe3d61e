package org.hopfieldstore.spark.dist;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.aggregate.BlockAggregation;
import org.hopfieldstore.core.aggregate.FetchRows;
import org.hopfieldstore.core.aggregate.Mergeable;
import org.hopfieldstore.core.aggregate.RowBundle;
import org.hopfieldstore.core.aggregate.SupportRowSums;
import org.hopfieldstore.core.kernel.LinearFeatureMap;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.nonparametric.KernelSummary;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.retrieval.BlockRetrieval;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.RowScaler;
import org.hopfieldstore.core.retrieval.StepPartial;
import org.hopfieldstore.core.retrieval.ThresholdSearch;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.ScoreKernels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retrieval over memories cached on the executors ({@link SparkBlocks}): a step folds every
 * block into the core partial result where it lives and merges the partials into the exact
 * global answer. Rules that form states from a support's rows take them from the rows the
 * partitions sent along when few, else fetch them, or let each partition add its part of the
 * weighted sum, whichever sends fewer bytes. Bytes of partials and rows are counted per step.
 */
public final class DistributedStore extends BlockRetrieval implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedStore.class);
  /**
   * A partition sends its sparse candidates' rows with its partial when they take at most this
   * many bytes (or at most its share of a weighted-sum pass, if larger): one Spark job per step
   * instead of two. {@code -Dhopfield.spark.shipRowsBytes=0} turns it off.
   */
  private volatile long shipRowsBytes = Long.getLong("hopfield.spark.shipRowsBytes", 8L << 20);

  private final SparkBlocks blocks;
  private final String kernelName;
  /** The feature map whose row factors the blocks carry (read with them), or null. */
  private final LinearFeatureMap scaledFor;
  /** Whether close() releases the blocks (a view over another store's blocks does not). */
  private final boolean ownsBlocks;
  private final List<StepTraffic> traffic = Collections.synchronizedList(new ArrayList<>());
  private long fetchedRowBytes;
  private ThresholdSearch.Cost searchCost;

  /**
   * Default bound on the sparse candidates of a step over all partitions ({@link
   * BlockRetrieval#setMaxCandidateBytes}): {@code -Dhopfield.spark.maxCandidateBytes}, 128 MiB.
   */
  public static final long MAX_CANDIDATE_BYTES =
      Long.getLong("hopfield.spark.maxCandidateBytes", 128L << 20);

  /** Bytes that crossed the wire in one distributed step. */
  public static final class StepTraffic {
    public final String rule;
    public final int batch;
    public final long partialBytes;
    public final long candidates;
    public final long rowBytes;
    /** Passes of a threshold search (0: the step was solved from its candidates). */
    public final int searchRounds;
    /** Bytes the partitions sent in the search's rounds and its weighted-sum pass. */
    public final long searchBytes;

    StepTraffic(String rule, int batch, long partialBytes, long candidates, long rowBytes,
        int searchRounds, long searchBytes) {
      this.rule = rule;
      this.batch = batch;
      this.partialBytes = partialBytes;
      this.candidates = candidates;
      this.rowBytes = rowBytes;
      this.searchRounds = searchRounds;
      this.searchBytes = searchBytes;
    }

    @Override
    public String toString() {
      return rule + " batch=" + batch + " partial_bytes=" + partialBytes + " candidates="
          + candidates + " row_bytes=" + rowBytes
          + (searchRounds == 0 ? "" : " threshold_search_rounds=" + searchRounds
              + " search_bytes=" + searchBytes);
    }
  }

  DistributedStore(SparkBlocks blocks, String kernelName) {
    this(blocks, kernelName, null, true);
  }

  private DistributedStore(SparkBlocks blocks, String kernelName, LinearFeatureMap scaledFor,
      boolean ownsBlocks) {
    ScoreKernels.byName(kernelName); // validate the name on the driver
    this.blocks = blocks;
    this.kernelName = kernelName;
    this.scaledFor = scaledFor;
    this.ownsBlocks = ownsBlocks;
    setMaxCandidateBytes(MAX_CANDIDATE_BYTES);
  }

  /**
   * Memories whose factors {@code 1 / |W xi|} under {@code map} were stored with them (a store
   * with an attached kernel): column {@code factorCol} of {@code df} becomes the blocks' score
   * factors, so the normalised kernel of {@code map} needs no pass to compute them. Such a store
   * retrieves only through that kernel.
   */
  public static DistributedStore withStoredRowFactors(Dataset<Row> df, String idCol,
      String vectorCol, String factorCol, LinearFeatureMap map, String source, int partitions,
      StorageLevel level, String kernel) {
    return new DistributedStore(SparkBlocks.fromDataFrame(df, idCol, vectorCol, factorCol,
        source, partitions, level), kernel, map, true);
  }

  /** An in-memory matrix split into {@code partitions} contiguous row ranges (ids = rows). */
  public static DistributedStore fromMatrix(JavaSparkContext jsc, FloatMatrix memories,
      int partitions, StorageLevel level, String kernel) {
    return new DistributedStore(SparkBlocks.fromMatrix(jsc, memories, partitions, level), kernel);
  }

  /**
   * Each partition reads its own row range of a 2-D float .npy file at {@code location} (a path
   * or any Hadoop filesystem's URI).
   */
  public static DistributedStore fromNpy(JavaSparkContext jsc, String location, int partitions,
      StorageLevel level, String kernel) throws java.io.IOException {
    return new DistributedStore(SparkBlocks.fromNpy(jsc, location, partitions, level), kernel);
  }

  /** Memories from Parquet with columns {@code id: long, vector: array<float>}. */
  public static DistributedStore fromParquet(SparkSession spark, String path, int partitions,
      StorageLevel level, String kernel) {
    return fromDataFrame(spark.read().parquet(path), "id", "vector", path, partitions, level,
        kernel);
  }

  /** Memories from any DataFrame with a long id column and an array-of-numbers vector column. */
  public static DistributedStore fromDataFrame(Dataset<Row> df, String idCol, String vectorCol,
      String source, int partitions, StorageLevel level, String kernel) {
    return new DistributedStore(
        SparkBlocks.fromDataFrame(df, idCol, vectorCol, source, partitions, level), kernel);
  }

  /** The score kernel's name (executors resolve it in their own JVM). */
  String kernelName() {
    return kernelName;
  }

  /** The cached blocks, for the studies' distributed passes. */
  public SparkBlocks blocks() {
    return blocks;
  }

  /** Multi-step retrieval over the cluster; the same loop and stopping rule as the core. */
  public RetrievalResult retrieve(FloatMatrix queries, RetrievalSpec spec, int report,
      boolean trackEnergy) {
    return RetrievalLoop.run(this, queries, spec, report, trackEnergy);
  }

  @Override
  public <A extends Mergeable<A>> A aggregate(BlockAggregation<A> aggregation) {
    return blocks.aggregate(aggregation);
  }

  @Override
  protected ScoreKernel kernel() {
    return ScoreKernels.byName(kernelName);
  }

  /** One task per block: the executor's task slots are its parallelism. */
  @Override
  protected int scanThreads() {
    return 1;
  }

  @Override
  protected int partialsMerged() {
    return blocks.partitions();
  }

  @Override
  protected long shipRowsLimit(int batch) {
    return shipRowsBytes <= 0 ? -1 : Math.max((long) batch * dim() * 4, shipRowsBytes);
  }

  @Override
  public synchronized StepOutput step(float[] states, float[] offsets, int batch,
      RetrievalSpec spec, int report, boolean wantStates, long[] queryKeys) {
    if (scaledFor != null && ownsBlocks) {
      throw new IllegalStateException("these memories were loaded with the row factors of the "
          + "store's attached kernel: they retrieve only with kernel=store,kernel_map=normalized");
    }
    fetchedRowBytes = 0;
    searchCost = null;
    return super.step(states, offsets, batch, spec, report, wantStates, queryKeys);
  }

  /**
   * Fetches the support rows, or lets each partition add up its part of the weighted sum:
   * whichever sends fewer bytes (rows win for small sparse supports, partial sums for wide top-K
   * supports over few partitions).
   */
  @Override
  protected StepOutput statesFromSupport(StepOutput weights, int batch) {
    int d = dim();
    long[] wanted = Arrays.stream(weights.supportIds).flatMapToLong(Arrays::stream).distinct()
        .sorted().toArray();
    long rowCost = wanted.length * (8L + 4L * d);
    long sumCost = (long) blocks.partitions() * batch * d * 4L;
    if (rowCost <= sumCost) {
      RowBundle rows = aggregate(new FetchRows(wanted));
      fetchedRowBytes = rows.size() * (8L + 4L * d);
      return weights.withStatesFrom(rows.rows(d));
    }
    float[] sums = aggregate(new SupportRowSums(weights.supportIds, weights.supportWeights, d))
        .toFloats();
    fetchedRowBytes = sumCost;
    return new StepOutput(sums, weights.conjugate, weights.supportIds, weights.supportWeights,
        weights.supportSize);
  }

  @Override
  protected void stepDone(RetrievalSpec spec, int batch, StepPartial total, StepOutput out) {
    long rowBytes = fetchedRowBytes > 0 ? fetchedRowBytes
        : total.rows().covers(out.supportIds) && !total.scores().carriesStates()
            ? total.rows().size() * (8L + 4L * dim()) : 0;
    ThresholdSearch.Cost c = searchCost;
    int p = blocks.partitions();
    StepTraffic t = new StepTraffic(spec.rule().key(), batch, total.sentBytes(),
        total.sentCandidates(), rowBytes, c == null ? 0 : c.rounds,
        c == null ? 0 : p * (c.roundBytes + c.weightBytes));
    traffic.add(t);
    LOG.info("step over {} partitions: {}", blocks.partitions(), t);
  }

  @Override
  protected void wideSupportSearched(RetrievalSpec spec, int batch, ThresholdSearch.Cost cost) {
    searchCost = cost;
  }

  @Override
  protected void summaryBuilt(RetrievalSpec spec, KernelSummary summary) {
    traffic.add(new StepTraffic(spec.rule().key() + " summary", 0,
        summary.byteSize() * blocks.partitions(), 0, 0, 0, 0));
  }

  /**
   * The same memories scoring with per-memory factors (the normalised feature map): each
   * partition computes its block's factors with {@code scaler}; the derived blocks share the
   * cached rows (and the executors' bound kernels), adding one float per memory. Close it when
   * done to unpersist the derived blocks.
   */
  @Override
  public DistributedStore withRowScales(RowScaler scaler) {
    if (scaledFor != null) {
      if (scaler instanceof LinearFeatureMap.InverseImageNorms n && n.map().equals(scaledFor)) {
        return new DistributedStore(blocks, kernelName, scaledFor, false);
      }
      throw new IllegalArgumentException("these memories carry the row factors of the store's "
          + "attached kernel; other row factors need the store opened without them");
    }
    return new DistributedStore(blocks.map(b -> b.withRowScale(scaler.scales(b))), kernelName);
  }

  /**
   * Sets the size under which a partition sends its sparse candidates' rows with its partial
   * (default 8 MiB, {@code -Dhopfield.spark.shipRowsBytes}); 0 always fetches them in a second
   * job. Results are the same either way.
   */
  public void setShipRowsBytes(long bytes) {
    this.shipRowsBytes = bytes;
  }

  @Override
  public long memoryCount() {
    return blocks.count();
  }

  @Override
  public int dim() {
    return blocks.dim();
  }

  @Override
  public double maxNorm() {
    return blocks.maxNorm();
  }

  public int partitions() {
    return blocks.partitions();
  }

  @Override
  public long[] lowestIds(int n) {
    return blocks.lowestIds(n);
  }

  /** Traffic of every step run so far, oldest first. */
  public List<StepTraffic> traffic() {
    synchronized (traffic) {
      return new ArrayList<>(traffic);
    }
  }

  /** Unpersists the cached blocks (the Spark session stays open). */
  @Override
  public void close() {
    if (ownsBlocks) {
      blocks.unpersist();
    }
  }
}
