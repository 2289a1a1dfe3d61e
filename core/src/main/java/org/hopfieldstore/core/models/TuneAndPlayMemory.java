package org.hopfieldstore.core.models;

import java.util.ArrayList;
import java.util.List;
import org.hopfieldstore.core.kernel.Adam;

/**
 * The tuned output-blending memory, a baseline (forecast {@code --memory blend}; the paper's
 * Tune-and-Play tunes the plug-ins inside the blocks: {@link MemoryPlugins#tuning}): the
 * {@link PlugAndPlayMemory} retrieval from an external store of past windows, with the memory
 * module tuned on the task. The retrieval itself stays train-less (so the windows can live in
 * any store, millions of them on Spark); what is tuned is how the retrieved futures enter the
 * forecast, per horizon step h:
 * {@code y_h = f_h + g_h (sum_k A_hk r_k + b_h - f_h)}, {@code g_h = sigmoid(gamma_h)}, with f
 * the network's forecast and r the retrieved future of the same series. Starting point:
 * gamma = 0, A = I, b = 0, i.e. Plug-and-Play with gate 0.5. Tuned with Adam on windows whose
 * futures are not in the memory (the validation part), the network frozen.
 */
public final class TuneAndPlayMemory {
  private final PlugAndPlayMemory memory;
  private final int horizon;
  /** Gate logits (H), the map of retrieved futures (H x H, row-major) and its bias (H). */
  public final double[] gamma;
  public final double[] a;
  public final double[] b;
  public final double[] gGamma;
  public final double[] gA;
  public final double[] gB;

  public TuneAndPlayMemory(PlugAndPlayMemory memory, int horizon) {
    if (horizon < 1) {
      throw new IllegalArgumentException("horizon must be >= 1, got " + horizon);
    }
    this.memory = memory;
    this.horizon = horizon;
    gamma = new double[horizon];
    a = new double[horizon * horizon];
    for (int h = 0; h < horizon; h++) {
      a[h * horizon + h] = 1;
    }
    b = new double[horizon];
    gGamma = new double[horizon];
    gA = new double[a.length];
    gB = new double[horizon];
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** The tuned mix for forecasts f and retrieved futures r (both C x H). */
  public double[] mix(double[] f, double[] r) {
    int series = f.length / horizon;
    double[] y = new double[f.length];
    for (int c = 0; c < series; c++) {
      for (int h = 0; h < horizon; h++) {
        double g = sigmoid(gamma[h]);
        y[c * horizon + h] = f[c * horizon + h] + g * (mapped(r, c, h) - f[c * horizon + h]);
      }
    }
    return y;
  }

  private double mapped(double[] r, int c, int h) {
    double s = b[h];
    for (int k = 0; k < horizon; k++) {
      s += a[h * horizon + k] * r[c * horizon + k];
    }
    return s;
  }

  /** Adds the parameter gradients of {@code dY} (dL/dy, C x H) at (f, r). */
  public void backward(double[] f, double[] r, double[] dY) {
    int series = f.length / horizon;
    for (int c = 0; c < series; c++) {
      for (int h = 0; h < horizon; h++) {
        double g = sigmoid(gamma[h]);
        double d = dY[c * horizon + h];
        gGamma[h] += d * g * (1 - g) * (mapped(r, c, h) - f[c * horizon + h]);
        gB[h] += d * g;
        for (int k = 0; k < horizon; k++) {
          gA[h * horizon + k] += d * g * r[c * horizon + k];
        }
      }
    }
  }

  /** The forecast for window x (C x L) given the network's forecast f. */
  public double[] apply(double[] f, double[] x, int series) {
    return mix(f, memory.retrieve(x, series));
  }

  /**
   * Tunes gamma, A and b with full-batch Adam on the windows whose targets lie in
   * {@code [from, to)} (MSE), the network {@code net} frozen; each window is retrieved once.
   * Returns the MSE before and after.
   */
  public double[] tune(Forecasting.Model net, double[][] s, int from, int to, int lookback,
      int steps, double lr) {
    int series = s.length;
    List<double[][]> windows = new ArrayList<>(); // {f, r, y}
    for (int t = Math.max(from, lookback); t + horizon <= to; t++) {
      double[] x = Forecasting.window(s, t, lookback);
      windows.add(new double[][] {net.forecast(x), memory.retrieve(x, series),
          Forecasting.target(s, t, horizon)});
    }
    if (windows.isEmpty()) {
      throw new IllegalArgumentException("no complete window in [" + from + ", " + to
          + ") to tune the memory on");
    }
    double[][] params = {gamma, a, b};
    double[][] grads = {gGamma, gA, gB};
    Adam[] adams = {new Adam(gamma.length, lr, false), new Adam(a.length, lr, false),
        new Adam(b.length, lr, false)};
    double before = mse(windows);
    for (int step = 0; step < steps; step++) {
      for (double[] g : grads) {
        java.util.Arrays.fill(g, 0);
      }
      for (double[][] w : windows) {
        double[] y = mix(w[0], w[1]);
        double[] d = new double[y.length];
        for (int i = 0; i < y.length; i++) {
          d[i] = 2 * (y[i] - w[2][i]) / (y.length * (double) windows.size());
        }
        backward(w[0], w[1], d);
      }
      for (int k = 0; k < params.length; k++) {
        adams[k].step(params[k], grads[k]);
      }
    }
    return new double[] {before, mse(windows)};
  }

  private double mse(List<double[][]> windows) {
    double se = 0;
    long n = 0;
    for (double[][] w : windows) {
      double[] y = mix(w[0], w[1]);
      for (int i = 0; i < y.length; i++) {
        se += (y[i] - w[2][i]) * (y[i] - w[2][i]);
        n++;
      }
    }
    return se / n;
  }

  /** The tuned gate of horizon step h. */
  public double gate(int h) {
    return sigmoid(gamma[h]);
  }
}
