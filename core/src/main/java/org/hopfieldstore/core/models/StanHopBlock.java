package org.hopfieldstore.core.models;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The full STanHop block (arXiv 2312.17346, Sec. 3.2, Fig. 1; the STHM layer of the official
 * code), on z laid out [series C][patch n][d]:
 * <ul>
 *   <li>temporal stage, per series: {@code a = z + GSH(z, z)}, {@code t = LN1(a)},
 *       {@code t = LN2(t + FFN1(t))};
 *   <li>cross-series stage with routers (the Crossformer router mechanism the paper adopts), per
 *       patch position with the series' vectors X (C x d): the {@code factor} learnable router
 *       vectors R gather from the series, {@code B = GSH_gather(R, X)}, the series retrieve from
 *       them, {@code H = GSH_distribute(X, B)}, then {@code e = LN3(X + H)},
 *       {@code e = LN4(e + FFN2(e))}. Routers cost O(C factor) instead of O(C^2).
 * </ul>
 * Hand-derived backward; every GSH layer has learnable alpha unless the block is dense.
 */
public final class StanHopBlock {
  final int series;
  final int dModel;
  final int factor;
  public final GshLayer temporal;
  public final GshLayer gather;
  public final GshLayer distribute;
  final LayerNorm ln1;
  final LayerNorm ln2;
  final LayerNorm ln3;
  final LayerNorm ln4;
  final FeedForward ff1;
  final FeedForward ff2;
  public final double[] routers;
  public final double[] gRouters;
  /** Where an external memory plug-in may retrieve into the block's input. */
  public final PluginSite site;

  // forward caches
  private int n;
  private final List<GshLayer.Call> tCalls = new ArrayList<>();
  private final List<LayerNorm.Call> l1 = new ArrayList<>();
  private final List<FeedForward.Call> f1 = new ArrayList<>();
  private final List<LayerNorm.Call> l2 = new ArrayList<>();
  private final List<GshLayer.Call> gCalls = new ArrayList<>();
  private final List<GshLayer.Call> dCalls = new ArrayList<>();
  private final List<LayerNorm.Call> l3 = new ArrayList<>();
  private final List<FeedForward.Call> f2 = new ArrayList<>();
  private final List<LayerNorm.Call> l4 = new ArrayList<>();

  StanHopBlock(int series, int dModel, int factor, int hidden, double beta, double alpha,
      boolean dense, long seed) {
    this(series, dModel, factor, hidden, 1, beta, alpha, dense, seed);
  }

  /** The block with {@code heads}-head GSH layers (heads divides dModel). */
  StanHopBlock(int series, int dModel, int factor, int hidden, int heads, double beta,
      double alpha, boolean dense, long seed) {
    if (factor < 1) {
      throw new IllegalArgumentException("router count must be >= 1, got " + factor);
    }
    this.series = series;
    this.dModel = dModel;
    this.factor = factor;
    SplittableRandom rnd = new SplittableRandom(seed);
    temporal = layer(dModel, heads, beta, alpha, dense, rnd.nextLong());
    gather = layer(dModel, heads, beta, alpha, dense, rnd.nextLong());
    distribute = layer(dModel, heads, beta, alpha, dense, rnd.nextLong());
    ln1 = new LayerNorm(dModel);
    ln2 = new LayerNorm(dModel);
    ln3 = new LayerNorm(dModel);
    ln4 = new LayerNorm(dModel);
    ff1 = new FeedForward(dModel, hidden, rnd.nextLong());
    ff2 = new FeedForward(dModel, hidden, rnd.nextLong());
    routers = Mat.gaussian(factor * dModel, 1, rnd);
    gRouters = new double[routers.length];
    site = new PluginSite(dModel, temporal);
  }

  static GshLayer layer(int d, int heads, double beta, double alpha, boolean dense,
      long seed) {
    return GshLayer.multiHead(d, d, d, heads, beta, dense ? 1.0 : alpha, dense, seed);
  }

  List<GshLayer> gshLayers() {
    return List.of(temporal, gather, distribute);
  }

  /** Every parameter with its gradient: the GSH projections, norms, feed-forwards, routers. */
  void addParameters(List<double[][]> out) {
    gshLayers().forEach(g -> g.addParameters(out));
    for (LayerNorm l : new LayerNorm[] {ln1, ln2, ln3, ln4}) {
      l.addParameters(out);
    }
    ff1.addParameters(out);
    ff2.addParameters(out);
    out.add(new double[][] {routers, gRouters});
  }

  /** Clears every gradient of the block, its GSH layers' included. */
  void zeroGrad() {
    gshLayers().forEach(GshLayer::zeroGrad);
    for (LayerNorm l : new LayerNorm[] {ln1, ln2, ln3, ln4}) {
      l.zeroGrad();
    }
    ff1.zeroGrad();
    ff2.zeroGrad();
    java.util.Arrays.fill(gRouters, 0);
  }

