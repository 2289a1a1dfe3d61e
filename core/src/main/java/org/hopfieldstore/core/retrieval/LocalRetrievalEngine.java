package org.hopfieldstore.core.retrieval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hopfieldstore.core.aggregate.BlockAggregation;
import org.hopfieldstore.core.aggregate.Mergeable;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.RowSource;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.ScoreKernels;

/**
 * In-process retrieval over one memory block, or several (a store of more values than one Java
 * array holds). Each step scores the memories tile by tile (so the B x M score matrix is never
 * materialised) and folds every tile into the same mergeable partial result a Spark partition
 * sends ({@link StepAggregation}): one code path for the math. Small batches scan the heap on
 * all cores, each core folding its own rows into its own partial.
 */
public final class LocalRetrievalEngine extends BlockRetrieval {
  private final List<MemoryBlock> blocks;
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
    this(List.of(memories), kernel, tileRows);
  }

  /** Memories in several blocks (their ids distinct), scored block after block. */
  public LocalRetrievalEngine(List<MemoryBlock> blocks, ScoreKernel kernel, int tileRows) {
    if (tileRows < 0) {
      throw new IllegalArgumentException("tileRows must be >= 0, got " + tileRows);
    }
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("empty memory set: no block holds a memory");
    }
    for (MemoryBlock b : blocks) {
      if (b.dim() != blocks.get(0).dim()) {
        throw new IllegalArgumentException("dimension mismatch between memory blocks: "
            + blocks.get(0).dim() + " and " + b.dim());
      }
      kernel.boundTo(b); // bind (an off-heap copy, for ND4J) once, up front
    }
    this.blocks = List.copyOf(blocks);
    this.kernel = kernel;
    this.tileRows = tileRows;
  }

  /** The same memories with per-memory score factors; the bound kernels (rows) are shared. */
  @Override
  public LocalRetrievalEngine withRowScales(RowScaler scaler) {
    List<MemoryBlock> scaled = new ArrayList<>();
    for (MemoryBlock b : blocks) {
      scaled.add(b.withRowScale(scaler.scales(b)));
    }
    return new LocalRetrievalEngine(scaled, kernel, tileRows);
  }

  /** The memory blocks. */
  public List<MemoryBlock> blocks() {
    return blocks;
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
    A acc = aggregation.zero();
    for (MemoryBlock b : blocks) {
      acc = aggregation.fold(acc, b);
    }
    return acc;
  }

  @Override
  protected int partialsMerged() {
    return blocks.size();
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
    return weights.withStatesFrom(blocks.size() == 1 ? RowSource.of(blocks.get(0))
        : RowSource.of(blocks));
  }

  @Override
  public long memoryCount() {
    return blocks.stream().mapToLong(MemoryBlock::size).sum();
  }

  @Override
  public int dim() {
    return blocks.get(0).dim();
  }

  @Override
  public double maxNorm() {
    return blocks.stream().mapToDouble(MemoryBlock::maxNorm).max().getAsDouble();
  }

  @Override
  public synchronized long[] lowestIds(int n) {
    long m = memoryCount();
    if (n > m) {
      throw new IllegalArgumentException("asked for " + n + " ids of " + m);
    }
    if (sortedIds == null || sortedIds.length < n) {
      // the n smallest of each block hold the n smallest of all
      long[] ids = blocks.stream().flatMapToLong(b -> {
        long[] own = new long[b.size()];
        for (int i = 0; i < own.length; i++) {
          own[i] = b.id(i);
        }
        Arrays.sort(own);
        return Arrays.stream(own, 0, Math.min(own.length, Math.max(n, LOWEST_KEPT)));
      }).sorted().toArray();
      sortedIds = Arrays.copyOf(ids, (int) Math.min(ids.length, Math.max(n, LOWEST_KEPT)));
    }
    return Arrays.copyOf(sortedIds, n);
  }

  /** Ids kept sorted for filling top lists (at least the report width asked for). */
  private static final int LOWEST_KEPT = 1024;
}
