package org.hopfieldstore.core.score;

/** Picks a {@link ScoreKernel} by name once, like Lucene's vectorization provider. */
public final class ScoreKernels {
  private ScoreKernels() {}

  /** The default: ND4J's native BLAS. */
  public static ScoreKernel defaultKernel() {
    return Nd4jScoreKernel.INSTANCE;
  }

  /** "java" (plain reference loops), "nd4j" (native BLAS) or "simd" (heap SIMD loops). */
  public static ScoreKernel byName(String name) {
    switch (name) {
      case "java":
        return PlainScoreKernel.INSTANCE;
      case "nd4j":
        return Nd4jScoreKernel.INSTANCE;
      case "simd":
        return SimdScoreKernel.INSTANCE;
      default:
        throw new IllegalArgumentException(
            "unknown score kernel '" + name + "': expected 'java', 'nd4j' or 'simd'");
    }
  }
}
