package org.hopfieldstore.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hopfieldstore.core.io.ByteSource;
import org.hopfieldstore.core.io.Locations;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.core.score.ScoreKernels;

/**
 * In-process retrieval (the embedded default without --master): the memories of any location
 * in one block, or several when they hold more values than one Java array.
 */
final class LocalBackend implements Backend {
  /** Values per in-process block: one Java array. */
  static final long BLOCK_VALUES = Integer.MAX_VALUE - 8;

  private final LocalRetrievalEngine engine;

  private LocalBackend(LocalRetrievalEngine engine) {
    this.engine = engine;
  }

  static LocalBackend open(String memories, String kernel) throws java.io.IOException {
    if (!Locations.exists(memories)) {
      throw new IllegalArgumentException(memories + ": no such file");
    }
    try (ByteSource src = Locations.open(memories)) {
      return new LocalBackend(new LocalRetrievalEngine(MatrixReader.readBlocks(src, "memories",
          BLOCK_VALUES), ScoreKernels.byName(kernel), 0));
    }
  }

  @Override
  public StepFunction store() {
    return engine;
  }

  @Override
  public String describe() {
    return "in-process";
  }

  @Override
  public void summarize(ObjectNode json) {}

  @Override
  public void close() {}
}
