package org.hopfieldstore.core.rules;

import java.util.List;
import org.hopfieldstore.core.normalize.ThresholdNormalizer;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.SupportPartial;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/** Generalized sparse retrieval: alpha-entmax (STanHop, arXiv 2312.17346). */
public final class Entmax extends Rule {
  private static final long serialVersionUID = 1L;

  public static final SpecKey<Double> ALPHA = SpecKey.real("alpha", 1.5, x -> x > 1 && x <= 2,
      "alpha in (1, 2]", "entmax exponent (2 is sparsemax, -> 1 approaches softmax)");

  public Entmax() {
    super("entmax", List.of(ALPHA), List.of(SpecKeys.SOLVER));
  }

  @Override
  public String doc() {
    return "generalized sparse: alpha-entmax, exact support (Wu et al. 2023, STanHop)";
  }

  @Override
  public boolean hasEnergy() {
    return true;
  }

  @Override
  public double alpha(RetrievalSpec spec) {
    return spec.get(ALPHA);
  }

  @Override
  public ThresholdNormalizer normalizer(RetrievalSpec spec) {
    return ThresholdNormalizer.forAlpha(alpha(spec), spec.bisection());
  }

  @Override
  public PartialScores<?> emptyPartial(RetrievalSpec spec, int batch, int dim, int report) {
    return new SupportPartial(batch, normalizer(spec));
  }
}
