package org.hopfieldstore.core.reduce;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The best {@code capacity} (score, id) pairs seen so far, kept sorted best first: higher score
 * first, and on equal scores the lower id first, so the result does not depend on the order in
 * which partitions are merged. Insertion is O(size), a rejection O(1); storage grows on demand.
 */
public final class TopList {
  private final int capacity;
  private double[] scores;
  private long[] ids;
  private int size;

  public TopList(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
    this.scores = new double[Math.min(capacity, 16)];
    this.ids = new long[scores.length];
  }

  /** Whether (a, aId) ranks before (b, bId). */
  public static boolean better(double a, long aId, double b, long bId) {
    return a > b || (a == b && aId < bId);
  }

  /**
   * A score below which nothing is kept: the worst kept score once full, else -infinity. Hot
   * loops compare against it and call {@link #offer} only for scores at or above it.
   */
  public double floor() {
    return size < capacity ? Double.NEGATIVE_INFINITY : scores[size - 1];
  }

  /** Would this pair be kept? O(1). */
  public boolean accepts(double score, long id) {
    return size < capacity || better(score, id, scores[size - 1], ids[size - 1]);
  }

  /** Offers one pair; keeps it if it ranks among the best {@code capacity}. */
  public void offer(double score, long id) {
    if (!accepts(score, id)) {
      return;
    }
    if (size == scores.length && size < capacity) {
      int n = (int) Math.min(capacity, 2L * size);
      scores = Arrays.copyOf(scores, n);
      ids = Arrays.copyOf(ids, n);
    }
    int pos = size < capacity ? size++ : size - 1;
    while (pos > 0 && better(score, id, scores[pos - 1], ids[pos - 1])) {
      scores[pos] = scores[pos - 1];
      ids[pos] = ids[pos - 1];
      pos--;
    }
    scores[pos] = score;
    ids[pos] = id;
  }

  /** Offers every pair of {@code other}. */
  public void merge(TopList other) {
    for (int k = 0; k < other.size; k++) {
      offer(other.scores[k], other.ids[k]);
    }
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return capacity;
  }

  public double score(int rank) {
    return scores[rank];
  }

  public long id(int rank) {
    return ids[rank];
  }

  void write(ByteBuffer buf) {
    buf.putInt(size);
    for (int k = 0; k < size; k++) {
      buf.putDouble(scores[k]).putLong(ids[k]);
    }
  }

  static TopList read(ByteBuffer buf, int capacity) {
    TopList t = new TopList(capacity);
    int n = buf.getInt();
    if (n < 0 || n > capacity) {
      throw new IllegalArgumentException(
          "corrupt partial: list size " + n + " outside [0, " + capacity + "]");
    }
    for (int k = 0; k < n; k++) {
      t.offer(buf.getDouble(), buf.getLong());
    }
    return t;
  }

  int byteSize() {
    return 4 + 16 * size;
  }
}
