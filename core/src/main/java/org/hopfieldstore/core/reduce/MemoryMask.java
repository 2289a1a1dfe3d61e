package org.hopfieldstore.core.reduce;

/**
 * The seeded random mask of the random-masked model: memory {@code id} takes part iff a SplitMix64
 * hash of (seed, id), read as a uniform number in [0, 1), is below {@code keep}. A function of the
 * id alone, so every partition and every step agree without coordination.
 */
public final class MemoryMask {
  private MemoryMask() {}

  public static boolean keeps(long seed, double keep, long id) {
    if (keep >= 1) {
      return true;
    }
    long z = seed * 0x9E3779B97F4A7C15L + id + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53 < keep;
  }
}
