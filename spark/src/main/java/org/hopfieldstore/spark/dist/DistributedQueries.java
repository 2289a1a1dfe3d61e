package org.hopfieldstore.spark.dist;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.aggregate.DoubleSums;
import org.hopfieldstore.core.aggregate.SupportRowSums;
import org.hopfieldstore.core.kernel.KernelSpace;
import org.hopfieldstore.core.kernel.KernelStep;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.nonparametric.KernelSummary;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.RetrievalState;
import org.hopfieldstore.core.retrieval.StepAggregation;
import org.hopfieldstore.core.retrieval.StepPartial;
import org.hopfieldstore.core.score.ScoreKernels;
import scala.Tuple2;

/**
 * The distributed query plan, for query sets of any size: query blocks crossed with memory
 * blocks, each task folding one memory block into the partials of one query block with the core
 * code ({@link StepAggregation}), the partials merged per query block ({@code reduceByKey}), the
 * blocks' {@link RetrievalState}s kept as a distributed dataset between steps. Rules whose states
 * come from a support's rows take them from the rows sent along, or from a second pass in which
 * each memory block adds its part of the weighted sums. Nothing is collected on the driver; the
 * plan is lazy (it runs when its result is used) and gives, for every rule, the answer of the
 * in-process engine.
 */
public final class DistributedQueries {
  private DistributedQueries() {}

  /** Sends query blocks back to the partition of the query data they came from. */
  static final class ByQueryPartition extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    ByQueryPartition(int partitions) {
      this.partitions = Math.max(1, partitions);
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return QueryBlock.partitionOf((Long) key);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ByQueryPartition && ((ByQueryPartition) o).partitions == partitions;
    }

