package org.hopfieldstore.core.retrieval;

import java.util.Arrays;
import org.hopfieldstore.core.aggregate.BlockAggregation;
import org.hopfieldstore.core.aggregate.Mergeable;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.RowSource;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.ScoreKernels;

/**
 * In-process retrieval over one memory block. Each step scores the memories tile by tile (so the
 * B x M score matrix is never materialised) and folds every tile into the same mergeable partial
 * result a Spark partition sends ({@link StepAggregation}): one code path for the math. Small
 * batches scan the heap on all cores, each core folding its own rows into its own partial.
 */
public final class LocalRetrievalEngine extends BlockRetrieval {
  private final MemoryBlock memories;
  private final ScoreKernel kernel;
  private final int tileRows;
  private long[] sortedIds;

  public LocalRetrievalEngine(MemoryBlock memories) {
    this(memories, ScoreKernels.defaultKernel(), 0);
  }

  public LocalRetrievalEngine(MemoryBlock memories, ScoreKernel kernel) {
    this(memories, kernel, 0);
  }

  /**
   * @param tileRows memory rows per tile, or 0 to pick from the batch size (about 4M scores)
   */
  public LocalRetrievalEngine(MemoryBlock memories, ScoreKernel kernel, int tileRows) {
    if (tileRows < 0) {
      throw new IllegalArgumentException("tileRows must be >= 0, got " + tileRows);
    }
    this.memories = memories;
    this.kernel = kernel;
    this.tileRows = tileRows;
    kernel.boundTo(memories); // bind (an off-heap copy, for ND4J) once, up front
  }

  /** The same memories with per-memory score factors; the bound kernel (rows) is shared. */
  @Override
  public LocalRetrievalEngine withRowScales(RowScaler scaler) {
    return new LocalRetrievalEngine(memories.withRowScale(scaler.scales(memories)), kernel,
        tileRows);
  }

  public MemoryBlock memories() {
    return memories;
  }

  @Override
  public ScoreKernel kernel() {
    return kernel;
  }

  /** Retrieves with the default report width (10) and the energy tracked. */
  public RetrievalResult retrieve(FloatMatrix queries, RetrievalSpec spec) {
    return retrieve(queries, spec, RetrievalLoop.DEFAULT_REPORT, true);
  }

  public RetrievalResult retrieve(
      FloatMatrix queries, RetrievalSpec spec, int report, boolean trackEnergy) {
    return RetrievalLoop.run(this, queries, spec, report, trackEnergy);
  }

  @Override
  public <A extends Mergeable<A>> A aggregate(BlockAggregation<A> aggregation) {
    return aggregation.fold(aggregation.zero(), memories);
  }

  @Override
  protected int scanThreads() {
    return BlockScan.scanThreads();
  }

  @Override
  protected int tileRows() {
    return tileRows;
  }

  @Override
  protected StepOutput statesFromSupport(StepOutput weights, int batch) {
    return weights.withStatesFrom(RowSource.of(memories));
  }

  @Override
  public long memoryCount() {
    return memories.size();
  }

  @Override
  public int dim() {
    return memories.dim();
  }

  @Override
  public double maxNorm() {
    return memories.maxNorm();
  }

  @Override
  public synchronized long[] lowestIds(int n) {
    int m = memories.size();
    if (n > m) {
      throw new IllegalArgumentException("asked for " + n + " ids of " + m);
    }
    if (sortedIds == null) {
      long[] ids = new long[m];
      for (int i = 0; i < m; i++) {
        ids[i] = memories.id(i);
      }
      Arrays.sort(ids);
      sortedIds = ids;
    }
    return Arrays.copyOf(sortedIds, n);
  }
}
