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

  /** {@link PositiveRandom}: the map of the prf rule. */
  public static FeatureMap positiveRandom(int dim, int features, double beta, long seed) {
    return new PositiveRandom(dim, features, beta, seed);
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
   * sqrt(D)} with {@code u' = sqrt(beta) u} and the rows of W i.i.d. N(0, I) from a seeded
   * generator, so that {@code E[phi(u).phi(v)] = exp(beta <u, v>)}: an unbiased estimate of the
   * dense (softmax) kernel whose error shrinks like {@code 1/sqrt(D)}.
   */
  public static final class PositiveRandom extends FeatureMap {
    private final double[] w; // D x d, already scaled by sqrt(beta)

    PositiveRandom(int dim, int features, double beta, long seed) {
      super(dim, features, beta);
      SplittableRandom rnd = new SplittableRandom(seed);
      double s = Math.sqrt(beta);
      w = new double[features * dim];
      for (int i = 0; i < w.length; i++) {
        w[i] = s * SyntheticMemories.gaussian(rnd);
      }
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
}
