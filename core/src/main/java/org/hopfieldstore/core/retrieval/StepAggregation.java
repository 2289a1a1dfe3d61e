package org.hopfieldstore.core.retrieval;

import java.util.function.UnaryOperator;
import org.hopfieldstore.core.aggregate.BlockAggregation;
import org.hopfieldstore.core.aggregate.RowBundle;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.reduce.SupportPartial;
import org.hopfieldstore.core.reduce.TileFold;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.KernelRef;

/**
 * One retrieval step for a batch of queries as an aggregation over memory blocks: each block is
 * scored tile by tile into the rule's partial ({@link BlockScan#foldBlock}), pruned to what can
 * reach the answer, and sent with its candidates' rows when they take at most {@code
 * shipRowsLimit} bytes; {@link #finish} forms the merged step.
 */
public final class StepAggregation implements BlockAggregation<StepPartial> {
  private static final long serialVersionUID = 1L;
  private final RetrievalSpec spec;
  /** beta * states for the dot score, the states themselves for a distance score. */
  private final float[] scaledQueries;
  private final float[] scaledOffsets;
  private final int batch;
  private final int dim;
  private final int report;
  private final KernelRef kernel;
  private final int tileRows;
  private final int threads;
  private final long shipRowsLimit;
  private final long[] queryKeys;
  private final int candidateCap;

  /**
   * @param kernel the score kernel (resolved again by name where the aggregation is folded, if
   *     it travelled to another JVM)
   * @param tileRows memory rows per tile, 0 for automatic
   * @param threads cores a heap scan of one block is split over
   * @param shipRowsLimit bytes of candidate rows a block may send with its partial; negative:
   *     never (the store forms states from its own rows)
   */
  public StepAggregation(RetrievalSpec spec, float[] states, int batch, int dim, int report,
      ScoreKernel kernel, int tileRows, int threads, long shipRowsLimit) {
    this(spec, states, null, batch, dim, report, kernel, tileRows, threads, shipRowsLimit,
        null);
  }

  /**
   * As above, row b of the states scoring with the additive offset {@code offsets[b]} before
   * the memories' factors (see {@link StepFunction#step(float[], float[], int, RetrievalSpec,
   * int, boolean, long[])}; null: none), for the updates keyed {@code queryKeys} (one per state
   * row, see {@link StepFunction#step(float[], int, RetrievalSpec, int, boolean, long[])}; null:
   * unknown).
   */
  public StepAggregation(RetrievalSpec spec, float[] states, float[] offsets, int batch, int dim,
      int report, ScoreKernel kernel, int tileRows, int threads, long shipRowsLimit,
      long[] queryKeys) {
    if (offsets != null && offsets.length != batch) {
      throw new IllegalArgumentException(offsets.length + " score offsets for " + batch
          + " states");
    }
    this.spec = spec;
    this.scaledQueries = BlockScan.stepQueries(states, batch, dim, spec);
    this.scaledOffsets = offsets == null ? null
        : BlockScan.scaledQueries(offsets, batch, 1, spec.beta());
    this.batch = batch;
    this.dim = dim;
    this.report = report;
    this.kernel = new KernelRef(kernel);
    this.tileRows = tileRows;
    this.threads = threads;
    this.shipRowsLimit = shipRowsLimit;
    this.queryKeys = queryKeys;
    this.candidateCap = Integer.MAX_VALUE;
  }

  private StepAggregation(StepAggregation o, int candidateCap) {
    this.spec = o.spec;
    this.scaledQueries = o.scaledQueries;
    this.scaledOffsets = o.scaledOffsets;
    this.batch = o.batch;
    this.dim = o.dim;
    this.report = o.report;
    this.kernel = o.kernel;
    this.tileRows = o.tileRows;
    this.threads = o.threads;
    this.shipRowsLimit = o.shipRowsLimit;
    this.queryKeys = o.queryKeys;
    this.candidateCap = candidateCap;
  }

  /**
   * The same step with sparse candidates capped at {@code perQuery} per query ({@link
   * SupportPartial#capCandidates}); other rules are unaffected.
   */
  public StepAggregation withCandidateCap(int perQuery) {
    if (perQuery < 1) {
      throw new IllegalArgumentException("candidate cap must be >= 1, got " + perQuery);
    }
    return new StepAggregation(this, perQuery);
  }

