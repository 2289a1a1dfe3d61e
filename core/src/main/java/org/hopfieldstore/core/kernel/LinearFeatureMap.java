package org.hopfieldstore.core.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import org.hopfieldstore.core.io.ByteSource;
import org.hopfieldstore.core.io.Locations;
import java.util.SplittableRandom;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.io.NpyArray;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.RowScaler;

/**
 * The learnable linear feature map of the kernelized Hopfield model (U-Hop, arXiv 2404.03827,
 * Sec. 3; ALGORITHMS.md section 6): {@code Phi(u) = W u} with W of shape D x d, any D >= 1, and
 * the kernel {@code K(u, v) = <W u, W v> = <u, G v>} with {@code G = W^T W}. D < d is allowed, as
 * in the papers' code (U-Hop+'s MNIST setting maps d=784 to D=200): G then has rank at most D.
 * Stored row-major in float64 (it is small and is optimised); saved and loaded as a 2-D .npy.
 */
public final class LinearFeatureMap implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final int outDim;
  private final int inDim;
  private final double[] w;

  /** Wraps {@code w} (D x d row-major, not copied) after checking shape, D, d >= 1, finiteness. */
  public LinearFeatureMap(double[] w, int outDim, int inDim) {
    if (inDim < 1 || outDim < 1) {
      throw new IllegalArgumentException("feature map: need D >= 1 and d >= 1, got D=" + outDim
          + ", d=" + inDim);
    }
    if ((long) outDim * inDim != w.length) {
      throw new IllegalArgumentException("feature map: " + outDim + " x " + inDim + " needs "
          + ((long) outDim * inDim) + " values, got " + w.length);
    }
    for (int i = 0; i < w.length; i++) {
      if (!Double.isFinite(w[i])) {
        throw new IllegalArgumentException("feature map: non-finite value " + w[i] + " at row "
            + (i / inDim) + ", column " + (i % inDim));
      }
    }
    this.w = w;
    this.outDim = outDim;
    this.inDim = inDim;
  }

  /** The identity map (D = d): the kernel is the ordinary inner product. */
  public static LinearFeatureMap identity(int d) {
    double[] w = new double[d * d];
    for (int i = 0; i < d; i++) {
      w[i * d + i] = 1;
    }
    return new LinearFeatureMap(w, d, d);
  }

  /**
   * Seeded Gaussian initialisation, entries N(0, 1/d): images of unit memories start with norms
   * near sqrt(D/d). (U-Hop's code draws N(0, 1), {@code torch.randn(d, d)}: {@link #gaussian(int,
   * int, double, long)} with sd 1.)
   */
  public static LinearFeatureMap gaussian(int outDim, int inDim, long seed) {
    return gaussian(outDim, inDim, 1 / Math.sqrt(inDim), seed);
  }

  /** Seeded Gaussian initialisation, entries N(0, sd^2). */
  public static LinearFeatureMap gaussian(int outDim, int inDim, double sd, long seed) {
    if (!(sd > 0) || !Double.isFinite(sd)) {
      throw new IllegalArgumentException("feature map: the Gaussian init needs sd > 0, got "
          + sd);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] w = new double[outDim * inDim];
    for (int i = 0; i < w.length; i++) {
      w[i] = sd * SyntheticMemories.gaussian(rnd);
    }
    return new LinearFeatureMap(w, outDim, inDim);
  }

  /**
   * Seeded Kaiming (He) normal initialisation, entries N(0, 2/d): what U-Hop+'s code uses
   * ({@code nn.init.kaiming_normal_(weight, nonlinearity="relu")} in its FeatureMap, fan_in = d,
   * gain sqrt 2).
   */
  public static LinearFeatureMap kaimingNormal(int outDim, int inDim, long seed) {
    return gaussian(outDim, inDim, Math.sqrt(2.0 / inDim), seed);
  }

  /**
   * Seeded Kaiming (He) uniform initialisation as torch's {@code nn.Linear} default ({@code
   * kaiming_uniform_(a=sqrt(5))}): entries U(-1/sqrt(d), 1/sqrt(d)), variance 1/(3d). U-Hop+'s
   * code replaces it by {@link #kaimingNormal}; kept for comparison with plain nn.Linear.
   */
  public static LinearFeatureMap kaimingUniform(int outDim, int inDim, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] w = new double[outDim * inDim];
    double bound = 1 / Math.sqrt(inDim);
    for (int i = 0; i < w.length; i++) {
      w[i] = rnd.nextDouble(-bound, bound);
    }
    return new LinearFeatureMap(w, outDim, inDim);
  }

  /** Reads a D x d float32/float64 .npy; errors name the file and the problem. */
  public static LinearFeatureMap read(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("kernel " + path + ": no such file");
    }
    return read(path.toString());
  }

  /** Reads W from a location (a path or any filesystem's URI, see {@link Locations}). */
  public static LinearFeatureMap read(String location) {
    if (!Locations.exists(location)) {
      throw new IllegalArgumentException("kernel " + location + ": no such file");
    }
    NpyArray a;
    try (ByteSource src = Locations.open(location)) {
      a = Npy.read(src);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("kernel " + location + ": " + e.getMessage(), e);
    }
    String path = location;
    if (a.ndim() != 2) {
      throw new IllegalArgumentException("kernel " + path + ": expected a 2-D D x d matrix, got "
          + a.ndim() + " dimensions");
    }
    try {
      return new LinearFeatureMap(a.asDoubles(), a.shape()[0], a.shape()[1]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kernel " + path + ": " + e.getMessage(), e);
    }
  }

  /** Writes W as a float64 .npy. */
  public void write(Path path) {
    Npy.writeFloat64(path, w, outDim, inDim);
  }

  /** Writes W as a float64 .npy to {@code out} (left open). */
  public void write(java.io.OutputStream out) throws java.io.IOException {
    Npy.writeFloat64(out, w, outDim, inDim);
  }

  public int outDim() {
    return outDim;
  }

  public int inDim() {
    return inDim;
  }

  /** W itself (row-major D x d); callers must not modify it. */
  public double[] weights() {
    return w;
  }

  /** {@code G = W^T W} (d x d, symmetric). */
  public double[] gram() {
    int d = inDim;
    double[] g = new double[d * d];
    for (int r = 0; r < outDim; r++) {
      int o = r * d;
      for (int i = 0; i < d; i++) {
        double wi = w[o + i];
        if (wi == 0) {
          continue;
        }
        for (int j = 0; j < d; j++) {
          g[i * d + j] += wi * w[o + j];
        }
      }
    }
    return g;
  }

  /**
   * The per-memory score factors {@code 1 / |W xi|} of the normalised feature map, as a
   * serializable function of a block (W travels with it, so executors compute their own blocks'
   * factors). A memory with a zero image has no normalised image: that is an error naming it.
   */
  public InverseImageNorms inverseImageNorms() {
    return new InverseImageNorms(this);
  }

  /** The factors {@code 1 / |W xi|} of one map (which it names, so a store can keep them). */
  public static final class InverseImageNorms implements RowScaler {
    private static final long serialVersionUID = 1L;
    private final LinearFeatureMap map;

    private InverseImageNorms(LinearFeatureMap map) {
      this.map = map;
    }

    /** The feature map whose factors these are. */
    public LinearFeatureMap map() {
      return map;
    }

    @Override
    public float[] scales(MemoryBlock block) {
      if (block.dim() != map.inDim) {
        throw new IllegalArgumentException("dimension mismatch: the kernel maps d=" + map.inDim
            + " but memories have dimension " + block.dim());
      }
      float[] x = block.data();
      float[] out = new float[block.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = map.inverseImageNorm(x, i * map.inDim, block.id(i));
      }
      return out;
    }
  }

  /**
   * {@code 1 / |W x|} of the vector at {@code offset} of {@code x} (memory {@code id}, named in
   * the error when its image is zero and the normalised kernel undefined).
   */
  public float inverseImageNorm(float[] x, int offset, long id) {
    double n = imageNorm(x, offset);
    if (!(n > 0)) {
      throw new IllegalArgumentException("memory id " + id + " has a zero feature "
          + "image W xi: the normalised kernel is undefined for it");
    }
    return (float) (1 / n);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LinearFeatureMap m && m.outDim == outDim && m.inDim == inDim
        && java.util.Arrays.equals(m.w, w);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * outDim + inDim) + java.util.Arrays.hashCode(w);
  }

  /** {@code |W x|} of the vector at {@code offset} of {@code x}. */
  public double imageNorm(float[] x, int offset) {
    return imageNorm(w, outDim, inDim, x, offset);
  }

  private static double imageNorm(double[] w, int dOut, int dIn, float[] x, int offset) {
    double ss = 0;
    for (int r = 0; r < dOut; r++) {
      double s = imageEntry(w, dIn, r, x, offset);
      ss += s * s;
    }
    return Math.sqrt(ss);
  }

  /** Entry r of {@code W x} for the vector at {@code offset} of x. */
  private static double imageEntry(double[] w, int dIn, int r, float[] x, int offset) {
    double s = 0;
    for (int c = 0, o = r * dIn; c < dIn; c++) {
      s += w[o + c] * x[offset + c];
    }
    return s;
  }

  /** {@code Phi} of {@code rows} row-major vectors: rows x D. */
  public double[] images(float[] x, int rows) {
    double[] out = new double[rows * outDim];
    for (int b = 0; b < rows; b++) {
      for (int r = 0; r < outDim; r++) {
        out[b * outDim + r] = imageEntry(w, inDim, r, x, b * inDim);
      }
    }
    return out;
  }
}
