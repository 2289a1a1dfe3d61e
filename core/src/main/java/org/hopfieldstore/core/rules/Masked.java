package org.hopfieldstore.core.rules;

import java.util.List;
import org.hopfieldstore.core.normalize.Normalizer;
import org.hopfieldstore.core.normalize.SoftmaxNormalizer;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.SoftmaxPartial;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/** Random-masked softmax: only a seeded random fraction of the memories takes part. */
public final class Masked extends Rule {
  private static final long serialVersionUID = 1L;

  public static final SpecKey<Double> KEEP = SpecKey.real("keep", 0.1, x -> x > 0 && x <= 1,
      "keep in (0, 1]", "fraction of memories that take part (each kept by a seeded hash of "
          + "its id)");

  public Masked() {
    super("masked", List.of(KEEP), List.of(SpecKeys.SEED));
  }

  @Override
  public String doc() {
    return "random-masked: softmax over a seeded random subset of the memories (Hu et al. 2024)";
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
    return new SoftmaxPartial(batch, dim, report, spec.get(KEEP), spec.get(SpecKeys.SEED));
  }
}
