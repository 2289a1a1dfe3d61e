package org.hopfieldstore.core.capacity;

import org.hopfieldstore.core.memory.FloatMatrix;

/**
 * How well retrieved states match the memories the queries came from, with the definitions of the
 * papers' public code (ALGORITHMS.md, section 5): the error is the squared distance between the
 * stored and the retrieved pattern (both clamped to [0, 1] first when {@code clampToUnit}, as for
 * images); a retrieval succeeds when the cosine distance between them is at most {@code
 * cosineTolerance} (0.2 in the papers).
 */
public final class RetrievalQuality {
  public final double successRate;
  public final double meanError;
  public final int count;

  private RetrievalQuality(double successRate, double meanError, int count) {
    this.successRate = successRate;
    this.meanError = meanError;
    this.count = count;
  }

  /**
   * The right-memory rate: the fraction of queries whose largest weight is on their own stored
   * memory ({@code targets[b]}), i.e. retrieval landed on that memory rather than on another one
   * or a mixture led by another one.
   */
  public static double rightMemoryRate(org.hopfieldstore.core.retrieval.RetrievalResult r,
      long[] targets) {
    int right = 0;
    for (int b = 0; b < targets.length; b++) {
      if (r.topIds(b)[0] == targets[b]) {
        right++;
      }
    }
    return right / (double) targets.length;
  }

  public static RetrievalQuality of(FloatMatrix memories, long[] targets, FloatMatrix states,
      double cosineTolerance, boolean clampToUnit) {
    int d = memories.cols();
    if (states.cols() != d || states.rows() != targets.length) {
      throw new IllegalArgumentException("states " + states + " do not match " + targets.length
          + " targets of dimension " + d);
    }
    int ok = 0;
    double err = 0;
    for (int i = 0; i < targets.length; i++) {
      int t = (int) targets[i];
      double dot = 0;
      double nx = 0;
      double ny = 0;
      double sq = 0;
      for (int c = 0; c < d; c++) {
        double x = memories.get(t, c);
        double y = states.get(i, c);
        if (clampToUnit) {
          x = Math.max(0, Math.min(1, x));
          y = Math.max(0, Math.min(1, y));
        }
        dot += x * y;
        nx += x * x;
        ny += y * y;
        sq += (x - y) * (x - y);
      }
      double cosDist = nx == 0 || ny == 0 ? 1 : 1 - dot / Math.sqrt(nx * ny);
      ok += cosDist <= cosineTolerance ? 1 : 0;
      err += sq;
    }
    return new RetrievalQuality((double) ok / targets.length, err / targets.length,
        targets.length);
  }
}
