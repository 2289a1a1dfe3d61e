package org.hopfieldstore.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.normalize.Entmax15Normalizer;
import org.hopfieldstore.core.normalize.EntmaxBisectNormalizer;
import org.hopfieldstore.core.normalize.Normalizer;
import org.hopfieldstore.core.normalize.SoftmaxNormalizer;
import org.hopfieldstore.core.normalize.SparsemaxNormalizer;
import org.hopfieldstore.core.normalize.TopKNormalizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Each normalizer on one score vector of M scores (seeded Gaussian, scaled as beta = 32 scores of
 * unit vectors in d = 128 would be), including the sort-based reference thresholds that the fast
 * exact paths replace.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx2g"})
public class NormalizerBench {
  @Param({"softmax", "sparsemax", "sparsemax-sort", "entmax15", "entmax15-sort",
      "entmax-bisect-1.3", "topk-32"})
  public String rule;

  @Param({"10007", "100003", "1000003"})
  public int size;

  private double[] z;
  private double[] p;
  private Normalizer normalizer;

  @Setup
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(13);
    z = new double[size];
    double scale = 32 / Math.sqrt(128);
    for (int i = 0; i < size; i++) {
      z[i] = scale * SyntheticMemories.gaussian(rnd);
    }
    p = new double[size];
    switch (rule) {
      case "softmax":
        normalizer = SoftmaxNormalizer.INSTANCE;
        break;
      case "sparsemax":
      case "sparsemax-sort":
        normalizer = SparsemaxNormalizer.INSTANCE;
        break;
      case "entmax15":
      case "entmax15-sort":
        normalizer = Entmax15Normalizer.INSTANCE;
        break;
      case "entmax-bisect-1.3":
        normalizer = new EntmaxBisectNormalizer(1.3);
        break;
      case "topk-32":
        normalizer = new TopKNormalizer(32);
        break;
      default:
        throw new IllegalArgumentException("unknown rule " + rule);
    }
  }

  /** The full normalizer (threshold and weights), or the sort reference's threshold. */
  @Benchmark
  public Object normalize() {
    switch (rule) {
      case "sparsemax-sort":
        return SparsemaxNormalizer.thresholdSort(z, size);
      case "entmax15-sort":
        return Entmax15Normalizer.thresholdSort(z, size);
      default:
        normalizer.normalize(z, size, p);
        return p;
    }
  }
}
