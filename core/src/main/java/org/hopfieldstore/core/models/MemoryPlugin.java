package org.hopfieldstore.core.models;

import java.util.Arrays;
import java.util.List;
import org.hopfieldstore.core.aggregate.FetchRows;
import org.hopfieldstore.core.aggregate.RowBundle;
import org.hopfieldstore.core.reduce.RowSource;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.retrieval.BlockRetrieval;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/**
 * An external memory plug-in of a STanHop block (arXiv 2312.17346, Sec. 3.3): the block's
 * representations R (n x d) retrieve from an external memory set Y (M x d, the network's own
 * block-input representations of memory windows) with a GSH layer, {@code R + GSH(R, Y)}.
 *
 * <p>Two ways to hold Y, with the same result:
 * <ul>
 *   <li>{@link #dense}: Y in memory, {@link GshLayer#call} over all of it (the reference);
 *   <li>{@link #served}: Y kept raw in a store of this project (in-process or Spark). Keys and
 *       values are linear in Y, so head g's query is {@code u = r W_Q,g W_K,g^T} and its scores
 *       {@code beta <y_j, u>}; the store returns the weights' support and {@code s = sum_j p_j
 *       y_j}, and the head's output is {@code s (W_K W_V)[:, g]}. The backward needs only the
 *       support: its rows are fetched once per backward, and the entmax derivative vanishes off
 *       the support (alpha > 1; for softmax, alpha = 1, the support is every memory).
 * </ul>
 * Y is fixed once built (no gradient flows into it); the layer's projections and alpha receive
 * gradients, and so do the queries R.
 */
public final class MemoryPlugin {
  public final GshLayer layer;
  private final double[] denseMemory;
  private final int denseCount;
  private final BlockRetrieval store;
  private long storeSteps;
  private long fetchedRows;

  private GshLayer.Call denseCall;
  private ServedCall servedCall;

  private MemoryPlugin(GshLayer layer, double[] y, int m, BlockRetrieval store) {
    if (layer.dIn != layer.dK || layer.dK != layer.dOut) {
      throw new IllegalArgumentException("a memory plug-in's GSH layer must be d x d x d, got "
          + layer.dIn + " x " + layer.dK + " x " + layer.dOut);
    }
    this.layer = layer;
    this.denseMemory = y;
    this.denseCount = m;
    this.store = store;
  }

  /** The plug-in over memories y (m x d, row-major) held in memory. */
  public static MemoryPlugin dense(GshLayer layer, double[] y, int m) {
    if (y.length != (long) m * layer.dIn) {
      throw new IllegalArgumentException("plug-in memory must be " + m + " x " + layer.dIn
          + " values, got " + y.length);
    }
    return new MemoryPlugin(layer, y, m, null);
  }

  /** The plug-in over the raw memories of {@code store} (dimension d, ids any). */
  public static MemoryPlugin served(GshLayer layer, BlockRetrieval store) {
    if (store.dim() != layer.dIn) {
      throw new IllegalArgumentException("plug-in store holds memories of dimension "
          + store.dim() + "; the block's representations have " + layer.dIn);
    }
    if (store.memoryCount() < 1) {
      throw new IllegalArgumentException("plug-in store holds no memories");
    }
    return new MemoryPlugin(layer, null, 0, store);
  }

  /** Number of memories M. */
  public long memoryCount() {
    return store == null ? denseCount : store.memoryCount();
  }

  /** Whether Y is served by a store (else held in memory). */
  public boolean isServed() {
    return store != null;
  }

  /** Retrieval steps asked of the store, and memory rows fetched for backward passes. */
  public long[] storeTraffic() {
    return new long[] {storeSteps, fetchedRows};
  }

  /** {@code GSH(R, Y)} for queries r (n x d); the caller adds the residual. */
  public double[] forward(double[] r, int n) {
    if (r.length != n * layer.dIn) {
      throw new IllegalArgumentException("plug-in queries must be " + n + " x " + layer.dIn);
    }
    if (store == null) {
      denseCall = layer.call(r, n, denseMemory, denseCount);
      return denseCall.output;
    }
    servedCall = servedForward(r, n);
    return servedCall.output;
  }

  /** Backward of the last forward for upstream dOut (n x d): accumulates gradients, returns dR. */
  public double[] backward(double[] dOut) {
    if (store == null) {
      return layer.backward(denseCall, dOut)[0];
    }
    return servedBackward(servedCall, dOut);
  }

  /** The store's rule for the layer's current alpha. */
  RetrievalSpec spec() {
    double alpha = layer.alpha();
    if (alpha == 1.0) {
      return RetrievalSpec.softmax(layer.beta, 1);
    }
    if (alpha == 2.0) {
      return RetrievalSpec.sparsemax(layer.beta, 1);
    }
    return RetrievalSpec.entmax(alpha, layer.beta, 1);
  }

  private static final class ServedCall {
    final double[] output;
    final double[] r;
    final int n;
    final double[] q;
    final double[] keyValue;
    final double alpha;
    /** Per head g and row i (index g n + i): s, support ids and weights. */
    final double[][] sums;
    final long[][] ids;
    final double[][] weights;

    ServedCall(double[] output, double[] r, int n, double[] q, double[] keyValue, double alpha,
        double[][] sums, long[][] ids, double[][] weights) {
      this.output = output;
      this.r = r;
      this.n = n;
      this.q = q;
      this.keyValue = keyValue;
      this.alpha = alpha;
      this.sums = sums;
      this.ids = ids;
      this.weights = weights;
    }
  }

