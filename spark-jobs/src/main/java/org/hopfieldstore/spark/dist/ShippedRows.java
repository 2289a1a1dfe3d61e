package org.hopfieldstore.spark.dist;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.hopfieldstore.core.memory.MemoryBlock;

/**
 * Memory rows sent along with a partition's partial result, as bytes: {@code [n][d]} then n times
 * {@code [id][d floats]}. An empty array means "not sent" (the partition had too many), and it
 * wins every merge, so the driver knows it must fetch rows itself.
 */
final class ShippedRows {
  private static final int HEADER = 8;

  private ShippedRows() {}

  /** The rows of {@code ids} (all held by {@code block}). */
  static byte[] pack(MemoryBlock block, long[] ids) {
    int d = block.dim();
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(HEADER + ids.length * (8L + 4L * d)));
    buf.putInt(ids.length).putInt(d);
    float[] data = block.data();
    for (long id : ids) {
      int r = block.rowOf(id);
      if (r < 0) {
        throw new IllegalStateException("memory id " + id + " is not in this block");
      }
      buf.putLong(id);
      for (int c = 0, o = r * d; c < d; c++) {
        buf.putFloat(data[o + c]);
      }
    }
    return buf.array();
  }

  /** Both bundles' rows, or "not sent" if either was not sent. */
  static byte[] concat(byte[] a, byte[] b) {
    if (a.length == 0 || b.length == 0) {
      return new byte[0];
    }
    ByteBuffer x = ByteBuffer.wrap(a);
    ByteBuffer y = ByteBuffer.wrap(b);
    int na = x.getInt();
    int d = x.getInt();
    int nb = y.getInt();
    if (y.getInt() != d) {
      throw new IllegalStateException("row bundles of different dimensions");
    }
    ByteBuffer out = ByteBuffer.allocate(a.length + b.length - HEADER);
    out.putInt(na + nb).putInt(d);
    out.put(a, HEADER, a.length - HEADER).put(b, HEADER, b.length - HEADER);
    return out.array();
  }

  /** id -> row, or null if some partition did not send its rows. */
  static Map<Long, float[]> unpack(byte[] bytes, int dim) {
    if (bytes.length == 0) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    int n = buf.getInt();
    int d = buf.getInt();
    if (d != dim) {
      throw new IllegalStateException("row bundle of dimension " + d + ", store has " + dim);
    }
    Map<Long, float[]> rows = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      long id = buf.getLong();
      float[] row = new float[d];
      for (int c = 0; c < d; c++) {
        row[c] = buf.getFloat();
      }
      rows.put(id, row);
    }
    return rows;
  }
}
