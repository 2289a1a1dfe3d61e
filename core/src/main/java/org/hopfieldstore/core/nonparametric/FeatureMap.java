package org.hopfieldstore.core.nonparametric;

import java.util.SplittableRandom;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/**
 * A positive feature map {@code phi: R^d -> R^D} of the nonparametric linear models (Hu et al.
 * 2024, arXiv 2404.03900): retrieval weights {@code w_mu(x) = phi(xi_mu).phi(x) / sum_nu
 * phi(xi_nu).phi(x)}. Positivity keeps the denominator above zero.
 */
public abstract class FeatureMap {
  protected final int dim;
  protected final int features;
  protected final double beta;

  FeatureMap(int dim, int features, double beta) {
    if (dim < 1 || features < 1) {
      throw new IllegalArgumentException(
          "dim and features must be >= 1, got " + dim + " and " + features);
    }
    this.dim = dim;
    this.features = features;
    this.beta = beta;
  }

  /** The feature map a summary spec (linear, prf) names, for memories of dimension d. */
  public static FeatureMap of(RetrievalSpec spec, int d) {
    return spec.rule().featureMap(spec, d);
  }

  /** {@link Elu}: the map of the linear rule. */
  public static FeatureMap elu(int dim, double beta) {
    return new Elu(dim, beta);
  }

  /**
   * {@link PositiveRandom}: the map of the prf rule, with the rows of W drawn as {@code
   * projection} says from {@code seed} alone (every JVM rebuilds the same W).
   */
  public static FeatureMap positiveRandom(int dim, int features, double beta, long seed,
      Projection projection) {
    return new PositiveRandom(dim, features, beta, seed, projection);
  }

  /** How the rows of a {@link PositiveRandom} projection W are drawn. */
  public enum Projection {
    /**
     * Blocks of d exactly orthogonal rows, each scaled to the length of an independent N(0, I)
     * vector (Performer's orthogonal random features): every row is marginally N(0, I).
     */
    ORTHOGONAL,
    /** Every entry i.i.d. N(0, 1). */
    IID;

    /** The projection a spec word ({@code orthogonal}, {@code iid}) names. */
    public static Projection named(String word) {
      return valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }
  }

  public int dim() {
    return dim;
  }

  public int features() {
    return features;
  }

  /** {@code out[0..D) = phi(x[off..off+d))}. */
  public abstract void map(float[] x, int off, double[] out);

  /**
   * {@code phi(u) = elu(sqrt(beta) u) + 1} coordinate-wise (D = d): the positive map of linear
   * attention; beta sharpens it like an inverse temperature, without an exact kernel identity.
   */
  public static final class Elu extends FeatureMap {
    private final double scale;

    Elu(int dim, double beta) {
      super(dim, dim, beta);
      this.scale = Math.sqrt(beta);
    }

    @Override
    public void map(float[] x, int off, double[] out) {
      for (int i = 0; i < dim; i++) {
        double u = scale * x[off + i];
        out[i] = u > 0 ? u + 1 : Math.exp(u);
      }
    }
  }

  /**
   * Positive random features (Choromanski et al. 2021): {@code phi(u) = exp(W u' - ||u'||^2/2) /
   * sqrt(D)} with {@code u' = sqrt(beta) u}, so that {@code E[phi(u).phi(v)] = exp(beta <u, v>)}:
   * an unbiased estimate of the dense (softmax) kernel whose error shrinks like {@code 1/sqrt(D)}.
   * The rows of W come from a seeded generator ({@link SplittableRandom}), in one of two ways:
   *
   * <ul>
   *   <li>{@link Projection#ORTHOGONAL} (Performer's {@code gaussian_orthogonal_random_matrix}
   *       with {@code scaling=0}): W stacks {@code ceil(D/d)} independent blocks of d rows, the
   *       rows of each block orthonormalised in double precision by Gram-Schmidt (two passes) of
   *       a seeded Gaussian matrix, D rows kept overall; then row r is scaled to the length of
   *       an independent seeded N(0, I_d) vector (chi-distributed). Each row is marginally N(0,
   *       I), so the estimate stays unbiased, while rows within a block are exactly orthogonal,
   *       which lowers its variance (Choromanski et al. 2021, Theorem 2).
   *   <li>{@link Projection#IID}: every entry i.i.d. N(0, 1).
   * </ul>
   */
  public static final class PositiveRandom extends FeatureMap {
    private final Projection kind;
    private final double[] w; // D x d, already scaled by sqrt(beta)

