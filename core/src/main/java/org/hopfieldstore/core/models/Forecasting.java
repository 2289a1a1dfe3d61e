package org.hopfieldstore.core.models;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.hopfieldstore.core.kernel.Adam;

/**
 * Training and evaluation of a {@link Forecaster} (STanHop-Net) on one multivariate series:
 * chronological 70/10/20 train/validation/test split, per-series standardisation with the
 * training statistics, windows of stride 1, Adam with early stopping on the validation MSE, and
 * MSE/MAE on the standardised test windows (as the STanHop paper reports them).
 */
public final class Forecasting {
  private Forecasting() {}

  /** Split points {trainEnd, validationEnd} of a series of length n. */
  public static int[] split(int n) {
    return new int[] {(int) (0.7 * n), (int) (0.8 * n)};
  }

  /** Standardises every series in place with the mean and std of {@code [0, trainEnd)}. */
  public static void standardise(double[][] s, int trainEnd) {
    standardiseLike(s, s, trainEnd);
  }

  /**
   * Standardises other series (an external memory's, the same columns) in place with the mean
   * and std of {@code s}'s {@code [0, trainEnd)}, before {@code s} is standardised itself ({@code
   * other} may be {@code s}: each series' statistics are taken before it changes).
   */
  public static void standardiseLike(double[][] other, double[][] s, int trainEnd) {
    for (int k = 0; k < s.length; k++) {
      double[] ms = PlugAndPlayMemory.meanStd(s[k], 0, trainEnd);
      for (int t = 0; t < other[k].length; t++) {
        other[k][t] = (other[k][t] - ms[0]) / ms[1];
      }
    }
  }

  /** Window x (C x L) ending before time t (targets start at t). */
  static double[] window(double[][] s, int t, int lookback) {
    double[] x = new double[s.length * lookback];
    for (int c = 0; c < s.length; c++) {
      System.arraycopy(s[c], t - lookback, x, c * lookback, lookback);
    }
    return x;
  }

  static double[] target(double[][] s, int t, int horizon) {
    double[] y = new double[s.length * horizon];
    for (int c = 0; c < s.length; c++) {
      System.arraycopy(s[c], t, y, c * horizon, horizon);
    }
    return y;
  }

  /** What a model forecasts for window x. */
  public interface Model {
    double[] forecast(double[] x);
  }

  /** {MSE, MAE} over the windows whose targets lie in {@code [from, to)}. */
  public static double[] evaluate(Model model, double[][] s, int from, int to, int lookback,
      int horizon) {
    return evaluate(model, s, from, to, lookback, horizon, t -> true);
  }

  /**
   * {MSE, MAE} over the windows whose targets lie in {@code [from, to)} and whose first target
   * step t passes {@code windows} (a focus on some of the test windows, such as those whose
   * horizon overlaps an event).
   */
  public static double[] evaluate(Model model, double[][] s, int from, int to, int lookback,
      int horizon, java.util.function.IntPredicate windows) {
    double se = 0;
    double ae = 0;
    long n = 0;
    for (int t = Math.max(from, lookback); t + horizon <= to; t++) {
      if (!windows.test(t)) {
        continue;
      }
      double[] y = target(s, t, horizon);
      double[] f = model.forecast(window(s, t, lookback));
      for (int i = 0; i < y.length; i++) {
        double e = f[i] - y[i];
        se += e * e;
        ae += Math.abs(e);
        n++;
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException("no complete window in [" + from + ", " + to
          + "): the series is too short for lookback " + lookback + " + horizon " + horizon);
    }
    return new double[] {se / n, ae / n};
  }

  /** Seasonal naive: the value one season (of {@code season} steps) before each target step. */
  public static Model seasonalNaive(int series, int lookback, int horizon, int season) {
    if (season < 1 || season > lookback) {
      throw new IllegalArgumentException("season must be in [1, lookback], got " + season);
    }
    return x -> {
      double[] f = new double[series * horizon];
      for (int c = 0; c < series; c++) {
        for (int h = 0; h < horizon; h++) {
          f[c * horizon + h] = x[c * lookback + lookback - season + (h % season)];
        }
      }
      return f;
    };
  }

  /**
   * Trains with Adam on the windows with targets in {@code [0, trainEnd)}, early-stopping on
   * those in {@code [trainEnd, validEnd)} (patience epochs without improvement), and restores
   * the best parameters. Returns the number of epochs run.
   */
  public static int train(Forecaster net, double[][] s, int trainEnd, int validEnd, int epochs,
      int patience, double lr, PrintStream progress) {
    List<double[][]> params = net.parameters();
    Adam[] adams = params.stream().map(p -> new Adam(p[0].length, lr, false))
        .toArray(Adam[]::new);
    List<GshLayer> layers = net.gshLayers();
    Adam alphas = new Adam(layers.size(), lr, false);
    double[] logits = new double[layers.size()];
    double[][] best = snapshot(params, layers);
    double bestVal = Double.POSITIVE_INFINITY;
    int since = 0;
    int epoch = 0;
    int lookback = net.lookback();
    int horizon = net.horizon();
    long start = System.nanoTime();
    for (; epoch < epochs && since < patience; epoch++) {
      net.zeroGrad();
      double mse = 0;
      int windows = 0;
      for (int t = lookback; t + horizon <= trainEnd; t++) {
        double[] y = target(s, t, horizon);
        double[] f = net.forward(window(s, t, lookback));
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
          d[i] = 2 * (f[i] - y[i]) / f.length;
          mse += (f[i] - y[i]) * (f[i] - y[i]) / f.length;
        }
        net.backward(d);
        windows++;
      }
      for (double[][] p : params) { // mean over windows
        for (int i = 0; i < p[1].length; i++) {
          p[1][i] /= windows;
        }
      }
      for (int k = 0; k < params.size(); k++) {
        adams[k].step(params.get(k)[0], params.get(k)[1]);
      }
      double[] gl = new double[layers.size()];
      for (int k = 0; k < layers.size(); k++) {
        logits[k] = layers.get(k).a;
        gl[k] = layers.get(k).gA / windows;
      }
      if (layers.get(0).learnsAlpha()) {
        alphas.step(logits, gl);
        for (int k = 0; k < layers.size(); k++) {
          layers.get(k).a = logits[k];
        }
      }
      double val = evaluate(net::forward, s, trainEnd, validEnd, lookback, horizon)[0];
      if (val < bestVal) {
        bestVal = val;
        best = snapshot(params, layers);
        since = 0;
      } else {
        since++;
      }
      if (progress != null) {
        progress.println(String.format(Locale.ROOT, "epoch %d/%d: train mse %.4f, validation "
            + "mse %.4f (best %.4f), alpha %.3f, %.1f s", epoch + 1, epochs, mse / windows, val,
            bestVal, layers.get(0).alpha(), (System.nanoTime() - start) / 1e9));
      }
    }
    restore(best, params, layers);
    return epoch;
  }

  private static double[][] snapshot(List<double[][]> params, List<GshLayer> layers) {
    double[][] out = new double[params.size() + 1][];
    for (int k = 0; k < params.size(); k++) {
      out[k] = params.get(k)[0].clone();
    }
    out[params.size()] = layers.stream().mapToDouble(l -> l.a).toArray();
    return out;
  }

  private static void restore(double[][] snap, List<double[][]> params, List<GshLayer> layers) {
    for (int k = 0; k < params.size(); k++) {
      System.arraycopy(snap[k], 0, params.get(k)[0], 0, snap[k].length);
    }
    for (int k = 0; k < layers.size(); k++) {
      layers.get(k).a = snap[params.size()][k];
    }
  }
}
