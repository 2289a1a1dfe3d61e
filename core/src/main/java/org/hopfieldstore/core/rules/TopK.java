package org.hopfieldstore.core.rules;

import java.util.List;
import org.hopfieldstore.core.normalize.Normalizer;
import org.hopfieldstore.core.normalize.TopKNormalizer;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.TopKPartial;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/** Softmax over the K best scores (nonparametric sparse-structured model, arXiv 2404.03900). */
public final class TopK extends Rule {
  private static final long serialVersionUID = 1L;

  public static final SpecKey<Integer> K = SpecKey.integer("k", 32, x -> x >= 1, "k >= 1",
      "number of memories kept; k >= M is softmax");

  public TopK() {
    super("topk", List.of(K), List.of());
  }

  @Override
  public String doc() {
    return "top-K: softmax over the k best scores (Hu et al. 2024)";
  }

  @Override
  public boolean hasEnergy() {
    return false;
  }

  @Override
  public Normalizer normalizer(RetrievalSpec spec) {
    return new TopKNormalizer(spec.get(K));
  }

  @Override
  public PartialScores<?> emptyPartial(RetrievalSpec spec, int batch, int dim, int report) {
    return new TopKPartial(batch, spec.get(K));
  }
}
