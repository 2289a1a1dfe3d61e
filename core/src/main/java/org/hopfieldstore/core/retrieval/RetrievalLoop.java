package org.hopfieldstore.core.retrieval;

import org.hopfieldstore.core.kernel.KernelSpace;
import org.hopfieldstore.core.kernel.KernelStep;
import org.hopfieldstore.core.memory.FloatMatrix;

/**
 * Multi-step retrieval {@code x_(t+1) = Xi^T normalize(beta Xi x_t)} for a batch of queries, over
 * any {@link StepFunction}. A query stops after {@code spec.steps()} updates, or as soon as an update
 * moves it by at most {@code spec.tol()} in max-norm when tol > 0 (the step that converged counts).
 * Converged queries leave the batch, so later steps only score the rest.
 */
public final class RetrievalLoop {
  /** Default number of reported top ids per query. */
  public static final int DEFAULT_REPORT = 10;

  private RetrievalLoop() {}

  /**
   * Runs retrieval. {@code trackEnergy} adds one scoring pass at the end for the energy of the
   * final states (rules with an energy only).
   */
  public static RetrievalResult run(StepFunction plainStore, FloatMatrix queries,
      RetrievalSpec spec, int report, boolean trackEnergy) {
    return run(plainStore, queries, null, spec, report, trackEnergy);
  }

  /**
   * Runs retrieval of queries with ids {@code queryIds} (one per row; null: the row numbers),
   * from which the rules that draw per query (masked) draw: the same ids give the same answer
   * in any batch and on any store.
   */
  public static RetrievalResult run(StepFunction plainStore, FloatMatrix queries,
      long[] queryIds, RetrievalSpec spec, int report, boolean trackEnergy) {
    if (spec.kernel() == null) {
      return run(plainStore, null, queries, queryIds, spec, report, trackEnergy);
    }
    // kernel space: the store scores G x; W is loaded here, once, on the driver
    try (KernelStep kernel = KernelStep.of(plainStore, spec)) {
      return run(kernel.scorer(), kernel.space(), queries, queryIds, spec, report, trackEnergy);
    }
  }

  private static RetrievalResult run(StepFunction store, KernelSpace kernel, FloatMatrix queries,
      long[] queryIds, RetrievalSpec spec, int report, boolean trackEnergy) {
    if (queries.cols() != store.dim()) {
      throw new IllegalArgumentException("dimension mismatch: queries have dimension "
          + queries.cols() + " but memories have dimension " + store.dim());
    }
    RetrievalState state = new RetrievalState(queries, queryIds, spec, report, trackEnergy,
        store.memoryCount(), store.maxNorm(), kernel);
    for (int n = state.activeCount(); n > 0; n = state.activeCount()) {
      state.applyStep(store.step(state.workStates(), state.workOffsets(), n, spec, report, true,
          state.workQueryKeys()));
    }
    if (state.wantsEnergyPass()) {
      state.applyEnergy(store.step(state.energyStates(), state.energyOffsets(), queries.rows(),
          spec, report, false, state.energyQueryKeys()));
    }
    return state.result(store.memoryCount(),
        store.lowestIds(state.lowestIdsNeeded(store.memoryCount())));
  }
}
