package org.hopfieldstore.core.models;

import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;

/**
 * The output-blending memory, a baseline (forecast {@code --memory blend}): a fixed, train-less
 * generalized sparse Hopfield retrieval from an external set of past windows, mixed into the
 * forecast. The paper's Plug-and-Play memory (arXiv 2312.17346, Sec. 3.3) retrieves into the
 * blocks' representations instead: {@link MemoryPlugin}, {@link MemoryPlugins}. Each
 * stored memory is one past window of one series, normalised by its own lookback's mean and
 * standard deviation, stored as the row {@code [lookback ; following horizon]}; a query is the
 * current window normalised the same way with zeros in the horizon part, so the scores compare
 * lookbacks only and the retrieved state's horizon part is the entmax-weighted mix of the stored
 * futures. The memories live in any store of this project ({@link StepFunction}: in-process, or
 * the Spark store for millions of windows). The forecast becomes
 * {@code (1 - gate) forecast + gate retrieved}.
 */
public final class PlugAndPlayMemory {
  /** No memory: forecasts pass through unchanged. */
  public static final PlugAndPlayMemory EMPTY = new PlugAndPlayMemory(null, 0, 0, null, 0);

  private final StepFunction store;
  private final int lookback;
  private final int horizon;
  private final RetrievalSpec spec;
  private final double gate;

  public PlugAndPlayMemory(StepFunction store, int lookback, int horizon, RetrievalSpec spec,
      double gate) {
    if (store != null && store.dim() != lookback + horizon) {
      throw new IllegalArgumentException("memory rows have dimension " + store.dim()
          + ", expected lookback + horizon = " + (lookback + horizon));
    }
    if (!(gate >= 0 && gate <= 1)) {
      throw new IllegalArgumentException("gate must be in [0, 1], got " + gate);
    }
    this.store = store;
    this.lookback = lookback;
    this.horizon = horizon;
    this.spec = spec;
    this.gate = gate;
  }

  /** The rows {@code [lookback ; horizon]} of every window (stride 1) of every series. */
  public static FloatMatrix windows(double[][] series, int from, int to, int lookback,
      int horizon) {
    int per = to - from - lookback - horizon + 1;
    if (per < 1) {
      throw new IllegalArgumentException("the memory span " + (to - from) + " is shorter than "
          + "lookback + horizon = " + (lookback + horizon));
    }
    int d = lookback + horizon;
    float[] rows = new float[series.length * per * d];
    int r = 0;
    for (double[] s : series) {
      for (int t = from; t + d <= to; t++) {
        double[] ms = meanStd(s, t, lookback);
        for (int i = 0; i < d; i++) {
          rows[r * d + i] = (float) ((s[t + i] - ms[0]) / ms[1]);
        }
        r++;
      }
    }
    return FloatMatrix.of("memory windows", rows, r, d);
  }

  /** An in-process memory of the windows of {@code series[*][from, to)}. */
  public static PlugAndPlayMemory inProcess(double[][] series, int from, int to, int lookback,
      int horizon, RetrievalSpec spec, double gate) {
    FloatMatrix rows = windows(series, from, to, lookback, horizon);
    return new PlugAndPlayMemory(new LocalRetrievalEngine(MemoryBlock.of(rows)), lookback,
        horizon, spec, gate);
  }

  static double[] meanStd(double[] s, int from, int n) {
    double mean = 0;
    for (int i = 0; i < n; i++) {
      mean += s[from + i] / n;
    }
    double var = 0;
    for (int i = 0; i < n; i++) {
      var += (s[from + i] - mean) * (s[from + i] - mean) / n;
    }
    return new double[] {mean, Math.max(Math.sqrt(var), 1e-6)};
  }

  /** The retrieved futures (C x H) for windows x (C x L), in the scale of x. */
  public double[] retrieve(double[] x, int series) {
    int d = lookback + horizon;
    float[] q = new float[series * d];
    double[][] ms = new double[series][];
    for (int c = 0; c < series; c++) {
      ms[c] = meanStd(x, c * lookback, lookback);
      for (int i = 0; i < lookback; i++) {
        q[c * d + i] = (float) ((x[c * lookback + i] - ms[c][0]) / ms[c][1]);
      }
    }
    FloatMatrix states = RetrievalLoop.run(store, FloatMatrix.of("queries", q, series, d),
        spec.withSteps(1),
        1, false).states();
    double[] out = new double[series * horizon];
    for (int c = 0; c < series; c++) {
      for (int h = 0; h < horizon; h++) {
        out[c * horizon + h] = states.get(c, lookback + h) * ms[c][1] + ms[c][0];
      }
    }
    return out;
  }

  /** {@code (1 - gate) forecast + gate retrieved}; the forecast itself without a memory. */
  public double[] apply(double[] forecast, double[] x, int series) {
    if (store == null || gate == 0) {
      return forecast;
    }
    double[] r = retrieve(x, series);
    double[] out = new double[forecast.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (1 - gate) * forecast[i] + gate * r[i];
    }
    return out;
  }
}
