package org.hopfieldstore.core.retrieval;

import java.util.Arrays;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.nonparametric.KernelSummary;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.Partials;
import org.hopfieldstore.core.reduce.RowSource;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.ScoreKernels;
import org.hopfieldstore.core.score.SimdScoreKernel;

/**
 * In-process retrieval over one memory block. Each step scores the memories tile by tile (so the
 * B x M score matrix is never materialised) and folds every tile into the same mergeable partial
 * result the distributed store uses, then finishes it: one code path for the math.
 * Small batches ({@link ScoreKernels#heapScan}) are a pass over memory, not a GEMM: they are
 * scanned from the heap by {@link SimdScoreKernel} on all cores, each core folding its own rows
 * into its own partial, merged exactly.
 * Thread-safe: steps are serialised on the bound kernel, which reuses its buffers.
 */
public final class LocalRetrievalEngine implements StepFunction {

  private final MemoryBlock memories;
  private final ScoreKernel kernel;
  private final ScoreKernel.Bound bound;
  private final RowSource rows;
  private final int tileRows;
  private long[] sortedIds;
  private final java.util.Map<RetrievalSpec, KernelSummary> summaries = new java.util.HashMap<>();

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
    this.bound = kernel.bind(memories);
    this.rows = RowSource.of(memories);
    this.tileRows = tileRows;
  }

  /** An engine over {@code memories} sharing an existing bound kernel (same rows). */
  private LocalRetrievalEngine(MemoryBlock memories, ScoreKernel kernel, ScoreKernel.Bound bound,
      int tileRows) {
    this.memories = memories;
    this.kernel = kernel;
    this.bound = bound;
    this.rows = RowSource.of(memories);
    this.tileRows = tileRows;
  }

  /** The same memories with per-memory score factors; the bound kernel (rows) is shared. */
  @Override
  public LocalRetrievalEngine withRowScales(RowScaler scaler) {
    return new LocalRetrievalEngine(memories.withRowScale(scaler.scales(memories)), kernel, bound,
        tileRows);
  }

  public MemoryBlock memories() {
    return memories;
  }

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
  public StepOutput step(
      float[] states, int batch, RetrievalSpec spec, int report, boolean wantStates) {
    int d = memories.dim();
    synchronized (bound) { // engines derived by withRowScales share the bound kernel
      if (spec.isSummary()) {
        KernelSummary summary = summaries.computeIfAbsent(spec.withSteps(1).withTol(0),
            s -> new KernelSummary(s, d).add(memories, bound));
        return StepOutput.ofSummary(summary.step(states, batch), batch, summary.count());
      }
      float[] q = BlockScan.scaledQueries(states, batch, d, spec.beta());
      PartialScores<?> partial;
      if (ScoreKernels.heapScan(kernel, batch)) {
        int t = tileRows > 0 ? tileRows : BlockScan.cacheTileRows(d);
        // a heap scan keeps no state: binding it is free, and several threads may share it
        ScoreKernel.Bound scan = kernel instanceof SimdScoreKernel ? bound
            : SimdScoreKernel.INSTANCE.bind(memories);
        partial = BlockScan.foldParallel(() -> Partials.empty(spec, batch, d, report), memories,
            scan, q, batch, t, BlockScan.scanThreads());
      } else {
        partial = Partials.empty(spec, batch, d, report);
        BlockScan.fold(partial, memories, bound, q, batch, tileRows);
      }
      return partial.finish(rows, wantStates);
    }
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
