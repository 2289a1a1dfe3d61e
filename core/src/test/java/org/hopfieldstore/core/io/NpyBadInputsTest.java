package org.hopfieldstore.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.junit.jupiter.api.Test;

/**
 * Every file of {@code src/test/resources/bad-inputs} (a copy of the shared reference set),
 * handled as its README says: the good file read with the right values, each bad one rejected
 * with a one-line message that starts with the path and names the problem.
 */
class NpyBadInputsTest {

  static Path file(String name) {
    try {
      return Path.of(NpyBadInputsTest.class.getResource("/bad-inputs/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new AssertionError("missing test resource bad-inputs/" + name, e);
    }
  }

  /** Reads {@code name} as memories, expecting a rejection whose message has every fragment. */
  static String rejects(String name, String... fragments) {
    Path path = file(name);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MatrixReader.read(path, "memories"), name);
    String msg = e.getMessage();
    assertTrue(msg.startsWith(path.toString() + ": "), "should start with the path: " + msg);
    assertFalse(msg.contains("\n"), "should be one line: " + msg);
    for (String f : fragments) {
      assertTrue(msg.contains(f), "message of " + name + " should contain '" + f + "': " + msg);
    }
    return msg;
  }

  /** The 5x4 float32 payload of ok_5x4.npy, decoded by hand: data starts at byte 128. */
  static float[] handDecodedOk() throws IOException {
    byte[] raw = Files.readAllBytes(file("ok_5x4.npy"));
    assertEquals(128 + 80, raw.length);
    ByteBuffer b = ByteBuffer.wrap(raw, 128, 80).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[20];
    for (int i = 0; i < 20; i++) {
      out[i] = b.getFloat();
    }
    return out;
  }

  @Test
  void everyFileIsCoveredByATest() throws IOException {
    // a new file in bad-inputs must get a test here
    Set<String> covered = Set.of("README.md", "ok_5x4.npy", "big_endian.npy",
        "truncated_data.npy", "truncated_header.npy", "bad_magic.npy", "empty_file.npy",
        "fortran_order.npy", "complex_dtype.npy", "object_dtype.npy", "three_d.npy",
        "zero_rows.npy", "huge_shape.npy", "negative_shape.npy", "garbage_header.npy",
        "nan_row2_col1.npy", "inf_row4_col3.npy", "dim_mismatch_5x3.npy",
        "idx_truncated-idx3-ubyte", "idx_bad_magic-idx3-ubyte", "idx_corrupt_gzip-idx3-ubyte.gz");
    try (Stream<Path> files = Files.list(file("README.md").getParent())) {
      files.map(f -> f.getFileName().toString())
          .forEach(n -> assertTrue(covered.contains(n), "no test for bad-inputs/" + n));
    }
  }

  @Test
  void okIsAcceptedWithTheRightValues() throws IOException {
    FloatMatrix m = MatrixReader.read(file("ok_5x4.npy"), "memories");
    assertEquals(5, m.rows());
    assertEquals(4, m.cols());
    // known bit patterns from the file dump: first value 19 3d a1 3a, last 93 0f a5 bf
    assertEquals(0x3aa13d19, Float.floatToRawIntBits(m.get(0, 0)));
    assertEquals(0x3e98f52d, Float.floatToRawIntBits(m.get(0, 1)));
    assertEquals(0xbf7ddc8c, Float.floatToRawIntBits(m.get(1, 1)));
    assertEquals(0xbfa50f93, Float.floatToRawIntBits(m.get(4, 3)));
    assertArrayEquals(handDecodedOk(), m.data());
  }

  @Test
  void bigEndianGivesTheSameValuesAsOk() throws IOException {
    // big_endian.npy holds the bytes of ok_5x4 reversed per value ('>f4')
    FloatMatrix m = Npy.readMatrix(file("big_endian.npy"), "memories");
    assertEquals(5, m.rows());
    assertEquals(4, m.cols());
    assertArrayEquals(handDecodedOk(), m.data());
    assertEquals(">f4", Npy.read(file("big_endian.npy")).dtype());
  }

  @Test
  void truncatedData() {
    rejects("truncated_data.npy", "truncated", "expected 80 bytes", "found 37");
  }

  @Test
  void truncatedHeader() {
    rejects("truncated_header.npy", "truncated header");
  }

  @Test
  void badMagic() {
    rejects("bad_magic.npy", "not a .npy file", "magic");
  }

  @Test
  void emptyFile() {
    rejects("empty_file.npy", "empty file");
  }

  @Test
  void fortranOrderIsRefused() {
    rejects("fortran_order.npy", "Fortran-order (column-major) .npy is not supported",
        "np.ascontiguousarray");
    assertThrows(IllegalArgumentException.class, () -> Npy.read(file("fortran_order.npy")));
  }

  @Test
  void complexDtype() {
    rejects("complex_dtype.npy", "unsupported dtype '<c8'", "complex");
  }

  @Test
  void objectDtypeIsNeverUnpickled() {
    rejects("object_dtype.npy", "unsupported dtype '|O'", "pickle");
    assertThrows(IllegalArgumentException.class, () -> Npy.read(file("object_dtype.npy")));
  }

  @Test
  void threeD() {
    rejects("three_d.npy", "expected a 2-D array, got 3-D shape (2, 5, 2)");
    NpyArray a = Npy.read(file("three_d.npy"));
    assertArrayEquals(new int[] {2, 5, 2}, a.shape());
  }

  @Test
  void zeroRows() {
    rejects("zero_rows.npy", "empty memories");
  }

  @Test
  void hugeShapeFailsFastWithoutAllocating() {
    // 4e12 x 4e12 float32: a hang or an OutOfMemoryError here means the size was trusted
    String msg = assertTimeoutPreemptively(Duration.ofSeconds(2),
        () -> rejects("huge_shape.npy", "truncated data", "found 80"));
    assertTrue(msg.contains("expected 64000000000000000000000000 bytes"), msg);
    assertThrows(IllegalArgumentException.class, () -> Npy.read(file("huge_shape.npy")));
  }

  @Test
  void negativeShape() {
    rejects("negative_shape.npy", "negative dimension", "(-5, 4)");
  }

  @Test
  void garbageHeaderIsNeverEvaluated() {
    rejects("garbage_header.npy", "not a plain Python dict literal", "never evaluated",
        "__import__");
  }

  @Test
  void nonFiniteValuesNameRowAndColumn() {
    rejects("nan_row2_col1.npy", "memories", "NaN", "row 2, column 1");
    rejects("inf_row4_col3.npy", "memories", "Infinity", "row 4, column 3");
  }

  @Test
  void dimMismatchFileIsAValid5x3Matrix() throws IOException {
    // The mismatch (3 against memories of dimension 4) is for the caller that pairs queries with
    // memories; the reader's part is to return the 5x3 values, which are ok_5x4[:, :3].
    FloatMatrix q = MatrixReader.read(file("dim_mismatch_5x3.npy"), "queries");
    FloatMatrix m = MatrixReader.read(file("ok_5x4.npy"), "memories");
    assertEquals(5, q.rows());
    assertEquals(3, q.cols());
    assertEquals(4, m.cols());
    for (int r = 0; r < 5; r++) {
      for (int c = 0; c < 3; c++) {
        assertEquals(m.get(r, c), q.get(r, c), "row " + r + " col " + c);
      }
    }
  }

  @Test
  void idxTruncated() {
    rejects("idx_truncated-idx3-ubyte", "truncated data", "expected 18 bytes", "found 10");
  }

  @Test
  void idxBadMagic() {
    rejects("idx_bad_magic-idx3-ubyte", "bad IDX magic", "expected 0x00000803",
        "found 0x00001234");
  }

  @Test
  void idxCorruptGzip() {
    rejects("idx_corrupt_gzip-idx3-ubyte.gz", "corrupt gzip stream");
  }
}
