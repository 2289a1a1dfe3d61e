package org.hopfieldstore.core.reduce;

/**
 * The merged result of one retrieval step for a batch of queries: the new states, the support of
 * each query's weights (ids and weights, best first, ties by lower id) and {@code Psi*(z)} for the
 * energy. For softmax, whose support is every memory, the support lists hold only the best
 * {@code report} entries while {@link #supportSize} is the full count.
 */
public final class StepOutput implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  /** batch x d row-major new states, or null when they were not asked for. */
  public final float[] states;
  /** {@code Psi*(z)} of each query's scores; NaN for rules without an energy (top-K). */
  public final double[] conjugate;
  public final long[][] supportIds;
  public final double[][] supportWeights;
  public final long[] supportSize;

  /**
   * The same step with states formed from the supports: {@code x_b = sum_r w_br xi_(id_br)}. For
   * sparse rules and top-K, whose partials carry ids and scores but not rows, once the rows of the
   * (small) global support are at hand.
   */
  public StepOutput withStatesFrom(RowSource rows) {
    int d = rows.dim();
    int batch = conjugate.length;
    float[] s = new float[batch * d];
    for (int b = 0; b < batch; b++) {
      Supports.weightedRows(rows, supportIds[b], supportWeights[b], s, b * d);
    }
    return new StepOutput(s, conjugate, supportIds, supportWeights, supportSize);
  }

  /**
   * A step of a summary model (linear, prf): states only, no per-memory weights; every one of
   * the {@code memories} contributes.
   */
  public static StepOutput ofSummary(float[] states, int batch, long memories) {
    double[] conj = new double[batch];
    java.util.Arrays.fill(conj, Double.NaN);
    long[] size = new long[batch];
    java.util.Arrays.fill(size, memories);
    return new StepOutput(states, conj, new long[batch][0], new double[batch][0], size);
  }

  public StepOutput(float[] states, double[] conjugate, long[][] supportIds,
      double[][] supportWeights, long[] supportSize) {
    this.states = states;
    this.conjugate = conjugate;
    this.supportIds = supportIds;
    this.supportWeights = supportWeights;
    this.supportSize = supportSize;
  }
}
