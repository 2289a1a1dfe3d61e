package org.hopfieldstore.core.reduce;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Online softmax (Milakov and Gimelshein 2018) for a batch of queries: per query the running max
 * {@code m} of the scores, {@code s = sum exp(z - m)} and {@code v = sum exp(z - m) xi}. Merging
 * rescales both sides to the larger max, so the merged partial equals the one-pass result for any
 * split of the memories; the answer is {@code v / s}, and {@code Psi*(z) = m + log s}. A bounded
 * list of the best {@code report} scores per query gives the reported top ids.
 */
public final class SoftmaxPartial implements PartialScores<SoftmaxPartial> {
  public static final int TAG = 0x534d5831; // "SMX1"
  private final int batch;
  private final int dim;
  private final int report;
  private final double[] max;
  private final double[] sum;
  private final double[] weighted;
  private final TopList[] top;
  private long count;
  /** Per query, the memories its mask kept (all of {@code count} without a mask). */
  private final long[] kept;
  private final double keep;
  private final long maskSeed;
  /** Per query, the key of its update's own mask ({@link MemoryMask#queryKey}); null: none. */
  private final long[] queryKeys;
  /** Per-tile scratch, reused: a fresh 16 MB array per tile is a humongous G1 allocation. */
  private float[] tileWeights;
  private float[] tileSum;

  public SoftmaxPartial(int batch, int dim, int report) {
    this(batch, dim, report, 1.0, 0L);
  }

  /**
   * Softmax over the memories a seeded random mask keeps (each id with probability {@code keep},
   * decided by {@link MemoryMask}, so every partition agrees): the random-masked model.
   */
  public SoftmaxPartial(int batch, int dim, int report, double keep, long maskSeed) {
    this(batch, dim, report, keep, maskSeed, null);
  }

  /**
   * Softmax over the memories each query's own mask keeps: memory {@code id} takes part for
   * query {@code b} iff {@link MemoryMask#keepsFor}({@code queryKeys[b]}, keep, id), so the mask
   * changes with the query and the step and every partition still agrees. A query whose mask
   * keeps none of the memories gets no update (support size 0).
   */
  public SoftmaxPartial(int batch, int dim, int report, double keep, long[] queryKeys) {
    this(batch, dim, report, keep, 0L, requireKeys(queryKeys, batch));
  }

  private static long[] requireKeys(long[] queryKeys, int batch) {
    if (queryKeys == null || queryKeys.length != batch) {
      throw new IllegalArgumentException("a per-query mask needs one key per query: got "
          + (queryKeys == null ? "none" : queryKeys.length + "") + " for " + batch + " queries");
    }
    return queryKeys;
  }

  private SoftmaxPartial(int batch, int dim, int report, double keep, long maskSeed,
      long[] queryKeys) {
    if (batch < 1 || dim < 1 || report < 1) {
      throw new IllegalArgumentException(
          "batch, dim and report must be >= 1, got " + batch + ", " + dim + ", " + report);
    }
    if (!(keep > 0 && keep <= 1)) {
      throw new IllegalArgumentException("keep must be in (0, 1], got " + keep);
    }
    this.keep = keep;
    this.maskSeed = maskSeed;
    this.queryKeys = keep >= 1 ? null : queryKeys;
    this.kept = new long[batch];
    this.batch = batch;
    this.dim = dim;
    this.report = report;
    this.max = new double[batch];
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    this.sum = new double[batch];
    this.weighted = new double[batch * dim];
    this.top = new TopList[batch];
    for (int b = 0; b < batch; b++) {
      top[b] = new TopList(report);
    }
  }

  @Override
  public int batch() {
    return batch;
  }

  @Override
  public long candidateCount() {
    long n = 0;
    for (TopList t : top) {
      n += t.size();
    }
    return n;
  }

  @Override
  public StepOutput finish(RowSource rows, boolean wantStates) {
    return finish(wantStates);
  }

  @Override
  public boolean carriesStates() {
    return true;
  }

