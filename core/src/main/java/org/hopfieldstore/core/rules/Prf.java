package org.hopfieldstore.core.rules;

import java.util.List;
import org.hopfieldstore.core.nonparametric.FeatureMap;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/** Positive random features approximating the softmax kernel (Performer), as a memory summary. */
public final class Prf extends Rule {
  private static final long serialVersionUID = 1L;

  public static final SpecKey<Integer> FEATURES = SpecKey.integer("features", 256, x -> x >= 1,
      "features >= 1", "number of positive random features D");
  public static final SpecKey<String> PROJECTION = SpecKey.choice("projection",
      "how prf draws the rows of its projection W: orthogonal (blocks of d exactly orthogonal "
          + "rows with chi-distributed lengths, Performer's lower-variance features) or iid "
          + "(i.i.d. N(0, 1) entries)", "orthogonal", "iid");

  public Prf() {
    super("prf", List.of(FEATURES), List.of(SpecKeys.SEED, PROJECTION));
  }

  @Override
  public String doc() {
    return "prf: kernel summary with positive random features, error ~ 1/sqrt(D); orthogonal "
        + "(default) or iid projection rows (Choromanski et al. 2021; Hu et al. 2024)";
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
    return FeatureMap.positiveRandom(dim, spec.get(FEATURES), spec.beta(),
        spec.get(SpecKeys.SEED), FeatureMap.Projection.named(spec.get(PROJECTION)));
  }
}
