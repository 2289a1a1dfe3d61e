package org.hopfieldstore.core.aggregate;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.RowSource;

/**
 * Memory rows travelling with a partial result: ids and their d values. A bundle is either
 * complete (it holds every row its partitions meant to send) or incomplete (some partition had
 * too many to send): incompleteness wins every merge, so the driver knows to fetch rows itself.
 */
public final class RowBundle implements Mergeable<RowBundle> {
  static final int TAG = 0x524f5753; // "ROWS"
  private static final RowBundle INCOMPLETE = new RowBundle(false, 0, new long[0], new float[0]);

  private final boolean complete;
  private final int dim;
  private long[] ids;
  private float[] rows;

  private RowBundle(boolean complete, int dim, long[] ids, float[] rows) {
    this.complete = complete;
    this.dim = dim;
    this.ids = ids;
    this.rows = rows;
  }

  /** A complete bundle of no rows: the zero of the merge. */
  public static RowBundle empty() {
    return new RowBundle(true, 0, new long[0], new float[0]);
  }

  /** The bundle of a partition that did not send its rows. */
  public static RowBundle incomplete() {
    return INCOMPLETE;
  }

  /** The rows of those {@code ids} that {@code block} holds (the others are skipped). */
  public static RowBundle of(MemoryBlock block, long[] ids) {
    int d = block.dim();
    long[] kept = new long[ids.length];
    float[] out = new float[Math.multiplyExact(ids.length, d)];
    int n = 0;
    for (long id : ids) {
      int r = block.rowOf(id);
      if (r >= 0) {
        kept[n] = id;
        System.arraycopy(block.data(), r * d, out, n * d, d);
        n++;
      }
    }
    return new RowBundle(true, d, Arrays.copyOf(kept, n), Arrays.copyOf(out, n * d));
  }

  public boolean isComplete() {
    return complete;
  }

  /** Number of rows held. */
  public int size() {
    return ids.length;
  }

  /** Whether every id of {@code supports} is among the rows. */
  public boolean covers(long[][] supports) {
    if (!complete) {
      return false;
    }
    long[] sorted = ids.clone();
    Arrays.sort(sorted);
    for (long[] s : supports) {
      for (long id : s) {
        if (Arrays.binarySearch(sorted, id) < 0) {
          return false;
        }
      }
    }
    return true;
  }

  /** The rows as a source for weighted sums. */
  public RowSource rows(int d) {
    Map<Long, float[]> byId = new HashMap<>(ids.length * 2);
    for (int i = 0; i < ids.length; i++) {
      byId.put(ids[i], Arrays.copyOfRange(rows, i * d, (i + 1) * d));
    }
    return RowSource.of(byId, d);
  }

  @Override
  public RowBundle merge(RowBundle other) {
    if (!complete || !other.complete) {
      return INCOMPLETE;
    }
    if (other.ids.length == 0) {
      return this;
    }
    if (ids.length == 0) {
      return other;
    }
    if (other.dim != dim) {
      throw new IllegalArgumentException("row bundles of dimensions " + dim + " and " + other.dim);
    }
    long[] i = Arrays.copyOf(ids, ids.length + other.ids.length);
    System.arraycopy(other.ids, 0, i, ids.length, other.ids.length);
    float[] r = Arrays.copyOf(rows, rows.length + other.rows.length);
    System.arraycopy(other.rows, 0, r, rows.length, other.rows.length);
    return new RowBundle(true, dim, i, r);
  }

  @Override
  public long byteSize() {
    return complete ? 13 + 8L * ids.length + 4L * rows.length : 13;
  }

  @Override
  public byte[] toBytes() {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(byteSize()));
    buf.putInt(TAG).put((byte) (complete ? 1 : 0)).putInt(dim).putInt(complete ? ids.length : 0);
    if (complete) {
      for (long id : ids) {
        buf.putLong(id);
      }
      for (float v : rows) {
        buf.putFloat(v);
      }
    }
    return buf.array();
  }

  /** Reads what {@link #toBytes} wrote; rejects a wrong tag or a truncated buffer. */
  public static RowBundle fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      if (buf.getInt() != TAG) {
        throw new IllegalArgumentException("not a row bundle");
      }
      boolean complete = buf.get() == 1;
      int d = buf.getInt();
      int n = buf.getInt();
      if (!complete) {
        return INCOMPLETE;
      }
      if (n < 0 || d < 0 || (long) n * (8 + 4L * d) > buf.remaining()) {
        throw new IllegalArgumentException("truncated row bundle (" + bytes.length + " bytes)");
      }
      long[] ids = new long[n];
      for (int i = 0; i < n; i++) {
        ids[i] = buf.getLong();
      }
      float[] rows = new float[n * d];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = buf.getFloat();
      }
      return new RowBundle(true, d, ids, rows);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated row bundle (" + bytes.length + " bytes)");
    }
  }
}