  /** Folds one tile of scores in: rescale to the new max, add exp weights and weighted rows. */
  @Override
  public void accumulate(ScoreTile tile) {
    checkBatch(tile.batch);
    final int t = tile.width();
    if (tileWeights == null || tileWeights.length < tile.batch * t) {
      tileWeights = new float[tile.batch * t];
    }
    final float[] w = tileWeights; // every entry of the tile is written below
    final boolean[] sharedMask = keep >= 1 || queryKeys != null ? null : new boolean[t];
    int sharedCount = t;
    if (sharedMask != null) {
      sharedCount = 0;
      for (int j = 0; j < t; j++) {
        sharedMask[j] = MemoryMask.keeps(maskSeed, keep, tile.block.id(tile.from + j));
        sharedCount += sharedMask[j] ? 1 : 0;
      }
      if (sharedCount == 0) {
        count += t;
        return;
      }
    }
    final int keptByAll = sharedCount;
    tile.queries().forEach(b -> {
      int o = b * t;
      if (keep >= 1) { // the whole row in vector lanes
        double mNew = Math.max(max[b], tile.max(b));
        rescale(b, mNew);
        sum[b] += ScoreTile.OPS.expShifted(tile.scores, o, o + t, (float) mNew, w, o);
        tile.offerRow(b, top[b]);
        kept[b] += t;
        return;
      }
      boolean[] mask = sharedMask != null ? sharedMask : queryMask(tile, queryKeys[b]);
      int n = sharedMask != null ? keptByAll : count(mask);
      if (n == 0) {
        Arrays.fill(w, o, o + t, 0f);
        return;
      }
      kept[b] += n;
      double mNew = Math.max(max[b], maskedMax(tile, b, mask));
      rescale(b, mNew);
      double s = 0;
      TopList list = top[b];
      double floor = list.floor();
      for (int j = 0; j < t; j++) {
        if (!mask[j]) {
          w[o + j] = 0f; // a masked memory takes no part
          continue;
        }
        double z = tile.scores[o + j];
        double e = FastExp.expNonPositive(z - mNew); // float weights: float precision suffices
        // below float's normal range a weight changes nothing (the largest is 1) but subnormal
        // floats slow the GEMM down several times over: flush them to zero
        w[o + j] = e < Float.MIN_NORMAL ? 0f : (float) e;
        s += e;
        if (z >= floor) { // most scores lose at once: skip the call
          list.offer(z, tile.block.id(tile.from + j));
          floor = list.floor();
        }
      }
      sum[b] += s;
    });
    if (tileSum == null) {
      tileSum = new float[batch * dim];
    }
    float[] acc = tileSum;
    Arrays.fill(acc, 0f);
    tile.kernel.addWeightedRows(w, batch, tile.from, tile.to, acc);
    for (int i = 0; i < acc.length; i++) {
      weighted[i] += acc[i];
    }
    count += t;
  }

  private boolean[] queryMask(ScoreTile tile, long queryKey) {
    boolean[] mask = new boolean[tile.width()];
    for (int j = 0; j < mask.length; j++) {
      mask[j] = MemoryMask.keepsFor(queryKey, keep, tile.block.id(tile.from + j));
    }
    return mask;
  }

  private static int count(boolean[] mask) {
    int n = 0;
    for (boolean k : mask) {
      n += k ? 1 : 0;
    }
    return n;
  }

