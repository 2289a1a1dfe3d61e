package org.hopfieldstore.core.aggregate;

import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.RowSource;

/**
 * The weighted sums {@code x_b = sum_r w_br xi_(id_br)} of a step's supports, each block adding
 * the terms of the ids it holds (float64): the states of a wide support without moving its rows.
 */
public final class SupportRowSums implements BlockAggregation<DoubleSums> {
  private static final long serialVersionUID = 1L;
  private final long[][] ids;
  private final double[][] weights;
  private final int dim;

  public SupportRowSums(long[][] ids, double[][] weights, int dim) {
    this.ids = ids;
    this.weights = weights;
    this.dim = dim;
  }

  @Override
  public DoubleSums zero() {
    return new DoubleSums(ids.length * dim);
  }

  @Override
  public DoubleSums fold(DoubleSums acc, MemoryBlock block) {
    RowSource rows = RowSource.of(block);
    double[] sums = acc.values();
    for (int b = 0; b < ids.length; b++) {
      for (int r = 0; r < ids[b].length; r++) {
        if (rows.holds(ids[b][r])) {
          rows.addRow(ids[b][r], weights[b][r], sums, b * dim);
        }
      }
    }
    return acc;
  }

  @Override
  public String describe() {
    return "weighted sums of the support rows";
  }
}
