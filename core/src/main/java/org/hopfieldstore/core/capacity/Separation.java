package org.hopfieldstore.core.capacity;

import java.nio.ByteBuffer;
import org.hopfieldstore.core.aggregate.Mergeable;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.ScoreKernels;

/**
 * How well a memory set is separated on the sphere (the spherical-code view of capacity,
 * arXiv 2410.23126): the largest cosine between two distinct normalised memories, hence the
 * minimal pairwise angle, and the minimal separation {@code Delta_min = min_mu (<xi_mu, xi_mu> -
 * max_{nu != mu} <xi_mu, xi_nu>)} of Ramsauer et al. Exact, by blocked pairwise products (a GEMM
 * per block pair), for M up to ~1e5 on one machine; {@link #ofBlockPair} lets a distributed job
 * cover larger sets block pair by block pair.
 */
public final class Separation {
  /** Largest cosine between two distinct memories (2 for fewer than 2 memories: undefined). */
  public final double maxCosine;
  /** The pair reaching it (ids), or -1. */
  public final long pairA;
  public final long pairB;
  /** {@code min_mu (|xi_mu|^2 - max_{nu != mu} <xi_mu, xi_nu>)}. */
  public final double minSeparation;

  Separation(double maxCosine, long pairA, long pairB, double minSeparation) {
    this.maxCosine = maxCosine;
    this.pairA = pairA;
    this.pairB = pairB;
    this.minSeparation = minSeparation;
  }

