package org.hopfieldstore.core.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The parsed preamble and header of a .npy file, and the checks of its shape and data size
 * against the file. The header dict itself is parsed by {@link NpyHeaderParser}.
 */
final class NpyHeader {
  /** Headers longer than this are refused: numpy itself refuses more than 10000 by default. */
  static final int MAX_HEADER_BYTES = 1 << 20;
  /** Largest element count a Java array can hold on common JVMs. */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  final int majorVersion;
  final String descr;
  final boolean fortranOrder;
  final long[] shape;
  final long dataOffset;
  final long fileSize;

  private NpyHeader(int majorVersion, String descr, boolean fortranOrder, long[] shape,
      long dataOffset, long fileSize) {
    this.majorVersion = majorVersion;
    this.descr = descr;
    this.fortranOrder = fortranOrder;
    this.shape = shape;
    this.dataOffset = dataOffset;
    this.fileSize = fileSize;
  }

  /**
   * Reads and validates the magic, version and header dict. Does not look at the data.
   *
   * @throws IllegalArgumentException for a malformed file, message prefixed with {@code path}
   */
  static NpyHeader read(ByteSource ch, String path) throws IOException {
    long size = ch.size();
    if (size == 0) {
      throw new IllegalArgumentException(path + ": empty file (0 bytes), not a .npy file");
    }
    ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, pre, 0);
    pre.flip();
    int got = pre.remaining();
    for (int i = 0; i < MAGIC.length; i++) {
      if (i >= got || pre.get(i) != MAGIC[i]) {
        throw new IllegalArgumentException(path + ": not a .npy file: bad magic, expected "
            + hex(MAGIC, MAGIC.length) + " (\\x93NUMPY), found " + hex(pre, Math.min(got, 6)));
      }
    }
    if (got < 8) {
      throw new IllegalArgumentException(path + ": truncated header: file ends after "
          + got + " bytes, inside the .npy preamble");
    }
    int major = pre.get(6) & 0xff;
    int minor = pre.get(7) & 0xff;
    if (minor != 0 || major < 1 || major > 3) {
      throw new IllegalArgumentException(path + ": unsupported .npy format version " + major
          + "." + minor + " (supported: 1.0, 2.0, 3.0)");
    }
    int lenBytes = major == 1 ? 2 : 4;
    int preamble = 8 + lenBytes;
    if (got < preamble) {
      throw new IllegalArgumentException(path + ": truncated header: file ends after "
          + got + " bytes, inside the .npy preamble of " + preamble + " bytes");
    }
    long headerLen = major == 1 ? (pre.getShort(8) & 0xffffL) : (pre.getInt(8) & 0xffffffffL);
    if (headerLen > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException(path + ": header length " + headerLen
          + " bytes is implausibly large (limit " + MAX_HEADER_BYTES + ")");
    }
    if (preamble + headerLen > size) {
      throw new IllegalArgumentException(path + ": truncated header: header claims "
          + headerLen + " bytes, file has only " + (size - preamble) + " after the preamble");
    }
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    readFully(ch, hb, preamble);
    if (hb.hasRemaining()) {
      throw new IllegalArgumentException(path + ": truncated header: file ended while reading "
          + headerLen + " header bytes");
    }
    String text = new String(hb.array(),
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    NpyHeader h = parse(text, path, major, preamble + headerLen, size);
    checkShape(h, path);
    return h;
  }


  long elementCount() {
    long n = 1;
    for (long d : shape) {
      n *= d; // only called after checkShape: fits
    }
    return n;
  }

  /** "(5, 4)", "(5,)", "()" as Python prints a shape tuple. */
  static String shapeString(long[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(shape[i]);
    }
    if (shape.length == 1) {
      sb.append(',');
    }
    return sb.append(')').toString();
  }

  /**
   * Layouts of C and Fortran order differ only when at least two dimensions exceed 1 (numpy
   * itself marks such arrays C-contiguous, but another writer may not).
   */
  boolean fortranLayoutDiffers() {
    int big = 0;
    for (long d : shape) {
      if (d > 1) {
        big++;
      }
    }
    return fortranOrder && big >= 2;
  }

  /** Rejects negative dimensions (the size checks come later, per element type). */
  static void checkShape(NpyHeader h, String path) {
    for (long d : h.shape) {
      if (d < 0) {
        throw new IllegalArgumentException(path + ": negative dimension in shape "
            + shapeString(h.shape));
      }
    }
  }

  /**
   * Checks that the data for {@code itemSize}-byte elements is exactly what the file holds and
   * fits a Java array; done before any allocation.
   */
  void checkDataSize(String path, int itemSize) {
    checkDataSize(path, itemSize, true);
  }

  /**
   * As {@link #checkDataSize(String, int)}; with {@code oneArray} false the file may hold more
   * than one Java array (a reader of row ranges checks each range instead).
   */
  void checkDataSize(String path, int itemSize, boolean oneArray) {
    BigInteger count = BigInteger.ONE;
    for (long d : shape) {
      count = count.multiply(BigInteger.valueOf(d));
    }
    BigInteger expected = count.multiply(BigInteger.valueOf(itemSize));
    long available = fileSize - dataOffset;
    int cmp = expected.compareTo(BigInteger.valueOf(available));
    if (cmp > 0) {
      throw new IllegalArgumentException(path + ": truncated data: expected " + expected
          + " bytes for shape " + shapeString(shape) + " of '" + descr + "', found " + available);
    }
    if (oneArray && count.compareTo(BigInteger.valueOf(MAX_ELEMENTS)) > 0) {
      throw new IllegalArgumentException(path + ": array too large: shape " + shapeString(shape)
          + " has " + count + " elements, more than the " + MAX_ELEMENTS + " a Java array holds");
    }
    if (cmp < 0) {
      throw new IllegalArgumentException(path + ": " + (available - expected.longValue())
          + " unexpected bytes after the data: shape " + shapeString(shape) + " of '" + descr
          + "' needs " + expected + " bytes, found " + available + " (wrong shape in header?)");
    }
  }

  private static void readFully(ByteSource ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        return;
      }
    }
  }

  private static String hex(byte[] b, int n) {
    return hex(ByteBuffer.wrap(b), n);
  }

  private static String hex(ByteBuffer b, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02x", b.get(i) & 0xff));
    }
    return n == 0 ? "nothing" : sb.toString();
  }

  /**
   * Parses the header dict (see {@link NpyHeaderParser}) into a header whose data starts at
   * {@code dataOffset} in a file of {@code fileSize} bytes.
   */
  static NpyHeader parse(String text, String path, int major, long dataOffset, long fileSize) {
    NpyHeaderParser.Fields f = NpyHeaderParser.parse(text, path);
    return new NpyHeader(major, f.descr(), f.fortranOrder(), f.shape(), dataOffset, fileSize);
  }

  /**
   * Refuses a Fortran-order array whose layout differs from C order: the readers assume C order.
   */
  void checkCOrderLayout(String path) {
    if (fortranLayoutDiffers()) {
      throw new IllegalArgumentException(path + ": Fortran-order (column-major) .npy is not "
          + "supported; save with np.ascontiguousarray (shape " + shapeString(shape) + ")");
    }
  }

  /** Replaces control and non-ASCII characters so a message stays one printable line. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        sb.append(c);
      } else if (c <= 0xff) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    return sb.toString();
  }
}
