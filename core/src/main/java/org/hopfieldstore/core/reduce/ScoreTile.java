package org.hopfieldstore.core.reduce;

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

  public ScoreTile(
      float[] scores, int batch, int from, int to, MemoryBlock block, ScoreKernel.Bound kernel) {
    this.scores = scores;
    this.batch = batch;
    this.from = from;
    this.to = to;
    this.block = block;
    this.kernel = kernel;
  }

  int width() {
    return to - from;
  }

  /** Max score of query b in this tile. */
  double max(int b) {
    int t = width();
    int o = b * t;
    float m = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < t; j++) {
      m = Math.max(m, scores[o + j]);
    }
    return m;
  }
}
