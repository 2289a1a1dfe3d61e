package org.hopfieldstore.jobs;

import org.hopfieldstore.core.io.Npy;

/** {@code --targets}: the memory each query came from, for the top-1 accuracy. */
final class Targets {
  private Targets() {}

  /**
   * The targets of {@code queries} queries: memory ids, or -1 for none. With {@code
   * rowIndexed} memories (.npy, IDX: id = row) an id must be below their count {@code m};
   * memories with their own ids (Parquet) are compared by id ({@code m < 0}: not checked).
   */
  static long[] read(String location, long queries, long m) {
    long[] t = Npy.read(location).asLongs();
    if (t.length != queries) {
      throw new IllegalArgumentException(location + ": " + t.length + " targets for " + queries
          + " queries");
    }
    for (int i = 0; i < t.length; i++) {
      if (t[i] < -1 || (m >= 0 && t[i] >= m)) {
        throw new IllegalArgumentException(location + ": target " + t[i] + " of query " + i
            + " is not a memory id" + (m >= 0 ? " in [0, " + m + ")" : "") + " (or -1 for none)");
      }
    }
    return t;
  }
}