  private static double maskedMax(ScoreTile tile, int b, boolean[] kept) {
    int t = tile.width();
    double m = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < t; j++) {
      if (kept[j]) {
        m = Math.max(m, tile.scores[b * t + j]);
      }
    }
    return ScoreTile.finite(m); // called only when some memory is kept
  }

  private void rescale(int b, double mNew) {
    if (mNew == max[b]) {
      return;
    }
    double f = max[b] == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(max[b] - mNew);
    sum[b] *= f;
    for (int c = b * dim, end = c + dim; c < end; c++) {
      weighted[c] *= f;
    }
    max[b] = mNew;
  }

  @Override
  public SoftmaxPartial merge(SoftmaxPartial other) {
    if (other.batch != batch || other.dim != dim || other.report != report
        || other.keep != keep || other.maskSeed != maskSeed
        || !Arrays.equals(other.queryKeys, queryKeys)) {
      throw new IllegalArgumentException("cannot merge softmax partials of shape " + batch + "x"
          + dim + "/" + report + " and " + other.batch + "x" + other.dim + "/" + other.report);
    }
    for (int b = 0; b < batch; b++) {
      if (other.max[b] == Double.NEGATIVE_INFINITY) {
        continue;
      }
      double mNew = Math.max(max[b], other.max[b]);
      rescale(b, mNew);
      double f = Math.exp(other.max[b] - mNew);
      sum[b] += f * other.sum[b];
      for (int c = b * dim, end = c + dim; c < end; c++) {
        weighted[c] += f * other.weighted[c];
      }
      top[b].merge(other.top[b]);
    }
    for (int b = 0; b < batch; b++) {
      kept[b] += other.kept[b];
    }
    count += other.count;
    return this;
  }

  /** States {@code v/s}, {@code Psi* = m + log s}, and the best {@code report} weights. */
  public StepOutput finish(boolean wantStates) {
    if (count == 0) {
      throw new IllegalStateException("softmax partial has seen no memories");
    }
    if (queryKeys == null && kept[0] == 0) {
      throw new IllegalStateException("masked: the mask kept none of the " + count
          + " memories (keep=" + keep + ", seed=" + maskSeed + ")");
    }
    float[] states = wantStates ? new float[batch * dim] : null;
    double[] conj = new double[batch];
    long[][] ids = new long[batch][];
    double[][] ws = new double[batch][];
    long[] size = new long[batch];
    for (int b = 0; b < batch; b++) {
      if (kept[b] == 0) { // this query's mask kept nothing: no update, nothing reported
        conj[b] = Double.NEGATIVE_INFINITY;
        ids[b] = new long[0];
        ws[b] = new double[0];
        continue;
      }
      conj[b] = max[b] + Math.log(sum[b]);
      if (states != null) {
        double inv = 1.0 / sum[b];
        for (int c = 0; c < dim; c++) {
          states[b * dim + c] = (float) (weighted[b * dim + c] * inv);
        }
      }
      TopList list = top[b];
      ids[b] = new long[list.size()];
      ws[b] = new double[list.size()];
      for (int r = 0; r < list.size(); r++) {
        ids[b][r] = list.id(r);
        ws[b][r] = Math.exp(list.score(r) - max[b]) / sum[b];
      }
      size[b] = kept[b];
    }
    return new StepOutput(states, conj, ids, ws, size);
  }

  private void checkBatch(int n) {
    if (n != batch) {
      throw new IllegalArgumentException("tile has " + n + " queries, partial has " + batch);
    }
  }

  @Override
  public long byteSize() {
    long size = 4 * 4 + 8 + 16 + 1 + batch * (16 + 8L + 8L * dim)
        + (queryKeys == null ? 0 : 8L * batch);
    for (TopList t : top) {
      size += t.byteSize();
    }
    return size;
  }

  @Override
  public byte[] toBytes() {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(byteSize()));
    buf.putInt(TAG).putInt(batch).putInt(dim).putInt(report).putDouble(keep).putLong(maskSeed)
        .putLong(count).put((byte) (queryKeys == null ? 0 : 1));
    for (int b = 0; b < batch; b++) {
      buf.putDouble(max[b]).putDouble(sum[b]).putLong(kept[b]);
      if (queryKeys != null) {
        buf.putLong(queryKeys[b]);
      }
    }
    for (double v : weighted) {
      buf.putDouble(v);
    }
    for (TopList t : top) {
      t.write(buf);
    }
    return buf.array();
  }

  /** Reads what {@link #toBytes} wrote; rejects a wrong tag or a truncated buffer. */
  public static SoftmaxPartial fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      if (buf.getInt() != TAG) {
        throw new IllegalArgumentException("not a softmax partial");
      }
      int batch = buf.getInt();
      int dim = buf.getInt();
      int report = buf.getInt();
      double keep = buf.getDouble();
      long seed = buf.getLong();
      long count = buf.getLong();
      boolean perQuery = buf.get() != 0;
      double[] max = new double[batch];
      double[] sum = new double[batch];
      long[] kept = new long[batch];
      long[] keys = perQuery ? new long[batch] : null;
      for (int b = 0; b < batch; b++) {
        max[b] = buf.getDouble();
        sum[b] = buf.getDouble();
        kept[b] = buf.getLong();
        if (perQuery) {
          keys[b] = buf.getLong();
        }
      }
      SoftmaxPartial p = new SoftmaxPartial(batch, dim, report, keep, seed, keys);
      p.count = count;
      System.arraycopy(max, 0, p.max, 0, batch);
      System.arraycopy(sum, 0, p.sum, 0, batch);
      System.arraycopy(kept, 0, p.kept, 0, batch);
      for (int i = 0; i < p.weighted.length; i++) {
        p.weighted[i] = buf.getDouble();
      }
      for (int b = 0; b < p.batch; b++) {
        p.top[b] = TopList.read(buf, p.report);
      }
      return p;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated softmax partial (" + bytes.length + " bytes)");
    }
  }
}
