package org.hopfieldstore.core.rules;

import java.util.List;
import org.hopfieldstore.core.nonparametric.FeatureMap;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/** Linear kernel {@code phi(u) = elu(sqrt(beta) u) + 1}: a memory summary, cost free of M. */
public final class Linear extends Rule {
  private static final long serialVersionUID = 1L;

  public Linear() {
    super("linear", List.of(), List.of());
  }

  @Override
  public String doc() {
    return "linear: kernel summary with phi(u) = elu(sqrt(beta) u) + 1 (Hu et al. 2024)";
  }

  @Override
  public boolean perMemoryWeights() {
    return false;
  }

  @Override
  public boolean hasEnergy() {
    return false;
  }

  @Override
  public FeatureMap featureMap(RetrievalSpec spec, int dim) {
    return FeatureMap.elu(dim, spec.beta());
  }
}
