package org.hopfieldstore.core.models;

/**
 * Layer normalisation over the last dimension of row-major rows (Ba et al. 2016), with a learnable
 * gain and bias: {@code y = gain (x - mean) / sqrt(var + eps) + bias}. Forward returns a
 * {@link Call} that keeps what backward needs, so one layer serves many calls.
 */
public final class LayerNorm {
  static final double EPS = 1e-5;
  public final int dim;
  public final double[] gain;
  public final double[] bias;
  public final double[] gGain;
  public final double[] gBias;

  /** What one forward call keeps: the normalised rows and their inverse deviations. */
  public static final class Call {
    public final double[] output;
    final double[] xhat;
    final double[] invStd;
    final int rows;

    Call(double[] output, double[] xhat, double[] invStd, int rows) {
      this.output = output;
      this.xhat = xhat;
      this.invStd = invStd;
      this.rows = rows;
    }
  }

  public LayerNorm(int dim) {
    if (dim < 1) {
      throw new IllegalArgumentException("layer norm dimension must be >= 1, got " + dim);
    }
    this.dim = dim;
    gain = new double[dim];
    java.util.Arrays.fill(gain, 1);
    bias = new double[dim];
    gGain = new double[dim];
    gBias = new double[dim];
  }

  public Call forward(double[] x, int rows) {
    double[] xhat = new double[rows * dim];
    double[] inv = new double[rows];
    double[] y = new double[rows * dim];
    for (int r = 0; r < rows; r++) {
      double mean = 0;
      for (int k = 0; k < dim; k++) {
        mean += x[r * dim + k];
      }
      mean /= dim;
      double var = 0;
      for (int k = 0; k < dim; k++) {
        double c = x[r * dim + k] - mean;
        var += c * c;
      }
      var /= dim;
      inv[r] = 1 / Math.sqrt(var + EPS);
      for (int k = 0; k < dim; k++) {
        double h = (x[r * dim + k] - mean) * inv[r];
        xhat[r * dim + k] = h;
        y[r * dim + k] = gain[k] * h + bias[k];
      }
    }
    return new Call(y, xhat, inv, rows);
  }

  /** Accumulates gain/bias gradients; returns dL/dx. */
  public double[] backward(Call c, double[] dy) {
    double[] dx = new double[c.rows * dim];
    for (int r = 0; r < c.rows; r++) {
      double sum = 0;
      double dot = 0;
      for (int k = 0; k < dim; k++) {
        int i = r * dim + k;
        gGain[k] += dy[i] * c.xhat[i];
        gBias[k] += dy[i];
        double g = dy[i] * gain[k];
        sum += g;
        dot += g * c.xhat[i];
      }
      for (int k = 0; k < dim; k++) {
        int i = r * dim + k;
        dx[i] = c.invStd[r] * (dy[i] * gain[k] - sum / dim - c.xhat[i] * dot / dim);
      }
    }
    return dx;
  }

  /** Gain and bias with their gradients, for an optimiser. */
  void addParameters(java.util.List<double[][]> out) {
    out.add(new double[][] {gain, gGain});
    out.add(new double[][] {bias, gBias});
  }

  public void zeroGrad() {
    java.util.Arrays.fill(gGain, 0);
    java.util.Arrays.fill(gBias, 0);
  }
}