  private ServedCall servedForward(double[] r, int n) {
    final int d = layer.dIn;
    final int heads = layer.heads;
    final int hk = d / heads;
    final int ho = d / heads;
    double[] q = Mat.mul(r, n, d, layer.wq, d);
    float[] queries = new float[heads * n * d];
    for (int g = 0; g < heads; g++) {
      for (int i = 0; i < n; i++) {
        int row = (g * n + i) * d;
        for (int c = 0; c < d; c++) {
          double u = 0;
          for (int col = g * hk; col < (g + 1) * hk; col++) {
            u += q[i * d + col] * layer.wk[c * d + col];
          }
          queries[row + c] = (float) u;
        }
      }
    }
    double alpha = layer.alpha();
    RetrievalSpec spec = spec();
    int report = (int) Math.min(Integer.MAX_VALUE - 8L, store.memoryCount());
    StepOutput step = store.step(queries, heads * n, spec, report, true);
    storeSteps++;
    double[] keyValue = Mat.mul(layer.wk, d, d, layer.wv, d);
    double[] out = new double[n * d];
    double[][] sums = new double[heads * n][];
    for (int g = 0; g < heads; g++) {
      for (int i = 0; i < n; i++) {
        int b = g * n + i;
        double[] s = new double[d];
        for (int c = 0; c < d; c++) {
          s[c] = step.states[b * d + c];
        }
        sums[b] = s;
        for (int o = g * ho; o < (g + 1) * ho; o++) {
          double v = 0;
          for (int c = 0; c < d; c++) {
            v += s[c] * keyValue[c * d + o];
          }
          out[i * d + o] = v;
        }
        if (alpha == 1.0 && step.supportSize[b] > step.supportIds[b].length) {
          throw new IllegalStateException("the store reported " + step.supportIds[b].length
              + " of the " + step.supportSize[b] + " softmax weights; a gradient needs all");
        }
      }
    }
    return new ServedCall(out, r, n, q, keyValue, alpha, sums, step.supportIds,
        step.supportWeights);
  }

  private double[] servedBackward(ServedCall c, double[] dOut) {
    final int d = layer.dIn;
    final int n = c.n;
    final int heads = layer.heads;
    final int hk = d / heads;
    final int ho = d / heads;
    RowSource rows = supportRows(c.ids, d);
    double[] dKeyValue = new double[d * d];
    double[] dq = new double[n * d];
    double dAlpha = 0;
    double[] ds = new double[d];
    double[] du = new double[d];
    double[] row = new double[d];
    for (int g = 0; g < heads; g++) {
      for (int i = 0; i < n; i++) {
        int b = g * n + i;
        double[] s = c.sums[b];
        Arrays.fill(ds, 0);
        for (int cc = 0; cc < d; cc++) {
          double acc = 0;
          for (int o = g * ho; o < (g + 1) * ho; o++) {
            double dO = dOut[i * d + o];
            dKeyValue[cc * d + o] += s[cc] * dO;
            acc += c.keyValue[cc * d + o] * dO;
          }
          ds[cc] = acc;
        }
        long[] ids = c.ids[b];
        double[] p = c.weights[b];
        int k = ids.length;
        double[][] y = new double[k][];
        double[] dp = new double[k];
        for (int j = 0; j < k; j++) {
          Arrays.fill(row, 0);
          rows.addRow(ids[j], 1, row, 0);
          y[j] = row.clone();
          double v = 0;
          for (int cc = 0; cc < d; cc++) {
            v += y[j][cc] * ds[cc];
          }
          dp[j] = v;
        }
        double[] dz = new double[k];
        dAlpha += Entmax.backward(p, dp, k, c.alpha, dz);
        Arrays.fill(du, 0);
        for (int j = 0; j < k; j++) {
          double w = layer.beta * dz[j];
          for (int cc = 0; cc < d; cc++) {
            du[cc] += w * y[j][cc];
          }
        }
        // u[cc] = sum_col q[i, col] W_K[cc, col] over the head's key columns
        for (int col = g * hk; col < (g + 1) * hk; col++) {
          double acc = 0;
          for (int cc = 0; cc < d; cc++) {
            acc += du[cc] * layer.wk[cc * d + col];
            layer.gWk[cc * d + col] += du[cc] * c.q[i * d + col];
          }
          dq[i * d + col] += acc;
        }
      }
    }
    layer.addAlphaGradient(c.alpha, dAlpha);
    // keyValue = W_K W_V
    Mat.addTo(layer.gWk, Mat.mulTransB(dKeyValue, d, d, layer.wv, d));
    Mat.addTo(layer.gWv, Mat.mulTransA(layer.wk, d, d, dKeyValue, d));
    Mat.addTo(layer.gWq, Mat.mulTransA(c.r, n, d, dq, d));
    return Mat.mulTransB(dq, n, d, layer.wq, d);
  }

  /** The rows of every id of the supports, fetched from the store in one aggregation. */
  private RowSource supportRows(long[][] supports, int d) {
    long[] ids = Arrays.stream(supports).flatMapToLong(Arrays::stream).distinct().sorted()
        .toArray();
    RowBundle bundle = store.aggregate(new FetchRows(ids));
    if (!bundle.covers(supports)) {
      throw new IllegalStateException("the store returned " + bundle.size() + " of the "
          + ids.length + " support rows a plug-in's backward needs");
    }
    fetchedRows += ids.length;
    return bundle.rows(d);
  }

  /** The plug-in's parameters (its layer's projections) with their gradients. */
  void addParameters(List<double[][]> out) {
    layer.addParameters(out);
  }
}
