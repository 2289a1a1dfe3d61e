package org.hopfieldstore.core.nonparametric;

import java.nio.ByteBuffer;
import org.hopfieldstore.core.aggregate.BlockAggregation;
import org.hopfieldstore.core.aggregate.Mergeable;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.rules.Prf;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.KernelRef;

/**
 * The memory summary of a linear or PRF model: {@code A = sum_mu phi(xi_mu) xi_mu^T} (D x d) and
 * {@code b = sum_mu phi(xi_mu)}. A retrieval step is {@code T(x) = A^T phi(x) / (b . phi(x))}:
 * O(D d) per query, whatever the number of memories. Summaries are sums over memories, so
 * partitions add theirs ({@link #merge}) and a memory is inserted or deleted by adding or
 * subtracting its term, without a rebuild.
 */
public final class KernelSummary implements Mergeable<KernelSummary> {
  public static final int TAG = 0x4b53554d; // "KSUM"
  private final RetrievalSpec spec;
  private final FeatureMap map;
  private final double[] a;
  private final double[] b;
  private long count;

  public KernelSummary(RetrievalSpec spec, int dim) {
    if (!spec.isSummary()) {
      throw new IllegalArgumentException(spec.rule().key() + " is not a summary model");
    }
    this.spec = spec.withSteps(1).withTol(0);
    this.map = FeatureMap.of(spec, dim);
    this.a = new double[map.features() * dim];
    this.b = new double[map.features()];
  }

  public RetrievalSpec spec() {
    return spec;
  }

  public int dim() {
    return map.dim();
  }

  public int features() {
    return map.features();
  }

  /** Number of memories summarised. */
  public long count() {
    return count;
  }

  /** Adds every memory of the block. */
  public KernelSummary add(MemoryBlock block) {
    checkDim(block.dim());
    for (int r = 0; r < block.size(); r++) {
      term(block.data(), r * block.dim(), +1);
    }
    return this;
  }

  /**
   * Adds every memory of the block with the block's bound score kernel: the features of a tile
   * of memories (for PRF, {@code W xi} is a score GEMM) and {@code A += Phi^T Xi} (a weighted-rows
   * GEMM), so building a summary runs at BLAS speed.
   */
  public KernelSummary add(MemoryBlock block, ScoreKernel.Bound bound) {
    checkDim(block.dim());
    int d = map.dim();
    int f = map.features();
    int m = block.size();
    int t = Math.min(m, Math.max(64, (1 << 20) / f));
    float[] data = block.data();
    float[] proj = map instanceof FeatureMap.PositiveRandom
        ? ((FeatureMap.PositiveRandom) map).projection() : null;
    float[] phiT = new float[f * t];
    float[] z = proj == null ? null : new float[f * t];
    float[] acc = new float[f * d];
    double scale = Math.sqrt(spec.beta());
    double norm = 1 / Math.sqrt(f);
    for (int from = 0; from < m; from += t) {
      int to = Math.min(m, from + t);
      int w = to - from;
      if (proj != null) {
        bound.scores(proj, f, from, to, z);
        for (int j = 0; j < w; j++) {
          double sq = 0;
          for (int c = 0, o = (from + j) * d; c < d; c++) {
            sq += (double) data[o + c] * data[o + c];
          }
          double shift = spec.beta() * sq / 2;
          for (int r = 0; r < f; r++) {
            phiT[r * w + j] = (float) (Math.exp(z[r * w + j] - shift) * norm);
          }
        }
      } else {
        for (int j = 0; j < w; j++) {
          for (int r = 0, o = (from + j) * d; r < f; r++) {
            double u = scale * data[o + r];
            phiT[r * w + j] = (float) (u > 0 ? u + 1 : Math.exp(u));
          }
        }
      }
      java.util.Arrays.fill(acc, 0f);
      bound.addWeightedRows(phiT, f, from, to, acc);
      for (int i = 0; i < acc.length; i++) {
        a[i] += acc[i];
      }
      for (int r = 0; r < f; r++) {
        double s = 0;
        for (int j = 0; j < w; j++) {
          s += phiT[r * w + j];
        }
        b[r] += s;
      }
      count += w;
    }
    return this;
  }

  /** Inserts one memory (d values from {@code x[off..]}). */
  public KernelSummary insert(float[] x, int off) {
    term(x, off, +1);
    return this;
  }

  /** Deletes one memory previously added (the same values). */
  public KernelSummary delete(float[] x, int off) {
    if (count == 0) {
      throw new IllegalStateException("cannot delete from an empty summary");
    }
    term(x, off, -1);
    return this;
  }

  private void term(float[] x, int off, int sign) {
    int d = map.dim();
    int f = map.features();
    double[] phi = new double[f];
    map.map(x, off, phi);
    for (int r = 0; r < f; r++) {
      double p = sign * phi[r];
      b[r] += p;
      for (int c = 0, o = r * d; c < d; c++) {
        a[o + c] += p * x[off + c];
      }
    }
    count += sign;
  }

  private void checkDim(int d) {
    if (d != map.dim()) {
      throw new IllegalArgumentException("dimension mismatch: summary has dimension " + map.dim()
          + ", memories " + d);
    }
  }

  /**
   * Building the summary of a store as an aggregation: each block adds its memories with its
   * bound score kernel, and the partitions' summaries are added.
   */
  public static BlockAggregation<KernelSummary> aggregation(RetrievalSpec spec, int dim,
      ScoreKernel kernel) {
    return new Build(spec, dim, kernel);
  }

