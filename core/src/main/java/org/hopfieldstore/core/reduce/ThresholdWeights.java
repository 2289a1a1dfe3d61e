package org.hopfieldstore.core.reduce;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The weighted-sum pass of a sparse step once its thresholds are known (from a {@link
 * ThresholdRound} search): for each query b the unnormalised weights {@code w = (y - tau_b)^k}
 * of the memories above the threshold, {@code y = (alpha-1) z - m_b}, and their sums: total,
 * rows (the state), {@code sum w (z - m_b/(alpha-1))} and {@code sum w^alpha} (for {@code Psi*}),
 * the support size, and the best {@code report} (score, id) pairs. A partition sends {@code
 * O(batch (d + report))} numbers whatever the support size.
 */
public final class ThresholdWeights implements PartialScores<ThresholdWeights> {
  public static final int TAG = 0x54485731; // "THW1"
  private final int batch;
  private final int dim; // 0: weights only, no states
  private final int report;
  private final double alpha;
  private final int intExponent; // 1/(alpha-1) when a small integer, else 0
  private final double[] maxX;
  private final double[] tau; // y-space
  private final double[] mass;
  private final double[] shiftedDot;
  private final double[] powAlpha;
  private final long[] support;
  private final double[] weighted; // batch x dim, or empty
  private final TopList[] top;
  private long count;
  private transient float[] tileSum;

  /**
   * @param dim the memories' dimension, or 0 when states are not wanted
   * @param maxX per query, the x-space maximum the scores are shifted by
   * @param tau per query, the y-space threshold
   */
  public ThresholdWeights(double alpha, int dim, int report, double[] maxX, double[] tau) {
    if (maxX.length != tau.length || maxX.length == 0 || report < 1 || dim < 0) {
      throw new IllegalArgumentException("weights pass for " + maxX.length + " maxima, "
          + tau.length + " thresholds, report " + report + ", dimension " + dim);
    }
    this.batch = maxX.length;
    this.dim = dim;
    this.report = report;
    this.alpha = alpha;
    this.intExponent = ThresholdRound.integerExponent(alpha);
    this.maxX = maxX.clone();
    this.tau = tau.clone();
    this.mass = new double[batch];
    this.shiftedDot = new double[batch];
    this.powAlpha = new double[batch];
    this.support = new long[batch];
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

  /** Unnormalised weight of score z for query b: {@code ((alpha-1) z - m_b - tau_b)_+^k}. */
  private double weight(int b, double z) {
    double u = ((alpha - 1.0) * z - maxX[b]) - tau[b];
    if (!(u > 0)) {
      return 0.0;
    }
    if (intExponent > 0) {
      double r = u;
      for (int i = 1; i < intExponent; i++) {
        r *= u;
      }
      return r;
    }
    return Math.pow(u, 1.0 / (alpha - 1.0));
  }

  @Override
  public void accumulate(ScoreTile tile) {
    if (tile.batch != batch) {
      throw new IllegalArgumentException("tile has " + tile.batch + " queries, pass " + batch);
    }
    final int t = tile.width();
    final double am1 = alpha - 1.0;
    final float[] w = dim > 0 ? new float[batch * t] : null;
    tile.queries().forEach(b -> {
      int o = b * t;
      double zLowest = (tau[b] + maxX[b]) / am1;
      float skipBelow = TileOps.floatAtMost(zLowest - Math.abs(zLowest) * 1e-9);
      double zRef = maxX[b] / am1;
      double s = 0;
      double dot = 0;
      double pa = 0;
      long n = 0;
      TopList list = top[b];
      for (int j = ScoreTile.OPS.nextAtLeast(tile.scores, o, o + t, skipBelow); j < o + t;
          j = ScoreTile.OPS.nextAtLeast(tile.scores, j + 1, o + t, skipBelow)) {
        double z = tile.scores[j];
        double p = weight(b, z);
        if (p == 0) {
          continue;
        }
        n++;
        s += p;
        dot += p * (z - zRef);
        pa += Math.pow(p, alpha);
        if (w != null) {
          w[j] = p < Float.MIN_NORMAL ? 0f : (float) p;
        }
        if (z >= list.floor()) {
          list.offer(z, tile.block.id(tile.from + j - o));
        }
      }
      mass[b] += s;
      shiftedDot[b] += dot;
      powAlpha[b] += pa;
      support[b] += n;
    });
    if (w != null) {
      if (tileSum == null) {
        tileSum = new float[batch * dim];
      }
      Arrays.fill(tileSum, 0f);
      tile.kernel.addWeightedRows(w, batch, tile.from, tile.to, tileSum);
      for (int i = 0; i < tileSum.length; i++) {
        weighted[i] += tileSum[i];
      }
    }
    count += t;
  }

  @Override
  public ThresholdWeights merge(ThresholdWeights other) {
    if (other.batch != batch || other.dim != dim || other.alpha != alpha
        || other.report != report) {
      throw new IllegalArgumentException("cannot merge weights passes (batch " + batch
          + ", dimension " + dim + ") and (batch " + other.batch + ", dimension " + other.dim
          + ")");
    }
    for (int b = 0; b < batch; b++) {
      mass[b] += other.mass[b];
      shiftedDot[b] += other.shiftedDot[b];
      powAlpha[b] += other.powAlpha[b];
      support[b] += other.support[b];
      top[b].merge(other.top[b]);
    }
    for (int i = 0; i < weighted.length; i++) {
      weighted[i] += other.weighted[i];
    }
    count += other.count;
    return this;
  }

  @Override
  public long candidateCount() {
    return 0;
  }

  @Override
  public boolean carriesStates() {
    return true;
  }

  /**
   * The step: states {@code sum w xi / sum w}, {@code Psi*(z) = <p, z> + S_alpha(p)} with
   * {@code <p, z> = m/(alpha-1) + sum w (z - m/(alpha-1)) / sum w} and {@code S_alpha(p) = (1 -
   * sum w^alpha / (sum w)^alpha) / (alpha (alpha-1))}, the exact support size, and the best
   * {@code report} of each support with their weights.
   */
  @Override
  public StepOutput finish(RowSource rows, boolean wantStates) {
    if (wantStates && dim == 0) {
      throw new IllegalStateException("this weights pass summed no rows");
    }
    float[] states = wantStates ? new float[batch * dim] : null;
    double[] conj = new double[batch];
    long[][] ids = new long[batch][];
    double[][] weights = new double[batch][];
    for (int b = 0; b < batch; b++) {
      double s = mass[b];
      if (!(s > 0)) {
        throw new IllegalStateException("query " + b + " has no memory above its threshold "
            + tau[b] + " (" + count + " memories seen)");
      }
      double am1 = alpha - 1.0;
      conj[b] = maxX[b] / am1 + shiftedDot[b] / s
          + (1.0 - powAlpha[b] / Math.pow(s, alpha)) / (alpha * am1);
      int n = top[b].size();
      ids[b] = new long[n];
      weights[b] = new double[n];
      for (int r = 0; r < n; r++) {
        ids[b][r] = top[b].id(r);
        weights[b][r] = weight(b, top[b].score(r)) / s;
      }
      if (states != null) {
        for (int c = 0; c < dim; c++) {
          states[b * dim + c] = (float) (weighted[b * dim + c] / s);
        }
      }
    }
    return new StepOutput(states, conj, ids, weights, support.clone());
  }

  @Override
  public long byteSize() {
    long bytes = 4 + 4 * 3 + 8 + 8;
    for (int b = 0; b < batch; b++) {
      bytes += 8 * 6 + 4 + 16L * top[b].size();
    }
    return bytes + 8L * weighted.length;
  }

  @Override
  public byte[] toBytes() {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(byteSize()));
    buf.putInt(TAG).putInt(batch).putInt(dim).putInt(report).putDouble(alpha).putLong(count);
    for (int b = 0; b < batch; b++) {
      buf.putDouble(maxX[b]).putDouble(tau[b]).putDouble(mass[b]).putDouble(shiftedDot[b])
          .putDouble(powAlpha[b]).putLong(support[b]);
      top[b].write(buf);
    }
    for (double v : weighted) {
      buf.putDouble(v);
    }
    return buf.array();
  }

