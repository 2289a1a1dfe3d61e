package org.hopfieldstore.core.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.nonparametric.FeatureMap;
import org.junit.jupiter.api.Test;

/** Counts near the int range are caps or clear refusals, not overflows or up-front arrays. */
class HugeCountsTest {
  static final long SEED = 7171;

  /**
   * steps is a cap: with a tolerance, steps=2^31-1 stops where steps=200 does, with the same
   * states and energy trace (it once failed with "-2147483648", steps + 1 wrapping, and
   * steps=100000000 allocated 800 MB of energies per query up front).
   */
  @Test
  void aHugeStepCapWithATolGivesTheAnswerOfASmallOne() {
    FloatMatrix xi = SyntheticMemories.uniformSphere(50, 8, SEED);
    QuerySet qs = QuerySet.fromMemories(xi, 5, Corruption.parse("gaussian:0.2"), SEED + 1);
    LocalRetrievalEngine local = new LocalRetrievalEngine(MemoryBlock.of(xi));
    for (String rule : new String[] {"softmax:beta=4", "sparsemax:beta=4"}) {
      RetrievalResult small = local.retrieve(qs.queries(), RetrievalSpec.parse(rule
          + ",steps=200,tol=1e-6"));
      for (int steps : new int[] {Integer.MAX_VALUE, 100_000_000}) {
        RetrievalResult huge = local.retrieve(qs.queries(), RetrievalSpec.parse(rule
            + ",steps=" + steps + ",tol=1e-6"));
        String msg = rule + " steps=" + steps + " seed=" + SEED;
        assertArrayEquals(small.states().data(), huge.states().data(), msg);
        for (int b = 0; b < qs.queries().rows(); b++) {
          assertTrue(small.steps(b) < 200, msg + ": converged within 200 steps");
          assertEquals(small.steps(b), huge.steps(b), msg);
          assertArrayEquals(small.energies(b), huge.energies(b), msg);
          assertEquals(small.steps(b) + 1, huge.energies(b).length, msg);
        }
      }
    }
  }

  @Test
  void prfFeaturesBeyondAnArrayAreRefusedNamingThem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureMap.positiveRandom(16, Integer.MAX_VALUE, 1.0, 3,
            FeatureMap.Projection.ORTHOGONAL));
    assertEquals("prf: features=2147483647 x d=16 projection entries are more than a Java array"
        + " holds; use fewer features", e.getMessage());
  }
}
