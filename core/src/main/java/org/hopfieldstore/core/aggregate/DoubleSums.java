package org.hopfieldstore.core.aggregate;

import java.nio.ByteBuffer;

/** A vector of float64 sums (weighted row sums, penalty terms): merged by adding. */
public final class DoubleSums implements Mergeable<DoubleSums> {
  static final int TAG = 0x44534d31; // "DSM1"
  private final double[] values;

  public DoubleSums(int length) {
    this.values = new double[length];
  }

  private DoubleSums(double[] values) {
    this.values = values;
  }

  /** The sums, to add into. */
  public double[] values() {
    return values;
  }

  /** The sums rounded to float32. */
  public float[] toFloats() {
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  @Override
  public DoubleSums merge(DoubleSums other) {
    if (other.values.length != values.length) {
      throw new IllegalArgumentException("cannot add sums of length " + values.length + " and "
          + other.values.length);
    }
    for (int i = 0; i < values.length; i++) {
      values[i] += other.values[i];
    }
    return this;
  }

  @Override
  public long byteSize() {
    return 8 + 8L * values.length;
  }

  @Override
  public byte[] toBytes() {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(byteSize()));
    buf.putInt(TAG).putInt(values.length);
    for (double v : values) {
      buf.putDouble(v);
    }
    return buf.array();
  }

  /** Reads what {@link #toBytes} wrote; rejects a wrong tag or a truncated buffer. */
  public static DoubleSums fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      if (buf.getInt() != TAG) {
        throw new IllegalArgumentException("not a sum vector");
      }
      int n = buf.getInt();
      if (n < 0 || n > buf.remaining() / 8) {
        throw new IllegalArgumentException("truncated sum vector (" + bytes.length + " bytes)");
      }
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = buf.getDouble();
      }
      return new DoubleSums(v);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated sum vector (" + bytes.length + " bytes)");
    }
  }
}
