package org.hopfieldstore.core.memory;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * M stored patterns (memories) of dimension d as one contiguous row-major float32 slab, plus a
 * long id per memory. Ids default to the row index; a partition of a larger store carries the
 * global ids of its rows. Immutable after construction: callers must not write into {@link
 * #data()}.
 */
public final class MemoryBlock implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final FloatMatrix rows;
  private final long[] ids; // null: id == idOffset + row
  private final long idOffset;
  private final double maxNorm;
  private final float[] rowScale; // null: every score scale is 1
  private Map<Long, Integer> rowById; // built lazily for explicit ids

  private MemoryBlock(FloatMatrix rows, long[] ids, long idOffset) {
    this(rows, ids, idOffset, computeMaxNorm(rows), null);
  }

  private MemoryBlock(FloatMatrix rows, long[] ids, long idOffset, double maxNorm,
      float[] rowScale) {
    this.rows = rows;
    this.ids = ids;
    this.idOffset = idOffset;
    this.maxNorm = maxNorm;
    this.rowScale = rowScale;
  }

  /**
   * The same memories (rows and ids shared, not copied) whose scores are multiplied by a positive
   * per-memory factor: {@code score_i = scale_i <xi_i, q>}, as the normalised feature map of
   * kernelized retrieval needs ({@code 1 / |W xi_i|}); the weighted sums still combine the
   * unscaled rows. {@code null} removes the scales.
   */
  public MemoryBlock withRowScale(float[] scale) {
    if (scale != null) {
      if (scale.length != size()) {
        throw new IllegalArgumentException("row scales: " + scale.length + " values for "
            + size() + " memories");
      }
      for (int i = 0; i < scale.length; i++) {
        if (!(scale[i] > 0) || !Float.isFinite(scale[i])) {
          throw new IllegalArgumentException("row scales: value " + scale[i] + " at row " + i
              + " must be finite and > 0");
        }
      }
    }
    return new MemoryBlock(rows, ids, idOffset, maxNorm, scale == null ? null : scale.clone());
  }

  /** Per-memory score factors, or null when every factor is 1. Callers must not modify it. */
  public float[] rowScale() {
    return rowScale;
  }

  /** Memories with ids 0..M-1. Validates shape and finiteness ("memories: ... at row r"). */
  public static MemoryBlock of(float[] data, int size, int dim) {
    return new MemoryBlock(FloatMatrix.of("memories", data, size, dim), null, 0L);
  }

  /** Memories whose ids are {@code idOffset + row} (a contiguous range of a larger store). */
  public static MemoryBlock withIdOffset(float[] data, int size, int dim, long idOffset) {
    if (idOffset < 0) {
      throw new IllegalArgumentException("memories: id offset must be >= 0, got " + idOffset);
    }
    return new MemoryBlock(FloatMatrix.of("memories", data, size, dim), null, idOffset);
  }

  /** Memories with explicit, distinct, non-negative ids (one per row). */
  public static MemoryBlock withIds(float[] data, long[] ids, int dim) {
    Objects.requireNonNull(ids, "ids");
    FloatMatrix m = FloatMatrix.of("memories", data, ids.length, dim);
    long[] sorted = ids.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      if (sorted[i] < 0) {
        throw new IllegalArgumentException("memories: ids must be >= 0, got " + sorted[i]);
      }
      if (i > 0 && sorted[i] == sorted[i - 1]) {
        throw new IllegalArgumentException("memories: duplicate id " + sorted[i]);
      }
    }
    return new MemoryBlock(m, ids.clone(), 0L);
  }

  /** Wraps an already validated matrix as memories with ids 0..M-1. */
  public static MemoryBlock of(FloatMatrix matrix) {
    return new MemoryBlock(matrix, null, 0L);
  }

  private static double computeMaxNorm(FloatMatrix m) {
    double best = 0;
    float[] a = m.data();
    int d = m.cols();
    for (int r = 0; r < m.rows(); r++) {
      double s = 0;
      for (int j = r * d, end = j + d; j < end; j++) {
        s += (double) a[j] * a[j];
      }
      best = Math.max(best, s);
    }
    return Math.sqrt(best);
  }

  /** Number of memories M. */
  public int size() {
    return rows.rows();
  }

  /** Dimension d of each memory. */
  public int dim() {
    return rows.cols();
  }

  /** The memories as a matrix (row i is memory i). */
  public FloatMatrix matrix() {
    return rows;
  }

  /** The backing row-major slab (not a copy). */
  public float[] data() {
    return rows.data();
  }

  /** The id of row {@code row}. */
  public long id(int row) {
    return ids == null ? idOffset + row : ids[row];
  }

  /** Explicit ids (a copy), or null when ids are {@code idOffset() + row}. */
  public long[] explicitIds() {
    return ids == null ? null : ids.clone();
  }

  /** The id of row 0 when ids are implicit (0 for explicit ids). */
  public long idOffset() {
    return idOffset;
  }

  /** The row holding memory {@code id}, or -1 if this block does not hold it. */
  public int rowOf(long id) {
    if (ids == null) {
      long r = id - idOffset;
      return r >= 0 && r < size() ? (int) r : -1;
    }
    Map<Long, Integer> index = rowById;
    if (index == null) {
      index = new HashMap<>(ids.length * 2);
      for (int i = 0; i < ids.length; i++) {
        index.put(ids[i], i);
      }
      rowById = index;
    }
    Integer r = index.get(id);
    return r == null ? -1 : r;
  }

  /** Largest Euclidean norm of a memory, the constant m of the dense energy. */
  public double maxNorm() {
    return maxNorm;
  }

  /** Raw payload size in bytes (float32 values plus explicit ids and row scales). */
  public long sizeInBytes() {
    return 4L * data().length + (ids == null ? 0 : 8L * ids.length)
        + (rowScale == null ? 0 : 4L * rowScale.length);
  }

  @Override
  public String toString() {
    return "MemoryBlock[" + size() + " x " + dim() + "]";
  }
}
