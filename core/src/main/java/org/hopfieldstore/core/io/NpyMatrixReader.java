package org.hopfieldstore.core.io;

import java.io.IOException;
import java.util.Objects;
import org.hopfieldstore.core.memory.FloatMatrix;

/**
 * Reads 2-D float .npy files as validated {@link FloatMatrix}es, whole or by row range (see
 * {@link Npy#readMatrix}, {@link Npy#readRows}, {@link Npy#matrixShape}).
 */
final class NpyMatrixReader {
  private static final String MATRIX_DTYPES =
      "expected float32 '<f4' or float64 '<f8' ('>f4', '>f8' big-endian also read)";

  private NpyMatrixReader() {}

  /**
   * The validated shape {@code (rows, cols)}, without reading the data; the file may hold more
   * values than one Java array (its row ranges are read separately).
   */
  static long[] shape(ByteSource ch, String what) {
    String p = ch.name();
    try {
      NpyHeader h = matrixHeader(ch, p, what, false);
      return h.shape.clone();
    } catch (IOException e) {
      throw NpyFiles.ioFailure(p, e);
    }
  }

  /**
   * Rows {@code [from, to)} ({@code to = -1}: to the end, and then the whole file must fit one
   * array), messages naming whole-file rows.
   */
  static FloatMatrix readRows(ByteSource ch, String what, long from, long to) {
    Objects.requireNonNull(what, "what");
    String p = ch.name();
    try {
      NpyHeader h = matrixHeader(ch, p, what, to < 0);
      NpyDtype dt = NpyDtype.of(h.descr);
      long allRows = h.shape[0];
      long cols = h.shape[1];
      long end = to < 0 ? allRows : to;
      if (from < 0 || from >= end || end > allRows) {
        throw new IllegalArgumentException(p + ": row range [" + from + ", " + end
            + ") is not inside the " + allRows + " rows of " + what);
      }
      long count = (end - from) * cols;
      if (count > NpyHeader.MAX_ELEMENTS) {
        throw new IllegalArgumentException(p + ": " + what + ": rows [" + from + ", " + end
            + ") hold " + count + " values, more than the " + NpyHeader.MAX_ELEMENTS
            + " one block holds; read them in smaller row ranges");
      }
      int rows = (int) (end - from);
      float[] data = new float[(int) count];
      long first = from * cols;
      if (dt.size() == 4) {
        NpyFiles.readChunks(ch, h, dt, p, first, count, (buf, index) ->
            buf.asFloatBuffer().get(data, (int) index, buf.remaining() / 4));
      } else {
        readFloat64AsFloat32(ch, h, dt, p, what, data, (int) cols, from, first, count);
      }
      for (int i = 0; i < data.length; i++) {
        if (!Float.isFinite(data[i])) {
          throw new IllegalArgumentException(p + ": " + what + ": non-finite value " + data[i]
              + " at row " + (from + i / cols) + ", column " + (i % cols));
        }
      }
      return FloatMatrix.of(what, data, rows, (int) cols);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(p, e);
    }
  }

  /** Reads and checks the header of a 2-D float matrix file, including its data size. */
  private static NpyHeader matrixHeader(ByteSource ch, String p, String what, boolean oneArray)
      throws IOException {
    NpyHeader h = NpyHeader.read(ch, p);
    h.checkCOrderLayout(p);
    NpyDtype dt = NpyDtype.of(h.descr);
    if (dt == null) {
      throw NpyDtype.unsupported(h.descr, p, MATRIX_DTYPES);
    }
    if (!dt.isFloat()) {
      throw new IllegalArgumentException(p + ": unsupported dtype '" + h.descr + "' ("
          + (dt.isInteger() ? "integer" : "bool") + ") for " + what + "; " + MATRIX_DTYPES);
    }
    if (h.shape.length != 2) {
      throw new IllegalArgumentException(p + ": " + what + ": expected a 2-D array, got "
          + h.shape.length + "-D shape " + NpyHeader.shapeString(h.shape)
          + (h.shape.length == 1 ? " (save a single vector as shape (1, d))" : ""));
    }
    if (h.shape[0] == 0) {
      throw new IllegalArgumentException(p + ": empty " + what
          + ": need at least 1 row, got shape " + NpyHeader.shapeString(h.shape));
    }
    if (h.shape[1] == 0) {
      throw new IllegalArgumentException(p + ": " + what + ": dimension must be >= 1, got 0");
    }
    h.checkDataSize(p, dt.size(), oneArray);
    if (h.shape[1] > NpyHeader.MAX_ELEMENTS) {
      throw new IllegalArgumentException(p + ": " + what + ": dimension " + h.shape[1]
          + " is larger than one Java array holds");
    }
    return h;
  }

  /**
   * Narrows float64 to float32. A finite value that would become infinite is an error naming its
   * row and column, unless a NaN/inf comes earlier (then FloatMatrix.of reports that one).
   */
  private static void readFloat64AsFloat32(ByteSource ch, NpyHeader h, NpyDtype dt,
      String p, String what, float[] data, int cols, long firstRow, long first, long count)
      throws IOException {
    double[] scratch = new double[Math.min(data.length, NpyFiles.CHUNK / 8)];
    long[] overflowAt = {-1};
    double[] overflowValue = {0};
    boolean[] sawNonFinite = {false};
    NpyFiles.readChunks(ch, h, dt, p, first, count, (buf, index) -> {
      int n = buf.remaining() / 8;
      buf.asDoubleBuffer().get(scratch, 0, n);
      int base = (int) index;
      for (int k = 0; k < n; k++) {
        double d = scratch[k];
        float f = (float) d;
        if (!Float.isFinite(f) && !sawNonFinite[0]) {
          sawNonFinite[0] = true;
          if (Double.isFinite(d)) {
            overflowAt[0] = base + k;
            overflowValue[0] = d;
          }
        }
        data[base + k] = f;
      }
    });
    if (overflowAt[0] >= 0) {
      long i = overflowAt[0];
      throw new IllegalArgumentException(p + ": " + what + ": float64 value " + overflowValue[0]
          + " at row " + (firstRow + i / cols) + ", column " + (i % cols)
          + " is outside the float32 range (|x| <= " + Float.MAX_VALUE + ")");
    }
  }
}