  /** The minimal pairwise angle in degrees. */
  public double minAngleDegrees() {
    return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, maxCosine))));
  }

  /** Exact separation of one memory set, in blocks of {@code blockRows} (0: automatic). */
  public static Separation of(FloatMatrix memories, int blockRows) {
    MemoryBlock block = MemoryBlock.of(memories);
    Acc acc = new Acc(memories.rows());
    scanWithin(block, ScoreKernels.defaultKernel().bind(block), blockRows, acc);
    return acc.result(block);
  }

  /** Running maxima over block pairs. */
  public static final class Acc {
    final double[] maxOther; // per row: max_{nu != mu} <xi_mu, xi_nu>
    double maxCos = -2;
    long a = -1;
    long b = -1;

    private double[] norms;

    double[] norms(MemoryBlock block) {
      if (norms == null) {
        int d = block.dim();
        float[] x = block.data();
        norms = new double[block.size()];
        for (int r = 0; r < norms.length; r++) {
          double s = 0;
          for (int c = 0; c < d; c++) {
            s += (double) x[r * d + c] * x[r * d + c];
          }
          norms[r] = Math.sqrt(s);
        }
      }
      return norms;
    }

    public Acc(int rows) {
      maxOther = new double[rows];
      java.util.Arrays.fill(maxOther, Double.NEGATIVE_INFINITY);
    }

    Separation result(MemoryBlock block) {
      double minSep = maxOther.length < 2 ? Double.NaN : minSeparation(block, maxOther);
      return new Separation(maxCos, a, b, minSep);
    }
  }

  /**
   * The separation terms between two blocks of one memory set, for a distributed job that visits
   * every pair of blocks once: the largest cosine between a row of {@code a} and a row of
   * {@code b} (with the pair), and for every row the largest inner product with a row of the
   * other block. With {@code same}, {@code a} and {@code b} are one block and a row is never
   * paired with itself.
   */
  public static final class Cross implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public double maxCos = -2;
    public long idA = -1;
    public long idB = -1;
    public final double[] maxOtherA;
    public final double[] maxOtherB;

    Cross(double[] maxOtherA, double[] maxOtherB) {
      this.maxOtherA = maxOtherA;
      this.maxOtherB = maxOtherB;
    }

    /** Block a's share: its rows' maxima and the pair. */
    public RowMaxima forA() {
      return new RowMaxima(maxOtherA, maxCos, idA, idB);
    }

    /** Block b's share: its rows' maxima and the pair. */
    public RowMaxima forB() {
      return new RowMaxima(maxOtherB, maxCos, idA, idB);
    }
  }

  /**
   * The separation terms of one block gathered over the block pairs it is in: each row's largest
   * inner product with another memory (merged by elementwise maximum, keyed by block) and the
   * best pair seen (the larger cosine; on a tie, the lower first id).
   */
  public static final class RowMaxima implements Mergeable<RowMaxima> {
    public static final int TAG = 0x524d4158; // "RMAX"
    private final double[] maxOther;
    private double maxCos;
    private long idA;
    private long idB;

    RowMaxima(double[] maxOther, double maxCos, long idA, long idB) {
      this.maxOther = maxOther.clone();
      this.maxCos = maxCos;
      this.idA = idA;
      this.idB = idB;
    }

    @Override
    public RowMaxima merge(RowMaxima o) {
      if (o.maxOther.length != maxOther.length) {
        throw new IllegalArgumentException("row maxima of " + maxOther.length + " and "
            + o.maxOther.length + " rows");
      }
      for (int r = 0; r < maxOther.length; r++) {
        maxOther[r] = Math.max(maxOther[r], o.maxOther[r]);
      }
      if (o.maxCos > maxCos || (o.maxCos == maxCos && o.idA < idA)) {
        maxCos = o.maxCos;
        idA = o.idA;
        idB = o.idB;
      }
      return this;
    }

    /** The separation of {@code block} (the block these maxima belong to) and the best pair. */
    public Separation of(MemoryBlock block) {
      return new Separation(maxCos, idA, idB, minSeparation(block, maxOther));
    }

    @Override
    public long byteSize() {
      return 4 + 4 + 8 + 16 + 8L * maxOther.length;
    }

    @Override
    public byte[] toBytes() {
      ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(byteSize()));
      buf.putInt(TAG).putInt(maxOther.length).putDouble(maxCos).putLong(idA).putLong(idB);
      for (double v : maxOther) {
        buf.putDouble(v);
      }
      return buf.array();
    }

    /** Reads what {@link #toBytes} wrote; rejects a wrong tag or a truncated buffer. */
    public static RowMaxima fromBytes(byte[] bytes) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      try {
        if (buf.getInt() != TAG) {
          throw new IllegalArgumentException("not separation row maxima");
        }
        int n = buf.getInt();
        if (n < 0 || n > (buf.remaining() - 24) / 8) {
          throw new IllegalArgumentException("truncated row maxima (" + bytes.length + " bytes)");
        }
        double maxCos = buf.getDouble();
        long a = buf.getLong();
        long b = buf.getLong();
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
          m[i] = buf.getDouble();
        }
        return new RowMaxima(m, maxCos, a, b);
      } catch (java.nio.BufferUnderflowException e) {
        throw new IllegalArgumentException("truncated row maxima (" + bytes.length + " bytes)");
      }
    }
  }

  /** The separation of two disjoint parts of one memory set, from theirs. */
  public Separation merge(Separation o) {
    boolean theirs = o.maxCosine > maxCosine || (o.maxCosine == maxCosine && o.pairA < pairA);
    return new Separation(theirs ? o.maxCosine : maxCosine, theirs ? o.pairA : pairA,
        theirs ? o.pairB : pairB, Math.min(minSeparation, o.minSeparation));
  }

  /** {@link Cross} of blocks {@code a} and {@code b}, {@code tileRows} rows of a at a time. */
  public static Cross between(MemoryBlock a, MemoryBlock b, boolean same, ScoreKernel kernel,
      int tileRows) {
    if (a.dim() != b.dim()) {
      throw new IllegalArgumentException(
          "dimension mismatch: blocks of d=" + a.dim() + " and d=" + b.dim());
    }
    if (same) {
      Acc acc = new Acc(a.size());
      scanWithin(a, kernel.bind(a), tileRows, acc);
      Cross c = new Cross(acc.maxOther, acc.maxOther);
      c.maxCos = acc.maxCos;
      c.idA = acc.a;
      c.idB = acc.b;
      return c;
    }
    int d = a.dim();
    double[] normA = rowNorms(a);
    double[] normB = rowNorms(b);
    Cross c = new Cross(new double[a.size()], new double[b.size()]);
    java.util.Arrays.fill(c.maxOtherA, Double.NEGATIVE_INFINITY);
    java.util.Arrays.fill(c.maxOtherB, Double.NEGATIVE_INFINITY);
    ScoreKernel.Bound bound = kernel.bind(b);
    double[] best = {-2, -1, -1};
    int t = tileRows > 0 ? tileRows : 1024;
    int nb = b.size();
    float[] g = new float[t * nb];
    for (int i0 = 0; i0 < a.size(); i0 += t) {
      int i1 = Math.min(a.size(), i0 + t);
      int bi = i1 - i0;
      float[] rowsA = java.util.Arrays.copyOfRange(a.data(), i0 * d, i1 * d);
      bound.scores(rowsA, bi, 0, nb, g);
      foldScores(g, bi, nb, i0, 0, false, a, normA, c.maxOtherA, b, normB, c.maxOtherB, best);
    }
    bound.close();
    c.maxCos = best[0];
    c.idA = (long) best[1];
    c.idB = (long) best[2];
    return c;
  }

  /**
   * {@code min_mu (|xi_mu|^2 - maxOther[mu])} over the rows of one block, given each row's
   * largest inner product with any other memory of the whole set.
   */
  public static double minSeparation(MemoryBlock block, double[] maxOther) {
    float[] x = block.data();
    int d = block.dim();
    double minSep = Double.POSITIVE_INFINITY;
    for (int r = 0; r < block.size(); r++) {
      double sq = 0;
      for (int c = 0; c < d; c++) {
        sq += (double) x[r * d + c] * x[r * d + c];
      }
      minSep = Math.min(minSep, sq - maxOther[r]);
    }
    return minSep;
  }

  /** Assembles a separation from the merged terms of a distributed job. */
  public static Separation of(double maxCosine, long pairA, long pairB, double minSeparation) {
    return new Separation(maxCosine, pairA, pairB, minSeparation);
  }

  private static double[] rowNorms(MemoryBlock block) {
    return new Acc(0).norms(block);
  }

  private static void scanWithin(MemoryBlock block, ScoreKernel.Bound bound, int blockRows,
      Acc acc) {
    int m = block.size();
    int t = blockRows > 0 ? blockRows : Math.max(256, Math.min(4096, m));
    for (int i = 0; i < m; i += t) {
      int iEnd = Math.min(m, i + t);
      for (int j = i; j < m; j += t) {
        ofBlockPair(block, bound, i, iEnd, j, Math.min(m, j + t), acc);
      }
    }
  }

  /** Folds the products of rows [i0, i1) with rows [j0, j1) (j0 >= i0) into acc. */
  public static void ofBlockPair(MemoryBlock block, ScoreKernel.Bound bound, int i0, int i1,
      int j0, int j1, Acc acc) {
    int d = block.dim();
    float[] x = block.data();
    int bi = i1 - i0;
    int bj = j1 - j0;
    float[] rowsI = java.util.Arrays.copyOfRange(x, i0 * d, i1 * d);
    float[] g = new float[bi * bj];
    bound.scores(rowsI, bi, j0, j1, g);
    double[] norm = acc.norms(block);
    double[] best = {acc.maxCos, acc.a, acc.b};
    foldScores(g, bi, bj, i0, j0, j0 == i0, block, norm, acc.maxOther, block, norm,
        acc.maxOther, best);
    acc.maxCos = best[0];
    acc.a = (long) best[1];
    acc.b = (long) best[2];
  }

  /**
   * Folds the products g (bi x bj) of rows {@code [i0, i0+bi)} of x with rows {@code [j0,
   * j0+bj)} of y into each row's largest product with another memory and into the best pair
   * {@code best = {cosine, id in x, id in y}} (ids below 2^53 are exact); with {@code upper}
   * (one block against itself) only the pairs {@code nu > mu}.
   */
  private static void foldScores(float[] g, int bi, int bj, int i0, int j0, boolean upper,
      MemoryBlock x, double[] normX, double[] maxX, MemoryBlock y, double[] normY,
      double[] maxY, double[] best) {
    for (int p = 0; p < bi; p++) {
      int mu = i0 + p;
      for (int q = 0; q < bj; q++) {
        int nu = j0 + q;
        if (upper && nu <= mu) {
          continue; // each unordered pair once, never a memory with itself
        }
        double dot = g[p * bj + q];
        maxX[mu] = Math.max(maxX[mu], dot);
        maxY[nu] = Math.max(maxY[nu], dot);
        double den = normX[mu] * normY[nu];
        double cos = den == 0 ? 0 : dot / den;
        if (cos > best[0]) {
          best[0] = cos;
          best[1] = x.id(mu);
          best[2] = y.id(nu);
        }
      }
    }
  }
}