  /** z is [C][n][d]; returns the block's output in the same layout. */
  double[] forward(double[] z, int patches) {
    n = patches;
    for (List<?> l : List.of(tCalls, l1, f1, l2, gCalls, dCalls, l3, f2, l4)) {
      l.clear();
    }
    int d = dModel;
    z = site.forward(z, series * n);
    double[] t = new double[z.length];
    for (int c = 0; c < series; c++) {
      double[] zc = java.util.Arrays.copyOfRange(z, c * n * d, (c + 1) * n * d);
      GshLayer.Call g = temporal.call(zc, n, zc, n);
      tCalls.add(g);
      double[] y = normFeedForwardNorm(zc, g.output, n, ln1, ff1, ln2, l1, f1, l2);
      System.arraycopy(y, 0, t, c * n * d, n * d);
    }
    double[] out = new double[z.length];
    for (int p = 0; p < n; p++) {
      double[] x = column(t, p);
      GshLayer.Call gb = gather.call(routers, factor, x, series);
      gCalls.add(gb);
      GshLayer.Call dh = distribute.call(x, series, gb.output, factor);
      dCalls.add(dh);
      double[] y = normFeedForwardNorm(x, dh.output, series, ln3, ff2, ln4, l3, f2, l4);
      for (int c = 0; c < series; c++) {
        System.arraycopy(y, c * d, out, (c * n + p) * d, d);
      }
    }
    return out;
  }

  /** Accumulates every gradient for upstream dOut ([C][n][d]); returns dL/dz. */
  double[] backward(double[] dOut) {
    int d = dModel;
    double[] dt = new double[dOut.length];
    for (int p = 0; p < n; p++) {
      double[] da = normFeedForwardNormBackward(column(dOut, p), ln3, ff2, ln4, l3.get(p),
          f2.get(p), l4.get(p));
      double[] dx = da.clone(); // residual
      double[][] dd = distribute.backward(dCalls.get(p), da); // {dX, dB}
      Mat.addTo(dx, dd[0]);
      double[][] dg = gather.backward(gCalls.get(p), dd[1]); // {dRouters, dX}
      Mat.addTo(gRouters, dg[0]);
      Mat.addTo(dx, dg[1]);
      for (int c = 0; c < series; c++) {
        System.arraycopy(dx, c * d, dt, (c * n + p) * d, d);
      }
    }
    double[] dz = new double[dOut.length];
    for (int c = 0; c < series; c++) {
      double[] da = normFeedForwardNormBackward(
          java.util.Arrays.copyOfRange(dt, c * n * d, (c + 1) * n * d), ln1, ff1, ln2,
          l1.get(c), f1.get(c), l2.get(c));
      double[][] dg = temporal.backward(tCalls.get(c), da);
      for (int i = 0; i < n * d; i++) {
        dz[c * n * d + i] = da[i] + dg[0][i] + dg[1][i];
      }
    }
    return site.backward(dz);
  }

  /** {@code LN_b(u + FFN(u))} with {@code u = LN_a(x + h)}: the sublayers after a GSH layer. */
  static double[] normFeedForwardNorm(double[] x, double[] h, int rows, LayerNorm lnA,
      FeedForward ff, LayerNorm lnB, List<LayerNorm.Call> callsA, List<FeedForward.Call> callsF,
      List<LayerNorm.Call> callsB) {
    double[] a = x.clone();
    Mat.addTo(a, h);
    LayerNorm.Call na = lnA.forward(a, rows);
    callsA.add(na);
    FeedForward.Call f = ff.forward(na.output, rows);
    callsF.add(f);
    double[] b = na.output.clone();
    Mat.addTo(b, f.output);
    LayerNorm.Call nb = lnB.forward(b, rows);
    callsB.add(nb);
    return nb.output;
  }

  /** dL/d(x + h) of {@link #normFeedForwardNorm} for upstream dy. */
  static double[] normFeedForwardNormBackward(double[] dy, LayerNorm lnA,
      FeedForward ff, LayerNorm lnB, LayerNorm.Call na, FeedForward.Call f, LayerNorm.Call nb) {
    double[] db = lnB.backward(nb, dy);
    double[] du = db.clone();
    Mat.addTo(du, ff.backward(f, db));
    return lnA.backward(na, du);
  }

  private double[] column(double[] z, int p) {
    double[] out = new double[series * dModel];
    for (int c = 0; c < series; c++) {
      System.arraycopy(z, (c * n + p) * dModel, out, c * dModel, dModel);
    }
    return out;
  }
}
