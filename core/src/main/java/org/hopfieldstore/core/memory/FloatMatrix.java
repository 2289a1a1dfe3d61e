package org.hopfieldstore.core.memory;

import java.util.Objects;

/**
 * A dense row-major float32 matrix: {@code rows x cols} values in one contiguous array.
 * Used for query batches (state patterns) and as the payload of a {@link MemoryBlock}.
 */
public final class FloatMatrix implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final int rows;
  private final int cols;
  private final float[] data;
  /** Objects derived from these rows (bound score kernels), living and dying with them. */
  private transient volatile java.util.concurrent.ConcurrentMap<Object, Object> derived;

  private FloatMatrix(float[] data, int rows, int cols) {
    this.data = data;
    this.rows = rows;
    this.cols = cols;
  }

  /**
   * Wraps {@code data} (not copied) as a {@code rows x cols} matrix after checking the shape and
   * that every value is finite.
   *
   * @param what names the matrix in error messages, e.g. "memories" or "queries"
   * @throws IllegalArgumentException naming the problem, with row and column for a bad value
   */
  public static FloatMatrix of(String what, float[] data, int rows, int cols) {
    Objects.requireNonNull(data, "data");
    if (rows < 1) {
      throw new IllegalArgumentException(
          "empty " + what + ": need at least 1 row, got " + rows);
    }
    if (cols < 1) {
      throw new IllegalArgumentException(what + ": dimension must be >= 1, got " + cols);
    }
    if ((long) rows * cols != data.length) {
      throw new IllegalArgumentException(what + ": " + rows + " x " + cols + " needs "
          + ((long) rows * cols) + " values, got " + data.length);
    }
    checkFinite(what, data, cols);
    return new FloatMatrix(data, rows, cols);
  }

  /** A zero matrix; no validation needed. */
  public static FloatMatrix zeros(int rows, int cols) {
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException("shape must be positive, got " + rows + " x " + cols);
    }
    return new FloatMatrix(new float[Math.multiplyExact(rows, cols)], rows, cols);
  }

  /** Throws naming the first non-finite value by its row and column (0-based). */
  static void checkFinite(String what, float[] data, int cols) {
    for (int i = 0; i < data.length; i++) {
      float v = data[i];
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException(what + ": non-finite value " + v + " at row "
            + (i / cols) + ", column " + (i % cols));
      }
    }
  }

  /**
   * A cache of objects derived from these rows (e.g. a score kernel bound to them, which may hold
   * an off-heap copy), shared by every block over this matrix and collected with it.
   */
  public java.util.concurrent.ConcurrentMap<Object, Object> derived() {
    java.util.concurrent.ConcurrentMap<Object, Object> d = derived;
    if (d == null) {
      synchronized (this) {
        if (derived == null) {
          derived = new java.util.concurrent.ConcurrentHashMap<>();
        }
        d = derived;
      }
    }
    return d;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** The backing row-major array (not a copy): row {@code i} starts at {@code i * cols()}. */
  public float[] data() {
    return data;
  }

  public float get(int row, int col) {
    return data[row * cols + col];
  }

  /** A copy of row {@code i}. */
  public float[] row(int i) {
    float[] r = new float[cols];
    System.arraycopy(data, i * cols, r, 0, cols);
    return r;
  }

  public FloatMatrix copy() {
    return new FloatMatrix(data.clone(), rows, cols);
  }

  @Override
  public String toString() {
    return "FloatMatrix[" + rows + " x " + cols + "]";
  }
}
