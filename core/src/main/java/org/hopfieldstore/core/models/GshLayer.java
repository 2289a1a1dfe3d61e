package org.hopfieldstore.core.models;

import java.util.SplittableRandom;

/**
 * The generalized sparse Hopfield (GSH) layer of STanHop (Wu et al. 2024, arXiv 2312.17346,
 * Sec. 3.1, the GSH definition): {@code GSH(R, Y) = entmax_alpha(beta R W_Q (Y W_K)^T) Y W_K W_V}
 * for queries R (n x dIn) retrieving from patterns Y (m x dIn), with a learnable
 * {@code alpha = 1 + sigmoid(a)} in (1, 2) (or alpha fixed). Forward and hand-derived backward in
 * float64; the entmax derivatives are {@link Entmax#backward}. Parameters and their gradients are
 * public arrays (row-major) for an optimiser.
 *
 * <p>With {@code heads} H > 1 (the official code's multi-head {@code Hopfield} module), the
 * queries' and keys' dK columns split into H heads of dK/H and the values {@code V = Y W_K W_V}
 * into H slices of dOut/H: head g is {@code entmax_alpha(beta Q_g K_g^T) V_g}, and the heads'
 * outputs are concatenated. One alpha for all heads. With H = 1 this is the formula above.
 */
public final class GshLayer {
  public final int dIn;
  public final int dK;
  public final int dOut;
  public final int heads;
  public final double beta;
  /** W_Q (dIn x dK), W_K (dIn x dK), W_V (dK x dOut). */
  public final double[] wq;
  public final double[] wk;
  public final double[] wv;
  /** alpha = 1 + sigmoid(a) when learnable. */
  public double a;
  private final double fixedAlpha;

  public final double[] gWq;
  public final double[] gWk;
  public final double[] gWv;
  public double gA;

  /** What one forward call keeps for its backward (a layer may be applied many times). */
  public static final class Call {
    public final double[] output;
    final double[] r;
    final double[] y;
    final int n;
    final int m;
    final double[] q;
    final double[] k;
    final double[] p;
    /** One head: {@code P K}; several: {@code V = K W_V}. */
    final double[] h;

    Call(double[] output, double[] r, double[] y, int n, int m, double[] q, double[] k,
        double[] p, double[] h) {
      this.output = output;
      this.r = r;
      this.y = y;
      this.n = n;
      this.m = m;
      this.q = q;
      this.k = k;
      this.p = p;
      this.h = h;
    }
  }

  private Call last;

  /** A layer with seeded Gaussian projections (std 1/sqrt(fan-in)) and learnable alpha. */
  public GshLayer(int dIn, int dK, int dOut, double beta, double initialAlpha, long seed) {
    this(dIn, dK, dOut, 1, beta, initialAlpha, seed, false);
  }

  /**
   * A layer of {@code heads} heads (dK and dOut multiples of it), learnable alpha unless
   * {@code fixed} (then alpha stays at {@code alpha}: in (1, 2), 1 or 2).
   */
  public static GshLayer multiHead(int dIn, int dK, int dOut, int heads, double beta,
      double alpha, boolean fixed, long seed) {
    return new GshLayer(dIn, dK, dOut, heads, beta, alpha, seed, fixed);
  }

  private GshLayer(int dIn, int dK, int dOut, int heads, double beta, double alpha, long seed,
      boolean fixed) {
    if (dIn < 1 || dK < 1 || dOut < 1) {
      throw new IllegalArgumentException("GSH layer dimensions must be >= 1, got " + dIn + ", "
          + dK + ", " + dOut);
    }
    if (heads < 1 || dK % heads != 0 || dOut % heads != 0) {
      throw new IllegalArgumentException("GSH heads must be >= 1 and divide the key and value "
          + "widths " + dK + " and " + dOut + ", got " + heads);
    }
    if (!(beta > 0)) {
      throw new IllegalArgumentException("beta must be > 0, got " + beta);
    }
    if (!(alpha > 1 && alpha < 2) && !(fixed && (alpha == 2 || alpha == 1))) {
      throw new IllegalArgumentException("alpha must be in (1, 2)" + (fixed ? ", 1 or 2" : "")
          + ", got " + alpha);
    }
    this.dIn = dIn;
    this.dK = dK;
    this.dOut = dOut;
    this.heads = heads;
    this.beta = beta;
    SplittableRandom rnd = new SplittableRandom(seed);
    wq = Mat.gaussian(dIn * dK, 1 / Math.sqrt(dIn), rnd);
    wk = Mat.gaussian(dIn * dK, 1 / Math.sqrt(dIn), rnd);
    wv = Mat.gaussian(dK * dOut, 1 / Math.sqrt(dK), rnd);
    gWq = new double[wq.length];
    gWk = new double[wk.length];
    gWv = new double[wv.length];
    this.fixedAlpha = fixed ? alpha : Double.NaN;
    double s = alpha - 1; // sigmoid(a) = s
    this.a = fixed ? 0 : Math.log(s / (1 - s));
  }

