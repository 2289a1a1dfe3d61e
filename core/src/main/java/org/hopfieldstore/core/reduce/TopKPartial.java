package org.hopfieldstore.core.reduce;

import java.nio.ByteBuffer;
import java.util.stream.IntStream;

/**
 * Top-K for a batch of queries: per query a bounded list of the K best (score, id) pairs, ties to
 * the lower id. Merging keeps the K best of the union, so the answer is the same for any split of
 * the memories. The step's weights are the softmax over the K kept scores; {@code K >= M} keeps
 * every memory and is plain softmax.
 */
public final class TopKPartial implements PartialScores<TopKPartial> {
  public static final int TAG = 0x544f504b; // "TOPK"
  private final int batch;
  private final int k;
  private final TopList[] lists;
  private long count;

  public TopKPartial(int batch, int k) {
    if (batch < 1 || k < 1) {
      throw new IllegalArgumentException("batch and k must be >= 1, got " + batch + ", " + k);
    }
    this.batch = batch;
    this.k = k;
    this.lists = new TopList[batch];
    for (int b = 0; b < batch; b++) {
      lists[b] = new TopList(k);
    }
  }

  @Override
  public int batch() {
    return batch;
  }

  public int k() {
    return k;
  }

  @Override
  public long candidateCount() {
    long n = 0;
    for (TopList t : lists) {
      n += t.size();
    }
    return n;
  }

  @Override
  public long[] candidateIds() {
    return java.util.Arrays.stream(lists).flatMapToLong(
        t -> IntStream.range(0, t.size()).mapToLong(t::id)).distinct().sorted().toArray();
  }

  /** Offers every score of the tile to its query's list. */
  @Override
  public void accumulate(ScoreTile tile) {
    if (tile.batch != batch) {
      throw new IllegalArgumentException("tile has " + tile.batch + " queries, partial " + batch);
    }
    final int t = tile.width();
    tile.queries().forEach(b -> tile.offerRow(b, lists[b]));
    count += t;
  }

  @Override
  public TopKPartial merge(TopKPartial other) {
    if (other.batch != batch || other.k != k) {
      throw new IllegalArgumentException("cannot merge top-K partials (batch " + batch + ", k "
          + k + ") and (batch " + other.batch + ", k " + other.k + ")");
    }
    for (int b = 0; b < batch; b++) {
      lists[b].merge(other.lists[b]);
    }
    count += other.count;
    return this;
  }

  /** Softmax over each query's kept scores; states from the rows of the kept ids. */
  @Override
  public StepOutput finish(RowSource rows, boolean wantStates) {
    if (count == 0) {
      throw new IllegalStateException("top-K partial has seen no memories");
    }
    int d = wantStates ? rows.dim() : 0; // rows may be null when only weights are wanted
    float[] states = wantStates ? new float[batch * d] : null;
    double[] conj = new double[batch];
    long[][] ids = new long[batch][];
    double[][] ws = new double[batch][];
    long[] size = new long[batch];
    for (int b = 0; b < batch; b++) {
      TopList list = lists[b];
      int n = list.size();
      ids[b] = new long[n];
      ws[b] = new double[n];
      double m = ScoreTile.finite(list.score(0));
      double s = 0;
      for (int r = 0; r < n; r++) {
        ids[b][r] = list.id(r);
        ws[b][r] = Math.exp(list.score(r) - m);
        s += ws[b][r];
      }
      for (int r = 0; r < n; r++) {
        ws[b][r] /= s;
      }
      conj[b] = Double.NaN;
      size[b] = n;
      if (states != null) {
        Supports.weightedRows(rows, ids[b], ws[b], states, b * d);
      }
    }
    return new StepOutput(states, conj, ids, ws, size);
  }

  @Override
  public long byteSize() {
    long size = 4 * 3 + 8;
    for (TopList t : lists) {
      size += t.byteSize();
    }
    return size;
  }

  @Override
  public byte[] toBytes() {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(byteSize()));
    buf.putInt(TAG).putInt(batch).putInt(k).putLong(count);
    for (TopList t : lists) {
      t.write(buf);
    }
    return buf.array();
  }

  /** Reads what {@link #toBytes} wrote; rejects a wrong tag or a truncated buffer. */
  public static TopKPartial fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      if (buf.getInt() != TAG) {
        throw new IllegalArgumentException("not a top-K partial");
      }
      TopKPartial p = new TopKPartial(buf.getInt(), buf.getInt());
      p.count = buf.getLong();
      for (int b = 0; b < p.batch; b++) {
        p.lists[b] = TopList.read(buf, p.k);
      }
      return p;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated top-K partial (" + bytes.length + " bytes)");
    }
  }
}
