package org.hopfieldstore.bench;

import java.util.SplittableRandom;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/** Seeded benchmark inputs: unit-sphere memories and queries that are noisy copies of them. */
final class BenchData {
  static final long MEMORY_SEED = 11;
  static final long QUERY_SEED = 12;

  private BenchData() {}

  /**
   * One step of a rule with bench/vs-peers.sh's settings (beta 32, alpha 1.5, K 32). Benchmarks
   * take the rule name as their parameter because JMH's -p splits values at commas.
   */
  static RetrievalSpec spec(String rule) {
    String params;
    switch (rule) {
      case "entmax":
        params = "alpha=1.5,beta=32";
        break;
      case "topk":
        params = "k=32,beta=32";
        break;
      default:
        params = "beta=32";
    }
    return RetrievalSpec.parse(rule + ":" + params + ",steps=1,tol=0");
  }

  static FloatMatrix memories(int count, int dim) {
    return SyntheticMemories.uniformSphere(count, dim, MEMORY_SEED);
  }

  /** Memory rows plus Gaussian noise of norm about 0.5, as bench/vs-peers.sh makes them. */
  static FloatMatrix queries(FloatMatrix memories, int batch) {
    int d = memories.cols();
    SplittableRandom rnd = new SplittableRandom(QUERY_SEED);
    float sigma = (float) (0.5 / Math.sqrt(d));
    float[] q = new float[batch * d];
    for (int b = 0; b < batch; b++) {
      int row = rnd.nextInt(memories.rows());
      for (int c = 0; c < d; c++) {
        q[b * d + c] = memories.get(row, c) + sigma * (float) SyntheticMemories.gaussian(rnd);
      }
    }
    return FloatMatrix.of("queries", q, batch, d);
  }
}
