package org.hopfieldstore.core.io;

import java.nio.ByteOrder;

/**
 * A supported .npy element type: kind 'f' (float), 'i' (signed int), 'u' (unsigned), 'b'
 * (bool), with its size and byte order; and the messages for the types that are refused.
 */
record NpyDtype(String descr, char kind, int size, ByteOrder order) {
  boolean isFloat() {
    return kind == 'f';
  }

  boolean isInteger() {
    return kind == 'i' || kind == 'u';
  }

  /** Maps a descr to a supported type, or null. '|' is accepted only for one-byte types. */
  static NpyDtype of(String descr) {
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
    return new NpyDtype(descr, kind, size, order);
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

  /** "<path>: unsupported dtype '<descr>' (<why>); <supported>" for a type no reader handles. */
  static IllegalArgumentException unsupported(String descr, String path, String supported) {
    return new IllegalArgumentException(path + ": unsupported dtype '"
        + NpyHeader.printable(descr) + "' (" + describeUnsupported(descr) + "); " + supported);
  }
}
