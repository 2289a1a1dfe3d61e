package org.hopfieldstore.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;

/** Where retrieval runs: in-process, or on Spark. */
interface Backend extends AutoCloseable {
  /** The memories, ready for retrieval steps. */
  StepFunction store();

  /**
   * {@code spec} with references to the memories' attachments resolved ({@code kernel=store}:
   * the feature map attached to a store); unchanged where there are none.
   */
  default RetrievalSpec resolve(RetrievalSpec spec) {
    return spec;
  }

  /** A short description for the summary line, e.g. "in-process" or "spark local[2], P=4". */
  String describe();

  /** Adds backend-specific fields (master, partitions, traffic) to the summary. */
  void summarize(ObjectNode json);

  @Override
  void close();
}
