package org.hopfieldstore.core.retrieval;

import java.util.HashMap;
import java.util.Map;
import org.hopfieldstore.core.aggregate.BlockAggregation;
import org.hopfieldstore.core.aggregate.Mergeable;
import org.hopfieldstore.core.nonparametric.KernelSummary;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.reduce.SupportPartial;
import org.hopfieldstore.core.score.ScoreKernel;

/**
 * Retrieval steps over memories held in blocks, wherever the blocks live: a step is one {@link
 * StepAggregation} (or, for the summary rules, a step from the store's {@link KernelSummary},
 * built once per model by an aggregation and kept). A store says how it aggregates (one block
 * in-process, a Spark job over cached blocks) and how it forms states from a support's rows.
 */
public abstract class BlockRetrieval implements StepFunction {
  private final Map<RetrievalSpec, KernelSummary> summaries = new HashMap<>();
  private volatile long maxCandidateBytes = -1;

  /**
   * Bounds the sparse candidates a step gathers where the partials merge: about {@code bytes}
   * over all partials (16 bytes a candidate, at least 64 per query and partial); a step whose
   * candidates would exceed it is solved by a {@link ThresholdSearch}, whose traffic does not
   * grow with the number of memories. Negative: no bound (the default in-process). Answers are
   * the same either way, to rounding.
   */
  public void setMaxCandidateBytes(long bytes) {
    this.maxCandidateBytes = bytes;
  }

  /** Partials a step merges (a Spark store: its partitions). */
  protected int partialsMerged() {
    return 1;
  }

  /** The bound of {@link #setMaxCandidateBytes}; negative: none. */
  public long maxCandidateBytes() {
    return maxCandidateBytes;
  }

  /** Per query and partial, the most sparse candidates a step keeps; MAX_VALUE: no cap. */
  final int candidateCap(int batch) {
    return candidateCap(maxCandidateBytes, partialsMerged(), batch);
  }

  /**
   * Per query and partial, the most sparse candidates a step of {@code batch} queries keeps
   * when about {@code bytes} of candidates (negative: no bound, MAX_VALUE) may meet where
   * {@code partials} partials merge.
   */
  public static int candidateCap(long bytes, int partials, int batch) {
    if (bytes < 0) {
      return Integer.MAX_VALUE;
    }
    long perQuery = bytes / (16L * Math.max(1, partials) * Math.max(1, batch));
    return (int) Math.max(64, Math.min(Integer.MAX_VALUE - 8L, perQuery));
  }

  /** Folds every block with {@code aggregation} and merges the partials. */
  public abstract <A extends Mergeable<A>> A aggregate(BlockAggregation<A> aggregation);

  /** The score kernel of the blocks. */
  protected abstract ScoreKernel kernel();

  /** Cores a heap scan of one block is split over. */
  protected abstract int scanThreads();

  /** Memory rows per tile, or 0 to pick from the batch size. */
  protected int tileRows() {
    return 0;
  }

  /**
   * Bytes of candidate rows a block may send with its partial for a step of {@code batch}
   * queries, or -1 when the store forms states from its own rows.
   */
  protected long shipRowsLimit(int batch) {
    return -1;
  }

  /** The step's states, given its weights, from the rows of its supports. */
  protected abstract StepOutput statesFromSupport(StepOutput weights, int batch);

  /** Called after each step with its merged partial (a store may log its traffic). */
  protected void stepDone(RetrievalSpec spec, int batch, StepPartial total, StepOutput out) {}

  /** Called after a step solved by a threshold search, before {@link #stepDone}. */
  protected void wideSupportSearched(RetrievalSpec spec, int batch, ThresholdSearch.Cost cost) {}

  /** Called once a summary model is built (a store may log its traffic). */
  protected void summaryBuilt(RetrievalSpec spec, KernelSummary summary) {}

  @Override
  public StepOutput step(float[] states, int batch, RetrievalSpec spec, int report,
      boolean wantStates, long[] queryKeys) {
    return step(states, null, batch, spec, report, wantStates, queryKeys);
  }

  @Override
  public StepOutput step(float[] states, float[] offsets, int batch, RetrievalSpec spec,
      int report, boolean wantStates, long[] queryKeys) {
    if (spec.isSummary()) {
      if (offsets != null) {
        throw new IllegalArgumentException(spec.rule().key() + " retrieves from a kernel "
            + "summary: it takes no per-query score offsets");
      }
      KernelSummary summary = summary(spec);
      return StepOutput.ofSummary(summary.step(states, batch), batch, summary.count());
    }
    StepAggregation step = new StepAggregation(spec, states, offsets, batch, dim(), report,
        kernel(), tileRows(), scanThreads(), wantStates ? shipRowsLimit(batch) : -1, queryKeys);
    int cap = candidateCap(batch);
    if (cap < Integer.MAX_VALUE) {
      step = step.withCandidateCap(cap);
    }
    StepPartial total = aggregate(step);
    StepOutput out;
    if (total.scores() instanceof SupportPartial sparse && sparse.anyWide()) {
      ThresholdSearch search = new ThresholdSearch(this, step,
          sparse.normalizer().alpha());
      out = search.solve(sparse, wantStates);
      wideSupportSearched(spec, batch, search.cost());
    } else {
      out = step.finish(total, wantStates, w -> statesFromSupport(w, batch));
    }
    stepDone(spec, batch, total, out);
    return out;
  }

  /**
   * Uses a summary kept with the memories (a persistent store's attachment) for its model
   * instead of building one; it must summarise exactly this store's memories.
   */
  public synchronized void attachSummary(KernelSummary summary) {
    if (summary.dim() != dim() || summary.count() != memoryCount()) {
      throw new IllegalArgumentException("the attached " + summary.spec().rule().key()
          + " summary holds " + summary.count() + " memories of dimension " + summary.dim()
          + "; the store has " + memoryCount() + " of dimension " + dim());
    }
    summaries.put(summary.spec().withSteps(1).withTol(0), summary);
  }

  /**
   * The kernel summary of a linear/prf model over the whole store: each block summarises its
   * memories, the summaries are added; built once per model and kept.
   */
  public synchronized KernelSummary summary(RetrievalSpec spec) {
    RetrievalSpec key = spec.withSteps(1).withTol(0);
    KernelSummary s = summaries.get(key);
    if (s == null) {
      s = aggregate(KernelSummary.aggregation(key, dim(), kernel()));
      summaries.put(key, s);
      summaryBuilt(key, s);
    }
    return s;
  }
}
