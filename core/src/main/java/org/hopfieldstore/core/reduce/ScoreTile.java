package org.hopfieldstore.core.reduce;

import java.util.stream.IntStream;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.score.ScoreKernel;

/**
 * Scores of a batch of queries against rows {@code [from, to)} of a memory block, already
 * multiplied by beta: {@code z(b, j) = scores[b * (to - from) + j]}. The bound kernel lets dense
 * rules add weighted rows of the same tile without copying them.
 */
public final class ScoreTile {
  final float[] scores;
  final int batch;
  final int from;
  final int to;
  final MemoryBlock block;
  final ScoreKernel.Bound kernel;
  private final boolean parallel;

  public ScoreTile(
      float[] scores, int batch, int from, int to, MemoryBlock block, ScoreKernel.Bound kernel) {
    this(scores, batch, from, to, block, kernel, true);
  }

  /** @param parallel whether a large tile may fold its queries on the common pool */
  public ScoreTile(float[] scores, int batch, int from, int to, MemoryBlock block,
      ScoreKernel.Bound kernel, boolean parallel) {
    this.scores = scores;
    this.batch = batch;
    this.from = from;
    this.to = to;
    this.block = block;
    this.kernel = kernel;
    this.parallel = parallel;
  }

  /** Fewest scores in a tile worth folding its queries on several threads. */
  static final int PARALLEL_MIN_SCORES = 1 << 15;

  /**
   * The tile's query indices: parallel only when there is enough work to pay for the fork (a
   * small-batch scan already runs one tile per core, and its tiles are small).
   */
  IntStream queries() {
    IntStream s = IntStream.range(0, batch);
    return parallel && batch > 1 && (long) batch * width() >= PARALLEL_MIN_SCORES ? s.parallel()
        : s;
  }

  int width() {
    return to - from;
  }

  /** The per-score loops: Vector API lanes when the module is present. */
  static final TileOps OPS = TileOps.best();

  /** Max score of query b in this tile; refuses one that overflowed float32. */
  double max(int b) {
    int t = width();
    return finite(OPS.max(scores, b * t, b * t + t));
  }

  /** The score itself, or a clear refusal when beta times the raw score overflowed float32. */
  static double finite(double z) {
    if (!Double.isFinite(z)) {
      throw new IllegalArgumentException("a score overflowed float32 (" + z + "): beta times "
          + "the raw score exceeds 3.4e38; use a smaller beta");
    }
    return z;
  }

  /**
   * Offers query b's scores to {@code list}, calling it only for those at or above the list's
   * floor: the rest are skipped a vector of lanes at a time.
   */
  void offerRow(int b, TopList list) {
    int o = b * width();
    int end = o + width();
    for (int j = OPS.nextAtLeast(scores, o, end, TileOps.floatAtMost(list.floor())); j < end;
        j = OPS.nextAtLeast(scores, j + 1, end, TileOps.floatAtMost(list.floor()))) {
      list.offer(scores[j], block.id(from + j - o));
    }
  }
}
