package org.hopfieldstore.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX images and labels built byte by byte, raw and gzipped, good and broken. */
class IdxTest {
  private static final long SEED = 77L;

  @TempDir
  Path dir;

  /** Big-endian magic, then dims, then the payload. */
  static byte[] idx(int magic, int[] dims, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length); // big-endian
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(payload);
    return b.array();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  Path save(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  static String rejects(Path p, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Idx.readImages(p, "memories"));
    String msg = e.getMessage();
    assertTrue(msg.startsWith(p + ": "), msg);
    assertFalse(msg.contains("\n"), msg);
    for (String f : fragments) {
      assertTrue(msg.contains(f), "expected '" + f + "' in: " + msg);
    }
    return msg;
  }

  /** Two 2x3 images with pixel value = 10 * image + 3 * row + col, and a few extremes. */
  static byte[] twoImages() {
    byte[] px = new byte[2 * 2 * 3];
    for (int i = 0; i < 2; i++) {
      for (int r = 0; r < 2; r++) {
        for (int c = 0; c < 3; c++) {
          px[i * 6 + r * 3 + c] = (byte) (10 * i + 3 * r + c);
        }
      }
    }
    px[5] = (byte) 255;
    px[6] = (byte) 128;
    return idx(Idx.MAGIC_IMAGES, new int[] {2, 2, 3}, px);
  }

  static void checkTwoImages(FloatMatrix m) {
    assertEquals(2, m.rows());
    assertEquals(6, m.cols());
    // image 0 row-major in row 0; (row 1, col 2) of image 0 is 255 -> 1.0
    assertArrayEquals(new float[] {0 / 255f, 1 / 255f, 2 / 255f, 3 / 255f, 4 / 255f, 1f},
        m.row(0));
    // image 1: first pixel 128, then 10 * 1 + 3 * r + c
    assertArrayEquals(new float[] {128 / 255f, 11 / 255f, 12 / 255f, 13 / 255f, 14 / 255f,
        15 / 255f}, m.row(1));
  }

  @Test
  void rawImagesAreFlattenedAndScaled() throws IOException {
    checkTwoImages(Idx.readImages(save("t-idx3-ubyte", twoImages()), "memories"));
  }

  @Test
  void gzippedImagesGiveTheSameMatrix() throws IOException {
    checkTwoImages(Idx.readImages(save("t-idx3-ubyte.gz", gzip(twoImages())), "memories"));
  }

  @Test
  void everyByteValueScalesToItsFraction() throws IOException {
    byte[] px = new byte[256];
    for (int i = 0; i < 256; i++) {
      px[i] = (byte) i;
    }
    FloatMatrix m = Idx.readImages(save("all-idx3-ubyte",
        idx(Idx.MAGIC_IMAGES, new int[] {4, 8, 8}, px)), "queries");
    assertEquals(4, m.rows());
    assertEquals(64, m.cols());
    for (int i = 0; i < 256; i++) {
      assertEquals(i / 255f, m.data()[i], "pixel value " + i);
    }
    assertEquals(0f, m.get(0, 0));
    assertEquals(1f, m.get(3, 63));
  }

  @Test
  void largerGzipCrossesBufferBoundaries() throws IOException {
    // 300 images of 28x28 = 235200 pixels: several inflater and read buffers
    Random rnd = new Random(SEED);
    int n = 300;
    byte[] px = new byte[n * 28 * 28];
    rnd.nextBytes(px);
    FloatMatrix m = Idx.readImages(save("big-idx3-ubyte.gz",
        gzip(idx(Idx.MAGIC_IMAGES, new int[] {n, 28, 28}, px))), "memories");
    assertEquals(n, m.rows());
    assertEquals(784, m.cols());
    for (int i = 0; i < px.length; i++) {
      if (m.data()[i] != (px[i] & 0xff) / 255f) {
        throw new AssertionError("seed " + SEED + ", pixel " + i);
      }
    }
  }

  @Test
  void labelsRawAndGzipped() throws IOException {
    byte[] raw = idx(Idx.MAGIC_LABELS, new int[] {4}, new byte[] {9, 0, 3, (byte) 255});
    long[] expected = {9, 0, 3, 255};
    assertArrayEquals(expected, Idx.readLabels(save("l-idx1-ubyte", raw)));
    assertArrayEquals(expected, Idx.readLabels(save("l-idx1-ubyte.gz", gzip(raw))));
  }

  @Test
  void truncatedRawImages() throws IOException {
    byte[] b = twoImages();
    Path p = save("cut-idx3-ubyte", Arrays.copyOf(b, b.length - 5));
    rejects(p, "truncated data", "expected 12 bytes of pixels", "found 7");
  }

