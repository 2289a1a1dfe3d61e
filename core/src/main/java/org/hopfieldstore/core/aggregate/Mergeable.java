package org.hopfieldstore.core.aggregate;

/**
 * A partial aggregate that merges exactly: the buffer of Spark's {@code Aggregator}, the union of
 * a DataSketches sketch. {@code merge} is associative and commutative (to float rounding) and the
 * aggregation's zero is its identity, so partials fit {@code reduce}, {@code treeAggregate} and
 * {@code reduceByKey} on any split of the memories. Every implementation has a leading tag in
 * {@link #toBytes} that {@link Mergeables#fromBytes} reads back.
 */
public interface Mergeable<A extends Mergeable<A>> {
  /** Folds {@code other} into this partial and returns the merged one (usually this). */
  A merge(A other);

  /** A self-describing byte form, for the wire and for counting traffic. */
  byte[] toBytes();

  /** Bytes of {@link #toBytes}, without forming them where that is cheap. */
  default long byteSize() {
    return toBytes().length;
  }
}
