package org.hopfieldstore.spark.dist;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.hopfieldstore.core.aggregate.Both;
import org.hopfieldstore.core.aggregate.DoubleSums;
import org.hopfieldstore.core.capacity.Separation;
import org.hopfieldstore.core.kernel.LinearFeatureMap;
import org.hopfieldstore.core.kernel.PairTerms;
import org.hopfieldstore.core.kernel.SeparationLoss;
import org.hopfieldstore.core.kernel.SeparationTerms;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.score.ScoreKernels;
import scala.Tuple2;

/**
 * The studies' distributed passes over a store's cached blocks: the exact separation of the whole
 * memory set (capacity studies) and the separation-loss terms of U-Hop's Stage I (arrange).
 */
public final class DistributedStudies {
  private final SparkBlocks blocks;

  public DistributedStudies(SparkBlocks blocks) {
    this.blocks = blocks;
  }

  /**
   * The exact separation of the whole store (largest pairwise cosine with its pair, minimal
   * angle, {@code Delta_min}): every unordered pair of cached blocks is one task that computes
   * the block-pair products with the core code ({@link Separation#between}); each block's row
   * maxima are merged by block ({@code reduceByKey}), and the blocks' separations by a reduce.
   * Cost: M^2 d / 2 multiply-adds in P(P+1)/2 tasks; traffic: a double per memory and pair.
   */
  public Separation separation() {
    if (blocks.count() < 2) {
      throw new IllegalArgumentException(
          "separation needs at least 2 memories, the store holds " + blocks.count());
    }
    JavaPairRDD<Integer, MemoryBlock> indexed = blocks.indexed();
    JavaPairRDD<Integer, Separation.RowMaxima> maxima = blocks.blockPairs().flatMapToPair(p -> {
      ExecutorThreads.limit();
      boolean same = p._1()._1().equals(p._2()._1());
      Separation.Cross c = Separation.between(p._1()._2(), p._2()._2(), same,
          ScoreKernels.defaultKernel(), 0);
      List<Tuple2<Integer, Separation.RowMaxima>> out = new ArrayList<>();
      out.add(new Tuple2<>(p._1()._1(), c.forA()));
      if (!same) {
        out.add(new Tuple2<>(p._2()._1(), c.forB()));
      }
      return out.iterator();
    }).reduceByKey(Separation.RowMaxima::merge);
    return blocks.withDescription("exact separation", () -> maxima.join(indexed)
        .map(t -> t._2()._1().of(t._2()._2())).reduce(Separation::merge));
  }

  /**
   * The separation-loss terms of the whole store under the map W (U-Hop Stage I, distributed as
   * in ALGORITHMS.md section 6): with a sample of negatives each partition pairs its memories
   * with it, in the same pass as the norm penalty; without one, every pair of blocks is a task.
   */
  public SeparationTerms.Epoch separationTerms(LinearFeatureMap map, SeparationLoss loss,
      MemoryBlock negatives) {
    Both<PairTerms, DoubleSums> perBlock =
        blocks.aggregate(SeparationTerms.perBlock(loss, map, negatives));
    PairTerms pairs = negatives != null ? perBlock.first()
        : blocks.aggregatePairs(SeparationTerms.allPairs(loss, map));
    return new SeparationTerms.Epoch(pairs, perBlock.second());
  }
}
