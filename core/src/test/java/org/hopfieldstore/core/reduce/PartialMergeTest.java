package org.hopfieldstore.core.reduce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.BlockScan;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.score.ScoreKernel;
import org.hopfieldstore.core.score.ScoreKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Partials of a random split of the memories, merged in a random order, finish to the answer of
 * one partial over all memories; byte round trips change nothing; bad bytes are rejected.
 */
class PartialMergeTest {
  static final int M = 500;
  static final int D = 16;
  static final int B = 4;

  static float[] memories(long seed) {
    return org.hopfieldstore.core.ReferenceMath.unitRows(M, D, seed);
  }

  static float[] queries(float[] xi, long seed) {
    Random r = new Random(seed + 1);
    float[] q = new float[B * D];
    for (int b = 0; b < B; b++) {
      int t = r.nextInt(M);
      for (int j = 0; j < D; j++) {
        q[b * D + j] = xi[t * D + j] + 0.2f * (float) r.nextGaussian();
      }
    }
    return q;
  }

  /** The partial of rows [from, to) as its own block with global ids. */
  static PartialScores<?> partialOf(float[] xi, int from, int to, float[] q, RetrievalSpec spec) {
    MemoryBlock block = MemoryBlock.withIdOffset(Arrays.copyOfRange(xi, from * D, to * D),
        to - from, D, from);
    ScoreKernel.Bound bound = ScoreKernels.byName("java").bind(block);
    long[] keys = new long[B]; // the first update of queries 0..B-1 (masked draws per query)
    for (int b = 0; b < B; b++) {
      keys[b] = MemoryMask.queryKey(spec.seed(), b, 0);
    }
    PartialScores<?> p = Partials.empty(spec, B, D, 10, keys);
    BlockScan.fold(p, block, bound, BlockScan.scaledQueries(q, B, D, spec.beta()), B, 37);
    if (p instanceof SupportPartial) {
      ((SupportPartial) p).compact();
    }
    return p;
  }

  @ParameterizedTest
  @ValueSource(strings = {"softmax:beta=8", "sparsemax:beta=4", "entmax:alpha=1.5,beta=4",
      "entmax:alpha=1.25,beta=4", "topk:k=7,beta=8", "topk:k=1000,beta=1",
      "masked:keep=0.3,beta=8,seed=4", "masked:keep=0.3,beta=8,seed=4,mask=memory",
      "sparsemax:beta=1e16", "entmax:alpha=1.5,beta=1e20", "entmax:alpha=1.0000001,beta=4"})
  void anySplitMergedInAnyOrderGivesTheWholeAnswer(String specText) {
    RetrievalSpec spec = RetrievalSpec.parse(specText);
    for (long seed = 1; seed <= 5; seed++) {
      float[] xi = memories(seed);
      float[] q = queries(xi, seed);
      RowSource rows = RowSource.of(MemoryBlock.of(xi.clone(), M, D));
      StepOutput whole = partialOf(xi, 0, M, q, spec).finish(rows, true);
      for (int parts : new int[] {1, 2, 3, 7, 16}) {
        Random r = new Random(seed * 31 + parts);
        List<Integer> cuts = new ArrayList<>();
        while (cuts.size() < parts - 1) {
          int c = 1 + r.nextInt(M - 1);
          if (!cuts.contains(c)) {
            cuts.add(c);
          }
        }
        Collections.sort(cuts);
        cuts.add(0, 0);
        cuts.add(M);
        List<PartialScores<?>> partials = new ArrayList<>();
        for (int i = 0; i + 1 < cuts.size(); i++) {
          // through bytes, as a partition would send it
          partials.add(Partials.fromBytes(partialOf(xi, cuts.get(i), cuts.get(i + 1), q, spec)
              .toBytes()));
        }
        Collections.shuffle(partials, r);
        PartialScores<?> acc = partials.get(0);
        for (int i = 1; i < partials.size(); i++) {
          acc = Partials.merge(acc, partials.get(i));
        }
        StepOutput got = acc.finish(rows, true);
        String msg = specText + " seed=" + seed + " parts=" + parts + " cuts=" + cuts;
        for (int i = 0; i < whole.states.length; i++) {
          assertEquals(whole.states[i], got.states[i], 1e-5, msg);
        }
        for (int b = 0; b < B; b++) {
          assertArrayEquals(whole.supportIds[b], got.supportIds[b], msg + " query " + b);
          assertEquals(whole.supportSize[b], got.supportSize[b], msg);
          if (!Double.isNaN(whole.conjugate[b])) {
            assertEquals(whole.conjugate[b], got.conjugate[b], 1e-6, msg);
          }
        }
      }
    }
  }

  @Test
  void sparsePartialsSendFarFewerCandidatesThanMemories() {
    float[] xi = memories(42);
    float[] q = queries(xi, 42);
    RetrievalSpec spec = RetrievalSpec.parse("sparsemax:beta=16");
    long sent = 0;
    for (int p = 0; p < 5; p++) {
      sent += partialOf(xi, p * 100, (p + 1) * 100, q, spec).candidateCount();
    }
    assertTrue(sent <= 5L * B * 10, "candidates " + sent);
    assertTrue(sent < (long) M * B / 10, "candidates " + sent);
  }

  @Test
  void truncatedOrForeignBytesAreRejected() {
    float[] xi = memories(1);
    float[] q = queries(xi, 1);
    for (String s : new String[] {"softmax", "sparsemax", "topk:k=3"}) {
      byte[] bytes = partialOf(xi, 0, 100, q, RetrievalSpec.parse(s)).toBytes();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Partials.fromBytes(Arrays.copyOf(bytes, bytes.length / 2)));
      assertTrue(e.getMessage().contains("truncated"), s + ": " + e.getMessage());
      byte[] bad = bytes.clone();
      bad[0] ^= 0x55;
      e = assertThrows(IllegalArgumentException.class, () -> Partials.fromBytes(bad));
      assertTrue(e.getMessage().contains("unknown partial tag"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Partials.fromBytes(new byte[2]));
  }

  @Test
  void mergingDifferentKindsOrShapesIsRejected() {
    float[] xi = memories(1);
    float[] q = queries(xi, 1);
    PartialScores<?> soft = partialOf(xi, 0, 100, q, RetrievalSpec.parse("softmax"));
    PartialScores<?> top = partialOf(xi, 0, 100, q, RetrievalSpec.parse("topk:k=3"));
    PartialScores<?> top4 = partialOf(xi, 0, 100, q, RetrievalSpec.parse("topk:k=4"));
    assertThrows(IllegalArgumentException.class, () -> Partials.merge(soft, top));
    assertThrows(IllegalArgumentException.class, () -> Partials.merge(top, top4));
  }

  @Test
  void topListKeepsTheBestWithTiesToTheLowerIdWhateverTheOrder() {
    double[] scores = {1, 5, 5, 3, 5, 2};
    long[] ids = {10, 11, 12, 13, 14, 15};
    List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
    for (int trial = 0; trial < 20; trial++) {
      Collections.shuffle(order, new Random(trial));
      TopList t = new TopList(3);
      for (int i : order) {
        t.offer(scores[i], ids[i]);
      }
      assertEquals(11, t.id(0), "seed " + trial);
      assertEquals(12, t.id(1));
      assertEquals(14, t.id(2));
    }
  }
}
