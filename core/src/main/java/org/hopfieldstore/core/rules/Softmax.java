package org.hopfieldstore.core.rules;

import java.util.List;
import org.hopfieldstore.core.normalize.Normalizer;
import org.hopfieldstore.core.normalize.SoftmaxNormalizer;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.SoftmaxPartial;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/** Dense retrieval: softmax over every memory (Ramsauer et al. 2020). */
public final class Softmax extends Rule {
  private static final long serialVersionUID = 1L;

  public Softmax() {
    super("softmax", List.of(), List.of());
  }

  @Override
  public String doc() {
    return "dense: softmax over every memory (Ramsauer et al. 2020)";
  }

  @Override
  public boolean hasEnergy() {
    return true;
  }

  @Override
  public Normalizer normalizer(RetrievalSpec spec) {
    return SoftmaxNormalizer.INSTANCE;
  }

  @Override
  public PartialScores<?> emptyPartial(RetrievalSpec spec, int batch, int dim, int report) {
    return new SoftmaxPartial(batch, dim, report);
  }
}
