package org.hopfieldstore.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.core.score.ScoreKernels;

/** In-process retrieval over one memory block (the embedded default without --master). */
final class LocalBackend implements Backend {
  private final LocalRetrievalEngine engine;

  private LocalBackend(LocalRetrievalEngine engine) {
    this.engine = engine;
  }

  static LocalBackend open(Path memories, String kernel) {
    MemoryBlock block = MemoryBlock.of(MatrixReader.read(memories, "memories"));
    return new LocalBackend(new LocalRetrievalEngine(block, ScoreKernels.byName(kernel)));
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
