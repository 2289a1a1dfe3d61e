package org.hopfieldstore.core.reduce;

/**
 * The merged result of one retrieval step for a batch of queries: the new states, the support of
 * each query's weights (ids and weights, best first, ties by lower id) and {@code Psi*(z)} for the
 * energy. For softmax, whose support is every memory, the support lists hold only the best
 * {@code report} entries while {@link #supportSize} is the full count.
 */
public final class StepOutput {
  /** batch x d row-major new states, or null when they were not asked for. */
  public final float[] states;
  /** {@code Psi*(z)} of each query's scores; NaN for rules without an energy (top-K). */
  public final double[] conjugate;
  public final long[][] supportIds;
  public final double[][] supportWeights;
  public final long[] supportSize;

  public StepOutput(float[] states, double[] conjugate, long[][] supportIds,
      double[][] supportWeights, long[] supportSize) {
    this.states = states;
    this.conjugate = conjugate;
    this.supportIds = supportIds;
    this.supportWeights = supportWeights;
    this.supportSize = supportSize;
  }
}
