package org.hopfieldstore.core.kernel;

import java.nio.ByteBuffer;
import org.hopfieldstore.core.aggregate.Mergeable;

/**
 * Pair terms of a set of pairs: {@code sum = sum exp(s c - max)}, {@code grad = sum exp(s c -
 * max) dc/d(W, b)} (W then b, see {@link LinearFeatureMap#parameterCount}), the pair count and
 * the largest overlap seen. Merge adds them exactly. For the worst-pair loss ({@code worst})
 * only the pair of the largest overlap counts: sum 1, grad its {@code dc/d(W, b)}, and merge
 * keeps the larger.
 */
public final class PairTerms implements Mergeable<PairTerms> {
  public static final int TAG = 0x50525431; // "PRT1"
  public double max = Double.NEGATIVE_INFINITY;
  public double sum;
  public long pairs;
  public double maxCos = -2;
  public double[] grad;
  public boolean worst;

  public PairTerms(int gradLength) {
    grad = new double[gradLength];
  }

  /** Adds {@code o} into this (rescaling to the larger maximum); returns this. */
  @Override
  public PairTerms merge(PairTerms o) {
    if (o.pairs == 0) {
      return this;
    }
    if (pairs == 0) {
      max = o.max;
      sum = o.sum;
      pairs = o.pairs;
      maxCos = o.maxCos;
      grad = o.grad.clone();
      worst = o.worst;
      return this;
    }
    if (worst != o.worst) {
      throw new IllegalArgumentException("cannot merge worst-pair and averaged pair terms");
    }
    if (worst) {
      if (o.max > max) {
        max = o.max;
        sum = o.sum;
        grad = o.grad.clone();
      }
      pairs += o.pairs;
      maxCos = Math.max(maxCos, o.maxCos);
      return this;
    }
    double m = Math.max(max, o.max);
    double a = Math.exp(max - m);
    double b = Math.exp(o.max - m);
    sum = sum * a + o.sum * b;
    for (int i = 0; i < grad.length; i++) {
      grad[i] = grad[i] * a + o.grad[i] * b;
    }
    max = m;
    pairs += o.pairs;
    maxCos = Math.max(maxCos, o.maxCos);
    return this;
  }

  @Override
  public long byteSize() {
    return 4 + 8 + 8 + 8 + 8 + 1 + 4 + 8L * grad.length;
  }

  @Override
  public byte[] toBytes() {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(byteSize()));
    buf.putInt(TAG).putDouble(max).putDouble(sum).putLong(pairs).putDouble(maxCos)
        .put((byte) (worst ? 1 : 0)).putInt(grad.length);
    for (double g : grad) {
      buf.putDouble(g);
    }
    return buf.array();
  }

  /** Reads what {@link #toBytes} wrote; rejects a wrong tag or a truncated buffer. */
  public static PairTerms fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      if (buf.getInt() != TAG) {
        throw new IllegalArgumentException("not separation pair terms");
      }
      double max = buf.getDouble();
      double sum = buf.getDouble();
      long pairs = buf.getLong();
      double maxCos = buf.getDouble();
      boolean worst = buf.get() == 1;
      int n = buf.getInt();
      if (n < 0 || n > buf.remaining() / 8) {
        throw new IllegalArgumentException("truncated pair terms (" + bytes.length + " bytes)");
      }
      PairTerms t = new PairTerms(n);
      t.max = max;
      t.sum = sum;
      t.pairs = pairs;
      t.maxCos = maxCos;
      t.worst = worst;
      for (int i = 0; i < n; i++) {
        t.grad[i] = buf.getDouble();
      }
      return t;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated pair terms (" + bytes.length + " bytes)");
    }
  }
}
