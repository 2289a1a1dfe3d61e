package org.hopfieldstore.core.models;

import java.util.SplittableRandom;

/**
 * The position-wise feed-forward sublayer of a Transformer block (the MLP of STanHop's STHM
 * layer: Linear d -> dFf, GELU, Linear dFf -> d), on row-major rows. GELU in its tanh form
 * {@code 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3)))}.
 */
public final class FeedForward {
  static final double C = Math.sqrt(2 / Math.PI);
  public final int dim;
  public final int hidden;
  public final double[] w1;
  public final double[] b1;
  public final double[] w2;
  public final double[] b2;
  public final double[] gW1;
  public final double[] gB1;
  public final double[] gW2;
  public final double[] gB2;

  /** What one forward call keeps. */
  public static final class Call {
    public final double[] output;
    final double[] x;
    final double[] u;
    final double[] act;
    final int rows;

    Call(double[] output, double[] x, double[] u, double[] act, int rows) {
      this.output = output;
      this.x = x;
      this.u = u;
      this.act = act;
      this.rows = rows;
    }
  }

  public FeedForward(int dim, int hidden, long seed) {
    if (dim < 1 || hidden < 1) {
      throw new IllegalArgumentException("feed-forward sizes must be >= 1, got " + dim + ", "
          + hidden);
    }
    this.dim = dim;
    this.hidden = hidden;
    SplittableRandom rnd = new SplittableRandom(seed);
    w1 = Mat.gaussian(dim * hidden, 1 / Math.sqrt(dim), rnd);
    b1 = new double[hidden];
    w2 = Mat.gaussian(hidden * dim, 1 / Math.sqrt(hidden), rnd);
    b2 = new double[dim];
    gW1 = new double[w1.length];
    gB1 = new double[hidden];
    gW2 = new double[w2.length];
    gB2 = new double[dim];
  }

  static double gelu(double u) {
    return 0.5 * u * (1 + Math.tanh(C * (u + 0.044715 * u * u * u)));
  }

  static double geluGrad(double u) {
    double t = Math.tanh(C * (u + 0.044715 * u * u * u));
    return 0.5 * (1 + t) + 0.5 * u * (1 - t * t) * C * (1 + 3 * 0.044715 * u * u);
  }

  public Call forward(double[] x, int rows) {
    double[] u = Mat.mul(x, rows, dim, w1, hidden);
    double[] act = new double[u.length];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < hidden; j++) {
        u[r * hidden + j] += b1[j];
        act[r * hidden + j] = gelu(u[r * hidden + j]);
      }
    }
    double[] y = Mat.mul(act, rows, hidden, w2, dim);
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < dim; k++) {
        y[r * dim + k] += b2[k];
      }
    }
    return new Call(y, x, u, act, rows);
  }

  /** Accumulates the parameter gradients; returns dL/dx. */
  public double[] backward(Call c, double[] dy) {
    Mat.addTo(gW2, Mat.mulTransA(c.act, c.rows, hidden, dy, dim));
    double[] dAct = Mat.mulTransB(dy, c.rows, dim, w2, hidden);
    for (int r = 0; r < c.rows; r++) {
      for (int k = 0; k < dim; k++) {
        gB2[k] += dy[r * dim + k];
      }
      for (int j = 0; j < hidden; j++) {
        int i = r * hidden + j;
        dAct[i] *= geluGrad(c.u[i]);
        gB1[j] += dAct[i];
      }
    }
    Mat.addTo(gW1, Mat.mulTransA(c.x, c.rows, dim, dAct, hidden));
    return Mat.mulTransB(dAct, c.rows, hidden, w1, dim);
  }

  /** Both layers' weights and biases with their gradients, for an optimiser. */
  void addParameters(java.util.List<double[][]> out) {
    out.add(new double[][] {w1, gW1});
    out.add(new double[][] {b1, gB1});
    out.add(new double[][] {w2, gW2});
    out.add(new double[][] {b2, gB2});
  }

  public void zeroGrad() {
    java.util.Arrays.fill(gW1, 0);
    java.util.Arrays.fill(gB1, 0);
    java.util.Arrays.fill(gW2, 0);
    java.util.Arrays.fill(gB2, 0);
  }
}