    PositiveRandom(int dim, int features, double beta, long seed, Projection kind) {
      super(dim, features, beta);
      this.kind = java.util.Objects.requireNonNull(kind, "projection");
      double s = Math.sqrt(beta);
      if ((long) features * dim > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("prf: features=" + features + " x d=" + dim
            + " projection entries are more than a Java array holds; use fewer features");
      }
      w = new double[features * dim];
      if (kind == Projection.IID) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < w.length; i++) {
          w[i] = s * SyntheticMemories.gaussian(rnd);
        }
        return;
      }
      double[] g = Orthogonal.rows(dim, features, seed);
      for (int i = 0; i < w.length; i++) {
        w[i] = s * g[i];
      }
    }

    /** How the rows of W were drawn. */
    public Projection projectionKind() {
      return kind;
    }

    /** W scaled by sqrt(beta), in double (D x d rows); a copy. */
    double[] rows() {
      return w.clone();
    }

    /** W scaled by sqrt(beta), as float32 rows (D x d) for a GEMM. */
    float[] projection() {
      float[] f = new float[w.length];
      for (int i = 0; i < w.length; i++) {
        f[i] = (float) w[i];
      }
      return f;
    }

    @Override
    public void map(float[] x, int off, double[] out) {
      double sq = 0;
      for (int i = 0; i < dim; i++) {
        sq += (double) x[off + i] * x[off + i];
      }
      double shift = beta * sq / 2;
      double norm = 1 / Math.sqrt(features);
      for (int r = 0; r < features; r++) {
        double dot = 0;
        for (int i = 0, o = r * dim; i < dim; i++) {
          dot += w[o + i] * x[off + i];
        }
        out[r] = Math.exp(dot - shift) * norm;
      }
    }
  }

  /**
   * The unscaled orthogonal projection of {@link PositiveRandom} (before sqrt(beta)), a function
   * of (d, D, seed) only. Building it costs {@code O(D d min(D, d))} (about 0.1 s for d = 784, D
   * = 256, against 0.02 s for i.i.d. rows), and every summary read back from bytes rebuilds its
   * map, so the last few are kept, softly referenced, per JVM.
   */
  private static final class Orthogonal {
    private record Key(int dim, int features, long seed) {}

    private static final int CACHED = 4;
    private static final java.util.Map<Key, java.lang.ref.SoftReference<double[]>> CACHE =
        new java.util.LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(
              java.util.Map.Entry<Key, java.lang.ref.SoftReference<double[]>> eldest) {
            return size() > CACHED;
          }
        };

    private Orthogonal() {}

    /** The D x d rows (shared: callers must not write to them). */
    static double[] rows(int dim, int features, long seed) {
      Key key = new Key(dim, features, seed);
      synchronized (CACHE) {
        java.lang.ref.SoftReference<double[]> ref = CACHE.get(key);
        double[] w = ref == null ? null : ref.get();
        if (w != null) {
          return w;
        }
      }
      double[] w = build(dim, features, seed);
      synchronized (CACHE) {
        CACHE.put(key, new java.lang.ref.SoftReference<>(w));
      }
      return w;
    }

    /**
     * Blocks of d orthonormal rows (the last one cut to D), then row r scaled by the length of
     * the r-th of D further seeded N(0, I_d) vectors. Gram-Schmidt is sequential, so the first k
     * rows of an orthonormalised d x d Gaussian block depend on its first k Gaussian rows only:
     * the last (partial) block draws just those.
     */
    static double[] build(int dim, int features, long seed) {
      SplittableRandom rnd = new SplittableRandom(seed);
      double[] w = new double[Math.multiplyExact(features, dim)];
      for (int from = 0; from < features; from += dim) {
        int to = Math.min(features, from + dim);
        for (int r = from; r < to; r++) {
          orthonormalRow(w, dim, rnd, from, r);
        }
      }
      for (int r = 0; r < features; r++) {
        double sq = 0;
        for (int i = 0; i < dim; i++) {
          double g = SyntheticMemories.gaussian(rnd);
          sq += g * g;
        }
        double len = Math.sqrt(sq);
        for (int i = 0, o = r * dim; i < dim; i++) {
          w[o + i] *= len;
        }
      }
      return w;
    }

    /**
     * Row r: a seeded Gaussian row made orthogonal to rows {@code from..r-1} (its block's earlier
     * rows, already unit) by two passes of modified Gram-Schmidt, then normalised. A row that
     * (with probability zero) nearly lies in their span is drawn again.
     */
    private static void orthonormalRow(double[] w, int dim, SplittableRandom rnd, int from,
        int r) {
      int o = r * dim;
      while (true) {
        double before = 0;
        for (int i = 0; i < dim; i++) {
          double g = SyntheticMemories.gaussian(rnd);
          w[o + i] = g;
          before += g * g;
        }
        for (int pass = 0; pass < 2; pass++) {
          for (int q = from; q < r; q++) {
            int p = q * dim;
            double dot = 0;
            for (int i = 0; i < dim; i++) {
              dot += w[p + i] * w[o + i];
            }
            for (int i = 0; i < dim; i++) {
              w[o + i] -= dot * w[p + i];
            }
          }
        }
        double sq = 0;
        for (int i = 0; i < dim; i++) {
          sq += w[o + i] * w[o + i];
        }
        if (sq > 1e-20 * before) {
          double inv = 1 / Math.sqrt(sq);
          for (int i = 0; i < dim; i++) {
            w[o + i] *= inv;
          }
          return;
        }
      }
    }
  }
}
