package org.hopfieldstore.bench;

import java.util.concurrent.TimeUnit;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
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
 * One retrieval step end to end in-process (scores, normalizer, weighted sum, top ids), as
 * {@code bin/hopfield-store bench} and bench/vs-peers.sh time it. queries/s = B / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g"})
public class RetrievalStepBench {
  @Param({"softmax", "sparsemax", "entmax", "topk"})
  public String rule;

  @Param({"100003"})
  public int memories;

  @Param({"129", "784"})
  public int dim;

  @Param({"1", "256"})
  public int batch;

  private LocalRetrievalEngine engine;
  private FloatMatrix queries;
  private RetrievalSpec parsed;

  @Setup
  public void setUp() {
    FloatMatrix xi = BenchData.memories(memories, dim);
    engine = new LocalRetrievalEngine(MemoryBlock.of(xi));
    queries = BenchData.queries(xi, batch);
    parsed = BenchData.spec(rule);
  }

  @Benchmark
  public RetrievalResult oneStep() {
    return engine.retrieve(queries, parsed, 10, false);
  }
}
