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
 * The learnable affine feature map of the kernelized Hopfield model (U-Hop, arXiv 2404.03827,
 * Sec. 3; ALGORITHMS.md section 6): {@code Phi(u) = W u + b} with W of shape D x d, any D >= 1,
 * and a bias b of length D (zero unless given: the linear map {@code W u}; U-Hop+'s code maps
 * with {@code nn.Linear}, which has one). The kernel is {@code K(u, v) = <W u + b, W v + b> = <G
 * u + W^T b, v> + c(u)} with {@code G = W^T W} and {@code c(u) = b^T W u + |b|^2}, a constant per
 * query. D < d is allowed, as in the papers' code (U-Hop+'s MNIST setting maps d=784 to D=200):
 * G then has rank at most D. Stored row-major in float64 (it is small and is optimised).
 *
 * <p>Files: a map without a bias is a 2-D .npy of W (D x d), as it always was; a map with a
 * nonzero bias is an .npz archive (numpy's {@code np.load} reads it) holding {@code weight.npy}
 * (D x d) and {@code bias.npy} (D), the names of torch's {@code nn.Linear} state. {@link #read}
 * tells them apart by their first bytes, so a bias-less .npy reads as b = 0.
 */
public final class LinearFeatureMap implements java.io.Serializable {
  private static final long serialVersionUID = 2L;
  /** The archive entries of a map with a bias. */
  static final String WEIGHT_ENTRY = "weight.npy";
  static final String BIAS_ENTRY = "bias.npy";
  private final int outDim;
  private final int inDim;
  private final double[] w;
  private final double[] b;
  private final boolean hasBias;

  /** Wraps {@code w} (D x d row-major, not copied) after checking shape, D, d >= 1, finiteness. */
  public LinearFeatureMap(double[] w, int outDim, int inDim) {
    this(w, null, outDim, inDim);
  }

  /**
   * The affine map {@code W u + b}: {@code w} D x d row-major and {@code b} of length D (neither
   * copied; null: b = 0), checked for shape and finiteness.
   */
  public LinearFeatureMap(double[] w, double[] b, int outDim, int inDim) {
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
    if (b != null && b.length != outDim) {
      throw new IllegalArgumentException("feature map: the bias needs D=" + outDim
          + " values, got " + b.length);
    }
    boolean nonzero = false;
    for (int i = 0; b != null && i < b.length; i++) {
      if (!Double.isFinite(b[i])) {
        throw new IllegalArgumentException("feature map: non-finite bias " + b[i] + " at row "
            + i);
      }
      nonzero |= b[i] != 0;
    }
    this.w = w;
    this.b = b != null ? b : new double[outDim];
    this.hasBias = nonzero;
    this.outDim = outDim;
    this.inDim = inDim;
  }

  /**
   * The map of a parameter vector as {@code arrange} optimises it: W (D x d row-major), then,
   * when {@code params} has D more values, b.
   */
  public static LinearFeatureMap ofParameters(double[] params, int outDim, int inDim) {
    int nw = outDim * inDim;
    if (params.length == nw) {
      return new LinearFeatureMap(params, outDim, inDim);
    }
    if (params.length != nw + outDim) {
      throw new IllegalArgumentException("feature map: " + params.length + " parameters, "
          + "expected " + nw + " (W) or " + (nw + outDim) + " (W and b) for D=" + outDim
          + ", d=" + inDim);
    }
    return new LinearFeatureMap(java.util.Arrays.copyOf(params, nw),
        java.util.Arrays.copyOfRange(params, nw, nw + outDim), outDim, inDim);
  }

  /** The same W with bias {@code bias} (length D, not copied). */
  public LinearFeatureMap withBias(double[] bias) {
    return new LinearFeatureMap(w, bias, outDim, inDim);
  }

  /**
   * The parameters' count as the separation gradients lay them out: {@code D d} for W then D
   * for b.
   */
  public int parameterCount() {
    return outDim * inDim + outDim;
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
    String path = location;
    NpyArray a;
    NpyArray bias = null;
    try (ByteSource src = Locations.open(location)) {
      if (isZip(src)) {
        NpyArray[] wb = readArchive(src, path);
        a = wb[0];
        bias = wb[1];
      } else {
        a = Npy.read(src);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("kernel " + location + ": " + e.getMessage(), e);
    }
    if (a.ndim() != 2) {
      throw new IllegalArgumentException("kernel " + path + ": expected a 2-D D x d matrix, got "
          + a.ndim() + " dimensions");
    }
    if (bias != null && bias.ndim() != 1) {
      throw new IllegalArgumentException("kernel " + path + ": expected a 1-D bias of length D, "
          + "got " + bias.ndim() + " dimensions");
    }
    try {
      return new LinearFeatureMap(a.asDoubles(), bias == null ? null : bias.asDoubles(),
          a.shape()[0], a.shape()[1]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kernel " + path + ": " + e.getMessage(), e);
    }
  }

  /** Whether the source starts as a zip archive (an .npz) rather than an .npy. */
  private static boolean isZip(ByteSource src) throws java.io.IOException {
    java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(4);
    int n = src.read(head, 0);
    return n == 4 && head.get(0) == 'P' && head.get(1) == 'K' && head.get(2) == 3
        && head.get(3) == 4;
  }

  /** W and b (null when absent) of an .npz; other entries are refused by name. */
  private static NpyArray[] readArchive(ByteSource src, String path) throws java.io.IOException {
    NpyArray weight = null;
    NpyArray bias = null;
    try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(src.stream())) {
      for (java.util.zip.ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        String name = e.getName();
        if (!name.equals(WEIGHT_ENTRY) && !name.equals(BIAS_ENTRY)) {
          throw new IllegalArgumentException("kernel " + path + ": unexpected archive entry '"
              + name + "' (a feature map holds " + WEIGHT_ENTRY + " and " + BIAS_ENTRY + ")");
        }
        NpyArray arr = Npy.read(ByteSource.of(path + "!" + name, zip.readAllBytes()));
        if (name.equals(WEIGHT_ENTRY)) {
          weight = arr;
        } else {
          bias = arr;
        }
      }
    }
    if (weight == null) {
      throw new IllegalArgumentException("kernel " + path + ": the archive has no "
          + WEIGHT_ENTRY);
    }
    return new NpyArray[] {weight, bias};
  }

  /**
   * Writes the map: W as a float64 .npy when b = 0 (the format of a linear map), else the .npz
   * of W and b.
   */
  public void write(Path path) {
    if (!hasBias) {
      Npy.writeFloat64(path, w, outDim, inDim);
      return;
    }
    try (java.io.OutputStream out = Files.newOutputStream(path)) {
      write(out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("kernel " + path + ": " + e.getMessage(), e);
    }
  }

  /** Writes the map to {@code out} (left open), as {@link #write(Path)}. */
  public void write(java.io.OutputStream out) throws java.io.IOException {
    if (!hasBias) {
      Npy.writeFloat64(out, w, outDim, inDim);
      return;
    }
    java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(
        new java.io.FilterOutputStream(out) {
          @Override
          public void write(byte[] buf, int off, int len) throws java.io.IOException {
            out.write(buf, off, len);
          }

          @Override
          public void close() throws java.io.IOException {
            flush(); // finishes the archive, leaves out open
          }
        });
    java.io.ByteArrayOutputStream wb = new java.io.ByteArrayOutputStream();
    Npy.writeFloat64(wb, w, outDim, inDim);
    zip.putNextEntry(new java.util.zip.ZipEntry(WEIGHT_ENTRY));
    zip.write(wb.toByteArray());
    zip.closeEntry();
    java.io.ByteArrayOutputStream bb = new java.io.ByteArrayOutputStream();
    Npy.writeFloat64(bb, b);
    zip.putNextEntry(new java.util.zip.ZipEntry(BIAS_ENTRY));
    zip.write(bb.toByteArray());
    zip.closeEntry();
    zip.close();
  }

  /** The file suffix of {@link #write}: .npy for a linear map, .npz with a bias. */
  public String fileSuffix() {
    return hasBias ? ".npz" : ".npy";
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

  /** b itself (length D, zeros for a linear map); callers must not modify it. */
  public double[] bias() {
    return b;
  }

  /** Whether b is nonzero (the map is affine, not linear). */
  public boolean hasBias() {
    return hasBias;
  }

  /** {@code W^T b} (length d; zeros without a bias): the query shift of the kernel. */
  public double[] transposedBias() {
    double[] out = new double[inDim];
    for (int r = 0; r < outDim; r++) {
      double br = b[r];
      if (br == 0) {
        continue;
      }
      for (int i = 0, o = r * inDim; i < inDim; i++) {
        out[i] += w[o + i] * br;
      }
    }
    return out;
  }

  /** {@code |b|^2}. */
  public double biasNormSquared() {
    double s = 0;
    for (double v : b) {
      s += v * v;
    }
    return s;
  }

  /**
   * {@code W x} (without b) of the vector at {@code offset} of {@code x}, into {@code out}
   * (length D).
   */
  public void linearImage(float[] x, int offset, double[] out) {
    for (int r = 0; r < outDim; r++) {
      out[r] = imageEntry(w, inDim, r, x, offset);
    }
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
   * The per-memory score factors {@code 1 / |W xi + b|} of the normalised feature map, as a
   * serializable function of a block (W travels with it, so executors compute their own blocks'
   * factors). A memory with a zero image has no normalised image: that is an error naming it.
   */
  public InverseImageNorms inverseImageNorms() {
    return new InverseImageNorms(this);
  }

  /** The factors {@code 1 / |W xi + b|} of one map (which it names, so a store can keep them). */
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
   * {@code 1 / |W x + b|} of the vector at {@code offset} of {@code x} (memory {@code id}, named
   * in the error when its image is zero and the normalised kernel undefined).
   */
  public float inverseImageNorm(float[] x, int offset, long id) {
    double n = imageNorm(x, offset);
    if (!(n > 0)) {
      throw new IllegalArgumentException("memory id " + id + " has a zero feature "
          + "image W xi + b: the normalised kernel is undefined for it");
    }
    return (float) (1 / n);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LinearFeatureMap m && m.outDim == outDim && m.inDim == inDim
        && java.util.Arrays.equals(m.w, w) && java.util.Arrays.equals(m.b, b);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * outDim + inDim) + java.util.Arrays.hashCode(w))
        + java.util.Arrays.hashCode(b);
  }

  /** {@code |W x + b|} of the vector at {@code offset} of {@code x}. */
  public double imageNorm(float[] x, int offset) {
    double ss = 0;
    for (int r = 0; r < outDim; r++) {
      double s = imageEntry(w, inDim, r, x, offset) + b[r];
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

  /** {@code Phi = W x + b} of {@code rows} row-major vectors: rows x D. */
  public double[] images(float[] x, int rows) {
    double[] out = new double[rows * outDim];
    for (int q = 0; q < rows; q++) {
      for (int r = 0; r < outDim; r++) {
        out[q * outDim + r] = imageEntry(w, inDim, r, x, q * inDim) + b[r];
      }
    }
    return out;
  }
}
