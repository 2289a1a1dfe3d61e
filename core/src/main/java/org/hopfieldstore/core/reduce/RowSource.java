package org.hopfieldstore.core.reduce;

import org.hopfieldstore.core.memory.MemoryBlock;

/**
 * Looks up memory rows by id when a step's weighted sum is formed from a small support (sparse
 * rules, top-K). Locally it is the memory block; in the distributed store, the rows fetched for the
 * global support.
 */
public interface RowSource {
  int dim();

  /** {@code acc[offset + c] += weight * xi_id[c]} for every c; throws if the id is unknown. */
  void addRow(long id, double weight, double[] acc, int offset);

  /** Whether this source holds the row of {@code id}. */
  boolean holds(long id);

  /** Rows looked up in a map from id to row (e.g. the rows fetched for a global support). */
  static RowSource of(java.util.Map<Long, float[]> rowsById, int d) {
    return new RowSource() {
      @Override
      public int dim() {
        return d;
      }

      @Override
      public boolean holds(long id) {
        return rowsById.containsKey(id);
      }

      @Override
      public void addRow(long id, double weight, double[] acc, int offset) {
        float[] row = rowsById.get(id);
        if (row == null) {
          throw new IllegalArgumentException("memory id " + id + " was not fetched");
        }
        for (int c = 0; c < d; c++) {
          acc[offset + c] += weight * row[c];
        }
      }
    };
  }

  /** Rows of several blocks (ids distinct across them). */
  static RowSource of(java.util.List<MemoryBlock> blocks) {
    java.util.List<RowSource> sources = new java.util.ArrayList<>();
    for (MemoryBlock b : blocks) {
      sources.add(of(b));
    }
    int d = blocks.get(0).dim();
    return new RowSource() {
      @Override
      public int dim() {
        return d;
      }

      @Override
      public boolean holds(long id) {
        return sources.stream().anyMatch(s -> s.holds(id));
      }

      @Override
      public void addRow(long id, double weight, double[] acc, int offset) {
        for (RowSource s : sources) {
          if (s.holds(id)) {
            s.addRow(id, weight, acc, offset);
            return;
          }
        }
        throw new IllegalArgumentException("memory id " + id + " is in no block");
      }
    };
  }

  /** Rows of one block. */
  static RowSource of(MemoryBlock block) {
    final float[] data = block.data();
    final int d = block.dim();
    return new RowSource() {
      @Override
      public int dim() {
        return d;
      }

      @Override
      public boolean holds(long id) {
        return block.rowOf(id) >= 0;
      }

      @Override
      public void addRow(long id, double weight, double[] acc, int offset) {
        int r = block.rowOf(id);
        if (r < 0) {
          throw new IllegalArgumentException("memory id " + id + " is not in this block");
        }
        int o = r * d;
        for (int c = 0; c < d; c++) {
          acc[offset + c] += weight * data[o + c];
        }
      }
    };
  }
}