  /** A copy of the parameters of {@code other} into this layer (same shapes). */
  public void copyFrom(GshLayer other) {
    System.arraycopy(other.wq, 0, wq, 0, wq.length);
    System.arraycopy(other.wk, 0, wk, 0, wk.length);
    System.arraycopy(other.wv, 0, wv, 0, wv.length);
    a = other.a;
  }

  /** A layer whose alpha stays at {@code alpha} (in (1, 2], or 1: softmax): no alpha gradient. */
  public static GshLayer fixedAlpha(int dIn, int dK, int dOut, double beta, double alpha,
      long seed) {
    return new GshLayer(dIn, dK, dOut, 1, beta, alpha, seed, true);
  }

  public boolean learnsAlpha() {
    return Double.isNaN(fixedAlpha);
  }

  /** {@code 1 + sigmoid(a)}, with a clamped to [-20, 20] so alpha stays strictly in (1, 2). */
  public double alpha() {
    return learnsAlpha() ? 1 + 1 / (1 + Math.exp(-Math.max(-A_LIMIT, Math.min(A_LIMIT, a))))
        : fixedAlpha;
  }

  private static final double A_LIMIT = 20;

  /** The last forward pass's attention weights (n x m; heads x n x m with several heads). */
  public double[] weights() {
    return last.p;
  }

  /** {@code GSH(R, Y)}: R is n x dIn, Y is m x dIn; returns n x dOut. */
  public double[] forward(double[] rIn, int rows, double[] yIn, int patterns) {
    last = call(rIn, rows, yIn, patterns);
    return last.output;
  }

  /** Backward of the last {@link #forward}. */
  public double[][] backward(double[] dOutput) {
    return backward(last, dOutput);
  }

