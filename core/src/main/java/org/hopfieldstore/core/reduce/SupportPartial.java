package org.hopfieldstore.core.reduce;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.hopfieldstore.core.normalize.ThresholdNormalizer;

/**
 * Sparsemax and alpha-entmax for a batch of queries, exact across any split of the memories. The
 * threshold of a subset of the scores is a lower bound of the global threshold (ALGORITHMS.md,
 * section 3), so each query keeps only candidates above its running lower bound: its local support.
 * Merging concatenates candidates and prunes them against the larger bound; {@link #finish} solves
 * the exact threshold on the union and forms the weighted sum over the (small) global support.
 * Communication grows with the support size, not with the number of memories.
 *
 * <p>A partial may be capped ({@link #capCandidates}): a query whose candidates would exceed the
 * cap (a small beta, alpha near 1, a constant query) drops its list and is marked wide, keeping
 * only its maximum and lower bound; its step is then solved by a distributed threshold search
 * ({@code ThresholdSearch}), whose traffic does not grow with the number of memories.
 */
public final class SupportPartial implements PartialScores<SupportPartial> {
  public static final int TAG = 0x53505332; // "SPS2"
  private static final int MIN_PRUNE = 256;
  private static final int PROBE = 32;
  private final int batch;
  private final ThresholdNormalizer normalizer;
  private final double[][] scores;
  private final long[][] ids;
  private final int[] size;
  private final int[] prunedSize;
  private final double[] floor; // x-space lower bound of the global threshold
  private final double[] xmax;
  private final boolean[] wide; // candidates exceeded the cap: only xmax and floor are kept
  private int cap = Integer.MAX_VALUE;
  private long count;

