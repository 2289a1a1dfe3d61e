package org.hopfieldstore.core.rules;

import java.util.List;
import org.hopfieldstore.core.normalize.Normalizer;
import org.hopfieldstore.core.normalize.SoftmaxNormalizer;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.SoftmaxPartial;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/**
 * Random-masked softmax (Hu et al. 2024): only a seeded random fraction of the memories takes
 * part. By default each update of each query draws its own mask, as the paper's code drops
 * scores at random in every forward pass; {@code mask=memory} keeps one subset for all.
 */
public final class Masked extends Rule {
  private static final long serialVersionUID = 1L;

  public static final SpecKey<Double> KEEP = SpecKey.real("keep", 0.1, x -> x > 0 && x <= 1,
      "keep in (0, 1]", "fraction of memories that take part (each kept with this probability)");
  public static final SpecKey<String> MASK = SpecKey.choice("mask",
      "what masked's random mask is drawn for: query (each update of each query draws its own, "
          + "from the seed, the query id, the step and the memory id) or memory (one subset of "
          + "the memories, from the seed and the memory id, for every query and step)",
      "query", "memory");

  public Masked() {
    super("masked", List.of(KEEP), List.of(SpecKeys.SEED, MASK));
  }

  @Override
  public String doc() {
    return "random-masked: softmax over a seeded random subset of the memories, drawn per query "
        + "and step (default) or once (mask=memory) (Hu et al. 2024)";
  }

  /** The fixed mask's energy; a mask drawn anew every step has no one objective to decrease. */
  @Override
  public boolean hasEnergy() {
    return true;
  }

  @Override
  public boolean hasEnergy(RetrievalSpec spec) {
    return !perQuery(spec);
  }

  @Override
  public boolean needsQueryKeys(RetrievalSpec spec) {
    return perQuery(spec) && spec.get(KEEP) < 1;
  }

  private static boolean perQuery(RetrievalSpec spec) {
    return spec.get(MASK).equals("query");
  }

  @Override
  public Normalizer normalizer(RetrievalSpec spec) {
    return SoftmaxNormalizer.INSTANCE;
  }

  @Override
  public PartialScores<?> emptyPartial(RetrievalSpec spec, int batch, int dim, int report) {
    return emptyPartial(spec, batch, dim, report, null);
  }

  @Override
  public PartialScores<?> emptyPartial(RetrievalSpec spec, int batch, int dim, int report,
      long[] queryKeys) {
    if (!needsQueryKeys(spec)) {
      return new SoftmaxPartial(batch, dim, report, spec.get(KEEP), spec.get(SpecKeys.SEED));
    }
    if (queryKeys == null) {
      throw new IllegalArgumentException("masked with mask=query draws a mask per query and "
          + "step: this step was not told which queries it updates (use mask=memory here)");
    }
    return new SoftmaxPartial(batch, dim, report, spec.get(KEEP), queryKeys);
  }
}