  /** One forward call, kept for its own backward. */
  public Call call(double[] rIn, int rows, double[] yIn, int patterns) {
    if (rIn.length != rows * dIn || yIn.length != patterns * dIn) {
      throw new IllegalArgumentException("GSH: queries must be " + rows + " x " + dIn
          + " and patterns " + patterns + " x " + dIn);
    }
    int n = rows;
    int m = patterns;
    double[] q = Mat.mul(rIn, rows, dIn, wq, dK);
    double[] k = Mat.mul(yIn, patterns, dIn, wk, dK);
    if (heads > 1) {
      return multiHeadCall(rIn, yIn, n, m, q, k);
    }
    double alpha = alpha();
    double[] p = new double[n * m];
    double[] z = new double[m];
    double[] row = new double[m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int c = 0; c < dK; c++) {
          s += q[i * dK + c] * k[j * dK + c];
        }
        z[j] = beta * s;
      }
      Entmax.forward(z, m, alpha, row);
      System.arraycopy(row, 0, p, i * m, m);
    }
    double[] h = Mat.mul(p, n, m, k, dK);
    return new Call(Mat.mul(h, n, dK, wv, dOut), rIn, yIn, n, m, q, k, p, h);
  }

  private Call multiHeadCall(double[] rIn, double[] yIn, int n, int m, double[] q, double[] k) {
    int hk = dK / heads;
    int ho = dOut / heads;
    double[] v = Mat.mul(k, m, dK, wv, dOut);
    double alpha = alpha();
    double[] p = new double[heads * n * m];
    double[] out = new double[n * dOut];
    double[] z = new double[m];
    double[] row = new double[m];
    for (int g = 0; g < heads; g++) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          double s = 0;
          for (int c = g * hk; c < (g + 1) * hk; c++) {
            s += q[i * dK + c] * k[j * dK + c];
          }
          z[j] = beta * s;
        }
        Entmax.forward(z, m, alpha, row);
        System.arraycopy(row, 0, p, (g * n + i) * m, m);
        for (int j = 0; j < m; j++) {
          for (int o = g * ho; o < (g + 1) * ho; o++) {
            out[i * dOut + o] += row[j] * v[j * dOut + o];
          }
        }
      }
    }
    return new Call(out, rIn, yIn, n, m, q, k, p, v);
  }

  /**
   * Backward of one call for upstream {@code dOut} (n x dOut): accumulates parameter gradients
   * into gWq, gWk, gWv, gA and returns {dR (n x dIn), dY (m x dIn)}.
   */
  public double[][] backward(Call c, double[] dOutput) {
    if (heads > 1) {
      return multiHeadBackward(c, dOutput);
    }
    final int n = c.n;
    final int m = c.m;
    final double[] r = c.r;
    final double[] y = c.y;
    final double[] q = c.q;
    final double[] k = c.k;
    final double[] p = c.p;
    final double[] h = c.h;
    Mat.addTo(gWv, Mat.mulTransA(h, n, dK, dOutput, dOut));
    double[] dh = Mat.mulTransB(dOutput, n, dOut, wv, dK);
    double[] dp = Mat.mulTransB(dh, n, dK, k, m);
    double[] dk = Mat.mulTransA(p, n, m, dh, dK);
    double[] dz = new double[n * m];
    double alpha = alpha();
    double dAlpha = 0;
    double[] pr = new double[m];
    double[] dpr = new double[m];
    double[] dzr = new double[m];
    for (int i = 0; i < n; i++) {
      System.arraycopy(p, i * m, pr, 0, m);
      System.arraycopy(dp, i * m, dpr, 0, m);
      dAlpha += Entmax.backward(pr, dpr, m, alpha, dzr);
      System.arraycopy(dzr, 0, dz, i * m, m);
    }
    addAlphaGradient(alpha, dAlpha);
    // z = beta Q K^T
    double[] dq = Mat.mul(dz, n, m, k, dK);
    Mat.scale(dq, beta);
    double[] dk2 = Mat.mulTransA(dz, n, m, q, dK);
    Mat.scale(dk2, beta);
    Mat.addTo(dk, dk2);
    return projectionsBackward(r, n, y, m, dq, dk);
  }

  private double[][] multiHeadBackward(Call c, double[] dOutput) {
    int n = c.n;
    int m = c.m;
    int hk = dK / heads;
    int ho = dOut / heads;
    double[] v = c.h;
    double[] dv = new double[m * dOut];
    double[] dq = new double[n * dK];
    double[] dk = new double[m * dK];
    double alpha = alpha();
    double dAlpha = 0;
    double[] pr = new double[m];
    double[] dpr = new double[m];
    double[] dzr = new double[m];
    for (int g = 0; g < heads; g++) {
      for (int i = 0; i < n; i++) {
        System.arraycopy(c.p, (g * n + i) * m, pr, 0, m);
        for (int j = 0; j < m; j++) {
          double s = 0;
          for (int o = g * ho; o < (g + 1) * ho; o++) {
            s += dOutput[i * dOut + o] * v[j * dOut + o];
            dv[j * dOut + o] += pr[j] * dOutput[i * dOut + o];
          }
          dpr[j] = s;
        }
        dAlpha += Entmax.backward(pr, dpr, m, alpha, dzr);
        for (int j = 0; j < m; j++) {
          double dz = beta * dzr[j];
          for (int col = g * hk; col < (g + 1) * hk; col++) {
            dq[i * dK + col] += dz * c.k[j * dK + col];
            dk[j * dK + col] += dz * c.q[i * dK + col];
          }
        }
      }
    }
    addAlphaGradient(alpha, dAlpha);
    // V = K W_V
    Mat.addTo(gWv, Mat.mulTransA(c.k, m, dK, dv, dOut));
    Mat.addTo(dk, Mat.mulTransB(dv, m, dOut, wv, dK));
    return projectionsBackward(c.r, n, c.y, m, dq, dk);
  }

  void addAlphaGradient(double alpha, double dAlpha) {
    if (learnsAlpha() && Math.abs(a) < A_LIMIT) { // the clamp is flat beyond the limit
      double s = alpha - 1;
      gA += dAlpha * s * (1 - s);
    }
  }

  /** Q = R W_Q, K = Y W_K: their gradients, and {dR, dY}. */
  private double[][] projectionsBackward(double[] r, int n, double[] y, int m, double[] dq,
      double[] dk) {
    Mat.addTo(gWq, Mat.mulTransA(r, n, dIn, dq, dK));
    Mat.addTo(gWk, Mat.mulTransA(y, m, dIn, dk, dK));
    double[] dr = Mat.mulTransB(dq, n, dK, wq, dIn);
    double[] dy = Mat.mulTransB(dk, m, dK, wk, dIn);
    return new double[][] {dr, dy};
  }

  /** W_Q, W_K and W_V with their gradients, for an optimiser (alpha's logit is a scalar). */
  void addParameters(java.util.List<double[][]> out) {
    out.add(new double[][] {wq, gWq});
    out.add(new double[][] {wk, gWk});
    out.add(new double[][] {wv, gWv});
  }

  /** Clears the accumulated gradients. */
  public void zeroGrad() {
    java.util.Arrays.fill(gWq, 0);
    java.util.Arrays.fill(gWk, 0);
    java.util.Arrays.fill(gWv, 0);
    gA = 0;
  }
}
