package org.hopfieldstore.core.models;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * STanHop-Net as the official code builds it (MAGICS-LAB/STanHop {@code code_models/
 * stanhop.py}, {@code encoder.py}, {@code decoder.py}; arXiv 2312.17346, Fig. 1), on one window
 * of C series:
 * <ul>
 *   <li><b>embedding</b>: the lookback L is padded at the front to a multiple of the patch P by
 *       repeating the first step; each series' patches are embedded ({@code patch W_e + b_e}),
 *       a learnable positional embedding (C x n x d, N(0, 1)) is added and a layer norm
 *       applied;
 *   <li><b>encoder</b>: {@code levels} STanHop blocks ({@link StanHopBlock}); every block after
 *       the first coarse-grains first ({@link CoarseGrain}: concatenation of {@code window}
 *       segments, layer norm, linear, odd lengths padded), so the resolutions have n,
 *       ceil(n / w), ceil(n / w^2), ... segments;
 *   <li><b>decoder</b>: {@code levels + 1} layers, one per encoder output (the embedding, then
 *       each block's output), starting from a learnable positional input (C x ceil(H / P) x d).
 *       Layer i applies a STanHop block to its input, lets each series' output segments retrieve
 *       from that series' segments of encoder output i with a GSH layer, then {@code u =
 *       LN(x + GSH)}, {@code out = LN(u + FFN(u))} (hidden width d), and predicts P steps per
 *       output segment with a linear layer; the forecast is the sum of every layer's
 *       prediction, cut to H. So every resolution reaches the forecast.
 * </ul>
 * Multi-head GSH layers ({@link GshLayer#multiHead}, learnable alpha unless dense); the official
 * code's dropout (0 in its runs), its projections' biases and its output projections are left
 * out. Forward and hand-derived backward in float64.
 */
public final class StanHopEncoderDecoder implements Forecaster {
  private final int series;
  private final int lookback;
  private final int horizon;
  public final int patch;
  public final int dModel;
  public final int levels;
  public final int window;
  /** Patches of the padded lookback, and output segments of the padded horizon. */
  public final int inSegments;
  public final int outSegments;
  public final double[] we;
  public final double[] be;
  public final double[] encPos;
  public final double[] decPos;
  public final double[] gWe;
  public final double[] gBe;
  public final double[] gEncPos;
  public final double[] gDecPos;
  final LayerNorm preNorm;
  /** Coarse-graining before block i (null for the first block). */
  final List<CoarseGrain> coarse = new ArrayList<>();
  final List<StanHopBlock> encoder = new ArrayList<>();
  final List<DecoderLayer> decoder = new ArrayList<>();

  // forward cache
  private double[] padded;
  private LayerNorm.Call preNormCall;
  private final List<double[]> encoded = new ArrayList<>();
  private final int[] segments;

  /** One decoder layer: block, retrieval from one resolution, sublayers, linear prediction. */
  static final class DecoderLayer {
    final StanHopBlock block;
    final GshLayer retrieve;
    final LayerNorm ln1;
    final FeedForward ff;
    final LayerNorm ln2;
    final double[] wp;
    final double[] bp;
    final double[] gWp;
    final double[] gBp;
    // forward cache
    final List<GshLayer.Call> calls = new ArrayList<>();
    final List<LayerNorm.Call> n1 = new ArrayList<>();
    final List<FeedForward.Call> f = new ArrayList<>();
    final List<LayerNorm.Call> n2 = new ArrayList<>();
    double[] out;

    DecoderLayer(int series, int d, int patch, int routers, int heads, double beta,
        double alpha, boolean dense, SplittableRandom rnd) {
      block = new StanHopBlock(series, d, routers, 2 * d, heads, beta, alpha, dense,
          rnd.nextLong());
      retrieve = StanHopBlock.layer(d, heads, beta, alpha, dense, rnd.nextLong());
      ln1 = new LayerNorm(d);
      ff = new FeedForward(d, d, rnd.nextLong());
      ln2 = new LayerNorm(d);
      wp = Mat.gaussian(d * patch, 1 / Math.sqrt(d), rnd);
      bp = new double[patch];
      gWp = new double[wp.length];
      gBp = new double[bp.length];
    }
  }

  /**
   * The network for C series, lookback L, patch P, width d, horizon H, {@code levels} encoder
   * blocks, coarse-graining window w (>= 2), {@code routers} router vectors per block, GSH
   * layers of {@code heads} heads (dividing d); {@code dense} fixes every GSH layer at alpha = 1
   * (softmax), the paper's dense baseline.
   */
  public StanHopEncoderDecoder(int series, int lookback, int patch, int dModel, int horizon,
      int levels, int window, int routers, int heads, double beta, double alpha, boolean dense,
      long seed) {
    if (series < 1 || lookback < 1 || patch < 1 || dModel < 1 || horizon < 1 || levels < 1
        || routers < 1 || heads < 1) {
      throw new IllegalArgumentException("STanHop-Net sizes must be >= 1");
    }
    if (dModel % heads != 0) {
      throw new IllegalArgumentException("heads " + heads + " must divide the model width "
          + dModel);
    }
    if (window < 2) {
      throw new IllegalArgumentException("coarse-graining window must be >= 2, got " + window);
    }
    this.series = series;
    this.lookback = lookback;
    this.horizon = horizon;
    this.patch = patch;
    this.dModel = dModel;
    this.levels = levels;
    this.window = window;
    inSegments = (lookback + patch - 1) / patch;
    outSegments = (horizon + patch - 1) / patch;
    double a = dense ? 1.0 : alpha;
    SplittableRandom rnd = new SplittableRandom(seed);
    we = Mat.gaussian(patch * dModel, 1 / Math.sqrt(patch), rnd);
    be = new double[dModel];
    encPos = Mat.gaussian(series * inSegments * dModel, 1, rnd);
    decPos = Mat.gaussian(series * outSegments * dModel, 1, rnd);
    gWe = new double[we.length];
    gBe = new double[be.length];
    gEncPos = new double[encPos.length];
    gDecPos = new double[decPos.length];
    preNorm = new LayerNorm(dModel);
    segments = new int[levels + 1];
    segments[0] = inSegments;
    for (int l = 0; l < levels; l++) {
      coarse.add(l == 0 ? null : new CoarseGrain(series, dModel, window, rnd.nextLong()));
      segments[l + 1] = l == 0 ? inSegments : CoarseGrain.coarsened(segments[l], window);
      encoder.add(new StanHopBlock(series, dModel, routers, 2 * dModel, heads, beta, a, dense,
          rnd.nextLong()));
    }
    for (int l = 0; l <= levels; l++) {
      decoder.add(new DecoderLayer(series, dModel, patch, routers, heads, beta, a, dense, rnd));
    }
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

  /** Segments of encoder output i (0: the embedding). */
  public int segments(int i) {
    return segments[i];
  }

  @Override
  public List<double[][]> parameters() {
    List<double[][]> out = new ArrayList<>();
    out.add(new double[][] {we, gWe});
    out.add(new double[][] {be, gBe});
    out.add(new double[][] {encPos, gEncPos});
    out.add(new double[][] {decPos, gDecPos});
    preNorm.addParameters(out);
    for (int l = 0; l < levels; l++) {
      if (coarse.get(l) != null) {
        coarse.get(l).addParameters(out);
      }
      encoder.get(l).addParameters(out);
    }
    for (DecoderLayer d : decoder) {
      d.block.addParameters(out);
      d.retrieve.addParameters(out);
      d.ln1.addParameters(out);
      d.ln2.addParameters(out);
      d.ff.addParameters(out);
      out.add(new double[][] {d.wp, d.gWp});
      out.add(new double[][] {d.bp, d.gBp});
    }
    return out;
  }

  /** The encoder blocks' sites; the decoder's first input is a constant, not a memory. */
  @Override
  public List<PluginSite> pluginSites() {
    return encoder.stream().map(b -> b.site).toList();
  }

  @Override
  public List<GshLayer> gshLayers() {
    List<GshLayer> all = new ArrayList<>();
    encoder.forEach(b -> all.addAll(b.gshLayers()));
    for (DecoderLayer d : decoder) {
      all.addAll(d.block.gshLayers());
      all.add(d.retrieve);
    }
    return all;
  }

  @Override
  public void zeroGrad() {
    for (double[] g : new double[][] {gWe, gBe, gEncPos, gDecPos}) {
      java.util.Arrays.fill(g, 0);
    }
    preNorm.zeroGrad();
    coarse.stream().filter(java.util.Objects::nonNull).forEach(CoarseGrain::zeroGrad);
    encoder.forEach(StanHopBlock::zeroGrad);
    for (DecoderLayer d : decoder) {
      d.block.zeroGrad();
      d.retrieve.zeroGrad();
      d.ln1.zeroGrad();
      d.ff.zeroGrad();
      d.ln2.zeroGrad();
      java.util.Arrays.fill(d.gWp, 0);
      java.util.Arrays.fill(d.gBp, 0);
    }
  }

  @Override
  public double[] forward(double[] x) {
    if (x.length != series * lookback) {
      throw new IllegalArgumentException("input must be " + series + " x " + lookback
          + " values, got " + x.length);
    }
    int n = inSegments;
    int padLen = n * patch;
    int front = padLen - lookback;
    padded = new double[series * padLen];
    for (int c = 0; c < series; c++) {
      for (int t = 0; t < padLen; t++) {
        padded[c * padLen + t] = x[c * lookback + Math.max(0, t - front)];
      }
    }
    double[] z = new double[series * n * dModel];
    for (int c = 0; c < series; c++) {
      for (int t = 0; t < n; t++) {
        for (int d = 0; d < dModel; d++) {
          double s = be[d] + encPos[(c * n + t) * dModel + d];
          for (int i = 0; i < patch; i++) {
            s += padded[c * padLen + t * patch + i] * we[i * dModel + d];
          }
          z[(c * n + t) * dModel + d] = s;
        }
      }
    }
    preNormCall = preNorm.forward(z, series * n);
    encoded.clear();
    encoded.add(preNormCall.output);
    z = preNormCall.output;
    for (int l = 0; l < levels; l++) {
      if (coarse.get(l) != null) {
        z = coarse.get(l).forward(z, segments[l]);
      }
      z = encoder.get(l).forward(z, segments[l + 1]);
      encoded.add(z);
    }
    int m = outSegments;
    double[] sum = new double[series * m * patch];
    double[] y = decPos;
    for (int l = 0; l <= levels; l++) {
      DecoderLayer layer = decoder.get(l);
      for (List<?> calls : List.of(layer.calls, layer.n1, layer.f, layer.n2)) {
        calls.clear();
      }
      double[] h = layer.block.forward(y, m);
      double[] cross = encoded.get(l);
      int k = segments[l];
      double[] out = new double[h.length];
      for (int c = 0; c < series; c++) {
        double[] hc = java.util.Arrays.copyOfRange(h, c * m * dModel, (c + 1) * m * dModel);
        double[] yc = java.util.Arrays.copyOfRange(cross, c * k * dModel,
            (c + 1) * k * dModel);
        GshLayer.Call g = layer.retrieve.call(hc, m, yc, k);
        layer.calls.add(g);
        double[] o = StanHopBlock.normFeedForwardNorm(hc, g.output, m, layer.ln1, layer.ff,
            layer.ln2, layer.n1, layer.f, layer.n2);
        System.arraycopy(o, 0, out, c * m * dModel, m * dModel);
      }
      layer.out = out;
      double[] pred = Mat.mul(out, series * m, dModel, layer.wp, patch);
      for (int r = 0; r < series * m; r++) {
        for (int p = 0; p < patch; p++) {
          sum[r * patch + p] += pred[r * patch + p] + layer.bp[p];
        }
      }
      y = out;
    }
    double[] forecast = new double[series * horizon];
    for (int c = 0; c < series; c++) {
      System.arraycopy(sum, c * m * patch, forecast, c * horizon, horizon);
    }
    return forecast;
  }

  @Override
  public double[] backward(double[] dOut) {
    int m = outSegments;
    double[] dSum = new double[series * m * patch];
    for (int c = 0; c < series; c++) {
      System.arraycopy(dOut, c * horizon, dSum, c * m * patch, horizon);
    }
    List<double[]> dEncoded = new ArrayList<>();
    for (int l = 0; l <= levels; l++) {
      dEncoded.add(new double[encoded.get(l).length]);
    }
    double[] dy = new double[series * m * dModel]; // gradient into the next layer's input
    for (int l = levels; l >= 0; l--) {
      DecoderLayer layer = decoder.get(l);
      int rows = series * m;
      for (int r = 0; r < rows; r++) {
        for (int p = 0; p < patch; p++) {
          layer.gBp[p] += dSum[r * patch + p];
        }
      }
      Mat.addTo(layer.gWp, Mat.mulTransA(layer.out, rows, dModel, dSum, patch));
      double[] dOutL = Mat.mulTransB(dSum, rows, patch, layer.wp, dModel);
      Mat.addTo(dOutL, dy);
      int k = segments[l];
      double[] dh = new double[rows * dModel];
      for (int c = 0; c < series; c++) {
        double[] da = StanHopBlock.normFeedForwardNormBackward(
            java.util.Arrays.copyOfRange(dOutL, c * m * dModel, (c + 1) * m * dModel),
            layer.ln1, layer.ff, layer.ln2, layer.n1.get(c), layer.f.get(c), layer.n2.get(c));
        double[][] dg = layer.retrieve.backward(layer.calls.get(c), da); // {dQueries, dKeys}
        for (int i = 0; i < m * dModel; i++) {
          dh[c * m * dModel + i] = da[i] + dg[0][i];
        }
        double[] de = dEncoded.get(l);
        for (int i = 0; i < k * dModel; i++) {
          de[c * k * dModel + i] += dg[1][i];
        }
      }
      dy = layer.block.backward(dh);
    }
    Mat.addTo(gDecPos, dy);
    double[] g = dEncoded.get(levels);
    for (int l = levels - 1; l >= 0; l--) {
      g = encoder.get(l).backward(g);
      if (coarse.get(l) != null) {
        g = coarse.get(l).backward(g);
      }
      Mat.addTo(g, dEncoded.get(l));
    }
    double[] dz = preNorm.backward(preNormCall, g);
    Mat.addTo(gEncPos, dz);
    int n = inSegments;
    int padLen = n * patch;
    int front = padLen - lookback;
    double[] dx = new double[series * lookback];
    for (int c = 0; c < series; c++) {
      for (int t = 0; t < n; t++) {
        for (int d = 0; d < dModel; d++) {
          double gz = dz[(c * n + t) * dModel + d];
          gBe[d] += gz;
          for (int i = 0; i < patch; i++) {
            int step = t * patch + i;
            gWe[i * dModel + d] += padded[c * padLen + step] * gz;
            dx[c * lookback + Math.max(0, step - front)] += we[i * dModel + d] * gz;
          }
        }
      }
    }
    return dx;
  }
}
