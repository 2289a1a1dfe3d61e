package org.hopfieldstore.core.score;

import java.nio.FloatBuffer;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Native BLAS GEMMs. Where the system BLAS loads ({@link HeapBlas}), it works on the heap arrays
 * directly: no copies at all, and the same OpenBLAS numpy uses. Otherwise ND4J's bundled
 * OpenBLAS, which cannot read the JVM heap, so memories are copied off-heap: a
 * block of at most {@link #residentLimitBytes()} is copied once and stays there (fastest); a
 * larger block is streamed through one reused off-heap tile, so the store holds its memories
 * once, not twice. Result buffers are allocated once per shape and reused: allocating and
 * zeroing a fresh off-heap result per call would dominate (DEPENDENCIES.md).
 */
public final class Nd4jScoreKernel implements ScoreKernel {
  /** System property: largest block (bytes) kept resident off-heap; larger blocks stream. */
  public static final String RESIDENT_LIMIT_PROPERTY = "hopfield.nd4j.residentBytes";
  /** Default resident limit: 512 MiB. */
  public static final long DEFAULT_RESIDENT_LIMIT = 512L << 20;

  /**
   * System property: largest batch handed to the heap SIMD scan ({@link SimdScoreKernel}) instead
   * of a GEMM. Default {@link #AUTO}: where the two cross over (bench/results/), which depends
   * on whether the GEMM reads the heap (the system BLAS) or copies rows off-heap (ND4J's).
   */
  public static final String SMALL_BATCH_PROPERTY = "hopfield.smallBatch";
  /** Small-batch limit chosen by the BLAS in use: 8 on the system BLAS, 16 on ND4J's. */
  public static final int AUTO = -1;

  public static final Nd4jScoreKernel INSTANCE = new Nd4jScoreKernel(
      Long.getLong(RESIDENT_LIMIT_PROPERTY, DEFAULT_RESIDENT_LIMIT),
      Integer.getInteger(SMALL_BATCH_PROPERTY, AUTO), true);

  private final long residentLimitBytes;
  private final int smallBatchLimit;
  private final boolean systemBlas;

  /**
   * @param residentLimitBytes largest block copied off-heap whole; 0 streams every block
   * @param smallBatchLimit batches up to this size are scanned from the heap; 0: always GEMM;
   *     {@link #AUTO}: by the BLAS in use
   * @param systemBlas use the system BLAS on the heap where it loads, else ND4J off-heap
   */
  public Nd4jScoreKernel(long residentLimitBytes, int smallBatchLimit, boolean systemBlas) {
    if (residentLimitBytes < 0) {
      throw new IllegalArgumentException(
          "resident limit must be >= 0 bytes, got " + residentLimitBytes);
    }
    if (smallBatchLimit < AUTO) {
      throw new IllegalArgumentException(
          "small-batch limit must be >= 0 (or AUTO), got " + smallBatchLimit);
    }
    this.residentLimitBytes = residentLimitBytes;
    this.smallBatchLimit = smallBatchLimit;
    this.systemBlas = systemBlas;
  }

  /** Whether blocks bind to the system BLAS on the heap (it loaded and was not turned off). */
  public boolean usesSystemBlas() {
    return systemBlas && HeapBlas.available();
  }

  /** Batches up to this size take the heap SIMD scan instead of this kernel's GEMMs. */
  public int smallBatchLimit() {
    if (smallBatchLimit != AUTO) {
      return smallBatchLimit;
    }
    return usesSystemBlas() ? 8 : 16;
  }

  public long residentLimitBytes() {
    return residentLimitBytes;
  }

  @Override
  public String name() {
    return "nd4j";
  }

  /** Small batches scan the heap ({@link SimdScoreKernel}): a GEMM would do little arithmetic. */
  @Override
  public ScoreKernel forBatch(int batch) {
    return batch <= smallBatchLimit() ? SimdScoreKernel.INSTANCE : this;
  }

  @Override
  public Bound bind(MemoryBlock block) {
    if (usesSystemBlas()) {
      final float[] xi = block.data();
      final int d = block.dim();
      return new Bound() { // no state: safe for concurrent calls
        @Override
        public void scores(float[] queries, int batch, int from, int to, float[] out) {
          HeapBlas.scores(xi, d, queries, batch, from, to, out);
        }

        @Override
        public void addWeightedRows(float[] weights, int batch, int from, int to, float[] acc) {
          HeapBlas.addWeightedRows(xi, d, weights, batch, from, to, acc);
        }
      };
    }
    boolean resident = 4L * block.size() * block.dim() <= residentLimitBytes;
    return new BoundNd4j(block, resident);
  }

  private static final class BoundNd4j implements Bound {
    private final int d;
    private final MemoryBlock block;
    /** The whole block off-heap, or null when streaming. */
    private INDArray memories;
    /** Streaming: the off-heap copy of rows [tileFrom, tileTo) of the block. */
    private INDArray tile;
    private int tileFrom = -1;
    private int tileTo = -1;
    private INDArray queryBuf;
    private INDArray outBuf;
    private INDArray weightBuf;
    private INDArray sumTBuf;
    private float[] sumT;

    BoundNd4j(MemoryBlock block, boolean resident) {
      this.d = block.dim();
      this.block = block;
      if (resident) {
        this.memories = Nd4j.create(block.data(), new long[] {block.size(), d}, 'c');
      }
    }

    private static INDArray reuse(INDArray buf, int rows, int cols) {
      if (buf != null && buf.rows() == rows && buf.columns() == cols) {
        return buf;
      }
      return Nd4j.createUninitialized(DataType.FLOAT, rows, cols);
    }

    private static void put(INDArray dst, float[] src, int n) {
      FloatBuffer fb = dst.data().asNioFloat();
      fb.put(src, 0, n);
    }

    private INDArray rows(int from, int to) {
      if (memories != null) {
        return memories.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
      }
      // a scan scores a tile and then (softmax, top-K sums) weights the same tile: copy it once
      if (from != tileFrom || to != tileTo) {
        int t = to - from;
        if (tile == null || tile.rows() < t) {
          tile = Nd4j.createUninitialized(DataType.FLOAT, t, d);
        }
        FloatBuffer fb = tile.data().asNioFloat();
        fb.put(block.data(), from * d, t * d);
        tileFrom = from;
        tileTo = to;
      }
      return tile.rows() == to - from
          ? tile
          : tile.get(NDArrayIndex.interval(0, to - from), NDArrayIndex.all());
    }

    @Override
    public void scores(float[] queries, int batch, int from, int to, float[] out) {
      int t = to - from;
      queryBuf = reuse(queryBuf, batch, d);
      put(queryBuf, queries, batch * d);
      outBuf = reuse(outBuf, batch, t);
      Nd4j.gemm(queryBuf, rows(from, to), outBuf, false, true, 1.0, 0.0);
      outBuf.data().asNioFloat().get(out, 0, batch * t);
    }

    @Override
    public void addWeightedRows(float[] weights, int batch, int from, int to, float[] acc) {
      int t = to - from;
      weightBuf = reuse(weightBuf, batch, t);
      put(weightBuf, weights, batch * t);
      // (W Xi)^T = Xi^T W^T: OpenBLAS runs this shape faster than W Xi, and the d x B result
      // is small to add back transposed
      sumTBuf = reuse(sumTBuf, d, batch);
      Nd4j.gemm(rows(from, to), weightBuf, sumTBuf, true, true, 1.0, 0.0);
      if (sumT == null || sumT.length < d * batch) {
        sumT = new float[d * batch];
      }
      sumTBuf.data().asNioFloat().get(sumT, 0, d * batch);
      for (int c = 0; c < d; c++) {
        for (int b = 0, o = c * batch; b < batch; b++) {
          acc[b * d + c] += sumT[o + b];
        }
      }
    }

    @Override
    public void close() {
      memories = tile = null;
      queryBuf = outBuf = weightBuf = sumTBuf = null;
      sumT = null;
    }
  }
}
