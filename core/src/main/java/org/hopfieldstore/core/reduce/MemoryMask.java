package org.hopfieldstore.core.reduce;

/**
 * The seeded random masks of the random-masked model, as functions of ids alone so that every
 * partition and every partitioning agree without coordination. Per query (the model of Hu et al.
 * 2024, whose code drops scores at random in every forward pass): memory {@code id} takes part in
 * the update {@code step} of query {@code q} iff a SplitMix64 hash of (seed, q, step, id), read as
 * a uniform number in [0, 1), is below {@code keep}. Per memory ({@code mask=memory}): a hash of
 * (seed, id) alone, one fixed subset for every query and step.
 */
public final class MemoryMask {
  private MemoryMask() {}

  /** Whether the per-memory mask keeps memory {@code id}. */
  public static boolean keeps(long seed, double keep, long id) {
    if (keep >= 1) {
      return true;
    }
    return uniform(mix(seed * 0x9E3779B97F4A7C15L + id + 0x632BE59BD9B4E019L)) < keep;
  }

  /**
   * The key of one update of one query: what {@link #keepsFor} mixes with each memory id. {@code
   * step} counts the query's updates from 0.
   */
  public static long queryKey(long seed, long queryId, int step) {
    return mix(mix(seed * 0x9E3779B97F4A7C15L + queryId + 0x632BE59BD9B4E019L) + step);
  }

  /** Whether the per-query mask of the update keyed {@code queryKey} keeps memory {@code id}. */
  public static boolean keepsFor(long queryKey, double keep, long id) {
    if (keep >= 1) {
      return true;
    }
    return uniform(mix(queryKey ^ (id * 0xD1B54A32D192ED03L))) < keep;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static double uniform(long z) {
    return (z >>> 11) * 0x1.0p-53;
  }
}