  /** Reads what {@link #toBytes} wrote; rejects a wrong tag or a truncated buffer. */
  public static ThresholdWeights fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      if (buf.getInt() != TAG) {
        throw new IllegalArgumentException("not a weights pass");
      }
      int batch = buf.getInt();
      int dim = buf.getInt();
      int report = buf.getInt();
      double alpha = buf.getDouble();
      long count = buf.getLong();
      if (batch < 1 || batch > buf.remaining() / 52 || dim < 0 || report < 1
          || !(alpha > 1 && alpha <= 2) || (long) batch * dim > buf.remaining() / 8) {
        throw new IllegalArgumentException("corrupt weights pass (" + bytes.length + " bytes)");
      }
      double[] maxX = new double[batch];
      double[] tau = new double[batch];
      double[] mass = new double[batch];
      double[] dot = new double[batch];
      double[] pa = new double[batch];
      long[] support = new long[batch];
      TopList[] top = new TopList[batch];
      for (int b = 0; b < batch; b++) {
        maxX[b] = buf.getDouble();
        tau[b] = buf.getDouble();
        mass[b] = buf.getDouble();
        dot[b] = buf.getDouble();
        pa[b] = buf.getDouble();
        support[b] = buf.getLong();
        top[b] = TopList.read(buf, report);
      }
      ThresholdWeights p = new ThresholdWeights(alpha, dim, report, maxX, tau);
      for (int b = 0; b < batch; b++) {
        p.mass[b] = mass[b];
        p.shiftedDot[b] = dot[b];
        p.powAlpha[b] = pa[b];
        p.support[b] = support[b];
        p.top[b] = top[b];
      }
      for (int i = 0; i < p.weighted.length; i++) {
        p.weighted[i] = buf.getDouble();
      }
      p.count = count;
      return p;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated weights pass (" + bytes.length + " bytes)");
    }
  }
}
