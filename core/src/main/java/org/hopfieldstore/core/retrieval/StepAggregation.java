package org.hopfieldstore.core.retrieval;

import java.util.function.UnaryOperator;
import org.hopfieldstore.core.aggregate.BlockAggregation;
import org.hopfieldstore.core.aggregate.RowBundle;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.StepOutput;
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
  }

  private PartialScores<?> emptyScores() {
    return spec.rule().emptyPartial(spec, batch, dim, report, queryKeys);
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
