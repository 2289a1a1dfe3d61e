package org.hopfieldstore.bench;

import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.SparkSetup;
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
 * One retrieval step on memories cached in Spark local mode (local[2], P partitions) against the
 * in-process engine on the same memories: the cost of distribution on one machine. Needs the
 * JVM flags Spark wants on Java 17 (bench/jmh.sh passes them).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g"})
public class SparkLocalBench {
  @Param({"in-process", "spark-local"})
  public String mode;

  @Param({"softmax", "sparsemax", "topk"})
  public String rule;

  @Param({"100003"})
  public int memories;

  @Param({"128"})
  public int dim;

  @Param({"256"})
  public int batch;

  @Param({"2"})
  public int partitions;

  private SparkSession spark;
  private DistributedStore store;
  private StepFunction steps;
  private FloatMatrix queries;
  private RetrievalSpec parsed;

  @Setup
  public void setUp() {
    FloatMatrix xi = BenchData.memories(memories, dim);
    queries = BenchData.queries(xi, batch);
    parsed = BenchData.spec(rule);
    if (mode.equals("spark-local")) {
      spark = SparkSetup.session("local[2]", "hopfield-bench");
      store = DistributedStore.fromMatrix(new JavaSparkContext(spark.sparkContext()), xi,
          partitions, StorageLevel.MEMORY_ONLY(), "nd4j");
      steps = store;
    } else {
      steps = new LocalRetrievalEngine(MemoryBlock.of(xi));
    }
  }

  @TearDown
  public void tearDown() {
    if (store != null) {
      store.close();
    }
    if (spark != null) {
      spark.stop();
    }
  }

  @Benchmark
  public RetrievalResult oneStep() {
    return RetrievalLoop.run(steps, queries, parsed, 10, false);
  }
}
