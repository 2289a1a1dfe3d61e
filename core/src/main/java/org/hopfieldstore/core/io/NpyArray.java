package org.hopfieldstore.core.io;

import java.util.Arrays;

/**
 * An n-dimensional array read by {@link Npy#read}: its shape, its dtype as written in the file
 * (e.g. {@code "<f8"}, {@code ">i8"}, {@code "|u1"}) and its values in C order. Used to compare
 * against reference data of any type without a separate reader per dtype.
 */
public final class NpyArray {
  private final int[] shape;
  private final String dtype;
  private final char kind; // 'f', 'i', 'u', 'b'
  private final Object values; // float[], double[], int[], long[] or byte[]

  NpyArray(int[] shape, String dtype, char kind, Object values) {
    this.shape = shape;
    this.dtype = dtype;
    this.kind = kind;
    this.values = values;
  }

  /** The dimensions; empty for a 0-D (scalar) array. A copy. */
  public int[] shape() {
    return shape.clone();
  }

  /** Number of dimensions. */
  public int ndim() {
    return shape.length;
  }

  /** The dtype descr as in the file header, e.g. {@code "<f4"}. */
  public String dtype() {
    return dtype;
  }

  /** Number of elements (the product of the shape; 1 for a 0-D array). */
  public int size() {
    return java.lang.reflect.Array.getLength(values);
  }

  /**
   * All values as doubles in C order. float32 and int32 convert exactly; int64 beyond 2^53 is
   * rounded; uint8 is 0..255; bool is 0 or 1.
   */
  public double[] asDoubles() {
    if (values instanceof double[]) {
      return ((double[]) values).clone();
    }
    double[] out = new double[size()];
    if (values instanceof float[]) {
      float[] v = (float[]) values;
      for (int i = 0; i < v.length; i++) {
        out[i] = v[i];
      }
    } else if (values instanceof int[]) {
      int[] v = (int[]) values;
      for (int i = 0; i < v.length; i++) {
        out[i] = v[i];
      }
    } else if (values instanceof long[]) {
      long[] v = (long[]) values;
      for (int i = 0; i < v.length; i++) {
        out[i] = v[i];
      }
    } else {
      byte[] v = (byte[]) values;
      for (int i = 0; i < v.length; i++) {
        out[i] = byteValue(v[i]);
      }
    }
    return out;
  }

  /**
   * All values as longs in C order. Integer and bool dtypes convert exactly; a float array is
   * accepted only if every value is integral (so nothing is silently truncated).
   *
   * @throws IllegalStateException for a float array holding a non-integral or non-finite value
   */
  public long[] asLongs() {
    if (values instanceof long[]) {
      return ((long[]) values).clone();
    }
    long[] out = new long[size()];
    if (values instanceof int[]) {
      int[] v = (int[]) values;
      for (int i = 0; i < v.length; i++) {
        out[i] = v[i];
      }
    } else if (values instanceof byte[]) {
      byte[] v = (byte[]) values;
      for (int i = 0; i < v.length; i++) {
        out[i] = byteValue(v[i]);
      }
    } else {
      double[] v = asDoubles();
      for (int i = 0; i < v.length; i++) {
        long l = (long) v[i];
        if (l != v[i] || Math.abs(v[i]) >= 0x1p63) {
          throw new IllegalStateException("asLongs: '" + dtype + "' value " + v[i]
              + " at flat index " + i + " is not an integer");
        }
        out[i] = l;
      }
    }
    return out;
  }

  private int byteValue(byte b) {
    return kind == 'b' ? (b != 0 ? 1 : 0) : b & 0xff;
  }

  @Override
  public String toString() {
    return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
  }
}
