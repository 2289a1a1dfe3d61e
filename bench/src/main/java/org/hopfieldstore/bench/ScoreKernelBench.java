package org.hopfieldstore.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.score.Nd4jScoreKernel;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.ScalarRowOps;
import org.hopfieldstore.core.score.ScoreKernels;
import org.hopfieldstore.core.score.SimdScoreKernel;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two GEMMs of a retrieval step over one tile of memories: scores {@code Q Xi^T} and the
 * weighted sum {@code W Xi}, for the plain-Java reference, ND4J's GEMMs with the block resident
 * off-heap, ND4J streaming the block through an off-heap tile, the system BLAS (netlib JNI)
 * straight on the heap, the heap SIMD loops (JDK Vector
 * API, one thread) and the same loops without the module ("simd-scalar").
 * GFLOP/s = 2 B M d / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xmx6g"})
public class ScoreKernelBench {
  @Param({"java", "nd4j", "nd4j-streaming", "system-blas", "simd", "simd-scalar"})
  public String kernel;

  @Param({"20011"})
  public int memories;

  @Param({"127", "784"})
  public int dim;

  @Param({"1", "255"})
  public int batch;

  private ScoreKernel.Bound bound;
  private float[] queries;
  private float[] scores;
  private float[] weights;
  private float[] acc;

  @Setup
  public void setUp() {
    FloatMatrix xi = BenchData.memories(memories, dim);
    ScoreKernel k;
    switch (kernel) {
      case "nd4j": // ND4J's GEMMs themselves, whatever the batch
        k = new Nd4jScoreKernel(Nd4jScoreKernel.DEFAULT_RESIDENT_LIMIT, 0, false);
        break;
      case "nd4j-streaming":
        k = new Nd4jScoreKernel(0, 0, false);
        break;
      case "system-blas": // the system BLAS on the heap (ND4J's if it does not load)
        k = new Nd4jScoreKernel(0, 0, true);
        break;
      case "simd-scalar":
        k = new SimdScoreKernel(ScalarRowOps.INSTANCE);
        break;
      default:
        k = ScoreKernels.byName(kernel);
    }
    bound = k.bind(MemoryBlock.of(xi));
    queries = BenchData.queries(xi, batch).data();
    scores = new float[batch * memories];
    weights = new float[batch * memories];
    Arrays.fill(weights, 1f / memories);
    acc = new float[batch * dim];
  }

  @TearDown
  public void tearDown() {
    bound.close();
  }

  @Benchmark
  public float[] scores() {
    bound.scores(queries, batch, 0, memories, scores);
    return scores;
  }

  @Benchmark
  public float[] weightedRows() {
    Arrays.fill(acc, 0f);
    bound.addWeightedRows(weights, batch, 0, memories, acc);
    return acc;
  }
}
