package org.hopfieldstore.core.reduce;

/**
 * What one partition (or one tile of memories) contributes to a retrieval step for a batch of
 * queries, in a form that merges exactly into the global answer: {@code merge} is associative and
 * commutative (to float rounding) and an empty partial is its identity, so partials fit Spark's
 * {@code treeAggregate}. Serialised with {@link #toBytes} and the implementation's static
 * {@code fromBytes}, as DataSketches does.
 */
public interface PartialScores<P extends PartialScores<P>> extends TileFold<P> {
  /**
   * The merged step: weights, {@code Psi*}, and (when {@code wantStates}) the new states. Rules
   * whose sum runs over a small support look the rows up in {@code rows}.
   */
  StepOutput finish(RowSource rows, boolean wantStates);

  /** Number of queries this partial covers. */
  int batch();

  /**
   * Number of (score, id) candidates this partial carries across all queries: what a sparse rule
   * communicates. Dense softmax carries none beyond its report list.
   */
  long candidateCount();

  /**
   * The distinct ids (ascending) of every memory this partial may still put into a query's final
   * support, so a partition can send their rows along with the partial and spare a second pass.
   * Empty for dense softmax, whose weighted sums travel inside the partial.
   */
  default long[] candidateIds() {
    return new long[0];
  }

  /**
   * Whether the partial carries the weighted sums of the memory rows itself (dense softmax), so
   * {@link #finish} needs no rows; else the states are formed from the rows of the support.
   */
  default boolean carriesStates() {
    return false;
  }

  /** Drops what cannot reach the final answer before the partial is sent; returns this. */
  default P compact() {
    @SuppressWarnings("unchecked")
    P self = (P) this;
    return self;
  }
}
