package org.hopfieldstore.core.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.hopfieldstore.core.memory.FloatMatrix;

/**
 * Reads the IDX format of MNIST / Fashion-MNIST: uint8 images ({@code *-idx3-ubyte}) and labels
 * ({@code *-idx1-ubyte}), raw or gzip-compressed ({@code .gz}, recognised by content).
 *
 * <p>Layout: a big-endian magic ({@code 0x00000803} for 3-D uint8, {@code 0x00000801} for 1-D
 * uint8), one big-endian int32 per dimension, then the bytes in row-major order. The declared
 * size is checked against the file before allocating; a gzip file's size is unknown upfront, so
 * its buffer grows with the data actually decompressed, capped at the declared size.
 *
 * <p>Errors: malformed content gives an {@link IllegalArgumentException} whose one-line message
 * starts with the file path; an operating-system failure gives an {@link UncheckedIOException}.
 */
public final class Idx {
  /** Magic of a 3-D unsigned-byte IDX file (images). */
  public static final int MAGIC_IMAGES = 0x00000803;
  /** Magic of a 1-D unsigned-byte IDX file (labels). */
  public static final int MAGIC_LABELS = 0x00000801;

  private static final long MAX_ELEMENTS = NpyHeader.MAX_ELEMENTS;
  private static final float[] SCALE = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      SCALE[i] = i / 255f;
    }
  }

  private Idx() {}

  /**
   * Reads idx3 uint8 images as an {@code n x (rows * cols)} matrix: each image flattened
   * row-major into one row, pixels scaled to [0, 1] by {@code value / 255f}.
   *
   * @param what names the matrix in messages, e.g. "memories"
   * @throws IllegalArgumentException "<path>: <problem>" for a bad magic, a truncated or corrupt
   *     file, or a declared size that is empty or too large
   * @throws UncheckedIOException if the file cannot be read
   */
  public static FloatMatrix readImages(Path path, String what) {
    try (ByteSource file = ByteSource.open(path)) {
      return readImages(file, what);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(path.toString(), e);
    }
  }

  /** {@link #readImages(Path, String)} of any source (the source stays open). */
  public static FloatMatrix readImages(ByteSource file, String what) {
    Objects.requireNonNull(what, "what");
    String p = file.name();
    try (Source src = Source.open(file)) {
      int[] dims = src.header(MAGIC_IMAGES, 3, "idx3 uint8 images");
      int n = dims[0];
      if (n == 0) {
        throw new IllegalArgumentException(p + ": empty " + what
            + ": need at least 1 row, got 0 images");
      }
      if (dims[1] == 0 || dims[2] == 0) {
        throw new IllegalArgumentException(p + ": " + what + ": empty images of " + dims[1]
            + " x " + dims[2] + " pixels");
      }
      long count;
      try { // dims up to 2^31 each: their product can pass 2^63 and wrap to a small count
        count = Math.multiplyExact(Math.multiplyExact((long) n, dims[1]), (long) dims[2]);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(p + ": too large: the header declares " + n + " x "
            + dims[1] + " x " + dims[2] + " pixels, more than a 64-bit count holds");
      }
      byte[] pixels = src.body(count, "pixels");
      float[] data = new float[pixels.length];
      for (int i = 0; i < pixels.length; i++) {
        data[i] = SCALE[pixels[i] & 0xff];
      }
      try {
        return FloatMatrix.of(what, data, n, dims[1] * dims[2]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(p + ": " + e.getMessage(), e);
      }
    } catch (IOException e) {
      throw NpyFiles.ioFailure(p, e);
    }
  }

  /**
   * Reads idx1 uint8 labels (0..255) as longs, one per image.
   *
   * @throws IllegalArgumentException "<path>: <problem>" for a bad magic or a truncated or
   *     corrupt file
   * @throws UncheckedIOException if the file cannot be read
   */
  public static long[] readLabels(Path path) {
    try (ByteSource file = ByteSource.open(path)) {
      return readLabels(file);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(path.toString(), e);
    }
  }

  /** {@link #readLabels(Path)} of any source (the source stays open). */
  public static long[] readLabels(ByteSource file) {
    String p = file.name();
    try (Source src = Source.open(file)) {
      int[] dims = src.header(MAGIC_LABELS, 1, "idx1 uint8 labels");
      byte[] bytes = src.body(dims[0], "labels");
      long[] out = new long[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        out[i] = bytes[i] & 0xff;
      }
      return out;
    } catch (IOException e) {
      throw NpyFiles.ioFailure(p, e);
    }
  }

  /** A raw or gunzipped byte stream with the bookkeeping for precise error messages. */
  private static final class Source implements AutoCloseable {
    private final String p;
    private final InputStream in;
    private final boolean gzip;
    private final long fileSize;
    private long consumed; // bytes of (decompressed) content read so far

    private Source(String p, InputStream in, boolean gzip, long fileSize) {
      this.p = p;
      this.in = in;
      this.gzip = gzip;
      this.fileSize = fileSize;
    }

    static Source open(ByteSource file) throws IOException {
      String p = file.name();
      long size = file.size();
      BufferedInputStream raw = new BufferedInputStream(file.stream(), 1 << 16);
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      if (b0 == 0x1f && b1 == 0x8b) {
        try {
          return new Source(p, new GZIPInputStream(raw, 1 << 16), true, size);
        } catch (EOFException | ZipException e) {
          throw corrupt(p, e);
        }
      }
      return new Source(p, raw, false, size);
    }

    /** Reads and checks the magic and the dimensions (non-negative int32s). */
    int[] header(int magic, int ndim, String kind) throws IOException {
      int headerBytes = 4 + 4 * ndim;
      byte[] h = new byte[headerBytes];
      int got = readUpTo(h, 0, headerBytes);
      if (got < 4) {
        throw new IllegalArgumentException(p + ": not an IDX file: " + (got == 0
            ? "empty" + (gzip ? " gzip content" : " file") : "only " + got + " bytes")
            + ", expected the magic 0x" + hex(magic) + " (" + kind + ")");
      }
      int found = beInt(h, 0);
      if (found != magic) {
        throw new IllegalArgumentException(p + ": bad IDX magic: expected 0x" + hex(magic)
            + " (" + kind + "), found 0x" + hex(found) + " (" + describeMagic(found) + ")");
      }
      if (got < headerBytes) {
        throw new IllegalArgumentException(p + ": truncated header: expected " + headerBytes
            + " bytes, found " + got);
      }
      int[] dims = new int[ndim];
      for (int i = 0; i < ndim; i++) {
        dims[i] = beInt(h, 4 + 4 * i);
        if (dims[i] < 0) {
          throw new IllegalArgumentException(p + ": bad IDX header: dimension " + i + " is "
              + dims[i] + " (negative, or over 2^31 as unsigned)");
        }
      }
      return dims;
    }

    /**
     * Reads exactly {@code count} bytes of content and checks that nothing follows. A raw file
     * is checked against its size before allocating; a gzip stream's buffer grows with the data
     * actually inflated, so a small file declaring a huge size fails without a huge allocation.
     */
    byte[] body(long count, String noun) throws IOException {
      if (!gzip) {
        long available = fileSize - consumed;
        if (available < count) {
          throw new IllegalArgumentException(p + ": truncated data: expected " + count
              + " bytes of " + noun + ", found " + available);
        }
        if (available > count) {
          throw new IllegalArgumentException(p + ": " + (available - count)
              + " unexpected bytes after the " + count + " bytes of " + noun
              + " the header declares");
        }
      }
      if (count > MAX_ELEMENTS) {
        throw new IllegalArgumentException(p + ": too large: " + count + " " + noun
            + " is more than the " + MAX_ELEMENTS + " a Java array holds");
      }
      int n = (int) count;
      byte[] buf = new byte[gzip ? Math.min(n, 1 << 20) : n];
      int have = 0;
      while (have < n) {
        if (have == buf.length) {
          buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
        }
        int r = readUpTo(buf, have, buf.length - have);
        if (r == 0) {
          throw new IllegalArgumentException(p + ": truncated data: expected " + count
              + " bytes of " + noun + ", found " + have + (gzip ? " after gunzip" : ""));
        }
        have += r;
      }
      if (gzip && readUpTo(new byte[1], 0, 1) > 0) {
        // (at the true end, this read also makes GZIPInputStream verify the CRC trailer)
        throw new IllegalArgumentException(p + ": more data after gunzip than the " + count
            + " bytes of " + noun + " the header declares");
      }
      return buf;
    }

    /** Reads until {@code len} bytes or end of stream; returns the count read. */
    private int readUpTo(byte[] b, int off, int len) throws IOException {
      int total = 0;
      try {
        while (total < len) {
          int r = in.read(b, off + total, len - total);
          if (r < 0) {
            break;
          }
          total += r;
        }
      } catch (EOFException | ZipException e) {
        if (gzip) {
          throw corrupt(p, e);
        }
        throw e;
      }
      consumed += total;
      return total;
    }

    private static IllegalArgumentException corrupt(String p, IOException e) {
      return new IllegalArgumentException(p + ": corrupt gzip stream ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
          + "); the download may be incomplete");
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** What a wrong magic number is, for the error message. */
  static String describeMagic(int m) {
    if (m == MAGIC_LABELS) {
      return "idx1 uint8: a label file";
    }
    if (m == MAGIC_IMAGES) {
      return "idx3 uint8: an image file";
    }
    int type = (m >>> 8) & 0xff;
    String typeName;
    switch (type) {
      case 0x08: typeName = "uint8"; break;
      case 0x09: typeName = "int8"; break;
      case 0x0b: typeName = "int16"; break;
      case 0x0c: typeName = "int32"; break;
      case 0x0d: typeName = "float32"; break;
      case 0x0e: typeName = "float64"; break;
      default: typeName = null;
    }
    if ((m >>> 16) == 0 && typeName != null) {
      return "an IDX file of " + typeName + " with " + (m & 0xff) + " dimensions";
    }
    if ((m >>> 16) == 0x1f8b) {
      return "gzip data that did not decompress as IDX";
    }
    return "not an IDX file";
  }

  private static int beInt(byte[] b, int off) {
    return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8)
        | (b[off + 3] & 0xff);
  }

  private static String hex(int v) {
    return String.format("%08x", v);
  }
}
