package org.hopfieldstore.core.io;

import java.util.ArrayList;
import java.util.List;

/**
 * The strict parser of a .npy header dict: a Python dict literal of which it knows only string,
 * bool and int-tuple values, so a hostile header is rejected and never evaluated.
 */
final class NpyHeaderParser {
  /** The three values every header must have. */
  record Fields(String descr, boolean fortranOrder, long[] shape) {}

  /**
   * Parses {@code {'descr': <str>, 'fortran_order': <bool>, 'shape': <tuple of ints>}} in any
   * key order, with optional trailing comma and surrounding whitespace; anything else is refused.
   */
  static Fields parse(String text, String path) {
    NpyHeaderParser p = new NpyHeaderParser(text, path);
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
          throw p.fail("unexpected key '" + NpyHeader.printable(key) + "'", keyAt);
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
    return new Fields(descr, fortran, shape);
  }

  /** Up to 60 characters of the header (trailing padding dropped) around {@code at}, quoted. */
  static String excerpt(String s, int at) {
    String t = s.stripTrailing();
    int from = Math.max(0, Math.min(Math.max(at - 20, 0), t.length() - 60));
    int to = Math.min(t.length(), from + 60);
    String body = NpyHeader.printable(t.substring(from, to));
    return "\"" + (from > 0 ? "..." : "") + body + (to < t.length() ? "..." : "") + "\"";
  }

  // The cursor: the header text and the position of the next character to read.
  private final String s;
  private final String path;
  private int pos;

  private NpyHeaderParser(String s, String path) {
    this.s = s;
    this.path = path;
  }

  private boolean peek(char c) {
    return pos < s.length() && s.charAt(pos) == c;
  }

  private void ws() {
    while (pos < s.length() && " \t\n\r\f".indexOf(s.charAt(pos)) >= 0) {
      pos++;
    }
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw fail("expected '" + c + "'", pos);
    }
    pos++;
  }

  private String string() {
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

  private boolean bool() {
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

  private long[] intTuple() {
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

  private long integer() {
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
    if (peek('L')) {
      pos++; // Python 2's long suffix, as old numpy wrote it (numpy reads only 'L' back)
    }
    if (pos - digits > 18) {
      throw new IllegalArgumentException(path + ": bad .npy header: shape dimension " + num
          + " is too large");
    }
    return Long.parseLong(num);
  }

  private IllegalArgumentException fail(String what, int at) {
    String where = at >= s.stripTrailing().length() ? " at the end of the header"
        : " at character " + at;
    return new IllegalArgumentException(path + ": header is not a plain Python dict literal "
        + "with 'descr', 'fortran_order' and 'shape' (it is never evaluated): " + what
        + where + " in " + excerpt(s, at));
  }
}