    @Override
    public int hashCode() {
      return partitions;
    }
  }

  /**
   * Where a spec scores: the store itself, or for {@code kernel=W} its kernel space (W read
   * once, on the driver) with, for the normalised map, a store derived with the per-memory
   * factors {@code 1 / |W xi + b|} (close it when done); the query blocks carry the kernel
   * space, so the executors form the states' transforms and score offsets.
   */
  public static final class Scoring implements AutoCloseable {
    public final DistributedStore store;
    public final KernelSpace kernel;
    private final KernelStep step;

    private Scoring(DistributedStore store, KernelStep step) {
      this.store = step == null ? store : (DistributedStore) step.scorer();
      this.kernel = step == null ? null : step.space();
      this.step = step;
    }

    public static Scoring of(DistributedStore store, RetrievalSpec spec) {
      return new Scoring(store, spec.kernel() == null ? null : KernelStep.of(store, spec));
    }

    @Override
    public void close() {
      if (step != null) {
        step.close();
      }
    }
  }

  /**
   * Runs every step of every query block and the energy pass; the result holds the final
   * states, partitioned as the query data was ({@code queryPartitions}) and in its order within
   * each partition.
   */
  public static JavaPairRDD<Long, QueryBlock> retrieve(DistributedStore store,
      JavaPairRDD<Long, QueryBlock> queries, RetrievalSpec spec, int report,
      int queryPartitions) {
    return retrieve(store, queries, spec, report, queryPartitions, 0);
  }

  /**
   * As {@link #retrieve(DistributedStore, JavaPairRDD, RetrievalSpec, int, int)}; with
   * {@code checkpointEvery > 0} and a checkpoint directory set on the context, the states are
   * checkpointed after every {@code checkpointEvery} steps and computed right away (one Spark
   * job per stretch of steps), so the lineage a lost partition is recomputed from never spans
   * more steps than that. Without either the whole retrieval stays lazy.
   */
  public static JavaPairRDD<Long, QueryBlock> retrieve(DistributedStore store,
      JavaPairRDD<Long, QueryBlock> queries, RetrievalSpec spec, int report,
      int queryPartitions, int checkpointEvery) {
    Partitioner byQuery = new ByQueryPartition(queryPartitions);
    JavaPairRDD<Long, QueryBlock> q = queries.partitionBy(byQuery)
        .persist(StorageLevel.MEMORY_AND_DISK());
    if (spec.isSummary()) {
      return bySummary(store, q, spec);
    }
    JavaRDD<MemoryBlock> memory = store.blocks().rdd();
    long shipLimit = store.shipRowsLimit(report);
    String kernel = store.kernelName();
    int d = store.dim();
    boolean checkpoints = checkpointEvery > 0
        && store.blocks().jsc().getCheckpointDir().isPresent();
    List<JavaPairRDD<Long, QueryBlock>> cached = new ArrayList<>();
    for (int t = 0; t < spec.steps(); t++) {
      cached.add(q);
      q = step(q, memory, spec, report, d, kernel, shipLimit, false, byQuery);
      if (checkpoints && (t + 1) % checkpointEvery == 0 && t + 1 < spec.steps()) {
        q.checkpoint();
        q.count();
        cached.forEach(r -> r.unpersist(false)); // the checkpoint holds the states now
        cached.clear();
      }
    }
    if (spec.hasEnergy()) {
      q = step(q, memory, spec, report, d, kernel, -1, true, byQuery);
    }
    return q.mapPartitionsToPair(it -> {
      List<Tuple2<Long, QueryBlock>> blocks = new ArrayList<>();
      it.forEachRemaining(blocks::add);
      blocks.sort(Comparator.comparingLong(Tuple2::_1));
      return blocks.iterator();
    }, true);
  }

  /** One update (or, with {@code energyPass}, the energy pass) of every block with work. */
  private static JavaPairRDD<Long, QueryBlock> step(JavaPairRDD<Long, QueryBlock> q,
      JavaRDD<MemoryBlock> memory, RetrievalSpec spec, int report, int d, String kernel,
      long shipLimit, boolean energyPass, Partitioner byQuery) {
    JavaPairRDD<Long, QueryBlock> working = q.filter(t -> energyPass
        ? t._2().state.wantsEnergyPass() : t._2().state.activeCount() > 0);
    JavaPairRDD<Long, QueryBlock> idle = q.filter(t -> !(energyPass
        ? t._2().state.wantsEnergyPass() : t._2().state.activeCount() > 0));
    JavaPairRDD<Long, StepPartial> partials = working.cartesian(memory).mapToPair(p -> {
      ExecutorThreads.limit();
      StepAggregation agg = aggregation(p._1()._2().state, spec, report, d, kernel, shipLimit,
          energyPass);
      return new Tuple2<>(p._1()._1(), agg.fold(agg.zero(), p._2()));
    }).reduceByKey(byQuery, StepPartial::merge);
    // the step as far as the partials give it; states still owed come from the memory rows
    JavaPairRDD<Long, Tuple2<QueryBlock, StepOutput>> finished = working.join(partials)
        .mapValues(t -> new Tuple2<>(t._1(), aggregation(t._1().state, spec, report, d, kernel,
            shipLimit, energyPass).finishFromPartial(t._2(), !energyPass)));
    JavaPairRDD<Long, Tuple2<QueryBlock, StepOutput>> owing =
        finished.filter(t -> !energyPass && t._2()._2().states == null);
    JavaPairRDD<Long, DoubleSums> sums = owing.cartesian(memory).mapToPair(p -> {
      StepOutput w = p._1()._2()._2();
      SupportRowSums agg = new SupportRowSums(w.supportIds, w.supportWeights, d);
      return new Tuple2<>(p._1()._1(), agg.fold(agg.zero(), p._2()));
    }).reduceByKey(byQuery, DoubleSums::merge);
    JavaPairRDD<Long, Tuple2<QueryBlock, StepOutput>> completed = owing.join(sums).mapValues(
        t -> new Tuple2<>(t._1()._1(), withStates(t._1()._2(), t._2().toFloats())));
    JavaPairRDD<Long, QueryBlock> updated = finished
        .filter(t -> energyPass || t._2()._2().states != null).union(completed)
        .mapValues(t -> {
          RetrievalState s = t._1().state.copy();
          if (energyPass) {
            s.applyEnergy(t._2());
          } else {
            s.applyStep(t._2());
          }
          return new QueryBlock(t._1().key, t._1().ids, s);
        });
    return idle.union(updated).partitionBy(byQuery).persist(StorageLevel.MEMORY_AND_DISK());
  }

  private static StepAggregation aggregation(RetrievalState s, RetrievalSpec spec, int report,
      int d, String kernel, long shipLimit, boolean energyPass) {
    float[] work = energyPass ? s.energyStates() : s.workStates();
    float[] offsets = energyPass ? s.energyOffsets() : s.workOffsets();
    int n = energyPass ? s.batch() : s.activeCount();
    return new StepAggregation(spec, work, offsets, n, d, report, ScoreKernels.byName(kernel), 0,
        1,
        energyPass ? -1 : shipLimit, energyPass ? s.energyQueryKeys() : s.workQueryKeys());
  }

  private static StepOutput withStates(StepOutput w, float[] states) {
    return new StepOutput(states, w.conjugate, w.supportIds, w.supportWeights, w.supportSize);
  }

  /** The summary rules: the store's summary (built once, broadcast) steps every block. */
  private static JavaPairRDD<Long, QueryBlock> bySummary(DistributedStore store,
      JavaPairRDD<Long, QueryBlock> q, RetrievalSpec spec) {
    KernelSummary summary = store.summary(spec);
    Broadcast<byte[]> bytes = store.blocks().jsc().broadcast(summary.toBytes());
    return q.mapValues(b -> {
      KernelSummary s = KernelSummary.fromBytes(bytes.value());
      RetrievalState state = b.state.copy();
      for (int n = state.activeCount(); n > 0; n = state.activeCount()) {
        state.applyStep(StepOutput.ofSummary(s.step(state.workStates(), n), n, s.count()));
      }
      return new QueryBlock(b.key, b.ids, state);
    });
  }
}