  public int dim() {
    return dim;
  }

  public int report() {
    return report;
  }

  private PartialScores<?> emptyScores() {
    PartialScores<?> p = spec.rule().emptyPartial(spec, batch, dim, report, queryKeys);
    if (candidateCap < Integer.MAX_VALUE && p instanceof SupportPartial s) {
      s.capCandidates(candidateCap);
    }
    return p;
  }

  /** Makes the empty accumulator of a pass; it travels to the executors. */
  public interface TileFoldFactory<P extends TileFold<P>> extends java.io.Serializable {
    P empty();
  }

  /**
   * A pass over the memories scored exactly as this step scores them (queries, offsets, score
   * function, kernel, tiles), folding the tiles into {@code factory}'s accumulators instead of
   * the rule's partial: the rounds of a distributed threshold search.
   */
  public <P extends TileFold<P>> BlockAggregation<P> rescan(TileFoldFactory<P> factory,
      String what) {
    return new Rescan<>(this, factory, what);
  }

  private static final class Rescan<P extends TileFold<P>> implements BlockAggregation<P> {
    private static final long serialVersionUID = 1L;
    private final StepAggregation step;
    private final TileFoldFactory<P> factory;
    private final String what;

    Rescan(StepAggregation step, TileFoldFactory<P> factory, String what) {
      this.step = step;
      this.factory = factory;
      this.what = what;
    }

    @Override
    public P zero() {
      return factory.empty();
    }

    @Override
    public P fold(P acc, MemoryBlock block) {
      P p = BlockScan.foldTiles(factory::empty, block, step.kernel.get(), step.scaledQueries,
          step.scaledOffsets, step.batch, step.tileRows, step.threads, step.spec.score(),
          step.spec.beta());
      return acc.merge(p);
    }

    @Override
    public String describe() {
      return step.describe() + ", " + what;
    }
  }

  @Override
  public StepPartial zero() {
    return new StepPartial(emptyScores(), RowBundle.empty(), 0, 0);
  }

  @Override
  public StepPartial fold(StepPartial acc, MemoryBlock block) {
    PartialScores<?> scores = BlockScan.foldBlock(this::emptyScores, block, kernel.get(),
        scaledQueries, scaledOffsets, batch, tileRows, threads, spec.score(), spec.beta())
        .compact();
    RowBundle rows = RowBundle.empty();
    if (!scores.carriesStates()) {
      long[] ids = shipRowsLimit < 0 ? null : scores.candidateIds();
      rows = ids != null && ids.length * (8L + 4L * dim) <= shipRowsLimit
          ? RowBundle.of(block, ids) : RowBundle.incomplete();
    }
    return acc.merge(StepPartial.sent(scores, rows));
  }

  @Override
  public String describe() {
    return spec.rule().key() + " step, " + batch + " queries";
  }

  /**
   * The step from the merged partial: dense rules carry their states; the others take them from
   * the rows sent along when those cover every support, else from {@code statesFromSupport}
   * (given the step's weights, it forms the states from the store's rows).
   */
  public StepOutput finish(StepPartial total, boolean wantStates,
      UnaryOperator<StepOutput> statesFromSupport) {
    StepOutput out = finishFromPartial(total, wantStates);
    return wantStates && out.states == null ? statesFromSupport.apply(out) : out;
  }

  /**
   * The step as far as the merged partial alone gives it: complete when states are not wanted,
   * when the rule carries them, or when the rows sent along cover every support; otherwise the
   * weights with {@code states} null, for the store to form from its rows.
   */
  public StepOutput finishFromPartial(StepPartial total, boolean wantStates) {
    PartialScores<?> scores = total.scores();
    if (scores.carriesStates()) {
      return scores.finish(null, wantStates);
    }
    StepOutput out = scores.finish(null, false);
    if (wantStates && total.rows().covers(out.supportIds)) {
      return out.withStatesFrom(total.rows().rows(dim));
    }
    return out;
  }
}
