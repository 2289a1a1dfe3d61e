package org.hopfieldstore.core.kernel;

import java.util.Arrays;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Separation losses over the normalised feature images {@code u_mu = v_mu / ||v_mu||}, {@code
 * v_mu = W xi_mu + b}, of the stored memories, with analytic gradients in W and b (ALGORITHMS.md
 * section 6). Both forms are a
 * log-mean-exp of the pairwise overlaps {@code c = <u_mu, u_nu>} at a scale s:
 *
 * <ul>
 *   <li>{@link Form#UHOP}: U-Hop's average separation loss (arXiv 2404.03827, Stage I; their
 *       code's {@code log mean exp(-t ||u_mu - u_nu||^2)}, t = 2), which is
 *       {@code -2t + log mean_{mu<nu} exp(2t c)} on the unit sphere, so s = 2t;
 *   <li>{@link Form#SPHERICAL}: the spherical-code loss of U-Hop+ (arXiv 2410.23126, the smooth
 *       maximum of the overlaps {@code (1/M) log mean_{mu<nu} exp(c / tau)}, tau = 0.1), s =
 *       1/tau: minimising it pushes the images towards an optimal spherical code.
 * </ul>
 *
 * <p>The sum over pairs is split into mergeable {@link PairTerms} (a running maximum and a
 * rescaled sum, as the online softmax merges scores), so a cluster can add the contributions of
 * block pairs, or of each memory against K sampled negatives. The block GEMMs (images, Gram
 * blocks, gradient products) run through ND4J, so a CUDA backend on the classpath runs them on a
 * GPU. Gradient of one pair: {@code dc/dv_mu = (u_nu - c u_mu) / ||v_mu||}, {@code v = W xi +
 * b}, and {@code dL/dW = sum_mu (dL/dv_mu) xi_mu^T}, {@code dL/db = sum_mu dL/dv_mu}. Gradients
 * are laid out as {@link LinearFeatureMap#parameterCount}: W (D x d row-major), then b (D).
 */
public final class SeparationLoss implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  /** The losses of section 6. */
  public enum Form {
    /** U-Hop, average: {@code log mean exp(-t |u - u'|^2)}. */
    UHOP,
    /** U-Hop, worst pair: {@code log max exp(-t |u - u'|^2) = -2t + 2t max <u, u'>}. */
    UHOP_MAX,
    /** Spherical code (U-Hop+): {@code (1/M) log mean exp(<u, u'>/tau)}. */
    SPHERICAL
  }

  /** Rows of one side per block product when pairing with a sample (memory bound). */
  static final int SLICE_ROWS = 8192;

  private final Form form;
  private final double param;

  /**
   * @param param t for {@link Form#UHOP} (the papers' code: 2), tau for {@link Form#SPHERICAL}
   *     (0.1)
   */
  public SeparationLoss(Form form, double param) {
    if (!(param > 0) || !Double.isFinite(param)) {
      throw new IllegalArgumentException((form == Form.SPHERICAL ? "tau" : "t") + "=" + param
          + " is out of range: must be > 0");
    }
    this.form = form;
    this.param = param;
  }

  /**
   * "uhop" (t = 2), "uhop-max" (the worst pair, t = 2) or "spherical" (tau = 0.1), optionally
   * ":VALUE" for t or tau.
   */
  public static SeparationLoss parse(String text) {
    String[] p = text.trim().split(":", 2);
    Form f;
    double dflt;
    switch (p[0]) {
      case "uhop":
        f = Form.UHOP;
        dflt = 2;
        break;
      case "uhop-max":
        f = Form.UHOP_MAX;
        dflt = 2;
        break;
      case "spherical":
        f = Form.SPHERICAL;
        dflt = 0.1;
        break;
      default:
        throw new IllegalArgumentException("unknown loss '" + p[0]
            + "': expected uhop[:t], uhop-max[:t] or spherical[:tau]");
    }
    double v = dflt;
    if (p.length == 2) {
      try {
        v = Double.parseDouble(p[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("loss parameter '" + p[1] + "' is not a number");
      }
    }
    return new SeparationLoss(f, v);
  }

  public Form form() {
    return form;
  }

  /** t (U-Hop) or tau (spherical). */
  public double param() {
    return param;
  }

  /** The scale s of the overlaps inside the log-mean-exp. */
  public double scale() {
    return form == Form.SPHERICAL ? 1 / param : 2 * param;
  }

  @Override
  public String toString() {
    return (form == Form.UHOP ? "uhop:" : form == Form.UHOP_MAX ? "uhop-max:" : "spherical:")
        + param;
  }

  /** The loss from the merged partial of all pairs (or of all sampled pairs). */
  public double loss(PairTerms p, long memoryCount) {
    if (p.pairs == 0) {
      throw new IllegalArgumentException("the separation loss needs at least one pair");
    }
    if (form == Form.UHOP_MAX) {
      return -2 * param + p.max; // log exp(s c_max), s = 2t
    }
    double logMeanExp = p.max + Math.log(p.sum) - Math.log(p.pairs); // log mean exp(s c)
    return form == Form.UHOP ? -2 * param + logMeanExp : logMeanExp / memoryCount;
  }

  /** {@code dL/dW} (D x d, row-major) then {@code dL/db} (D) from the merged partial. */
  public double[] gradient(PairTerms p, long memoryCount) {
    double f = scale() / p.sum * (form == Form.SPHERICAL ? 1.0 / memoryCount : 1);
    double[] g = new double[p.grad.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = f * p.grad[i];
    }
    return g;
  }

  /**
   * The pairs between the rows of {@code a} and of {@code b} under the map W. With {@code same}
   * ({@code a} and {@code b} one block) each unordered pair counts once; pairs of equal ids are
   * skipped (a memory sampled as its own negative).
   */
  public PairTerms pairs(LinearFeatureMap map, MemoryBlock a, MemoryBlock b, boolean same) {
    if (!same && a.size() > SLICE_ROWS) { // bound the na x nb float64 temporaries
      PairTerms total = new PairTerms(map.parameterCount());
      for (int i = 0; i < a.size(); i += SLICE_ROWS) {
        total.merge(pairs(map, slice(a, i, Math.min(a.size(), i + SLICE_ROWS)), b, false));
      }
      return total;
    }
    int d = map.inDim();
    int big = map.outDim();
    if (a.dim() != d || b.dim() != d) {
      throw new IllegalArgumentException("dimension mismatch: the map takes d=" + d
          + ", memories have d=" + a.dim());
    }
    double[] xa = toDouble(a.data());
    double[] xb = same ? xa : toDouble(b.data());
    // V = X W^T + 1 b^T: rows x D
    double[] va = images(map, xa, a.size());
    double[] vb = same ? va : images(map, xb, b.size());
    Terms t = terms(va, a.size(), vb, b.size(), big, same, a, b, scale(),
        form == Form.UHOP_MAX);
    PairTerms p = new PairTerms(map.parameterCount());
    p.worst = form == Form.UHOP_MAX;
    p.max = t.max;
    p.sum = t.sum;
    p.pairs = t.pairs;
    p.maxCos = t.maxCos;
    if (t.pairs > 0) {
      // dL/dW = dVa^T Xa + dVb^T Xb, dL/db = the column sums of dVa and dVb
      double[] ga = gemm(t.dva, a.size(), big, true, xa, a.size(), d, false);
      double[] gb = gemm(t.dvb, b.size(), big, true, xb, b.size(), d, false);
      for (int i = 0; i < ga.length; i++) {
        p.grad[i] = ga[i] + gb[i];
      }
      addColumnSums(t.dva, a.size(), big, p.grad, big * d);
      addColumnSums(t.dvb, b.size(), big, p.grad, big * d);
    }
    return p;
  }

  /** {@code V = X W^T + 1 b^T} (n x D) of n float64 rows. */
  static double[] images(LinearFeatureMap map, double[] x, int n) {
    int big = map.outDim();
    double[] v = gemm(x, n, map.inDim(), false, map.weights(), big, map.inDim(), true);
    if (map.hasBias()) {
      double[] bias = map.bias();
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < big; k++) {
          v[i * big + k] += bias[k];
        }
      }
    }
    return v;
  }

  /** {@code out[at + k] += sum_i dv[i][k]} over the n rows of dv (n x dim). */
  private static void addColumnSums(double[] dv, int n, int dim, double[] out, int at) {
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < dim; k++) {
        out[at + k] += dv[i * dim + k];
      }
    }
  }

  /**
   * Every pair of one block, {@code blockRows} rows at a time (0: 2048), on one machine: the
   * reference the distributed sum is tested against.
   */
  public PairTerms allPairs(LinearFeatureMap map, MemoryBlock block, int blockRows) {
    int m = block.size();
    int t = blockRows > 0 ? blockRows : 2048;
    PairTerms total = new PairTerms(map.parameterCount());
    total.worst = form == Form.UHOP_MAX;
    for (int i = 0; i < m; i += t) {
      MemoryBlock bi = slice(block, i, Math.min(m, i + t));
      for (int j = i; j < m; j += t) {
        total.merge(j == i ? pairs(map, bi, bi, true)
            : pairs(map, bi, slice(block, j, Math.min(m, j + t)), false));
      }
    }
    return total;
  }

  /** Rows {@code [from, to)} of a block, with their ids. */
  public static MemoryBlock slice(MemoryBlock block, int from, int to) {
    int d = block.dim();
    long[] ids = new long[to - from];
    for (int r = from; r < to; r++) {
      ids[r - from] = block.id(r);
    }
    return MemoryBlock.withIds(Arrays.copyOfRange(block.data(), from * d, to * d), ids, d);
  }

  /**
   * Terms of the norm penalty {@code P = (lambda/M) sum_mu (||v_mu||^2 - 1)^2}, {@code v = W xi +
   * b}, over one block: {@code out[0] += sum (||v||^2 - 1)^2}, and the returned gradient {@code
   * sum 4 (||v||^2 - 1) v xi^T} (D x d) then {@code sum 4 (||v||^2 - 1) v} (D). A sum over
   * memories, so partitions add their blocks. Why: retrieval scores with the linear kernel
   * {@code <Phi xi, Phi x>}; the losses only see normalised images, so without it the map drifts
   * to images of very unequal norms and the largest images win every retrieval. Keeping the
   * norms near 1 makes the kernel approximate the cosine of the images.
   */
  public static double[] normTerms(LinearFeatureMap map, MemoryBlock block, double[] out) {
    int d = map.inDim();
    int big = map.outDim();
    double[] x = toDouble(block.data());
    double[] v = images(map, x, block.size());
    double[] dv = new double[v.length];
    for (int i = 0; i < block.size(); i++) {
      double sq = 0;
      for (int k = 0; k < big; k++) {
        sq += v[i * big + k] * v[i * big + k];
      }
      out[0] += (sq - 1) * (sq - 1);
      for (int k = 0; k < big; k++) {
        dv[i * big + k] = 4 * (sq - 1) * v[i * big + k];
      }
    }
    double[] gw = gemm(dv, block.size(), big, true, x, block.size(), d, false);
    double[] g = Arrays.copyOf(gw, map.parameterCount());
    addColumnSums(dv, block.size(), big, g, big * d);
    return g;
  }

  /** Loss terms and {@code dL/dV} of a free point set (rows of v, n x dim), all pairs. */
  public double[] pointGradient(double[] v, int n, int dim, double[] lossOut) {
    Terms t = terms(v, n, v, n, dim, true, null, null, scale(), form == Form.UHOP_MAX);
    double f = scale() / t.sum * (form == Form.SPHERICAL ? 1.0 / n : 1);
    double[] g = new double[n * dim];
    for (int i = 0; i < g.length; i++) {
      g[i] = f * (t.dva[i] + t.dvb[i]);
    }
    if (lossOut != null) {
      PairTerms p = new PairTerms(0);
      p.worst = form == Form.UHOP_MAX;
      p.max = t.max;
      p.sum = t.sum;
      p.pairs = t.pairs;
      lossOut[0] = loss(p, n);
      lossOut[1] = t.maxCos;
    }
    return g;
  }

  /**
   * Unnormalised pair terms: weights exp(s c - max) (with {@code worst}: 1 on the first pair of
   * the largest overlap, 0 elsewhere), and the E-weighted dV of both sides.
   */
  private static final class Terms {
    double max = Double.NEGATIVE_INFINITY;
    double sum;
    long pairs;
    double maxCos = -2;
    double[] dva;
    double[] dvb;
  }

  private static Terms terms(double[] va, int na, double[] vb, int nb, int dim, boolean same,
      MemoryBlock a, MemoryBlock b, double s, boolean worst) {
    double[] norma = norms(va, na, dim);
    double[] normb = same ? norma : norms(vb, nb, dim);
    double[] ua = unit(va, na, dim, norma);
    double[] ub = same ? ua : unit(vb, nb, dim, normb);
    double[] c = gemm(ua, na, dim, false, ub, nb, dim, true); // na x nb overlaps
    Terms t = new Terms();
    boolean[] keep = new boolean[na * nb];
    for (int i = 0; i < na; i++) {
      for (int j = same ? i + 1 : 0; j < nb; j++) {
        if (!same && a != null && a.id(i) == b.id(j)) {
          continue;
        }
        keep[i * nb + j] = true;
        t.pairs++;
        t.max = Math.max(t.max, s * c[i * nb + j]);
        t.maxCos = Math.max(t.maxCos, c[i * nb + j]);
      }
    }
    double[] e = new double[na * nb];
    for (int k = 0; k < e.length; k++) {
      if (keep[k]) {
        if (worst) {
          if (t.sum == 0 && s * c[k] == t.max) {
            e[k] = 1;
            t.sum = 1;
          }
        } else {
          e[k] = Math.exp(s * c[k] - t.max);
          t.sum += e[k];
        }
      }
    }
    double[] dua = gemm(e, na, nb, false, ub, nb, dim, false); // E Ub
    double[] dub = gemm(e, na, nb, true, ua, na, dim, false); // E^T Ua
    t.dva = project(dua, ua, norma, na, dim);
    t.dvb = project(dub, ub, normb, nb, dim);
    return t;
  }

  /** Row-wise {@code (du - <du, u> u) / ||v||}: the gradient through the normalisation. */
  private static double[] project(double[] du, double[] u, double[] norm, int n, int dim) {
    double[] out = new double[n * dim];
    for (int i = 0; i < n; i++) {
      double dot = 0;
      for (int k = 0; k < dim; k++) {
        dot += du[i * dim + k] * u[i * dim + k];
      }
      double inv = norm[i] == 0 ? 0 : 1 / norm[i];
      for (int k = 0; k < dim; k++) {
        out[i * dim + k] = (du[i * dim + k] - dot * u[i * dim + k]) * inv;
      }
    }
    return out;
  }

  private static double[] norms(double[] v, int n, int dim) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int k = 0; k < dim; k++) {
        s += v[i * dim + k] * v[i * dim + k];
      }
      out[i] = Math.sqrt(s);
    }
    return out;
  }

  private static double[] unit(double[] v, int n, int dim, double[] norm) {
    double[] out = new double[n * dim];
    for (int i = 0; i < n; i++) {
      double inv = norm[i] == 0 ? 0 : 1 / norm[i];
      for (int k = 0; k < dim; k++) {
        out[i * dim + k] = v[i * dim + k] * inv;
      }
    }
    return out;
  }

  static double[] toDouble(float[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i];
    }
    return out;
  }

  /** {@code op(A) op(B)} for row-major A (ar x ac) and B (br x bc), in float64 through ND4J. */
  static double[] gemm(double[] a, int ar, int ac, boolean ta, double[] b, int br, int bc,
      boolean tb) {
    INDArray x = Nd4j.create(a, new long[] {ar, ac}, 'c');
    INDArray y = Nd4j.create(b, new long[] {br, bc}, 'c');
    int m = ta ? ac : ar;
    int n = tb ? br : bc;
    INDArray out = Nd4j.createUninitialized(DataType.DOUBLE, new long[] {m, n}, 'c');
    Nd4j.gemm(x, y, out, ta, tb, 1.0, 0.0);
    double[] r = out.data().asDouble();
    return r.length == m * n ? r : Arrays.copyOf(r, m * n);
  }
}
