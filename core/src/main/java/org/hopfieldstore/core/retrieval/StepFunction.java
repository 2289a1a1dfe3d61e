package org.hopfieldstore.core.retrieval;

import org.hopfieldstore.core.reduce.StepOutput;

/**
 * One retrieval step over the whole store for a batch of states: score every memory, normalize,
 * and form the weighted sum. The local engine tiles one memory block; the distributed store runs
 * one pass over its partitions. {@link RetrievalLoop} drives either the same way.
 */
public interface StepFunction {
  /** Number of memories M in the store. */
  long memoryCount();

  /** Dimension d of memories and states. */
  int dim();

  /** Largest memory norm (the constant m of the energy). */
  double maxNorm();

  /**
   * One step for {@code batch} row-major states. With {@code wantStates} false only the weights
   * and {@code Psi*} are needed (the energy of the final states).
   */
  default StepOutput step(float[] states, int batch, RetrievalSpec spec, int report,
      boolean wantStates) {
    return step(states, batch, spec, report, wantStates, null);
  }

  /**
   * One step as above, told which update of which query each state row is: {@code
   * queryKeys[b]} is {@link org.hopfieldstore.core.reduce.MemoryMask#queryKey} of row b's query
   * and step (null: unknown, for the rules that need no per-query draw).
   */
  StepOutput step(float[] states, int batch, RetrievalSpec spec, int report, boolean wantStates,
      long[] queryKeys);

  /**
   * One step as above with a per-row additive score offset: row b scores {@code scale_i
   * (<xi_i, q_b> + offsets[b])} (the normalised affine feature map's {@code c(x) / |Phi x|},
   * see {@link org.hopfieldstore.core.kernel.KernelSpace#offsets}); null: none. Stores that
   * cannot add one say so.
   */
  default StepOutput step(float[] states, float[] offsets, int batch, RetrievalSpec spec,
      int report, boolean wantStates, long[] queryKeys) {
    if (offsets != null) {
      throw new UnsupportedOperationException(getClass().getSimpleName()
          + " cannot score with per-query offsets");
    }
    return step(states, batch, spec, report, wantStates, queryKeys);
  }

  /** The {@code n} smallest memory ids in ascending order ({@code n <= memoryCount()}). */
  long[] lowestIds(int n);

  /**
   * The same memories with every score multiplied by a per-memory factor ({@code scale_i <xi_i,
   * q>}) while the weighted sums still combine the stored rows: the store of the normalised
   * feature map. Stores that cannot derive one say so.
   */
  default StepFunction withRowScales(RowScaler scaler) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " cannot score with per-memory factors");
  }
}
