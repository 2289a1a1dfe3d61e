package org.hopfieldstore.core.io;

import java.io.IOException;

/** Reads a whole .npy array of any shape and supported dtype (see {@link Npy#read}). */
final class NpyArrayReader {
  private static final String ANY_DTYPES =
      "supported: f4, f8, i4, i8 in either byte order ('<' or '>'), '|u1', '|b1'";

  private NpyArrayReader() {}

  static NpyArray read(ByteSource ch) {
    String p = ch.name();
    try {
      NpyHeader h = NpyHeader.read(ch, p);
      h.checkCOrderLayout(p);
      NpyDtype dt = NpyDtype.of(h.descr);
      if (dt == null) {
        throw NpyDtype.unsupported(h.descr, p, ANY_DTYPES);
      }
      h.checkDataSize(p, dt.size());
      int n = (int) h.elementCount();
      int[] shape = new int[h.shape.length];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = (int) h.shape[i]; // each dim <= element count unless the count is 0
        if (shape[i] != h.shape[i]) {
          throw new IllegalArgumentException(p + ": array too large: dimension " + h.shape[i]
              + " in shape " + NpyHeader.shapeString(h.shape));
        }
      }
      Object values;
      switch (dt.kind() + "" + dt.size()) {
        case "f4": {
          float[] v = new float[n];
          NpyFiles.readChunks(ch, h, dt, p, (buf, i) -> buf.asFloatBuffer().get(v, (int) i,
              buf.remaining() / 4));
          values = v;
          break;
        }
        case "f8": {
          double[] v = new double[n];
          NpyFiles.readChunks(ch, h, dt, p, (buf, i) -> buf.asDoubleBuffer().get(v, (int) i,
              buf.remaining() / 8));
          values = v;
          break;
        }
        case "i4": {
          int[] v = new int[n];
          NpyFiles.readChunks(ch, h, dt, p, (buf, i) -> buf.asIntBuffer().get(v, (int) i,
              buf.remaining() / 4));
          values = v;
          break;
        }
        case "i8": {
          long[] v = new long[n];
          NpyFiles.readChunks(ch, h, dt, p, (buf, i) -> buf.asLongBuffer().get(v, (int) i,
              buf.remaining() / 8));
          values = v;
          break;
        }
        default: { // u1, b1
          byte[] v = new byte[n];
          NpyFiles.readChunks(ch, h, dt, p, (buf, i) -> buf.get(v, (int) i, buf.remaining()));
          values = v;
          break;
        }
      }
      return new NpyArray(shape, h.descr, dt.kind(), values);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(p, e);
    }
  }
}