  @Test
  void truncatedGzippedContent() throws IOException {
    // a valid gzip stream whose content is shorter than the header says
    byte[] b = twoImages();
    Path p = save("short-idx3-ubyte.gz", gzip(Arrays.copyOf(b, b.length - 5)));
    rejects(p, "truncated data", "expected 12 bytes of pixels", "found 7");
  }

  @Test
  void truncatedHeader() throws IOException {
    rejects(save("h-idx3-ubyte", Arrays.copyOf(twoImages(), 9)), "truncated header",
        "expected 16 bytes, found 9");
  }

  @Test
  void trailingBytes() throws IOException {
    byte[] b = Arrays.copyOf(twoImages(), twoImages().length + 3);
    rejects(save("x-idx3-ubyte", b), "3 unexpected bytes");
    rejects(save("x-idx3-ubyte.gz", gzip(b)), "more data after gunzip");
  }

  @Test
  void badMagicNamesExpectedAndFound() throws IOException {
    byte[] b = twoImages();
    b[3] = 0x01;
    rejects(save("m-idx3-ubyte", b), "bad IDX magic", "expected 0x00000803",
        "found 0x00000801", "label");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Idx.readLabels(save("m2-idx1-ubyte", twoImages())));
    assertTrue(e.getMessage().contains("expected 0x00000801 (idx1 uint8 labels), found "
        + "0x00000803"), e.getMessage());
    rejects(save("e-idx3-ubyte", new byte[0]), "not an IDX file", "empty");
  }

  @Test
  void corruptGzipCutInHalf() throws IOException {
    byte[] gz = gzip(twoImages());
    rejects(save("half-idx3-ubyte.gz", Arrays.copyOf(gz, gz.length / 2)),
        "corrupt gzip stream");
    // cut inside the 10-byte gzip header
    rejects(save("head-idx3-ubyte.gz", Arrays.copyOf(gz, 5)), "corrupt gzip stream");
    // trailer (CRC) damaged
    byte[] crc = gz.clone();
    crc[crc.length - 6] ^= 0x55;
    rejects(save("crc-idx3-ubyte.gz", crc), "corrupt gzip stream");
  }

  @Test
  void emptyAndNegativeDims() throws IOException {
    rejects(save("z-idx3-ubyte", idx(Idx.MAGIC_IMAGES, new int[] {0, 28, 28}, new byte[0])),
        "empty memories");
    rejects(save("zw-idx3-ubyte", idx(Idx.MAGIC_IMAGES, new int[] {3, 0, 28}, new byte[0])),
        "empty images");
    rejects(save("n-idx3-ubyte", idx(Idx.MAGIC_IMAGES, new int[] {2, -1, 3}, new byte[6])),
        "dimension 1 is -1");
  }

  @Test
  void hugeDeclaredSizesFailFastWithoutAllocating() throws IOException {
    int[] huge = {60000, 28000, 28000}; // 4.7e13 pixels
    Path raw = save("huge-idx3-ubyte", idx(Idx.MAGIC_IMAGES, huge, new byte[10]));
    Path gz = save("huge-idx3-ubyte.gz", gzip(idx(Idx.MAGIC_IMAGES, huge, new byte[10])));
    // 1e9 pixels: under the Java array limit, but the gzip stream holds only 10
    Path big = save("big-idx3-ubyte.gz",
        gzip(idx(Idx.MAGIC_IMAGES, new int[] {1_000_000, 1000, 1}, new byte[10])));
    assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
      rejects(raw, "truncated data", "expected 47040000000000 bytes", "found 10");
      rejects(gz, "too large", "47040000000000");
      rejects(big, "truncated data", "expected 1000000000 bytes", "found 10 after gunzip");
    });
  }

  /** Dimensions whose product wraps past 2^63 (here to 128) are refused, not read as 16 x 8. */
  @Test
  void headersWhoseCountOverflowsAreRefused() throws IOException {
    int[] wraps = {16, 641861956, 1796214114}; // 16 * 641861956 * 1796214114 = 2^64 + 128
    byte[] body = new byte[128];
    for (Path p : new Path[] {save("wrap-idx3-ubyte", idx(Idx.MAGIC_IMAGES, wraps, body)),
        save("wrap-idx3-ubyte.gz", gzip(idx(Idx.MAGIC_IMAGES, wraps, body)))}) {
      rejects(p, "too large", "16 x 641861956 x 1796214114 pixels", "64-bit count");
    }
  }
}
