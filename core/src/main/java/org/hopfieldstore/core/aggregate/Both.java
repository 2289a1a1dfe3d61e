package org.hopfieldstore.core.aggregate;

import java.nio.ByteBuffer;
import org.hopfieldstore.core.memory.MemoryBlock;

/** Two partials computed in one pass and merged side by side. */
public final class Both<A extends Mergeable<A>, B extends Mergeable<B>>
    implements Mergeable<Both<A, B>> {
  static final int TAG = 0x424f5448; // "BOTH"
  private A first;
  private B second;

  public Both(A first, B second) {
    this.first = first;
    this.second = second;
  }

  public A first() {
    return first;
  }

  public B second() {
    return second;
  }

  /** One aggregation that folds each block into both {@code a} and {@code b}. */
  public static <A extends Mergeable<A>, B extends Mergeable<B>> BlockAggregation<Both<A, B>>
      of(BlockAggregation<A> a, BlockAggregation<B> b) {
    return new BlockAggregation<>() {
      private static final long serialVersionUID = 1L;

      @Override
      public Both<A, B> zero() {
        return new Both<>(a.zero(), b.zero());
      }

      @Override
      public Both<A, B> fold(Both<A, B> acc, MemoryBlock block) {
        acc.first = a.fold(acc.first, block);
        acc.second = b.fold(acc.second, block);
        return acc;
      }

      @Override
      public String describe() {
        return a.describe() + " and " + b.describe();
      }
    };
  }

  @Override
  public Both<A, B> merge(Both<A, B> other) {
    first = first.merge(other.first);
    second = second.merge(other.second);
    return this;
  }

  @Override
  public long byteSize() {
    return 8 + first.byteSize() + second.byteSize();
  }

  @Override
  public byte[] toBytes() {
    byte[] a = first.toBytes();
    byte[] b = second.toBytes();
    return ByteBuffer.allocate(8 + a.length + b.length).putInt(TAG).putInt(a.length).put(a)
        .put(b).array();
  }

  /** Reads what {@link #toBytes} wrote (each side by its own tag). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Both<?, ?> fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (bytes.length < 8 || buf.getInt() != TAG) {
      throw new IllegalArgumentException("not a pair of partials");
    }
    int n = buf.getInt();
    if (n < 0 || n > buf.remaining()) {
      throw new IllegalArgumentException("truncated pair of partials (" + bytes.length
          + " bytes)");
    }
    byte[] a = new byte[n];
    buf.get(a);
    byte[] b = new byte[buf.remaining()];
    buf.get(b);
    return new Both((Mergeable) Mergeables.fromBytes(a), (Mergeable) Mergeables.fromBytes(b));
  }
}
