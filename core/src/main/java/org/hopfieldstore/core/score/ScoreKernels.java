package org.hopfieldstore.core.score;

/** Picks a {@link ScoreKernel} by name once, like Lucene's vectorization provider. */
public final class ScoreKernels {
  private ScoreKernels() {}

  /** The default: ND4J's native BLAS. */
  public static ScoreKernel defaultKernel() {
    return Nd4jScoreKernel.INSTANCE;
  }

  /** "java" (plain reference loops) or "nd4j" (native BLAS). */
  public static ScoreKernel byName(String name) {
    switch (name) {
      case "java":
        return PlainScoreKernel.INSTANCE;
      case "nd4j":
        return Nd4jScoreKernel.INSTANCE;
      default:
        throw new IllegalArgumentException(
            "unknown score kernel '" + name + "': expected 'java' or 'nd4j'");
    }
  }
}
