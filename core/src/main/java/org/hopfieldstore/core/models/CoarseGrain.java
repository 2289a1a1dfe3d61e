package org.hopfieldstore.core.models;

import java.util.SplittableRandom;

/**
 * STanHop-Net's coarse-graining between resolutions as the official code builds it
 * ({@code CoarseGrain} in MAGICS-LAB/STanHop {@code code_models/encoder.py}): on z laid out
 * [series C][segment n][d], each series' segments are padded to a multiple of {@code window}
 * by repeating its last {@code window - n mod window} segments, every {@code window} adjacent
 * segments are concatenated into one vector of {@code window d} values, layer-normalised and
 * mapped back to d by a linear layer: {@code out_j = LN(z_{jw} | ... | z_{jw+w-1}) W + b},
 * {@code ceil(n / window)} segments out. Hand-derived backward in float64.
 */
public final class CoarseGrain {
  public final int series;
  public final int dModel;
  public final int window;
  final LayerNorm norm;
  /** (window d) x d, row-major. */
  public final double[] w;
  public final double[] b;
  public final double[] gW;
  public final double[] gB;

  private int n;
  private LayerNorm.Call normCall;

  public CoarseGrain(int series, int dModel, int window, long seed) {
    if (series < 1 || dModel < 1 || window < 2) {
      throw new IllegalArgumentException("coarse-graining needs series, d >= 1 and a window "
          + ">= 2, got " + series + ", " + dModel + ", " + window);
    }
    this.series = series;
    this.dModel = dModel;
    this.window = window;
    norm = new LayerNorm(window * dModel);
    w = Mat.gaussian(window * dModel * dModel, 1 / Math.sqrt(window * dModel),
        new SplittableRandom(seed));
    b = new double[dModel];
    gW = new double[w.length];
    gB = new double[b.length];
  }

  /** Segments out of n segments in: {@code ceil(n / window)}. */
  public static int coarsened(int n, int window) {
    return (n + window - 1) / window;
  }

  /** The input segment that padded position p (0 <= p < window ceil(n / window)) holds. */
  private int source(int p) {
    int pad = coarsened(n, window) * window - n;
    return p < n ? p : n - pad + (p - n);
  }

  /** z is [C][n][d]; returns [C][ceil(n / window)][d]. */
  public double[] forward(double[] z, int segments) {
    if (z.length != series * segments * dModel) {
      throw new IllegalArgumentException("coarse-graining expects " + series + " x " + segments
          + " x " + dModel + " values, got " + z.length);
    }
    n = segments;
    int m = coarsened(n, window);
    int wide = window * dModel;
    double[] merged = new double[series * m * wide];
    for (int c = 0; c < series; c++) {
      for (int j = 0; j < m; j++) {
        for (int i = 0; i < window; i++) {
          System.arraycopy(z, (c * n + source(j * window + i)) * dModel, merged,
              (c * m + j) * wide + i * dModel, dModel);
        }
      }
    }
    normCall = norm.forward(merged, series * m);
    double[] out = Mat.mul(normCall.output, series * m, wide, w, dModel);
    for (int r = 0; r < series * m; r++) {
      for (int k = 0; k < dModel; k++) {
        out[r * dModel + k] += b[k];
      }
    }
    return out;
  }

  /** Accumulates W, b and layer-norm gradients for dOut ([C][m][d]); returns dL/dz. */
  public double[] backward(double[] dOut) {
    int m = coarsened(n, window);
    int wide = window * dModel;
    int rows = series * m;
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < dModel; k++) {
        gB[k] += dOut[r * dModel + k];
      }
    }
    Mat.addTo(gW, Mat.mulTransA(normCall.output, rows, wide, dOut, dModel));
    double[] dMerged = norm.backward(normCall, Mat.mulTransB(dOut, rows, dModel, w, wide));
    double[] dz = new double[series * n * dModel];
    for (int c = 0; c < series; c++) {
      for (int j = 0; j < m; j++) {
        for (int i = 0; i < window; i++) {
          int to = (c * n + source(j * window + i)) * dModel;
          int from = (c * m + j) * wide + i * dModel;
          for (int k = 0; k < dModel; k++) {
            dz[to + k] += dMerged[from + k]; // a repeated segment gets both copies' gradients
          }
        }
      }
    }
    return dz;
  }

  void addParameters(java.util.List<double[][]> out) {
    norm.addParameters(out);
    out.add(new double[][] {w, gW});
    out.add(new double[][] {b, gB});
  }

  void zeroGrad() {
    norm.zeroGrad();
    java.util.Arrays.fill(gW, 0);
    java.util.Arrays.fill(gB, 0);
  }
}
