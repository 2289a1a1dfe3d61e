package org.hopfieldstore.core.models;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A compact STanHop-Net (arXiv 2312.17346, Sec. 3.2-3.3, Fig. 1): each of C series' lookback
 * window of length L is cut into patches of P steps and embedded ({@code E = patch W_e + b_e});
 * every level applies a STanHop block, a temporal GSH layer (each series' patches attend to
 * each other) then a cross-series GSH layer (at each patch position the series attend to each
 * other), both with residual connections; between levels adjacent patches are averaged
 * (coarser resolution); a linear head maps each series' final patches to the H-step forecast.
 * {@link #full} replaces each level's two residual GSH layers with the full {@link StanHopBlock}
 * (layer norms, feed-forward sublayers, router vectors); left out relative to the paper: the
 * learnable positional embedding and the decoder (a linear head instead). Forward and
 * hand-derived backward
 * in float64; parameters and gradients are exposed as arrays for an optimiser.
 */
public final class StanHopNet implements Forecaster {
  public final int series;
  public final int lookback;
  public final int patch;
  public final int dModel;
  public final int horizon;
  public final int levels;
  public final double[] we;
  public final double[] be;
  public final double[] wh;
  public final double[] bh;
  public final double[] gWe;
  public final double[] gBe;
  public final double[] gWh;
  public final double[] gBh;
  public final List<GshLayer> temporal = new ArrayList<>();
  public final List<GshLayer> cross = new ArrayList<>();
  /** The full blocks (layer norms, feed-forward, routers), one per level; empty when compact. */
  public final List<StanHopBlock> blocks = new ArrayList<>();
  /** The compact levels' plug-in sites (at each level's input); the full blocks have their own. */
  private final List<PluginSite> levelSites = new ArrayList<>();

  // forward cache
  private double[] input;
  private final List<double[]> levelInputs = new ArrayList<>();
  private final List<List<GshLayer.Call>> tCalls = new ArrayList<>();
  private final List<List<GshLayer.Call>> cCalls = new ArrayList<>();
  private final List<double[]> afterTemporal = new ArrayList<>();
  private double[] last;

  public StanHopNet(int series, int lookback, int patch, int dModel, int horizon, int levels,
      double beta, double alpha, long seed) {
    this(series, lookback, patch, dModel, horizon, levels, beta, alpha, seed, false);
  }

  /**
   * The dense-Hopfield variant: the same network with every GSH layer fixed at alpha = 1
   * (softmax attention), the baseline the paper compares its sparse layers against.
   */
  public static StanHopNet dense(int series, int lookback, int patch, int dModel, int horizon,
      int levels, double beta, long seed) {
    return new StanHopNet(series, lookback, patch, dModel, horizon, levels, beta, 1.0, seed,
        true, 0);
  }

  /**
   * STanHop-Net with the full block of each level ({@link StanHopBlock}: layer norms,
   * feed-forward sublayers of width 2 dModel, {@code routers} router vectors in the cross-series
   * stage); {@code dense} fixes every GSH layer at alpha = 1 (softmax).
   */
  public static StanHopNet full(int series, int lookback, int patch, int dModel, int horizon,
      int levels, double beta, double alpha, int routers, boolean dense, long seed) {
    if (routers < 1) {
      throw new IllegalArgumentException("routers must be >= 1, got " + routers);
    }
    return new StanHopNet(series, lookback, patch, dModel, horizon, levels, beta,
        dense ? 1.0 : alpha, seed, dense, routers);
  }

  private StanHopNet(int series, int lookback, int patch, int dModel, int horizon, int levels,
      double beta, double alpha, long seed, boolean fixedAlpha) {
    this(series, lookback, patch, dModel, horizon, levels, beta, alpha, seed, fixedAlpha, 0);
  }

  private StanHopNet(int series, int lookback, int patch, int dModel, int horizon, int levels,
      double beta, double alpha, long seed, boolean fixedAlpha, int routers) {
    if (series < 1 || patch < 1 || dModel < 1 || horizon < 1 || levels < 1) {
      throw new IllegalArgumentException("STanHop-Net sizes must be >= 1");
    }
    if (lookback % (patch << (levels - 1)) != 0) {
      throw new IllegalArgumentException("lookback " + lookback + " must be a multiple of patch "
          + "x 2^(levels-1) = " + (patch << (levels - 1)));
    }
    this.series = series;
    this.lookback = lookback;
    this.patch = patch;
    this.dModel = dModel;
    this.horizon = horizon;
    this.levels = levels;
    SplittableRandom rnd = new SplittableRandom(seed);
    we = Mat.gaussian(patch * dModel, 1 / Math.sqrt(patch), rnd);
    be = new double[dModel];
    int last = patches(levels - 1) * dModel;
    wh = Mat.gaussian(last * horizon, 1 / Math.sqrt(last), rnd);
    bh = new double[horizon];
    gWe = new double[we.length];
    gBe = new double[be.length];
    gWh = new double[wh.length];
    gBh = new double[bh.length];
    for (int l = 0; l < levels && routers > 0; l++) {
      blocks.add(new StanHopBlock(series, dModel, routers, 2 * dModel, beta, alpha, fixedAlpha,
          rnd.nextLong()));
    }
    for (int l = 0; l < levels && routers == 0; l++) {
      temporal.add(fixedAlpha
          ? GshLayer.fixedAlpha(dModel, dModel, dModel, beta, alpha, rnd.nextLong())
          : new GshLayer(dModel, dModel, dModel, beta, alpha, rnd.nextLong()));
      cross.add(fixedAlpha
          ? GshLayer.fixedAlpha(dModel, dModel, dModel, beta, alpha, rnd.nextLong())
          : new GshLayer(dModel, dModel, dModel, beta, alpha, rnd.nextLong()));
      levelSites.add(new PluginSite(dModel, temporal.get(l)));
    }
  }

  @Override
  public List<PluginSite> pluginSites() {
    return blocks.isEmpty() ? List.copyOf(levelSites)
        : blocks.stream().map(b -> b.site).toList();
  }

  @Override
  public int series() {
    return series;
  }

  @Override
  public int lookback() {
    return lookback;
  }

  @Override
  public int horizon() {
    return horizon;
  }

  /** Patches per series at a level (halved at each coarsening). */
  public int patches(int level) {
    return (lookback / patch) >> level;
  }

  @Override
  public List<double[][]> parameters() {
    List<double[][]> out = new ArrayList<>();
    out.add(new double[][] {we, gWe});
    out.add(new double[][] {be, gBe});
    out.add(new double[][] {wh, gWh});
    out.add(new double[][] {bh, gBh});
    temporal.forEach(g -> g.addParameters(out));
    cross.forEach(g -> g.addParameters(out));
    blocks.forEach(b -> b.addParameters(out));
    return out;
  }

  @Override
  public List<GshLayer> gshLayers() {
    List<GshLayer> all = new ArrayList<>(temporal);
    all.addAll(cross);
    blocks.forEach(b -> all.addAll(b.gshLayers()));
    return all;
  }

  @Override
  public void zeroGrad() {
    java.util.Arrays.fill(gWe, 0);
    java.util.Arrays.fill(gBe, 0);
    java.util.Arrays.fill(gWh, 0);
    java.util.Arrays.fill(gBh, 0);
    temporal.forEach(GshLayer::zeroGrad);
    cross.forEach(GshLayer::zeroGrad);
    blocks.forEach(StanHopBlock::zeroGrad);
  }

  @Override
  public double[] forward(double[] x) {
    if (x.length != series * lookback) {
      throw new IllegalArgumentException("input must be " + series + " x " + lookback
          + " values, got " + x.length);
    }
    input = x;
    levelInputs.clear();
    tCalls.clear();
    cCalls.clear();
    afterTemporal.clear();
    int n = patches(0);
    double[] z = new double[series * n * dModel]; // [c][n][d]
    for (int c = 0; c < series; c++) {
      for (int t = 0; t < n; t++) {
        for (int d = 0; d < dModel; d++) {
          double s = be[d];
          for (int i = 0; i < patch; i++) {
            s += x[c * lookback + t * patch + i] * we[i * dModel + d];
          }
          z[(c * n + t) * dModel + d] = s;
        }
      }
    }
    for (int l = 0; l < levels; l++) {
      n = patches(l);
      if (l > 0) {
        z = coarsen(z, 2 * n);
      }
      if (blocks.isEmpty()) {
        z = levelSites.get(l).forward(z, series * n);
      }
      levelInputs.add(z);
      if (!blocks.isEmpty()) {
        z = blocks.get(l).forward(z, n);
        continue;
      }
      List<GshLayer.Call> tc = new ArrayList<>();
      double[] z1 = z.clone();
      for (int c = 0; c < series; c++) { // temporal: patches of one series attend to each other
        double[] zc = java.util.Arrays.copyOfRange(z, c * n * dModel, (c + 1) * n * dModel);
        GshLayer.Call call = temporal.get(l).call(zc, n, zc, n);
        tc.add(call);
        for (int i = 0; i < n * dModel; i++) {
          z1[c * n * dModel + i] += call.output[i];
        }
      }
      tCalls.add(tc);
      afterTemporal.add(z1);
      List<GshLayer.Call> cc = new ArrayList<>();
      double[] z2 = z1.clone();
      for (int t = 0; t < n; t++) { // cross-series: the series at one patch attend to each other
        double[] zt = column(z1, n, t);
        GshLayer.Call call = cross.get(l).call(zt, series, zt, series);
        cc.add(call);
        for (int c = 0; c < series; c++) {
          for (int d = 0; d < dModel; d++) {
            z2[(c * n + t) * dModel + d] += call.output[c * dModel + d];
          }
        }
      }
      cCalls.add(cc);
      z = z2;
    }
    last = z;
    int flat = patches(levels - 1) * dModel;
    double[] out = new double[series * horizon];
    for (int c = 0; c < series; c++) {
      for (int h = 0; h < horizon; h++) {
        double s = bh[h];
        for (int i = 0; i < flat; i++) {
          s += z[c * flat + i] * wh[i * horizon + h];
        }
        out[c * horizon + h] = s;
      }
    }
    return out;
  }

  @Override
  public double[] backward(double[] dOut) {
    int flat = patches(levels - 1) * dModel;
    double[] dz = new double[series * flat];
    for (int c = 0; c < series; c++) {
      for (int h = 0; h < horizon; h++) {
        double g = dOut[c * horizon + h];
        gBh[h] += g;
        for (int i = 0; i < flat; i++) {
          gWh[i * horizon + h] += last[c * flat + i] * g;
          dz[c * flat + i] += wh[i * horizon + h] * g;
        }
      }
    }
    for (int l = levels - 1; l >= 0; l--) {
      int n = patches(l);
      if (!blocks.isEmpty()) {
        double[] d0 = blocks.get(l).backward(dz);
        dz = l > 0 ? uncoarsen(d0, 2 * n) : d0;
        continue;
      }
      // z2 = z1 + cross(z1 columns): dz1 = dz2 + backprop through cross
      double[] dz1 = dz.clone();
      for (int t = 0; t < n; t++) {
        double[] g = column(dz, n, t);
        double[][] d = cross.get(l).backward(cCalls.get(l).get(t), g);
        for (int c = 0; c < series; c++) {
          for (int k = 0; k < dModel; k++) {
            dz1[(c * n + t) * dModel + k] += d[0][c * dModel + k] + d[1][c * dModel + k];
          }
        }
      }
      // z1 = z + temporal(z rows)
      double[] dz0 = dz1.clone();
      for (int c = 0; c < series; c++) {
        double[] g = java.util.Arrays.copyOfRange(dz1, c * n * dModel, (c + 1) * n * dModel);
        double[][] d = temporal.get(l).backward(tCalls.get(l).get(c), g);
        for (int i = 0; i < n * dModel; i++) {
          dz0[c * n * dModel + i] += d[0][i] + d[1][i];
        }
      }
      dz0 = levelSites.get(l).backward(dz0);
      dz = l > 0 ? uncoarsen(dz0, 2 * n) : dz0;
    }
    int n = patches(0);
    double[] dx = new double[series * lookback];
    for (int c = 0; c < series; c++) {
      for (int t = 0; t < n; t++) {
        for (int d = 0; d < dModel; d++) {
          double g = dz[(c * n + t) * dModel + d];
          gBe[d] += g;
          for (int i = 0; i < patch; i++) {
            gWe[i * dModel + d] += input[c * lookback + t * patch + i] * g;
            dx[c * lookback + t * patch + i] += we[i * dModel + d] * g;
          }
        }
      }
    }
    return dx;
  }

  /** Column t of z ([c][n][d]): series x d. */
  private double[] column(double[] z, int n, int t) {
    double[] out = new double[series * dModel];
    for (int c = 0; c < series; c++) {
      System.arraycopy(z, (c * n + t) * dModel, out, c * dModel, dModel);
    }
    return out;
  }

  /** Averages adjacent patches: n patches -> n/2. */
  private double[] coarsen(double[] z, int n) {
    int half = n / 2;
    double[] out = new double[series * half * dModel];
    for (int c = 0; c < series; c++) {
      for (int t = 0; t < half; t++) {
        for (int d = 0; d < dModel; d++) {
          out[(c * half + t) * dModel + d] = 0.5 * (z[(c * n + 2 * t) * dModel + d]
              + z[(c * n + 2 * t + 1) * dModel + d]);
        }
      }
    }
    return out;
  }

  private double[] uncoarsen(double[] dz, int n) {
    int half = n / 2;
    double[] out = new double[series * n * dModel];
    for (int c = 0; c < series; c++) {
      for (int t = 0; t < half; t++) {
        for (int d = 0; d < dModel; d++) {
          double g = 0.5 * dz[(c * half + t) * dModel + d];
          out[(c * n + 2 * t) * dModel + d] = g;
          out[(c * n + 2 * t + 1) * dModel + d] = g;
        }
      }
    }
    return out;
  }
}
