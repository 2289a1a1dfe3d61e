package org.hopfieldstore.core.retrieval;

import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.ScoreTile;
import org.hopfieldstore.core.score.ScoreKernel;

/**
 * Folds one memory block into a partial result tile by tile, so the B x M score matrix is never
 * materialised: the in-process engine and every Spark partition run exactly this.
 */
public final class BlockScan {
  /** Target number of scores per tile (batch x rows): 4M floats, 16 MB. */
  public static final int TILE_SCORES = 1 << 22;
  /** Most memory values per tile (rows x d): 16M floats, 64 MB, the size of a streamed tile. */
  public static final int TILE_VALUES = 1 << 24;

  private BlockScan() {}

  /** {@code beta * states}: scores then come out of the GEMM already scaled. */
  public static float[] scaledQueries(float[] states, int batch, int d, double beta) {
    float b = (float) beta;
    float[] q = new float[batch * d];
    for (int i = 0; i < q.length; i++) {
      q[i] = b * states[i];
    }
    return q;
  }

  /**
   * Rows per tile: {@code requested} if positive, else about {@link #TILE_SCORES} / batch but at
   * most {@link #TILE_VALUES} / d (a small batch would otherwise make one huge tile).
   */
  public static int tileRows(int batch, int rows, int dim, int requested) {
    int t = requested > 0 ? requested
        : Math.max(256, Math.min(TILE_SCORES / batch, TILE_VALUES / dim));
    return Math.min(t, rows);
  }

  /** Scores every tile of {@code block} with {@code bound} and accumulates it into partial. */
  public static void fold(PartialScores<?> partial, MemoryBlock block, ScoreKernel.Bound bound,
      float[] scaledQueries, int batch, int tileRows) {
    int m = block.size();
    int t = tileRows(batch, m, block.dim(), tileRows);
    float[] buf = new float[batch * t];
    float[] rowScale = block.rowScale();
    for (int from = 0; from < m; from += t) {
      int to = Math.min(m, from + t);
      bound.scores(scaledQueries, batch, from, to, buf);
      if (rowScale != null) {
        scaleColumns(buf, batch, from, to, rowScale);
      }
      partial.accumulate(new ScoreTile(buf, batch, from, to, block, bound));
    }
  }

  /** {@code scores[b][j] *= scale[from + j]}: per-memory score factors of a scaled block. */
  static void scaleColumns(float[] scores, int batch, int from, int to, float[] scale) {
    int n = to - from;
    for (int b = 0; b < batch; b++) {
      for (int j = 0, o = b * n; j < n; j++) {
        scores[o + j] *= scale[from + j];
      }
    }
  }
}
