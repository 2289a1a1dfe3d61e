package org.hopfieldstore.core.retrieval;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.hopfieldstore.core.normalize.Normalizer;
import org.hopfieldstore.core.rules.Entmax;
import org.hopfieldstore.core.rules.Masked;
import org.hopfieldstore.core.rules.Prf;
import org.hopfieldstore.core.rules.Rule;
import org.hopfieldstore.core.rules.Rules;
import org.hopfieldstore.core.rules.SpecKey;
import org.hopfieldstore.core.rules.SpecKeys;
import org.hopfieldstore.core.rules.TopK;
import org.hopfieldstore.core.score.ScoreFunction;

/**
 * One string names a retrieval model everywhere: {@code rule:key=value,...}, parsed and printed by
 * this class (like FAISS's index factory strings).
 *
 * <pre>
 *   softmax:beta=8,steps=3
 *   sparsemax:beta=4
 *   entmax:alpha=1.5,beta=4,steps=2,tol=1e-6
 *   topk:k=32,beta=8
 * </pre>
 *
 * The rules and their keys (with ranges, defaults and meaning) are those of the registry, {@link
 * Rules}: {@link Rules#helpText} lists them. A spec holds one value per key of its rule; a key the
 * rule does not take reads as its default.
 */
public final class RetrievalSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Rule rule;
  /** One value per key of the rule, in {@code rule.keys()} order. */
  private final Object[] values;

  private RetrievalSpec(Rule rule, Object[] values) {
    this.rule = Objects.requireNonNull(rule);
    this.values = values;
    List<SpecKey<?>> keys = rule.keys();
    for (int i = 0; i < values.length; i++) {
      check(keys.get(i), values[i]);
    }
    rule.validate(this);
  }

  @SuppressWarnings("unchecked")
  private static <T> void check(SpecKey<T> key, Object value) {
    key.check((T) value);
  }

  /** The rule with every key at its default. */
  public static RetrievalSpec of(Rule rule) {
    return new RetrievalSpec(rule, rule.keys().stream().map(SpecKey::defaultValue).toArray());
  }

  /** The rule called {@code name} with {@code beta} and {@code steps}, other keys at default. */
  private static RetrievalSpec of(String name, double beta, int steps) {
    return of(Rules.named(name)).with(SpecKeys.BETA, beta).with(SpecKeys.STEPS, steps);
  }

  public static RetrievalSpec softmax(double beta, int steps) {
    return of("softmax", beta, steps);
  }

  public static RetrievalSpec sparsemax(double beta, int steps) {
    return of("sparsemax", beta, steps);
  }

  public static RetrievalSpec entmax(double alpha, double beta, int steps) {
    return of("entmax", beta, steps).with(Entmax.ALPHA, alpha);
  }

  public static RetrievalSpec topk(int k, double beta, int steps) {
    return of("topk", beta, steps).with(TopK.K, k);
  }

  /** The same model with {@code key} set to {@code value}; the rule must take the key. */
  public <T> RetrievalSpec with(SpecKey<T> key, Object value) {
    int i = rule.keys().indexOf(key);
    if (i < 0) {
      throw new IllegalArgumentException("key '" + key.name() + "' is not valid for rule "
          + rule.key() + ": valid keys are " + String.join(", ", validKeys(rule)));
    }
    Object[] v = values.clone();
    v[i] = key.cast(value);
    return new RetrievalSpec(rule, v);
  }

  /** The value of {@code key}, or its default when the rule does not take it. */
  public <T> T get(SpecKey<T> key) {
    int i = rule.keys().indexOf(key);
    return i < 0 ? key.defaultValue() : key.cast(values[i]);
  }

  /** The same model with another tolerance. */
  public RetrievalSpec withTol(double newTol) {
    return with(SpecKeys.TOL, newTol);
  }

  /** The same model with another maximum number of steps. */
  public RetrievalSpec withSteps(int newSteps) {
    return with(SpecKeys.STEPS, newSteps);
  }

  /** The same model with the threshold found by bisection (sparsemax, entmax only). */
  public RetrievalSpec withBisection() {
    return with(SpecKeys.SOLVER, "bisect");
  }

  /** The same model retrieving in the kernel space of the feature map saved at {@code path}. */
  public RetrievalSpec withKernel(String path) {
    return withKernel(path, false);
  }

  /**
   * The same model retrieving in the kernel space of the feature map saved at {@code path}:
   * {@code Phi(u) = W u}, or with {@code normalized} the spherical-code form {@code W u / |W u|}.
   */
  public RetrievalSpec withKernel(String path, boolean normalized) {
    RetrievalSpec s = with(SpecKeys.KERNEL_MAP, "linear").with(SpecKeys.KERNEL, path);
    return normalized && path != null ? s.with(SpecKeys.KERNEL_MAP, "normalized") : s;
  }

  /**
   * Parses {@code rule[:key=value,...]}. Unknown rules or keys, duplicate keys, malformed numbers
   * and out-of-range values are rejected with a message naming the key and its valid range.
   */
  public static RetrievalSpec parse(String text) {
    Objects.requireNonNull(text, "spec");
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty model spec: expected e.g. softmax:beta=8,steps=3");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) { // a newline would also split the one-line error below
        throw new IllegalArgumentException(String.format("model spec has a control character "
            + "(U+%04X) at position %d: a spec is one line, e.g. softmax:beta=8,steps=3", (int) c,
            i + 1));
      }
    }
    int colon = s.indexOf(':');
    Rule rule = Rules.named((colon < 0 ? s : s.substring(0, colon)).trim()
        .toLowerCase(Locale.ROOT));
    Map<String, String> kv = new LinkedHashMap<>();
    if (colon >= 0 && colon < s.length() - 1) {
      for (String part : s.substring(colon + 1).split(",", -1)) {
        int eq = part.indexOf('=');
        if (eq <= 0 || eq == part.length() - 1) {
          throw new IllegalArgumentException("malformed '" + part.trim()
              + "' in model spec '" + s + "': expected key=value");
        }
        String key = part.substring(0, eq).trim();
        if (!validKeys(rule).contains(key)) {
          throw new IllegalArgumentException("unknown key '" + key + "' for rule " + rule.key()
              + ": valid keys are " + String.join(", ", validKeys(rule)));
        }
        if (kv.put(key, part.substring(eq + 1).trim()) != null) {
          throw new IllegalArgumentException("duplicate key '" + key + "' in model spec '"
              + s + "'");
        }
      }
    }
    List<SpecKey<?>> keys = rule.keys();
    Object[] values = new Object[keys.size()];
    for (int i = 0; i < values.length; i++) {
      SpecKey<?> key = keys.get(i);
      String v = kv.get(key.name());
      values[i] = v == null ? key.defaultValue() : key.parse(v);
    }
    return new RetrievalSpec(rule, values);
  }

  /** The keys a rule accepts, in canonical order. */
  public static List<String> validKeys(Rule rule) {
    return rule.keys().stream().map(SpecKey::name).collect(Collectors.toList());
  }

  public Rule rule() {
    return rule;
  }

  public double beta() {
    return get(SpecKeys.BETA);
  }

  public int steps() {
    return get(SpecKeys.STEPS);
  }

  public double tol() {
    return get(SpecKeys.TOL);
  }

  /** The entmax exponent of the rule's entropy: 1 for softmax and top-K, 2 for sparsemax. */
  public double alpha() {
    return rule.alpha(this);
  }

  public int k() {
    return get(TopK.K);
  }

  public boolean bisection() {
    return get(SpecKeys.SOLVER).equals("bisect");
  }

  /** masked: the fraction of memories that take part (each kept with this probability). */
  public double keep() {
    return get(Masked.KEEP);
  }

  /** masked, prf: the seed of the random mask or projection. */
  public long seed() {
    return get(SpecKeys.SEED);
  }

  /** prf: the number of random features D. */
  public int features() {
    return get(Prf.FEATURES);
  }

  /** Path of the feature map W of kernelized retrieval, or null for the plain inner product. */
  public String kernel() {
    return get(SpecKeys.KERNEL);
  }

  /** What a memory scores: dot (the default), or a negated distance ({@link ScoreFunction}). */
  public ScoreFunction score() {
    return ScoreFunction.named(get(SpecKeys.SCORE));
  }

  /** The same model scoring with {@code score} (rules with per-memory weights only). */
  public RetrievalSpec withScore(ScoreFunction score) {
    return with(SpecKeys.SCORE, score.key());
  }

  /** Whether the kernel is that of the normalised feature map {@code W u / |W u|}. */
  public boolean kernelNormalized() {
    return get(SpecKeys.KERNEL_MAP).equals("normalized");
  }

  /** Whether retrieval runs from a memory summary (linear, prf) instead of scanning memories. */
  public boolean isSummary() {
    return !rule.perMemoryWeights();
  }

  /**
   * Whether the model has a closed-form energy that its updates never increase: the rule has
   * one, and the kernel is not the normalised feature map's (its update is not a CCCP step on
   * the energy with {@code K(x, x) = 1}, because the query's image is normalised too), and the
   * score is the dot product (a distance score's update is no CCCP step on that energy).
   */
  public boolean hasEnergy() {
    return rule.hasEnergy(this) && !(kernel() != null && kernelNormalized())
        && !score().isDistance();
  }

  /** The normalizer this spec names. alpha = 2 dispatches to sparsemax, not bisection. */
  public Normalizer normalizer() {
    return rule.normalizer(this);
  }

  /** Canonical form: every key of the rule, so that {@code parse(toString())} equals this. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(rule.key()).append(':');
    List<SpecKey<?>> keys = rule.keys();
    String sep = "";
    for (int i = 0; i < keys.size(); i++) {
      SpecKey<?> key = keys.get(i);
      if (key.isOmittedAtDefault() && Objects.equals(values[i], key.defaultValue())) {
        continue;
      }
      sb.append(sep).append(key.name()).append('=').append(key.format(values[i]));
      sep = ",";
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetrievalSpec && ((RetrievalSpec) o).rule.equals(rule)
        && Arrays.equals(((RetrievalSpec) o).values, values);
  }

  @Override
  public int hashCode() {
    return 31 * rule.hashCode() + Arrays.hashCode(values);
  }
}
