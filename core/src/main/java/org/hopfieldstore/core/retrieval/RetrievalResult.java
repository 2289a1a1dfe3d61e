package org.hopfieldstore.core.retrieval;

import org.hopfieldstore.core.memory.FloatMatrix;

/**
 * The outcome of multi-step retrieval for a batch of queries: final states, steps taken, the energy
 * of the query and of each state after it (empty for top-K, which has no energy), the support of
 * the last update's weights (best first, ties by lower id), and the reported top ids/weights.
 */
public final class RetrievalResult {
  private final RetrievalSpec spec;
  private final FloatMatrix states;
  private final int[] steps;
  private final double[][] energies;
  private final long[][] supportIds;
  private final double[][] supportWeights;
  private final long[] supportSize;
  private final long[][] topIds;
  private final float[][] topWeights;

  RetrievalResult(RetrievalSpec spec, FloatMatrix states, int[] steps, double[][] energies,
      long[][] supportIds, double[][] supportWeights, long[] supportSize, long[][] topIds,
      float[][] topWeights) {
    this.spec = spec;
    this.states = states;
    this.steps = steps;
    this.energies = energies;
    this.supportIds = supportIds;
    this.supportWeights = supportWeights;
    this.supportSize = supportSize;
    this.topIds = topIds;
    this.topWeights = topWeights;
  }

  public RetrievalSpec spec() {
    return spec;
  }

  /** Final states, B x d. */
  public FloatMatrix states() {
    return states;
  }

  public int batch() {
    return states.rows();
  }

  /** Updates performed for query b (<= spec.steps(); fewer when it converged within tol). */
  public int steps(int b) {
    return steps[b];
  }

  /**
   * Energies of query b: {@code E(x_0), E(x_1), ..., E(x_T)}, T = steps(b); empty when the rule
   * has no energy (top-K) or energies were not asked for.
   */
  public double[] energies(int b) {
    return energies[b].clone();
  }

  /** Energy of query b's final state, NaN when not available. */
  public double finalEnergy(int b) {
    double[] e = energies[b];
    return e.length == 0 ? Double.NaN : e[e.length - 1];
  }

  /**
   * Memory ids with non-zero weight in the last update of query b, best first. For softmax, whose
   * support is every memory, only the best {@code report} are listed.
   */
  public long[] supportIds(int b) {
    return supportIds[b].clone();
  }

  /** Weights matching {@link #supportIds}. */
  public double[] supportWeights(int b) {
    return supportWeights[b].clone();
  }

  /** Number of memories with non-zero weight in the last update of query b. */
  public long supportSize(int b) {
    return supportSize[b];
  }

  /**
   * The {@code min(report, M)} ids of the largest weights of query b, by descending weight with
   * ties to the lower id (zero-weight entries are the lowest ids outside the support).
   */
  public long[] topIds(int b) {
    return topIds[b].clone();
  }

  public float[] topWeights(int b) {
    return topWeights[b].clone();
  }

  /** Number of reported top entries per query. */
  public int reportWidth() {
    return topIds.length == 0 ? 0 : topIds[0].length;
  }
}
