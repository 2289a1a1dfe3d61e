package org.hopfieldstore.spark;

import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.capacity.RetrievalQuality;
import org.hopfieldstore.core.capacity.Separation;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.DistributedStudies;

/**
 * The entry point for notebooks and applications: memories held in-process or cached on a Spark
 * cluster, retrieval by model spec, and the study measures, with one API for both.
 *
 * <pre>
 *   FloatMatrix xi = HopfieldStore.read("fmnist.npy");
 *   try (HopfieldStore store = HopfieldStore.of(xi)) {          // or onSpark(spark, xi, 8)
 *     QuerySet q = HopfieldStore.queries(xi, 256, "dropout:0.5", 7);
 *     RetrievalResult r = store.retrieve(q.queries(), "sparsemax:beta=30,steps=3");
 *     double success = store.quality(r, q).successRate;
 *   }
 * </pre>
 *
 * The quality measures are those of the papers' public code (ALGORITHMS.md, section 5): a
 * retrieval succeeds when the cosine distance between stored and retrieved pattern is at most
 * 0.2.
 */
public final class HopfieldStore implements AutoCloseable {
  /** The papers' success threshold on the cosine distance. */
  public static final double SUCCESS_COSINE_DISTANCE = 0.2;

  private final FloatMatrix memories;
  private final StepFunction steps;
  private final DistributedStore distributed;

  private HopfieldStore(FloatMatrix memories, StepFunction steps, DistributedStore distributed) {
    this.memories = memories;
    this.steps = steps;
    this.distributed = distributed;
  }

  /** Memories from a .npy file (2-D float32/float64) or IDX images. */
  public static FloatMatrix read(String path) {
    return MatrixReader.read(Path.of(path), "memories");
  }

  /** {@code count} corrupted copies of distinct memories ("dropout:0.5", "gaussian:0.2", ...). */
  public static QuerySet queries(FloatMatrix memories, int count, String corruption, long seed) {
    return QuerySet.fromMemories(memories, count, Corruption.parse(corruption), seed);
  }

  /** The memories in-process, on the default score kernel. */
  public static HopfieldStore of(FloatMatrix memories) {
    return new HopfieldStore(memories, new LocalRetrievalEngine(MemoryBlock.of(memories)), null);
  }

  /** The memories split into {@code partitions} blocks cached on the executors of a session. */
  public static HopfieldStore onSpark(SparkSession spark, FloatMatrix memories, int partitions) {
    DistributedStore store = DistributedStore.fromMatrix(
        JavaSparkContext.fromSparkContext(spark.sparkContext()), memories, partitions,
        StorageLevel.MEMORY_ONLY(), "nd4j");
    return new HopfieldStore(memories, store, store);
  }

  public long memoryCount() {
    return steps.memoryCount();
  }

  public int dim() {
    return steps.dim();
  }

  /** Where the steps run: the in-process engine or the distributed store. */
  public StepFunction steps() {
    return steps;
  }

  /** Retrieves every query with the model {@code spec} (10 top ids, energies tracked). */
  public RetrievalResult retrieve(FloatMatrix queries, String spec) {
    return retrieve(queries, RetrievalSpec.parse(spec), RetrievalLoop.DEFAULT_REPORT, true);
  }

  public RetrievalResult retrieve(FloatMatrix queries, RetrievalSpec spec, int report,
      boolean trackEnergy) {
    return RetrievalLoop.run(steps, queries, spec, report, trackEnergy);
  }

  /** Success rate and mean error of a retrieval of {@code queries} against their targets. */
  public RetrievalQuality quality(RetrievalResult result, QuerySet queries) {
    return RetrievalQuality.of(memories, queries.targets(), result.states(),
        SUCCESS_COSINE_DISTANCE, false);
  }

  /**
   * The exact separation of the memory set (largest pairwise cosine, minimal angle, {@code
   * Delta_min}): on the cluster, one task per pair of blocks, when the store is distributed.
   */
  public Separation separation() {
    return distributed != null ? new DistributedStudies(distributed.blocks()).separation()
        : Separation.of(memories, 0);
  }

  /** Unpersists the cached blocks of a distributed store (the session stays open). */
  @Override
  public void close() {
    if (distributed != null) {
      distributed.close();
    }
  }
}
