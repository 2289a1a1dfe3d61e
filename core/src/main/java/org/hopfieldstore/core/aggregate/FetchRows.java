package org.hopfieldstore.core.aggregate;

import org.hopfieldstore.core.memory.MemoryBlock;

/** The rows of a set of memory ids, gathered from the blocks that hold them. */
public final class FetchRows implements BlockAggregation<RowBundle> {
  private static final long serialVersionUID = 1L;
  private final long[] ids;

  /** @param ids the wanted ids, each once */
  public FetchRows(long[] ids) {
    this.ids = ids;
  }

  @Override
  public RowBundle zero() {
    return RowBundle.empty();
  }

  @Override
  public RowBundle fold(RowBundle acc, MemoryBlock block) {
    return acc.merge(RowBundle.of(block, ids));
  }

  @Override
  public String describe() {
    return "fetch " + ids.length + " support rows";
  }
}