  private static final class Build implements BlockAggregation<KernelSummary> {
    private static final long serialVersionUID = 1L;
    private final RetrievalSpec spec;
    private final int dim;
    private final KernelRef kernel;

    Build(RetrievalSpec spec, int dim, ScoreKernel kernel) {
      this.spec = spec;
      this.dim = dim;
      this.kernel = new KernelRef(kernel);
    }

    @Override
    public KernelSummary zero() {
      return new KernelSummary(spec, dim);
    }

    @Override
    public KernelSummary fold(KernelSummary acc, MemoryBlock block) {
      ScoreKernel.Bound bound = kernel.get().boundTo(block);
      synchronized (bound) {
        return acc.add(block, bound);
      }
    }

    @Override
    public String describe() {
      return spec.rule().key() + " summary";
    }
  }

  /** Adds another partition's summary of the same model. */
  @Override
  public KernelSummary merge(KernelSummary other) {
    if (!other.spec.equals(spec) || other.dim() != dim()) {
      throw new IllegalArgumentException("cannot merge summaries of " + spec + " (d=" + dim()
          + ") and " + other.spec + " (d=" + other.dim() + ")");
    }
    for (int i = 0; i < a.length; i++) {
      a[i] += other.a[i];
    }
    for (int i = 0; i < b.length; i++) {
      b[i] += other.b[i];
    }
    count += other.count;
    return this;
  }

  /**
   * Removes memories summarised in {@code other} (a summary of a subset of this one's memories,
   * e.g. the rows a delete removes), the inverse of {@link #merge}.
   */
  public KernelSummary subtract(KernelSummary other) {
    if (!other.spec.equals(spec) || other.dim() != dim()) {
      throw new IllegalArgumentException("cannot subtract a summary of " + other.spec + " (d="
          + other.dim() + ") from one of " + spec + " (d=" + dim() + ")");
    }
    if (other.count > count) {
      throw new IllegalArgumentException("cannot subtract " + other.count + " memories from a "
          + "summary of " + count);
    }
    for (int i = 0; i < a.length; i++) {
      a[i] -= other.a[i];
    }
    for (int i = 0; i < b.length; i++) {
      b[i] -= other.b[i];
    }
    count -= other.count;
    return this;
  }

  /** One step for {@code batch} row-major states: {@code A^T phi(x) / (b . phi(x))}. */
  public float[] step(float[] states, int batch) {
    if (count <= 0) {
      throw new IllegalStateException("empty memory set: the summary holds no memory");
    }
    int d = map.dim();
    int f = map.features();
    float[] out = new float[batch * d];
    double[] phi = new double[f];
    double[] num = new double[d];
    for (int q = 0; q < batch; q++) {
      map.map(states, q * d, phi);
      java.util.Arrays.fill(num, 0);
      double den = 0;
      for (int r = 0; r < f; r++) {
        double p = phi[r];
        den += p * b[r];
        for (int c = 0, o = r * d; c < d; c++) {
          num[c] += p * a[o + c];
        }
      }
      for (int c = 0; c < d; c++) {
        out[q * d + c] = (float) (num[c] / den);
      }
    }
    return out;
  }

  /** Largest absolute difference of two summaries' entries (tests of merge/insert/delete). */
  public double maxAbsDifference(KernelSummary other) {
    double m = Math.abs(count - other.count);
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - other.a[i]));
    }
    for (int i = 0; i < b.length; i++) {
      m = Math.max(m, Math.abs(b[i] - other.b[i]));
    }
    return m;
  }

  @Override
  public byte[] toBytes() {
    byte[] s = spec.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(4 + 4 + s.length + 4 + 8 + 8 * (a.length + b.length));
    buf.putInt(TAG).putInt(s.length).put(s).putInt(dim()).putLong(count);
    for (double v : a) {
      buf.putDouble(v);
    }
    for (double v : b) {
      buf.putDouble(v);
    }
    return buf.array();
  }

  /**
   * The spec a summary's bytes name. Summaries written before prf had its projection key hold
   * i.i.d. features and a text without the key (which now always prints): they read as {@code
   * projection=iid}, not as the new default, so a stored summary never meets a W other than its
   * own.
   */
  static RetrievalSpec specOfBytes(String text) {
    RetrievalSpec spec = RetrievalSpec.parse(text);
    if (spec.rule() instanceof Prf && !("," + text.substring(text.indexOf(':') + 1) + ",")
        .contains("," + Prf.PROJECTION.name() + "=")) {
      spec = spec.with(Prf.PROJECTION, "iid");
    }
    return spec;
  }

  public static KernelSummary fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      if (buf.getInt() != TAG) {
        throw new IllegalArgumentException("not a kernel summary");
      }
      int n = buf.getInt();
      if (n < 0 || n > buf.remaining()) {
        throw new IllegalArgumentException("truncated kernel summary (" + bytes.length
            + " bytes)");
      }
      byte[] s = new byte[n];
      buf.get(s);
      KernelSummary k = new KernelSummary(
          specOfBytes(new String(s, java.nio.charset.StandardCharsets.UTF_8)), buf.getInt());
      k.count = buf.getLong();
      for (int i = 0; i < k.a.length; i++) {
        k.a[i] = buf.getDouble();
      }
      for (int i = 0; i < k.b.length; i++) {
        k.b[i] = buf.getDouble();
      }
      return k;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated kernel summary (" + bytes.length + " bytes)");
    }
  }
}
