package org.hopfieldstore.core.retrieval;

import java.nio.ByteBuffer;
import org.hopfieldstore.core.aggregate.Mergeable;
import org.hopfieldstore.core.aggregate.RowBundle;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.Partials;

/**
 * What a retrieval step's partitions send: the rule's partial scores, the rows of their
 * candidates when few enough, and the traffic they sent (bytes of partial scores, candidates),
 * summed over partitions as the partials merge.
 */
public final class StepPartial implements Mergeable<StepPartial> {
  public static final int TAG = 0x53545031; // "STP1"
  private PartialScores<?> scores;
  private RowBundle rows;
  private long sentBytes;
  private long sentCandidates;

  StepPartial(PartialScores<?> scores, RowBundle rows, long sentBytes, long sentCandidates) {
    this.scores = scores;
    this.rows = rows;
    this.sentBytes = sentBytes;
    this.sentCandidates = sentCandidates;
  }

  /** One partition's partial, metered as it is sent. */
  static StepPartial sent(PartialScores<?> scores, RowBundle rows) {
    return new StepPartial(scores, rows, scores.byteSize(), scores.candidateCount());
  }

  public PartialScores<?> scores() {
    return scores;
  }

  /** The candidates' rows the partitions sent along (complete, or not). */
  public RowBundle rows() {
    return rows;
  }

  /** Bytes of partial scores the partitions sent. */
  public long sentBytes() {
    return sentBytes;
  }

  /** (score, id) candidates the partitions sent. */
  public long sentCandidates() {
    return sentCandidates;
  }

  @Override
  public StepPartial merge(StepPartial other) {
    scores = Partials.merge(scores, other.scores);
    rows = rows.merge(other.rows);
    sentBytes += other.sentBytes;
    sentCandidates += other.sentCandidates;
    return this;
  }

  @Override
  public long byteSize() {
    return 24 + scores.byteSize() + rows.byteSize();
  }

  @Override
  public byte[] toBytes() {
    byte[] s = scores.toBytes();
    byte[] r = rows.toBytes();
    return ByteBuffer.allocate(24 + s.length + r.length).putInt(TAG).putLong(sentBytes)
        .putLong(sentCandidates).putInt(s.length).put(s).put(r).array();
  }

  /** Reads what {@link #toBytes} wrote; rejects a wrong tag or a truncated buffer. */
  public static StepPartial fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      if (buf.getInt() != TAG) {
        throw new IllegalArgumentException("not a step partial");
      }
      long sent = buf.getLong();
      long candidates = buf.getLong();
      int n = buf.getInt();
      if (n < 0 || n > buf.remaining()) {
        throw new IllegalArgumentException("truncated step partial (" + bytes.length + " bytes)");
      }
      byte[] s = new byte[n];
      buf.get(s);
      byte[] r = new byte[buf.remaining()];
      buf.get(r);
      return new StepPartial(Partials.fromBytes(s), RowBundle.fromBytes(r), sent, candidates);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated step partial (" + bytes.length + " bytes)");
    }
  }
}
