package org.hopfieldstore.core.rules;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hopfieldstore.core.nonparametric.FeatureMap;
import org.hopfieldstore.core.normalize.Normalizer;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/**
 * A retrieval rule: everything the program knows of one member of the modern Hopfield family. A
 * rule owns its spec keys (with ranges, defaults and docs), its normalizer, the empty partial a
 * partition folds its memories into, whether it has an energy and whether it gives per-memory
 * weights. The spec parser, {@code --help}, the README's key table and the Spark ML Params are
 * generated from {@link Rules#all()}, the permitted subclasses below: adding a rule is one class
 * plus its name in this {@code permits} clause.
 */
public abstract sealed class Rule implements Serializable
    permits Softmax, Sparsemax, Entmax, TopK, Masked, Linear, Prf {
  private static final long serialVersionUID = 1L;
  private final String name;
  private final List<SpecKey<?>> keys;

  /**
   * @param leading the rule's own keys printed before beta (e.g. alpha, k)
   * @param trailing those printed after tol (e.g. solver, seed)
   */
  protected Rule(String name, List<SpecKey<?>> leading, List<SpecKey<?>> trailing) {
    this.name = name;
    List<SpecKey<?>> all = new ArrayList<>(leading);
    all.addAll(Arrays.asList(SpecKeys.BETA, SpecKeys.STEPS, SpecKeys.TOL));
    all.addAll(trailing);
    if (perMemoryWeights()) {
      all.add(SpecKeys.SCORE);
      all.add(SpecKeys.KERNEL);
      all.add(SpecKeys.KERNEL_MAP);
    }
    this.keys = List.copyOf(all);
  }

  /** The name in specs, e.g. {@code softmax}. */
  public final String key() {
    return name;
  }

  /** Every key this rule takes, in the canonical order of its printed spec. */
  public final List<SpecKey<?>> keys() {
    return keys;
  }

  /** One line for {@code --help}: what the rule is and the paper it comes from. */
  public abstract String doc();

  /**
   * Whether retrieval scores every memory and weights it (true), or runs from a summary of all
   * memories whose cost is free of M (the linear kernels: no per-memory weights, no top ids).
   */
  public boolean perMemoryWeights() {
    return true;
  }

  /** Whether the rule has a closed-form energy that never increases along retrieval. */
  public abstract boolean hasEnergy();

  /**
   * Whether this spec of the rule has that energy (a key may take it away). {@link
   * RetrievalSpec#hasEnergy()} also takes it away from the distance scores ({@code
   * score=euclidean|manhattan}, whose updates are no CCCP steps on it) and from the normalised
   * kernel map.
   */
  public boolean hasEnergy(RetrievalSpec spec) {
    return hasEnergy();
  }

  /** The entmax exponent of the rule's entropy (1 softmax, 2 sparsemax), for the energy. */
  public double alpha(RetrievalSpec spec) {
    return 1.0;
  }

  /** The normalizer of one step's scores. */
  public Normalizer normalizer(RetrievalSpec spec) {
    throw new IllegalStateException(name + " retrieves from a kernel summary: it has no "
        + "per-memory normalizer");
  }

  /**
   * The empty partial one partition folds its memories into for {@code batch} queries of
   * dimension {@code dim}; {@code report} is how many best weights dense rules keep.
   */
  public PartialScores<?> emptyPartial(RetrievalSpec spec, int batch, int dim, int report) {
    throw new IllegalArgumentException(name + " retrieves from a kernel summary, not from "
        + "partial scores");
  }

  /**
   * As {@link #emptyPartial(RetrievalSpec, int, int, int)} for a step that knows which update of
   * which query each state row is ({@code queryKeys}, from {@link
   * org.hopfieldstore.core.reduce.MemoryMask#queryKey}; null when unknown): a rule that draws
   * per query (masked) needs them.
   */
  public PartialScores<?> emptyPartial(RetrievalSpec spec, int batch, int dim, int report,
      long[] queryKeys) {
    return emptyPartial(spec, batch, dim, report);
  }

  /** Whether a step of this spec needs the keys of its queries' updates. */
  public boolean needsQueryKeys(RetrievalSpec spec) {
    return false;
  }

  /** The feature map of a summary rule (linear, prf). */
  public FeatureMap featureMap(RetrievalSpec spec, int dim) {
    throw new IllegalArgumentException(name + " has no feature map");
  }

  /** Checks that hold between keys; throws naming them. */
  public void validate(RetrievalSpec spec) {
    if (spec.kernelNormalized() && spec.kernel() == null) {
      throw new IllegalArgumentException("kernel_map=normalized needs kernel=PATH (a saved W)");
    }
    if (spec.score().isDistance() && spec.kernel() != null) {
      throw new IllegalArgumentException("score=" + spec.score().key() + " cannot be combined "
          + "with kernel=: the kernel space scores with <W xi, W x> (use score=dot there)");
    }
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof Rule && ((Rule) o).name.equals(name);
  }

  @Override
  public final int hashCode() {
    return name.hashCode();
  }

  @Override
  public final String toString() {
    return name;
  }
}
