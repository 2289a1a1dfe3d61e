package org.hopfieldstore.core.data;

import java.util.SplittableRandom;
import org.hopfieldstore.core.memory.FloatMatrix;

/** Queries made from stored patterns, with the index of the pattern each was made from. */
public final class QuerySet {
  private final FloatMatrix queries;
  private final long[] targets;

  private QuerySet(FloatMatrix queries, long[] targets) {
    this.queries = queries;
    this.targets = targets;
  }

  /**
   * {@code count} queries from distinct memories drawn uniformly without replacement (so count
   * <= M), each corrupted by {@code corruption}. Seeded.
   */
  public static QuerySet fromMemories(FloatMatrix memories, int count, Corruption corruption,
      long seed) {
    int m = memories.rows();
    int d = memories.cols();
    if (count < 1 || count > m) {
      throw new IllegalArgumentException(
          "query count must be in [1, " + m + "] (one per distinct memory), got " + count);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] perm = new int[m];
    for (int i = 0; i < m; i++) {
      perm[i] = i;
    }
    for (int i = 0; i < count; i++) { // partial Fisher-Yates
      int j = i + rnd.nextInt(m - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    float[] out = new float[count * d];
    long[] targets = new long[count];
    for (int i = 0; i < count; i++) {
      targets[i] = perm[i];
      corruption.apply(memories.data(), perm[i] * d, out, i * d, d, rnd);
    }
    return new QuerySet(FloatMatrix.of("queries", out, count, d), targets);
  }

  public FloatMatrix queries() {
    return queries;
  }

  /** Index of the memory query i was made from. */
  public long[] targets() {
    return targets.clone();
  }
}
