package org.hopfieldstore.core.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parsed preamble and header of a .npy file. The header is a Python dict literal; it is
 * parsed here by a small strict parser that knows only string, bool and int-tuple values, so a
 * hostile header is rejected and never evaluated.
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

  /** A supported element type: kind 'f' (float), 'i' (signed int), 'u' (unsigned), 'b' (bool). */
  record Dtype(String descr, char kind, int size, ByteOrder order) {
    boolean isFloat() {
      return kind == 'f';
    }

    boolean isInteger() {
      return kind == 'i' || kind == 'u';
    }
  }

  /**
   * Reads and validates the magic, version and header dict. Does not look at the data.
   *
   * @throws IllegalArgumentException for a malformed file, message prefixed with {@code path}
   */
  static NpyHeader read(FileChannel ch, String path) throws IOException {
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

  /** Maps a descr to a supported type, or null. '|' is accepted only for one-byte types. */
  static Dtype dtype(String descr) {
    if (descr.length() < 3) {
      return null;
    }
    char o = descr.charAt(0);
    String t = descr.substring(1);
    char kind;
    int size;
    switch (t) {
      case "f4": kind = 'f'; size = 4; break;
      case "f8": kind = 'f'; size = 8; break;
      case "i4": kind = 'i'; size = 4; break;
      case "i8": kind = 'i'; size = 8; break;
      case "u1": kind = 'u'; size = 1; break;
      case "b1": kind = 'b'; size = 1; break;
      default: return null;
    }
    ByteOrder order;
    if (o == '<') {
      order = ByteOrder.LITTLE_ENDIAN;
    } else if (o == '>') {
      order = ByteOrder.BIG_ENDIAN;
    } else if (o == '|' && size == 1) {
      order = ByteOrder.LITTLE_ENDIAN;
    } else {
      return null;
    }
    return new Dtype(descr, kind, size, order);
  }

  /** A short human explanation of why a descr is unsupported, for error messages. */
  static String describeUnsupported(String descr) {
    String t = descr.length() > 1 && "<>|=".indexOf(descr.charAt(0)) >= 0
        ? descr.substring(1) : descr;
    if (t.startsWith("O")) {
      return "Python objects, stored as a pickle, which is never loaded";
    }
    if (t.startsWith("c")) {
      return "complex numbers";
    }
    if (t.startsWith("U") || t.startsWith("S") || t.startsWith("a")) {
      return "strings";
    }
    if (t.startsWith("V")) {
      return "raw void/structured records";
    }
    if (t.startsWith("M") || t.startsWith("m")) {
      return "dates/timedeltas";
    }
    if (descr.startsWith("=")) {
      return "native byte order '=' is ambiguous in a file";
    }
    return "not a supported type";
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
    if (count.compareTo(BigInteger.valueOf(MAX_ELEMENTS)) > 0) {
      throw new IllegalArgumentException(path + ": array too large: shape " + shapeString(shape)
          + " has " + count + " elements, more than the " + MAX_ELEMENTS + " a Java array holds");
    }
    if (cmp < 0) {
      throw new IllegalArgumentException(path + ": " + (available - expected.longValue())
          + " unexpected bytes after the data: shape " + shapeString(shape) + " of '" + descr
          + "' needs " + expected + " bytes, found " + available + " (wrong shape in header?)");
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
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

  // ---------------------------------------------------------------------------------------------
  // The dict parser.

  /**
   * Parses {@code {'descr': <str>, 'fortran_order': <bool>, 'shape': <tuple of ints>}} in any
   * key order, with optional trailing comma and surrounding whitespace; anything else is refused.
   */
  static NpyHeader parse(String text, String path, int major, long dataOffset, long fileSize) {
    Parser p = new Parser(text, path);
    String descr = null;
    Boolean fortran = null;
    long[] shape = null;
    p.ws();
    p.expect('{');
    p.ws();
    while (!p.peek('}')) {
      int keyAt = p.pos;
      String key = p.string();
      p.ws();
      p.expect(':');
      p.ws();
      switch (key) {
        case "descr":
          if (descr != null) {
            throw p.fail("duplicate key 'descr'", keyAt);
          }
          if (p.peek('[')) {
            throw p.fail("structured dtypes (a list as 'descr') are not supported", p.pos);
          }
          descr = p.string();
          break;
        case "fortran_order":
          if (fortran != null) {
            throw p.fail("duplicate key 'fortran_order'", keyAt);
          }
          fortran = p.bool();
          break;
        case "shape":
          if (shape != null) {
            throw p.fail("duplicate key 'shape'", keyAt);
          }
          shape = p.intTuple();
          break;
        default:
          throw p.fail("unexpected key '" + printable(key) + "'", keyAt);
      }
      p.ws();
      if (p.peek(',')) {
        p.pos++;
        p.ws();
      } else if (!p.peek('}')) {
        throw p.fail("expected ',' or '}'", p.pos);
      }
    }
    p.pos++; // '}'
    p.ws();
    if (p.pos != text.length()) {
      throw p.fail("unexpected text after the dict", p.pos);
    }
    if (descr == null || fortran == null || shape == null) {
      String missing = descr == null ? "descr" : fortran == null ? "fortran_order" : "shape";
      throw new IllegalArgumentException(path + ": bad .npy header: missing key '" + missing
          + "' in " + excerpt(text, 0));
    }
    return new NpyHeader(major, descr, fortran, shape, dataOffset, fileSize);
  }

  private static final class Parser {
    final String s;
    final String path;
    int pos;

    Parser(String s, String path) {
      this.s = s;
      this.path = path;
    }

    boolean peek(char c) {
      return pos < s.length() && s.charAt(pos) == c;
    }

    void ws() {
      while (pos < s.length() && " \t\n\r\f".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
    }

    void expect(char c) {
      if (!peek(c)) {
        throw fail("expected '" + c + "'", pos);
      }
      pos++;
    }

    String string() {
      if (!peek('\'') && !peek('"')) {
        throw fail("expected a quoted string", pos);
      }
      char q = s.charAt(pos);
      int start = ++pos;
      while (pos < s.length() && s.charAt(pos) != q) {
        char c = s.charAt(pos);
        if (c == '\\' || c == '\n' || c == '\r') {
          throw fail("escapes and line breaks in strings are not supported", pos);
        }
        pos++;
      }
      if (pos >= s.length()) {
        throw fail("unterminated string", start - 1);
      }
      return s.substring(start, pos++);
    }

    boolean bool() {
      if (s.startsWith("True", pos)) {
        pos += 4;
        return true;
      }
      if (s.startsWith("False", pos)) {
        pos += 5;
        return false;
      }
      throw fail("expected True or False", pos);
    }

    long[] intTuple() {
      int start = pos;
      expect('(');
      ws();
      List<Long> dims = new ArrayList<>();
      boolean trailingComma = false;
      while (!peek(')')) {
        dims.add(integer());
        ws();
        trailingComma = false;
        if (peek(',')) {
          pos++;
          ws();
          trailingComma = true;
        } else if (!peek(')')) {
          throw fail("expected ',' or ')' in shape", pos);
        }
      }
      pos++;
      if (dims.size() == 1 && !trailingComma) {
        throw fail("shape is a parenthesised int, not a tuple (a 1-D shape is written (n,))",
            start);
      }
      long[] out = new long[dims.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = dims.get(i);
      }
      return out;
    }

    long integer() {
      int start = pos;
      boolean neg = peek('-');
      if (neg) {
        pos++;
      }
      int digits = pos;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
      if (pos == digits) {
        throw fail("expected an integer in shape", start);
      }
      if (pos - digits > 1 && s.charAt(digits) == '0') {
        throw fail("integer with a leading zero in shape", start);
      }
      String num = s.substring(start, pos);
      if (peek('L') || peek('l')) {
        pos++; // Python 2 long suffix, written by old numpy
      }
      if (pos - digits > 18) {
        throw new IllegalArgumentException(path + ": bad .npy header: shape dimension " + num
            + " is too large");
      }
      return Long.parseLong(num);
    }

    IllegalArgumentException fail(String what, int at) {
      String where = at >= s.stripTrailing().length() ? " at the end of the header"
          : " at character " + at;
      return new IllegalArgumentException(path + ": header is not a plain Python dict literal "
          + "with 'descr', 'fortran_order' and 'shape' (it is never evaluated): " + what
          + where + " in " + excerpt(s, at));
    }
  }

  /** Up to 60 characters of the header (trailing padding dropped) around {@code at}, quoted. */
  static String excerpt(String s, int at) {
    String t = s.stripTrailing();
    int from = Math.max(0, Math.min(Math.max(at - 20, 0), t.length() - 60));
    int to = Math.min(t.length(), from + 60);
    String body = printable(t.substring(from, to));
    return "\"" + (from > 0 ? "..." : "") + body + (to < t.length() ? "..." : "") + "\"";
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
