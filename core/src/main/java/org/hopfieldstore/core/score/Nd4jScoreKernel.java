package org.hopfieldstore.core.score;

import java.nio.FloatBuffer;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ND4J (native BLAS) GEMMs. The block is copied once into an off-heap array; result buffers are
 * allocated once per shape and reused, because a fresh {@code mmul} per call is ~5x slower (see
 * DEPENDENCIES.md).
 */
public final class Nd4jScoreKernel implements ScoreKernel {
  public static final Nd4jScoreKernel INSTANCE = new Nd4jScoreKernel();

  @Override
  public String name() {
    return "nd4j";
  }

  @Override
  public Bound bind(MemoryBlock block) {
    return new BoundNd4j(block);
  }

  private static final class BoundNd4j implements Bound {
    private final int d;
    private INDArray memories;
    private INDArray queryBuf;
    private INDArray outBuf;
    private INDArray weightBuf;
    private INDArray accBuf;

    BoundNd4j(MemoryBlock block) {
      this.d = block.dim();
      this.memories = Nd4j.create(block.data(), new long[] {block.size(), d}, 'c');
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
      return memories.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
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
      accBuf = reuse(accBuf, batch, d);
      put(accBuf, acc, batch * d);
      Nd4j.gemm(weightBuf, rows(from, to), accBuf, false, false, 1.0, 1.0);
      accBuf.data().asNioFloat().get(acc, 0, batch * d);
    }

    @Override
    public void close() {
      memories = null;
      queryBuf = outBuf = weightBuf = accBuf = null;
    }
  }
}
