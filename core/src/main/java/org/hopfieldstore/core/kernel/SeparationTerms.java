package org.hopfieldstore.core.kernel;

import org.hopfieldstore.core.aggregate.BlockAggregation;
import org.hopfieldstore.core.aggregate.Both;
import org.hopfieldstore.core.aggregate.DoubleSums;
import org.hopfieldstore.core.aggregate.PairAggregation;
import org.hopfieldstore.core.memory.MemoryBlock;

/**
 * One epoch's terms of the separation loss under a map {@code W u + b}, as aggregations over the
 * memory blocks (ALGORITHMS.md section 6): the norm penalty with its gradient ({@code [sum,
 * dP/dW..., dP/db...]}), the pair terms of every memory against a sample of negatives, or the
 * pair terms of every pair of blocks.
 */
public final class SeparationTerms {
  private SeparationTerms() {}

  /** The terms of one epoch: pair terms, the summed norm penalty and its gradient in W and b. */
  public static final class Epoch {
    public final PairTerms pairs;
    public final double penalty;
    /** D x d row-major (W), then D (b): {@link LinearFeatureMap#parameterCount}. */
    public final double[] penaltyGradient;

    /** From the merged pair terms and the merged {@code [penalty, gradient...]} sums. */
    public Epoch(PairTerms pairs, DoubleSums penaltyTerms) {
      double[] v = penaltyTerms.values();
      this.pairs = pairs;
      this.penalty = v[0];
      this.penaltyGradient = java.util.Arrays.copyOfRange(v, 1, v.length);
    }

    /** The terms of one in-process block: the same folds a Spark partition runs. */
    public static Epoch of(SeparationLoss loss, LinearFeatureMap map, MemoryBlock block,
        MemoryBlock sample) {
      BlockAggregation<Both<PairTerms, DoubleSums>> agg = perBlock(loss, map, sample);
      Both<PairTerms, DoubleSums> t = agg.fold(agg.zero(), block);
      PairTerms pairs = sample != null ? t.first() : loss.allPairs(map, block, 0);
      return new Epoch(pairs, t.second());
    }
  }

  /**
   * Per block: the pair terms against {@code sample} (empty terms when it is null) and the norm
   * penalty terms, in one pass.
   */
  public static BlockAggregation<Both<PairTerms, DoubleSums>> perBlock(SeparationLoss loss,
      LinearFeatureMap map, MemoryBlock sample) {
    int n = map.parameterCount();
    return Both.of(new BlockAggregation<PairTerms>() {
      private static final long serialVersionUID = 1L;

      @Override
      public PairTerms zero() {
        return new PairTerms(n);
      }

      @Override
      public PairTerms fold(PairTerms acc, MemoryBlock block) {
        return sample == null ? acc : acc.merge(loss.pairs(map, block, sample, false));
      }

      @Override
      public String describe() {
        return loss + " pairs against " + (sample == null ? 0 : sample.size()) + " negatives";
      }
    }, new BlockAggregation<DoubleSums>() {
      private static final long serialVersionUID = 1L;

      @Override
      public DoubleSums zero() {
        return new DoubleSums(1 + n);
      }

      @Override
      public DoubleSums fold(DoubleSums acc, MemoryBlock block) {
        double[] pen = new double[1];
        double[] g = SeparationLoss.normTerms(map, block, pen);
        double[] sums = acc.values();
        sums[0] += pen[0];
        for (int i = 0; i < g.length; i++) {
          sums[1 + i] += g[i];
        }
        return acc;
      }

      @Override
      public String describe() {
        return "norm penalty";
      }
    });
  }

  /** The pair terms of every pair of blocks (no sampling). */
  public static PairAggregation<PairTerms> allPairs(SeparationLoss loss, LinearFeatureMap map) {
    int n = map.parameterCount();
    return new PairAggregation<>() {
      private static final long serialVersionUID = 1L;

      @Override
      public PairTerms zero() {
        return new PairTerms(n);
      }

      @Override
      public PairTerms fold(PairTerms acc, MemoryBlock a, MemoryBlock b, boolean same) {
        return acc.merge(loss.pairs(map, a, b, same));
      }

      @Override
      public String describe() {
        return loss + " pairs of blocks";
      }
    };
  }
}
