package org.hopfieldstore.jobs;

import java.util.Locale;

/** A minimal JSON writer for summary files: objects, arrays, strings, numbers (NaN as null). */
final class Json {
  private final StringBuilder sb = new StringBuilder();
  private final boolean[] first = new boolean[64];
  private int depth;

  Json begin() {
    sb.append('{');
    first[++depth] = true;
    return this;
  }

  Json end() {
    sb.append("\n}");
    depth--;
    return this;
  }

  private Json key(String k) {
    if (!first[depth]) {
      sb.append(',');
    }
    first[depth] = false;
    sb.append("\n").append("  ".repeat(depth));
    str(k);
    sb.append(": ");
    return this;
  }

  Json object(String k) {
    key(k);
    sb.append('{');
    first[++depth] = true;
    return this;
  }

  Json endObject() {
    sb.append("\n").append("  ".repeat(depth - 1)).append('}');
    depth--;
    return this;
  }

  Json put(String k, String v) {
    key(k);
    str(v);
    return this;
  }

  Json put(String k, long v) {
    key(k);
    sb.append(v);
    return this;
  }

  Json put(String k, double v) {
    key(k);
    num(v);
    return this;
  }

  Json put(String k, int[] v) {
    key(k);
    sb.append('[');
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(v[i]);
    }
    sb.append(']');
    return this;
  }

  Json put(String k, long[] v) {
    key(k);
    sb.append('[');
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(v[i]);
    }
    sb.append(']');
    return this;
  }

  Json put(String k, double[] v) {
    key(k);
    sb.append('[');
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ");
      num(v[i]);
    }
    sb.append(']');
    return this;
  }

  private void num(double v) {
    if (!Double.isFinite(v)) {
      sb.append("null");
    } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      sb.append((long) v);
    } else {
      sb.append(String.format(Locale.ROOT, "%.10g", v).replaceFirst("0+(e|$)", "$1")
          .replaceFirst("\\.(e|$)", ".0$1"));
    }
  }

  private void str(String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }

  @Override
  public String toString() {
    return sb.toString() + "\n";
  }
}
