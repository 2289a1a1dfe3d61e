package org.hopfieldstore.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Validation on construction names the problem, row and column. */
class MemoryBlockTest {
  static void fails(Runnable r, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
  }

  @Test
  void badShapesAndValuesAreNamed() {
    float[] nan = new float[12];
    nan[2 * 4 + 1] = Float.NaN;
    fails(() -> MemoryBlock.of(nan, 3, 4), "non-finite value NaN at row 2, column 1");
    float[] inf = new float[12];
    inf[11] = Float.NEGATIVE_INFINITY;
    fails(() -> MemoryBlock.of(inf, 3, 4), "row 2, column 3");
    fails(() -> MemoryBlock.of(new float[0], 0, 4), "empty memories");
    fails(() -> MemoryBlock.of(new float[0], 3, 0), "dimension must be >= 1");
    fails(() -> MemoryBlock.of(new float[11], 3, 4), "3 x 4 needs 12 values, got 11");
    fails(() -> MemoryBlock.withIds(new float[8], new long[] {5, 5}, 4), "duplicate id 5");
    fails(() -> MemoryBlock.withIds(new float[8], new long[] {5, -1}, 4), "ids must be >= 0");
    fails(() -> FloatMatrix.of("queries", new float[3], 1, 4), "queries");
  }

  @Test
  void idsMapToRows() {
    MemoryBlock implicit = MemoryBlock.withIdOffset(new float[8], 2, 4, 100);
    assertEquals(100, implicit.id(0));
    assertEquals(1, implicit.rowOf(101));
    assertEquals(-1, implicit.rowOf(99));
    assertEquals(-1, implicit.rowOf(102));
    MemoryBlock explicit = MemoryBlock.withIds(new float[12], new long[] {7, 3, 9}, 4);
    assertEquals(3, explicit.id(1));
    assertEquals(2, explicit.rowOf(9));
    assertEquals(-1, explicit.rowOf(8));
  }

  @Test
  void maxNormIsTheLargestRowNorm() {
    MemoryBlock b = MemoryBlock.of(new float[] {3, 4, 0, 1, 1, 1}, 2, 3);
    assertEquals(5.0, b.maxNorm(), 1e-12);
    assertEquals(24, b.sizeInBytes());
  }
}
