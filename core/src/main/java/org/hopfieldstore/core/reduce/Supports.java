package org.hopfieldstore.core.reduce;

/** Small shared helpers for forming states from a sparse support. */
final class Supports {
  private Supports() {}

  /** {@code out[offset..offset+d) = sum_r w[r] xi_(ids[r])}, accumulated in float64. */
  static void weightedRows(RowSource rows, long[] ids, double[] w, float[] out, int offset) {
    int d = rows.dim();
    double[] acc = new double[d];
    for (int r = 0; r < ids.length; r++) {
      rows.addRow(ids[r], w[r], acc, 0);
    }
    for (int c = 0; c < d; c++) {
      out[offset + c] = (float) acc[c];
    }
  }
}
