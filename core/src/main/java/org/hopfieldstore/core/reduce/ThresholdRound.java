package org.hopfieldstore.core.reduce;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One round of a distributed threshold search for the sparse family: for each query b and its
 * current guess {@code t_b} (a lower bound of the threshold), the sums over the memories above
 * it of the powers of {@code u = y - t_b}, where {@code y = (alpha-1) z - m_b} is the x-space
 * score less the query's maximum {@code m_b}. Every term is positive, so the sums merge without
 * cancellation; a partition sends {@code O(batch)} numbers whatever its number of memories.
 *
 * <p>With an integer exponent {@code k = 1/(alpha-1)} the sums are {@code sum u^j} for j = 0..k
 * (the mass {@code f(t) = sum (y - t)_+^k} on this support is then a polynomial the driver can
 * solve exactly); otherwise the count, {@code sum u^(k-1)} and {@code sum u^k} (a Newton step).
 * The smallest u is kept too.
 */
public final class ThresholdRound implements TileFold<ThresholdRound> {
  public static final int TAG = 0x54485231; // "THR1"
  private final int batch;
  private final double alpha;
  private final double[] maxX;
  private final double[] guess; // y-space; NaN: query not searched this round
  private final int terms;
  private final double[] sums; // batch x terms
  private final double[] minU;

  /**
   * @param maxX per query, the x-space maximum {@code m_b} the scores are shifted by
   * @param guess per query, the y-space guess {@code t_b}; NaN leaves the query out
   */
  public ThresholdRound(double alpha, double[] maxX, double[] guess) {
    if (maxX.length != guess.length || maxX.length == 0) {
      throw new IllegalArgumentException(maxX.length + " maxima for " + guess.length
          + " guesses");
    }
    this.batch = maxX.length;
    this.alpha = alpha;
    this.maxX = maxX.clone();
    this.guess = guess.clone();
    this.terms = termsFor(alpha);
    this.sums = new double[batch * terms];
    this.minU = new double[batch];
    Arrays.fill(minU, Double.POSITIVE_INFINITY);
  }

  /** The integer exponent {@code 1/(alpha-1)} when it is one (at most 8), else 0. */
  public static int integerExponent(double alpha) {
    double k = 1.0 / (alpha - 1.0);
    return k == Math.rint(k) && k <= 8 ? (int) k : 0;
  }

  private static int termsFor(double alpha) {
    int k = integerExponent(alpha);
    return k > 0 ? k + 1 : 3;
  }

  /** Memories above query b's guess. */
  public double countAbove(int b) {
    return sums[b * terms];
  }

  /**
   * Query b's sums: {@code sum u^j}, j = 0..k, for an integer exponent k; else the count,
   * {@code sum u^(k-1)} and {@code sum u^k}.
   */
  public double[] sums(int b) {
    return Arrays.copyOfRange(sums, b * terms, b * terms + terms);
  }

  /** Smallest u of query b (+infinity when nothing is above its guess). */
  public double minU(int b) {
    return minU[b];
  }

  @Override
  public void accumulate(ScoreTile tile) {
    if (tile.batch != batch) {
      throw new IllegalArgumentException("tile has " + tile.batch + " queries, round " + batch);
    }
    final int t = tile.width();
    final double am1 = alpha - 1.0;
    final int k = integerExponent(alpha);
    final double exponent = 1.0 / am1;
    tile.queries().forEach(b -> {
      double g = guess[b];
      if (Double.isNaN(g)) {
        return;
      }
      int o = b * t;
      double zLowest = (g + maxX[b]) / am1;
      float skipBelow = TileOps.floatAtMost(zLowest - Math.abs(zLowest) * 1e-9);
      double[] acc = new double[terms];
      double lowest = minU[b];
      for (int j = ScoreTile.OPS.nextAtLeast(tile.scores, o, o + t, skipBelow); j < o + t;
          j = ScoreTile.OPS.nextAtLeast(tile.scores, j + 1, o + t, skipBelow)) {
        double u = (am1 * tile.scores[j] - maxX[b]) - g;
        if (!(u > 0)) {
          continue;
        }
        lowest = Math.min(lowest, u);
        if (k > 0) {
          double p = 1.0;
          acc[0] += 1.0;
          for (int i = 1; i <= k; i++) {
            p *= u;
            acc[i] += p;
          }
        } else {
          double pk = Math.pow(u, exponent);
          acc[0] += 1.0;
          acc[1] += pk / u;
          acc[2] += pk;
        }
      }
      for (int i = 0; i < terms; i++) {
        sums[b * terms + i] += acc[i];
      }
      minU[b] = lowest;
    });
  }

  @Override
  public ThresholdRound merge(ThresholdRound other) {
    if (other.batch != batch || other.alpha != alpha) {
      throw new IllegalArgumentException("cannot merge threshold rounds (batch " + batch
          + ", alpha " + alpha + ") and (batch " + other.batch + ", alpha " + other.alpha + ")");
    }
    for (int i = 0; i < sums.length; i++) {
      sums[i] += other.sums[i];
    }
    for (int b = 0; b < batch; b++) {
      minU[b] = Math.min(minU[b], other.minU[b]);
    }
    return this;
  }

  @Override
  public long byteSize() {
    return 4 + 4 + 8 + 4 + 8L * batch * (3 + terms);
  }

  @Override
  public byte[] toBytes() {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(byteSize()));
    buf.putInt(TAG).putInt(batch).putDouble(alpha).putInt(terms);
    for (int b = 0; b < batch; b++) {
      buf.putDouble(maxX[b]).putDouble(guess[b]).putDouble(minU[b]);
      for (int i = 0; i < terms; i++) {
        buf.putDouble(sums[b * terms + i]);
      }
    }
    return buf.array();
  }

  /** Reads what {@link #toBytes} wrote; rejects a wrong tag or a truncated buffer. */
  public static ThresholdRound fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      if (buf.getInt() != TAG) {
        throw new IllegalArgumentException("not a threshold round");
      }
      int batch = buf.getInt();
      double alpha = buf.getDouble();
      int terms = buf.getInt();
      if (batch < 1 || batch > buf.remaining() / 32 || !(alpha > 1 && alpha <= 2)
          || terms != termsFor(alpha)) {
        throw new IllegalArgumentException("corrupt threshold round (" + bytes.length
            + " bytes)");
      }
      double[] maxX = new double[batch];
      double[] guess = new double[batch];
      double[] minU = new double[batch];
      double[] sums = new double[batch * terms];
      for (int b = 0; b < batch; b++) {
        maxX[b] = buf.getDouble();
        guess[b] = buf.getDouble();
        minU[b] = buf.getDouble();
        for (int i = 0; i < terms; i++) {
          sums[b * terms + i] = buf.getDouble();
        }
      }
      ThresholdRound r = new ThresholdRound(alpha, maxX, guess);
      System.arraycopy(sums, 0, r.sums, 0, sums.length);
      System.arraycopy(minU, 0, r.minU, 0, batch);
      return r;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated threshold round (" + bytes.length
          + " bytes)");
    }
  }
}
