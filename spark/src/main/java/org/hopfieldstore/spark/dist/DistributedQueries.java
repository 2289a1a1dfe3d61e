package org.hopfieldstore.spark.dist;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.util.LongAccumulator;
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
import org.hopfieldstore.core.reduce.SupportPartial;
import org.hopfieldstore.core.reduce.ThresholdRound;
import org.hopfieldstore.core.reduce.ThresholdWeights;
import org.hopfieldstore.core.aggregate.BlockAggregation;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.RetrievalState;
import org.hopfieldstore.core.retrieval.StepAggregation;
import org.hopfieldstore.core.retrieval.StepPartial;
import org.hopfieldstore.core.retrieval.ThresholdSearch;
import org.hopfieldstore.core.retrieval.BlockRetrieval;
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
 *
 * <p>Sparse candidates are capped as the store caps them ({@link
 * BlockRetrieval#setMaxCandidateBytes}, per query block): a query block whose supports would be
 * wider (a small beta, alpha near 1, a constant query) is solved by a distributed threshold
 * search ({@link ThresholdSearch.Rounds}: rounds of O(batch) power sums per memory block, then
 * one weighted-sum pass of O(batch d)), so the traffic of a step, and the memory of the tasks
 * that merge it, do not grow with the number of memories. The search's rounds depend on the
 * data, so a plan that searches runs each sparse step as it is planned; a lazy plan (the ML
 * transform's) refuses such a step instead, with a line naming the bound.
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
   * What the threshold searches of a retrieval cost: per step that needed one, the query
   * blocks searched, the rounds (passes over the memories) and the bytes of the partials the
   * search passes sent (counted per task run, so a retried task counts twice).
   */
  public static final class Searches {
    public final List<Integer> steps = new ArrayList<>();
    public final List<Long> blocks = new ArrayList<>();
    public final List<Integer> rounds = new ArrayList<>();
    public final List<Long> bytes = new ArrayList<>();

    void add(int step, long blockCount, int roundCount, long byteCount) {
      steps.add(step);
      blocks.add(blockCount);
      rounds.add(roundCount);
      bytes.add(byteCount);
    }

    public boolean isEmpty() {
      return steps.isEmpty();
    }
  }

  /** A query block in the middle of a threshold search. */
  static final class SearchingBlock implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final QueryBlock block;
    final ThresholdSearch.Rounds rounds;

    SearchingBlock(QueryBlock block, ThresholdSearch.Rounds rounds) {
      this.block = block;
      this.rounds = rounds;
    }

    SearchingBlock advanced(ThresholdRound round) {
      ThresholdSearch.Rounds next = rounds.copy();
      next.advance(round);
      return new SearchingBlock(block, next);
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
    return retrieve(store, queries, spec, report, queryPartitions, checkpointEvery, null);
  }

  /**
   * As {@link #retrieve(DistributedStore, JavaPairRDD, RetrievalSpec, int, int, int)}; with
   * {@code searches}, a sparse step whose supports are wider than the candidate bound is solved
   * by a threshold search, recorded there (each sparse step then runs as it is planned). With
   * null the plan stays lazy for every rule, and such a step fails with a line saying so.
   */
  public static JavaPairRDD<Long, QueryBlock> retrieve(DistributedStore store,
      JavaPairRDD<Long, QueryBlock> queries, RetrievalSpec spec, int report,
      int queryPartitions, int checkpointEvery, Searches searches) {
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
    boolean sparse = sparsePartial(spec, d, report) != null;
    Plan plan = new Plan(spec, report, d, kernel, store.maxCandidateBytes(),
        store.partitions(), byQuery, sparse && searches != null
            ? store.blocks().jsc().sc().longAccumulator("threshold search bytes") : null,
        searches);
    List<JavaPairRDD<Long, QueryBlock>> cached = new ArrayList<>();
    for (int t = 0; t < spec.steps(); t++) {
      cached.add(q);
      q = step(q, memory, plan, shipLimit, false, t + 1);
      if (checkpoints && (t + 1) % checkpointEvery == 0 && t + 1 < spec.steps()) {
        q.checkpoint();
        q.count();
        cached.forEach(r -> r.unpersist(false)); // the checkpoint holds the states now
        cached.clear();
      }
    }
    if (spec.hasEnergy()) {
      q = step(q, memory, plan, -1, true, spec.steps() + 1);
    }
    return q.mapPartitionsToPair(it -> {
      List<Tuple2<Long, QueryBlock>> blocks = new ArrayList<>();
      it.forEachRemaining(blocks::add);
      blocks.sort(Comparator.comparingLong(Tuple2::_1));
      return blocks.iterator();
    }, true);
  }

  /** What every step of one retrieval shares. */
  private static final class Plan implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final RetrievalSpec spec;
    final int report;
    final int d;
    final String kernel;
    final long candidateBytes;
    final int memoryPartials;
    final Partitioner byQuery;
    final LongAccumulator searchBytes; // null: not a sparse rule
    final transient Searches searches;

    Plan(RetrievalSpec spec, int report, int d, String kernel, long candidateBytes,
        int memoryPartials, Partitioner byQuery, LongAccumulator searchBytes,
        Searches searches) {
      this.spec = spec;
      this.report = report;
      this.d = d;
      this.kernel = kernel;
      this.candidateBytes = candidateBytes;
      this.memoryPartials = memoryPartials;
      this.byQuery = byQuery;
      this.searchBytes = searchBytes;
      this.searches = searches;
    }

    /** The block's step (or energy pass), its sparse candidates capped. */
    StepAggregation aggregation(RetrievalState s, long shipLimit, boolean energyPass) {
      float[] work = energyPass ? s.energyStates() : s.workStates();
      float[] offsets = energyPass ? s.energyOffsets() : s.workOffsets();
      int n = energyPass ? s.batch() : s.activeCount();
      StepAggregation agg = new StepAggregation(spec, work, offsets, n, d, report,
          ScoreKernels.byName(kernel), 0, 1, energyPass ? -1 : shipLimit,
          energyPass ? s.energyQueryKeys() : s.workQueryKeys());
      int cap = BlockRetrieval.candidateCap(candidateBytes, memoryPartials, n);
      return cap < Integer.MAX_VALUE ? agg.withCandidateCap(cap) : agg;
    }
  }

  /** The rule's empty partial of one query when it is a sparse support's, else null. */
  private static SupportPartial sparsePartial(RetrievalSpec spec, int d, int report) {
    return spec.rule().emptyPartial(spec, 1, d, report, new long[] {0})
        instanceof SupportPartial s ? s : null;
  }

  private static boolean needsSearch(StepPartial p) {
    return p.scores() instanceof SupportPartial s && s.anyWide();
  }

  /** One update (or, with {@code energyPass}, the energy pass) of every block with work. */
  private static JavaPairRDD<Long, QueryBlock> step(JavaPairRDD<Long, QueryBlock> q,
      JavaRDD<MemoryBlock> memory, Plan plan, long shipLimit, boolean energyPass, int stepNo) {
    Partitioner byQuery = plan.byQuery;
    int d = plan.d;
    JavaPairRDD<Long, QueryBlock> working = q.filter(t -> energyPass
        ? t._2().state.wantsEnergyPass() : t._2().state.activeCount() > 0);
    JavaPairRDD<Long, QueryBlock> idle = q.filter(t -> !(energyPass
        ? t._2().state.wantsEnergyPass() : t._2().state.activeCount() > 0));
    JavaPairRDD<Long, StepPartial> partials = working.cartesian(memory).mapToPair(p -> {
      ExecutorThreads.limit();
      StepAggregation agg = plan.aggregation(p._1()._2().state, shipLimit, energyPass);
      return new Tuple2<>(p._1()._1(), agg.fold(agg.zero(), p._2()));
    }).reduceByKey(byQuery, StepPartial::merge);
    JavaPairRDD<Long, Tuple2<QueryBlock, StepPartial>> merged = working.join(partials);
    JavaPairRDD<Long, Tuple2<QueryBlock, StepOutput>> searched = null;
    List<JavaPairRDD<?, ?>> searchCache = new ArrayList<>();
    if (plan.searchBytes != null) {
      merged = merged.persist(StorageLevel.MEMORY_AND_DISK());
      searchCache.add(merged);
      searched = searched(merged.filter(t -> needsSearch(t._2()._2())), memory, plan,
          energyPass, stepNo, searchCache);
      if (searched != null) {
        merged = merged.filter(t -> !needsSearch(t._2()._2()));
      }
    }
    // the step as far as the partials give it; states still owed come from the memory rows
    JavaPairRDD<Long, Tuple2<QueryBlock, StepOutput>> finished = merged.mapValues(t -> {
      if (needsSearch(t._2())) {
        throw new IllegalStateException(plan.spec.rule().key() + " supports wider than the "
            + "candidate bound (" + plan.candidateBytes + " bytes, -Dhopfield.spark."
            + "maxCandidateBytes) need a threshold search, which this lazy plan cannot run: "
            + "retrieve these queries with 'hopfield-store retrieve', or raise the bound");
      }
      return new Tuple2<>(t._1(), plan.aggregation(t._1().state, shipLimit, energyPass)
          .finishFromPartial(t._2(), !energyPass));
    });
    JavaPairRDD<Long, Tuple2<QueryBlock, StepOutput>> owing =
        finished.filter(t -> !energyPass && t._2()._2().states == null);
    JavaPairRDD<Long, DoubleSums> sums = owing.cartesian(memory).mapToPair(p -> {
      StepOutput w = p._1()._2()._2();
      SupportRowSums agg = new SupportRowSums(w.supportIds, w.supportWeights, d);
      return new Tuple2<>(p._1()._1(), agg.fold(agg.zero(), p._2()));
    }).reduceByKey(byQuery, DoubleSums::merge);
    JavaPairRDD<Long, Tuple2<QueryBlock, StepOutput>> completed = owing.join(sums).mapValues(
        t -> new Tuple2<>(t._1()._1(), withStates(t._1()._2(), t._2().toFloats())));
    JavaPairRDD<Long, Tuple2<QueryBlock, StepOutput>> outputs = finished
        .filter(t -> energyPass || t._2()._2().states != null).union(completed);
    if (searched != null) {
      outputs = outputs.union(searched);
    }
    JavaPairRDD<Long, QueryBlock> updated = outputs.mapValues(t -> {
      RetrievalState s = t._1().state.copy();
      if (energyPass) {
        s.applyEnergy(t._2());
      } else {
        s.applyStep(t._2());
      }
      return new QueryBlock(t._1().key, t._1().ids, s);
    });
    JavaPairRDD<Long, QueryBlock> next = idle.union(updated).partitionBy(byQuery)
        .persist(StorageLevel.MEMORY_AND_DISK());
    if (!searchCache.isEmpty()) {
      next.count(); // the cached partials and searches are no longer needed once this is
      searchCache.forEach(r -> r.unpersist(false));
    }
    return next;
  }

  /**
   * The outputs of the blocks whose sparse candidates exceeded the cap, each solved by a
   * threshold search (rounds run until every block's thresholds are found, then one
   * weighted-sum pass); null when no block needs one (one Spark job finds out).
   */
  private static JavaPairRDD<Long, Tuple2<QueryBlock, StepOutput>> searched(
      JavaPairRDD<Long, Tuple2<QueryBlock, StepPartial>> wide, JavaRDD<MemoryBlock> memory,
      Plan plan, boolean energyPass, int stepNo, List<JavaPairRDD<?, ?>> cache) {
    double alpha = sparsePartial(plan.spec, plan.d, plan.report).normalizer().alpha();
    JavaPairRDD<Long, SearchingBlock> blocks = wide.mapValues(t -> new SearchingBlock(t._1(),
        ThresholdSearch.Rounds.start((SupportPartial) t._2().scores(), alpha)))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long count = blocks.count();
    if (count == 0) {
      blocks.unpersist(false);
      return null;
    }
    long bytesBefore = plan.searchBytes.value();
    LongAccumulator bytes = plan.searchBytes;
    Partitioner byQuery = plan.byQuery;
    int rounds = 0;
    List<JavaPairRDD<Long, SearchingBlock>> done = new ArrayList<>();
    while (true) {
      JavaPairRDD<Long, SearchingBlock> open = blocks.filter(t -> !t._2().rounds.finished());
      if (open.isEmpty()) {
        break;
      }
      JavaPairRDD<Long, ThresholdRound> sums = open.cartesian(memory).mapToPair(p -> {
        ExecutorThreads.limit();
        SearchingBlock b = p._1()._2();
        BlockAggregation<ThresholdRound> pass = plan.aggregation(b.block.state, -1, energyPass)
            .rescan(b.rounds::emptyRound, "threshold search round");
        ThresholdRound r = pass.fold(pass.zero(), p._2());
        bytes.add(r.byteSize());
        return new Tuple2<>(p._1()._1(), r);
      }).reduceByKey(byQuery, ThresholdRound::merge);
      JavaPairRDD<Long, SearchingBlock> next = blocks.leftOuterJoin(sums).mapValues(
          t -> t._2().isPresent() ? t._1().advanced(t._2().get()) : t._1())
          .persist(StorageLevel.MEMORY_AND_DISK());
      next.count();
      rounds++;
      done.add(blocks);
      blocks = next;
    }
    done.forEach(r -> r.unpersist(false));
    int dim = energyPass ? 0 : plan.d;
    int report = plan.report;
    JavaPairRDD<Long, ThresholdWeights> weights = blocks.cartesian(memory).mapToPair(p -> {
      ExecutorThreads.limit();
      SearchingBlock b = p._1()._2();
      BlockAggregation<ThresholdWeights> pass = plan.aggregation(b.block.state, -1, energyPass)
          .rescan(() -> b.rounds.emptyWeights(dim, report), "weighted sums at thresholds");
      ThresholdWeights w = pass.fold(pass.zero(), p._2());
      bytes.add(w.byteSize());
      return new Tuple2<>(p._1()._1(), w);
    }).reduceByKey(byQuery, ThresholdWeights::merge);
    JavaPairRDD<Long, Tuple2<QueryBlock, StepOutput>> out = blocks.join(weights)
        .mapValues(t -> new Tuple2<>(t._1().block, t._2().finish(null, !energyPass)))
        .persist(StorageLevel.MEMORY_AND_DISK());
    out.count();
    cache.add(blocks);
    cache.add(out);
    if (plan.searches != null) {
      plan.searches.add(stepNo, count, rounds, plan.searchBytes.value() - bytesBefore);
    }
    return out;
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
