package org.hopfieldstore.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips through the writers, the generic reader, and the strict header parser. */
class NpyTest {
  private static final long SEED = 20240611L;
  private static final int[][] SHAPES = {{1, 1}, {7, 13}, {207, 3}, {0, 5}};

  @TempDir
  Path dir;

  // ---------------------------------------------------------------------------------------------
  // Hand-built files

  /** A .npy file with the given version and literal header text (padded to 64 with '\n'). */
  static byte[] npy(int major, String header, byte[] data) {
    byte[] h = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    int pre = major == 1 ? 10 : 12;
    int len = h.length + 1;
    len += (64 - (pre + len) % 64) % 64;
    ByteBuffer b = ByteBuffer.allocate(pre + len + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      b.putShort((short) len);
    } else {
      b.putInt(len);
    }
    b.put(h);
    for (int i = h.length; i < len - 1; i++) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n');
    b.put(data);
    return b.array();
  }

  static String dict(String descr, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  }

  Path save(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  static byte[] doubles(ByteOrder order, double... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(order);
    for (double d : v) {
      b.putDouble(d);
    }
    return b.array();
  }

  static byte[] floats(ByteOrder order, float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  static IllegalArgumentException rejectsMatrix(Path p, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Npy.readMatrix(p, "queries"));
    String msg = e.getMessage();
    assertTrue(msg.startsWith(p + ": "), msg);
    assertFalse(msg.contains("\n"), msg);
    for (String f : fragments) {
      assertTrue(msg.contains(f), "expected '" + f + "' in: " + msg);
    }
    return e;
  }

  // ---------------------------------------------------------------------------------------------
  // Round trips

  @Test
  void float32RoundTripIsBitExact() throws IOException {
    Random rnd = new Random(SEED);
    for (int[] s : SHAPES) {
      int n = s[0] * s[1];
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(20) - 10));
      }
      Path p = dir.resolve("f32_" + s[0] + "x" + s[1] + ".npy");
      Npy.writeFloat32(p, v, s[0], s[1]);
      assertEquals(0, headerLength(p) % 64, "data offset must be a multiple of 64");
      NpyArray a = Npy.read(p);
      assertEquals("<f4", a.dtype());
      assertArrayEquals(s, a.shape());
      double[] back = a.asDoubles();
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits((float) back[i]),
            "seed " + SEED + ", index " + i);
      }
      if (s[0] > 0) {
        FloatMatrix m = Npy.readMatrix(p, "memories");
        assertArrayEquals(v, m.data(), "seed " + SEED);
      }
    }
  }

  @Test
  void float64RoundTripIsBitExact() throws IOException {
    Random rnd = new Random(SEED + 1);
    for (int[] s : SHAPES) {
      int n = s[0] * s[1];
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(40) - 20);
      }
      if (n > 2) {
        v[1] = -0.0;
        v[2] = Double.MIN_VALUE; // subnormal: narrows to 0 in readMatrix, exact in read
      }
      Path p = dir.resolve("f64_" + s[0] + "x" + s[1] + ".npy");
      Npy.writeFloat64(p, v, s[0], s[1]);
      assertEquals(0, headerLength(p) % 64);
      NpyArray a = Npy.read(p);
      assertEquals("<f8", a.dtype());
      assertArrayEquals(s, a.shape());
      double[] back = a.asDoubles();
      for (int i = 0; i < n; i++) {
        assertEquals(Double.doubleToRawLongBits(v[i]), Double.doubleToRawLongBits(back[i]),
            "seed " + (SEED + 1) + ", index " + i);
      }
      if (s[0] > 0) {
        FloatMatrix m = Npy.readMatrix(p, "memories");
        for (int i = 0; i < n; i++) {
          assertEquals(Float.floatToRawIntBits((float) v[i]),
              Float.floatToRawIntBits(m.data()[i]), "seed " + (SEED + 1) + ", index " + i);
        }
      }
    }
  }

  @Test
  void int64RoundTripIsExact() throws IOException {
    Random rnd = new Random(SEED + 2);
    for (int[] s : SHAPES) {
      int n = s[0] * s[1];
      long[] v = new long[n];
      for (int i = 0; i < n; i++) {
        v[i] = rnd.nextLong();
      }
      if (n > 2) {
        v[0] = Long.MIN_VALUE;
        v[1] = -1;
        v[2] = Long.MAX_VALUE;
      }
      Path p = dir.resolve("i64_" + s[0] + "x" + s[1] + ".npy");
      Npy.writeInt64(p, v, s[0], s[1]);
      assertEquals(0, headerLength(p) % 64);
      NpyArray a = Npy.read(p);
      assertEquals("<i8", a.dtype());
      assertArrayEquals(s, a.shape());
      assertArrayEquals(v, a.asLongs(), "seed " + (SEED + 2));
    }
  }

  @Test
  void oneDimensionalWriters() throws IOException {
    Path pd = dir.resolve("d.npy");
    Npy.writeFloat64(pd, new double[] {1.5, -2, 1e300});
    NpyArray d = Npy.read(pd);
    assertArrayEquals(new int[] {3}, d.shape());
    assertArrayEquals(new double[] {1.5, -2, 1e300}, d.asDoubles());
    assertTrue(new String(Files.readAllBytes(pd), StandardCharsets.ISO_8859_1)
        .contains("'shape': (3,)"));

    Path pl = dir.resolve("l.npy");
    Npy.writeInt64(pl, new long[] {-1, 0, 7});
    NpyArray l = Npy.read(pl);
    assertArrayEquals(new int[] {3}, l.shape());
    assertArrayEquals(new long[] {-1, 0, 7}, l.asLongs());

    Path pe = dir.resolve("empty.npy");
    Npy.writeInt64(pe, new long[0]);
    assertArrayEquals(new int[] {0}, Npy.read(pe).shape());
    assertEquals(0, Npy.read(pe).asLongs().length);
  }

  @Test
  void writtenHeaderIsWhatNumpyWrites() throws IOException {
    Path p = dir.resolve("h.npy");
    Npy.writeFloat32(p, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    byte[] b = Files.readAllBytes(p);
    assertEquals(128 + 24, b.length);
    String header = new String(b, 0, 128, StandardCharsets.ISO_8859_1);
    assertTrue(header.startsWith("\u0093NUMPY\u0001\u0000\u0076\u0000"
        + "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
    assertEquals('\n', header.charAt(127));
    // little-endian C order: element (1, 0) = 4.0f at byte 128 + 12
    assertEquals(4f, ByteBuffer.wrap(b, 140, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
  }

  @Test
  void writersCheckTheShape() {
    Path p = dir.resolve("bad.npy");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Npy.writeFloat32(p, new float[5], 2, 3));
    assertTrue(e.getMessage().contains("2 x 3 needs 6 values, got 5"), e.getMessage());
    assertFalse(Files.exists(p));
  }

  @Test
  void writingIntoAMissingDirectoryIsAnIoError() {
    Path p = dir.resolve("no/such/dir/x.npy");
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> Npy.writeInt64(p, new long[] {1}));
    assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
  }

  @Test
  void largeRoundTripCrossesChunkBoundaries() throws IOException {
    // 3 x 100003 float64 = 2.4 MB: several 1 MiB chunks with a ragged end
    Random rnd = new Random(SEED + 3);
    int rows = 3;
    int cols = 100_003;
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextDouble() - 0.5;
    }
    Path p = dir.resolve("large.npy");
    Npy.writeFloat64(p, v, rows, cols);
    FloatMatrix m = Npy.readMatrix(p, "memories");
    for (int i = 0; i < v.length; i++) {
      if ((float) v[i] != m.data()[i]) {
        throw new AssertionError("seed " + (SEED + 3) + ", index " + i);
      }
    }
    assertArrayEquals(v, Npy.read(p).asDoubles(), "seed " + (SEED + 3));
  }

  private static int headerLength(Path p) throws IOException {
    byte[] b = Files.readAllBytes(p);
    int len = (b[8] & 0xff) | (b[9] & 0xff) << 8;
    return 10 + len;
  }

  // ---------------------------------------------------------------------------------------------
  // Generic reader: dtypes, byte orders, versions, dimensionality

  @Test
  void readsEverySupportedDtypeAndByteOrder() throws IOException {
    ByteOrder le = ByteOrder.LITTLE_ENDIAN;
    ByteOrder be = ByteOrder.BIG_ENDIAN;
    NpyArray f8be = Npy.read(save("f8be.npy", npy(1, dict(">f8", "(3,)"),
        doubles(be, 1.25, -3e-300, 7))));
    assertArrayEquals(new double[] {1.25, -3e-300, 7}, f8be.asDoubles());

    NpyArray f4le = Npy.read(save("f4.npy", npy(1, dict("<f4", "(2,)"), floats(le, 0.1f, 2))));
    assertArrayEquals(new double[] {0.1f, 2}, f4le.asDoubles());
    IllegalStateException notInt = assertThrows(IllegalStateException.class, f4le::asLongs);
    assertTrue(notInt.getMessage().contains("not an integer"), notInt.getMessage());
    NpyArray whole = Npy.read(save("f8int.npy", npy(1, dict("<f8", "(2,)"),
        doubles(le, -3, 1e15))));
    assertArrayEquals(new long[] {-3, 1_000_000_000_000_000L}, whole.asLongs());

    ByteBuffer i4 = ByteBuffer.allocate(8).order(be).putInt(-7).putInt(Integer.MAX_VALUE);
    NpyArray i4be = Npy.read(save("i4.npy", npy(1, dict(">i4", "(2,)"), i4.array())));
    assertArrayEquals(new long[] {-7, Integer.MAX_VALUE}, i4be.asLongs());
    assertArrayEquals(new double[] {-7, Integer.MAX_VALUE}, i4be.asDoubles());

    ByteBuffer i8 = ByteBuffer.allocate(16).order(be).putLong(-5).putLong(1L << 40);
    NpyArray i8be = Npy.read(save("i8.npy", npy(1, dict(">i8", "(2, 1)"), i8.array())));
    assertArrayEquals(new int[] {2, 1}, i8be.shape());
    assertArrayEquals(new long[] {-5, 1L << 40}, i8be.asLongs());

    NpyArray u1 = Npy.read(save("u1.npy", npy(1, dict("|u1", "(4,)"),
        new byte[] {0, 1, (byte) 200, (byte) 255})));
    assertArrayEquals(new long[] {0, 1, 200, 255}, u1.asLongs());
    assertArrayEquals(new double[] {0, 1, 200, 255}, u1.asDoubles());

    NpyArray b1 = Npy.read(save("b1.npy", npy(1, dict("|b1", "(3,)"), new byte[] {1, 0, 1})));
    assertArrayEquals(new long[] {1, 0, 1}, b1.asLongs());
    assertEquals("|b1", b1.dtype());
  }

  @Test
  void readsZeroToFourDimensions() throws IOException {
    NpyArray scalar = Npy.read(save("s.npy", npy(1, dict("<f8", "()"),
        doubles(ByteOrder.LITTLE_ENDIAN, 42))));
    assertEquals(0, scalar.ndim());
    assertEquals(1, scalar.size());
    assertArrayEquals(new double[] {42}, scalar.asDoubles());

    double[] v = new double[2 * 3 * 1 * 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    NpyArray four = Npy.read(save("4d.npy", npy(1, dict("<f8", "(2, 3, 1, 2)"),
        doubles(ByteOrder.LITTLE_ENDIAN, v))));
    assertArrayEquals(new int[] {2, 3, 1, 2}, four.shape());
    assertArrayEquals(v, four.asDoubles());
  }

  @Test
  void readsFormatVersions2And3() throws IOException {
    byte[] data = floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4);
    for (int major = 1; major <= 3; major++) {
      Path p = save("v" + major + ".npy", npy(major, dict("<f4", "(2, 2)"), data));
      FloatMatrix m = Npy.readMatrix(p, "memories");
      assertArrayEquals(new float[] {1, 2, 3, 4}, m.data(), "version " + major);
    }
    rejectsMatrix(save("v4.npy", npy(4, dict("<f4", "(2, 2)"), data)),
        "unsupported .npy format version 4.0");
  }

  @Test
  void fortranOrderIsFineWhenTheLayoutIsTheSame() throws IOException {
    // a (1, 3) or 1-D array is laid out identically in both orders
    String header = "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 3), }";
    Path p = save("f1.npy", npy(1, header, floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3)));
    assertArrayEquals(new float[] {1, 2, 3}, Npy.readMatrix(p, "queries").data());
  }

  // ---------------------------------------------------------------------------------------------
  // readMatrix errors beyond the shared bad-inputs set

  @Test
  void float64BeyondFloat32RangeIsAnErrorNotInfinity() throws IOException {
    Path p = save("big.npy", npy(1, dict("<f8", "(2, 3)"),
        doubles(ByteOrder.LITTLE_ENDIAN, 0, 1, 2, 3, -1e39, 5)));
    rejectsMatrix(p, "float64 value -1.0E39 at row 1, column 1", "float32 range");
    // the largest double that still rounds to Float.MAX_VALUE is accepted
    Path ok = save("edge.npy", npy(1, dict("<f8", "(1, 1)"),
        doubles(ByteOrder.LITTLE_ENDIAN, Float.MAX_VALUE)));
    assertEquals(Float.MAX_VALUE, Npy.readMatrix(ok, "queries").get(0, 0));
  }

  @Test
  void float64NanIsReportedFirstWhenItComesBeforeAnOverflow() throws IOException {
    Path p = save("nan.npy", npy(1, dict("<f8", "(2, 2)"),
        doubles(ByteOrder.LITTLE_ENDIAN, 0, Double.NaN, 1e300, 1)));
    rejectsMatrix(p, "queries: non-finite value NaN at row 0, column 1");
    Path q = save("inf.npy", npy(1, dict(">f8", "(2, 2)"),
        doubles(ByteOrder.BIG_ENDIAN, 0, 1, 2, Double.NEGATIVE_INFINITY)));
    rejectsMatrix(q, "non-finite value -Infinity at row 1, column 1");
  }

  @Test
  void integerDtypesAreNotMatrices() throws IOException {
    Path p = save("i8.npy", npy(1, dict("<i8", "(1, 2)"), new byte[16]));
    rejectsMatrix(p, "unsupported dtype '<i8' (integer) for queries", "'<f4'");
  }

  @Test
  void oneDimensionalIsNotAMatrix() throws IOException {
    Path p = save("1d.npy", npy(1, dict("<f4", "(3,)"), new byte[12]));
    rejectsMatrix(p, "expected a 2-D array, got 1-D shape (3,)");
  }

  @Test
  void zeroColumnsIsAnError() throws IOException {
    rejectsMatrix(save("0c.npy", npy(1, dict("<f4", "(3, 0)"), new byte[0])),
        "dimension must be >= 1");
  }

  @Test
  void trailingBytesMeanTheShapeIsWrong() throws IOException {
    Path p = save("extra.npy", npy(1, dict("<f4", "(2, 2)"), new byte[20]));
    rejectsMatrix(p, "4 unexpected bytes after the data", "needs 16 bytes");
  }

  @Test
  void tooManyElementsForAJavaArray() {
    // 2^31 one-byte elements, more than Integer.MAX_VALUE - 8, in a (pretend) 2 GiB file: the
    // header's own check, so no 2 GiB file is needed
    long dataOffset = 128;
    NpyHeader h = NpyHeader.parse(dict("|u1", "(65536, 32768)"), "big.npy", 1, dataOffset,
        dataOffset + (1L << 31));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> h.checkDataSize("big.npy", 1));
    assertTrue(e.getMessage().startsWith("big.npy: array too large"), e.getMessage());
    // the same shape in a small file is reported as truncated first
    NpyHeader small = NpyHeader.parse(dict("|u1", "(65536, 32768)"), "s.npy", 1, 128, 200);
    e = assertThrows(IllegalArgumentException.class, () -> small.checkDataSize("s.npy", 1));
    assertTrue(e.getMessage().contains("truncated data: expected 2147483648 bytes"),
        e.getMessage());
  }

  @Test
  void missingFileIsAnIoError() {
    Path p = dir.resolve("nope.npy");
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> Npy.readMatrix(p, "memories"));
    assertEquals(p + ": no such file", e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // The header parser: only a plain dict with the three keys

  @Test
  void headerVariantsThatNumpyAccepts() throws IOException {
    byte[] data = floats(ByteOrder.LITTLE_ENDIAN, 1, 2);
    String[] ok = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
        "{'shape': (1, 2), 'fortran_order': False, 'descr': '<f4'}",
        "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1,2)}",
        "  {'descr':'<f4','fortran_order':False,'shape':(1 , 2 ,)}  ",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 2L), }",
    };
    for (int i = 0; i < ok.length; i++) {
      Path p = save("ok" + i + ".npy", npy(1, ok[i], data));
      assertArrayEquals(new float[] {1, 2}, Npy.readMatrix(p, "queries").data(), ok[i]);
    }
  }

  @Test
  void headerVariantsThatAreRefused() throws IOException {
    String[][] bad = {
        {"['descr', '<f4']", "expected '{'"},
        {"{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), 'x': 1}",
            "unexpected key 'x'"},
        {"{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (1, 2)}",
            "duplicate key 'descr'"},
        {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1, 2)}", "expected True or False"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [1, 2]}", "expected '('"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", "not a tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2.0)}", "expected ',' or ')'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 02)}", "leading zero"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2)} + x",
            "unexpected text after the dict"},
        {"{'descr': '<\\x66\\x34', 'fortran_order': False, 'shape': (1, 2)}", "escapes"},
        {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}",
            "structured dtypes"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 99999999999999999999)}",
            "too large"},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (1, 2)}", "expected ',' or '}'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2)",
            "expected ',' or '}' at the end of the header"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), 'descr\u00e9': 1}",
            "unexpected key 'descr\\xe9'"},
    };
    for (int i = 0; i < bad.length; i++) {
      Path p = save("bad" + i + ".npy", npy(1, bad[i][0], new byte[8]));
      rejectsMatrix(p, bad[i][1]);
    }
  }

  @Test
  void headerLengthBeyondTheFileIsTruncation() throws IOException {
    byte[] b = npy(1, dict("<f4", "(1, 1)"), floats(ByteOrder.LITTLE_ENDIAN, 1));
    b[8] = (byte) 0xff;
    b[9] = (byte) 0x7f;
    rejectsMatrix(save("hl.npy", b), "truncated header", "claims 32767 bytes");
    byte[] v2 = npy(2, dict("<f4", "(1, 1)"), floats(ByteOrder.LITTLE_ENDIAN, 1));
    v2[11] = 0x70; // 1.8 GB header claimed in a tiny file
    rejectsMatrix(save("hl2.npy", v2), "implausibly large");
  }

  @Test
  void fileEndingInsideThePreamble() throws IOException {
    rejectsMatrix(save("pre.npy", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1}),
        "truncated header");
    rejectsMatrix(save("pre2.npy", new byte[] {(byte) 0x93, 'N', 'U'}), "bad magic",
        "found 93 4e 55");
  }

  @Test
  void headerParserOnItsOwn() {
    NpyHeader h = NpyHeader.parse("{'descr': '>f8', 'fortran_order': True, 'shape': (), }",
        "x", 1, 128, 136);
    assertEquals(">f8", h.descr);
    assertTrue(h.fortranOrder);
    assertEquals(0, h.shape.length);
    assertEquals("(5,)", NpyHeader.shapeString(new long[] {5}));
    assertEquals("(2, 3)", NpyHeader.shapeString(new long[] {2, 3}));
  }
}
