package org.hopfieldstore.core.rules;

import java.util.List;
import org.hopfieldstore.core.normalize.ThresholdNormalizer;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.SupportPartial;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/** Sparse retrieval: the Euclidean projection of the scores onto the simplex (arXiv 2309.12673). */
public final class Sparsemax extends Rule {
  private static final long serialVersionUID = 1L;

  public Sparsemax() {
    super("sparsemax", List.of(), List.of(SpecKeys.SOLVER));
  }

  @Override
  public String doc() {
    return "sparse: sparsemax, exact support above a threshold (Hu et al. 2023)";
  }

  @Override
  public boolean hasEnergy() {
    return true;
  }

  @Override
  public double alpha(RetrievalSpec spec) {
    return 2.0;
  }

  @Override
  public ThresholdNormalizer normalizer(RetrievalSpec spec) {
    return ThresholdNormalizer.forAlpha(2.0, spec.bisection());
  }

  @Override
  public PartialScores<?> emptyPartial(RetrievalSpec spec, int batch, int dim, int report) {
    return new SupportPartial(batch, normalizer(spec));
  }
}