  public SupportPartial(int batch, ThresholdNormalizer normalizer) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    this.batch = batch;
    this.normalizer = normalizer;
    this.scores = new double[batch][16];
    this.ids = new long[batch][16];
    this.size = new int[batch];
    this.prunedSize = new int[batch];
    this.floor = new double[batch];
    this.xmax = new double[batch];
    this.wide = new boolean[batch];
    Arrays.fill(floor, Double.NEGATIVE_INFINITY);
    Arrays.fill(xmax, Double.NEGATIVE_INFINITY);
  }

  @Override
  public int batch() {
    return batch;
  }

  public ThresholdNormalizer normalizer() {
    return normalizer;
  }

  /**
   * Keeps at most {@code perQuery} candidates for each query: one that would keep more is marked
   * {@link #isWide wide} and keeps none. Returns this.
   */
  public SupportPartial capCandidates(int perQuery) {
    if (perQuery < 1) {
      throw new IllegalArgumentException("candidate cap must be >= 1, got " + perQuery);
    }
    this.cap = perQuery;
    for (int b = 0; b < batch; b++) {
      keepWithinCap(b);
    }
    return this;
  }

  /** Whether query b's candidates exceeded the cap (its step needs a threshold search). */
  public boolean isWide(int b) {
    return wide[b];
  }

  /** Whether any query's candidates exceeded the cap. */
  public boolean anyWide() {
    for (boolean w : wide) {
      if (w) {
        return true;
      }
    }
    return false;
  }

  /** Largest x-space score {@code (alpha-1) z} of query b seen so far. */
  public double maxX(int b) {
    return xmax[b];
  }

  /** A lower bound (x-space) of query b's threshold; -infinity when none is known yet. */
  public double lowerBoundX(int b) {
    return floor[b];
  }

  private void keepWithinCap(int b) {
    if (!wide[b] && size[b] > cap) {
      prune(b);
    }
    if (!wide[b] && size[b] > cap) {
      markWide(b);
    }
  }

  private void markWide(int b) {
    wide[b] = true;
    size[b] = 0;
    prunedSize[b] = 0;
    scores[b] = new double[0];
    ids[b] = new long[0];
  }

  @Override
  public long candidateCount() {
    long n = 0;
    for (int s : size) {
      n += s;
    }
    return n;
  }

  @Override
  public long[] candidateIds() {
    return IntStream.range(0, batch).boxed()
        .flatMapToLong(b -> Arrays.stream(ids[b], 0, size[b])).distinct().sorted().toArray();
  }

  /** Number of candidates query b currently keeps. */
  public int candidates(int b) {
    return size[b];
  }

  private void add(int b, double z, long id) {
    if (size[b] == scores[b].length) {
      int n = Math.max(16, scores[b].length * 2);
      scores[b] = Arrays.copyOf(scores[b], n);
      ids[b] = Arrays.copyOf(ids[b], n);
    }
    scores[b][size[b]] = z;
    ids[b][size[b]] = id;
    size[b]++;
  }

  /** Adds the tile's scores that clear each query's lower bound; prunes when lists double. */
  @Override
  public void accumulate(ScoreTile tile) {
    if (tile.batch != batch) {
      throw new IllegalArgumentException("tile has " + tile.batch + " queries, partial " + batch);
    }
    final int t = tile.width();
    tile.queries().forEach(b -> {
      xmax[b] = Math.max(xmax[b], normalizer.toX(tile.max(b)));
      if (wide[b]) {
        return;
      }
      int o = b * t;
      if (t > 4 * PROBE) {
        // the threshold of any subset is a lower bound of the global one: the tile's best few
        // give a tight bound cheaply, so a tile seen before the query's best memories does not
        // flood the candidate list
        floor[b] = Math.max(floor[b], probeBound(tile.scores, o, t));
      }
      double lowest = Math.max(floor[b], Math.nextDown(xmax[b] - 1.0)); // a bound at any scale
      // a float bound a little below lowest / (alpha - 1) skips the losers a vector at a time;
      // the exact test in x-space decides
      double zLowest = lowest / normalizer.toX(1.0);
      float skipBelow = TileOps.floatAtMost(zLowest - Math.abs(zLowest) * 1e-9);
      for (int j = ScoreTile.OPS.nextAtLeast(tile.scores, o, o + t, skipBelow); j < o + t;
          j = ScoreTile.OPS.nextAtLeast(tile.scores, j + 1, o + t, skipBelow)) {
        double z = tile.scores[j];
        if (normalizer.toX(z) > lowest) {
          add(b, z, tile.block.id(tile.from + j - o));
        }
      }
      if (size[b] >= Math.max(MIN_PRUNE, 2 * prunedSize[b])) {
        prune(b);
      }
      keepWithinCap(b);
    });
    count += t;
  }

  /** Exact threshold (x-space) of the {@link #PROBE} largest scores of one tile row. */
  private double probeBound(float[] scores, int offset, int width) {
    double[] top = new double[PROBE];
    int n = 0;
    int minAt = 0;
    int end = offset + width;
    int j = offset;
    for (; j < end && n < PROBE; j++, n++) {
      top[n] = scores[j];
      if (top[n] < top[minAt]) {
        minAt = n;
      }
    }
    // then only scores above the smallest kept one matter: skip the rest a vector at a time
    for (j = ScoreTile.OPS.nextAtLeast(scores, j, end, TileOps.floatAbove(top[minAt])); j < end;
        j = ScoreTile.OPS.nextAtLeast(scores, j + 1, end, TileOps.floatAbove(top[minAt]))) {
      top[minAt] = scores[j];
      for (int i = 0; i < PROBE; i++) {
        if (top[i] < top[minAt]) {
          minAt = i;
        }
      }
    }
    return normalizer.lowerBound(top, n);
  }

  /** Drops candidates at or below the threshold of the current candidates (a lower bound). */
  private void prune(int b) {
    int n = size[b];
    if (n == 0) {
      return;
    }
    double tau = Math.max(floor[b], normalizer.lowerBound(scores[b], n));
    int kept = 0;
    for (int i = 0; i < n; i++) {
      if (normalizer.toX(scores[b][i]) > tau) {
        scores[b][kept] = scores[b][i];
        ids[b][kept] = ids[b][i];
        kept++;
      }
    }
    size[b] = kept;
    prunedSize[b] = kept;
    floor[b] = tau;
  }

  /** Prunes every query to its local support: what a partition sends. */
  @Override
  public SupportPartial compact() {
    for (int b = 0; b < batch; b++) {
      prune(b);
      keepWithinCap(b);
    }
    return this;
  }

  @Override
  public SupportPartial merge(SupportPartial other) {
    if (other.batch != batch || other.normalizer.alpha() != normalizer.alpha()
        || other.normalizer.isBisection() != normalizer.isBisection()) {
      throw new IllegalArgumentException("cannot merge sparse partials (batch " + batch
          + ", alpha " + normalizer.alpha() + ") and (batch " + other.batch + ", alpha "
          + other.normalizer.alpha() + ")");
    }
    cap = Math.min(cap, other.cap);
    for (int b = 0; b < batch; b++) {
      floor[b] = Math.max(floor[b], other.floor[b]);
      xmax[b] = Math.max(xmax[b], other.xmax[b]);
      if (other.wide[b]) {
        markWide(b);
        continue;
      }
      if (wide[b]) {
        continue;
      }
      for (int i = 0; i < other.size[b]; i++) {
        add(b, other.scores[b][i], other.ids[b][i]);
      }
      prune(b);
      keepWithinCap(b);
    }
    count += other.count;
    return this;
  }

  /**
   * Solves the exact threshold on each query's candidates; weights best first (ties by lower id),
   * {@code Psi*(z) = <p, z> + S_alpha(p)}, and states from the support rows.
   */
  @Override
  public StepOutput finish(RowSource rows, boolean wantStates) {
    if (count == 0) {
      throw new IllegalStateException("sparse partial has seen no memories");
    }
    if (anyWide()) {
      throw new IllegalStateException("a query's sparse candidates exceeded the cap of " + cap
          + ": its step is solved by a threshold search, not from candidates");
    }
    int d = wantStates ? rows.dim() : 0; // rows may be null when only weights are wanted
    float[] states = wantStates ? new float[batch * d] : null;
    double[] conj = new double[batch];
    long[][] outIds = new long[batch][];
    double[][] outW = new double[batch][];
    long[] outSize = new long[batch];
    for (int b = 0; b < batch; b++) {
      int n = size[b];
      double[] z = scores[b];
      Integer[] order = new Integer[n];
      int m = 0;
      double[] w = new double[n];
      normalizer.normalize(z, n, w);
      for (int i = 0; i < n; i++) {
        if (w[i] > 0) {
          order[m++] = i;
        }
      }
      final long[] idb = ids[b];
      Integer[] sup = Arrays.copyOf(order, m);
      Arrays.sort(sup, (i, j) -> TopList.better(z[i], idb[i], z[j], idb[j]) ? -1
          : (TopList.better(z[j], idb[j], z[i], idb[i]) ? 1 : 0));
      outIds[b] = new long[m];
      outW[b] = new double[m];
      double[] zs = new double[m];
      for (int r = 0; r < m; r++) {
        outIds[b][r] = idb[sup[r]];
        outW[b][r] = w[sup[r]];
        zs[r] = z[sup[r]];
      }
      conj[b] = normalizer.conjugate(zs, outW[b], m);
      outSize[b] = m;
      if (states != null) {
        Supports.weightedRows(rows, outIds[b], outW[b], states, b * d);
      }
    }
    return new StepOutput(states, conj, outIds, outW, outSize);
  }

  @Override
  public long byteSize() {
    long bytes = 4 * 2 + 8 + 1 + 8 + 4;
    for (int b = 0; b < batch; b++) {
      bytes += 4 + 1 + 16 + 16L * size[b];
    }
    return bytes;
  }

  @Override
  public byte[] toBytes() {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(byteSize()));
    buf.putInt(TAG).putInt(batch).putDouble(normalizer.alpha())
        .put((byte) (normalizer.isBisection() ? 1 : 0)).putLong(count).putInt(cap);
    for (int b = 0; b < batch; b++) {
      buf.putInt(size[b]).put((byte) (wide[b] ? 1 : 0)).putDouble(floor[b]).putDouble(xmax[b]);
      for (int i = 0; i < size[b]; i++) {
        buf.putDouble(scores[b][i]).putLong(ids[b][i]);
      }
    }
    return buf.array();
  }

  /** Reads what {@link #toBytes} wrote; rejects a wrong tag or a truncated buffer. */
  public static SupportPartial fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      if (buf.getInt() != TAG) {
        throw new IllegalArgumentException("not a sparse partial");
      }
      int batch = buf.getInt();
      double alpha = buf.getDouble();
      boolean bisect = buf.get() == 1;
      SupportPartial p = new SupportPartial(batch, ThresholdNormalizer.forAlpha(alpha, bisect));
      p.count = buf.getLong();
      p.cap = buf.getInt();
      if (p.cap < 1) {
        throw new IllegalArgumentException("corrupt sparse partial: candidate cap " + p.cap);
      }
      for (int b = 0; b < batch; b++) {
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining() / 16) {
          throw new IllegalArgumentException("truncated sparse partial (" + bytes.length
              + " bytes)");
        }
        p.wide[b] = buf.get() == 1;
        p.floor[b] = buf.getDouble();
        p.xmax[b] = buf.getDouble();
        for (int i = 0; i < n; i++) {
          p.add(b, buf.getDouble(), buf.getLong());
        }
        p.prunedSize[b] = n;
      }
      return p;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated sparse partial (" + bytes.length + " bytes)");
    }
  }
}
