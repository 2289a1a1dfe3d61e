package org.hopfieldstore.core.retrieval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.hopfieldstore.core.normalize.Normalizer;
import org.hopfieldstore.core.normalize.SoftmaxNormalizer;
import org.hopfieldstore.core.normalize.ThresholdNormalizer;
import org.hopfieldstore.core.normalize.TopKNormalizer;

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
 * Keys, valid for every rule: {@code beta} (inverse temperature, > 0, default 1), {@code steps}
 * (maximum number of updates, >= 1, default 1), {@code tol} (stop a query once an update moves it
 * by at most tol in max-norm; >= 0, default 0 = run exactly {@code steps} updates). {@code entmax}
 * takes {@code alpha} in (1, 2] (default 1.5); {@code topk} takes {@code k} >= 1 (default 32);
 * {@code sparsemax} and {@code entmax} take {@code solver} = {@code exact} (default: threshold by
 * selection/sort, bisection for alpha other than 1.5 and 2) or {@code bisect} (always bisection).
 * Every rule but {@code linear} and {@code prf} takes {@code kernel=PATH} (a saved feature map W:
 * retrieval scores with {@code <W xi, W x>}) and then {@code kernel_map} = {@code linear}
 * (default) or {@code normalized} (scores with the cosine of the images, {@code W u / |W u|}).
 *
 * <p>The nonparametric variants (Hu et al. 2024, arXiv 2404.03900): {@code masked:keep=0.1,seed=1}
 * (softmax over a seeded random fraction of the memories, exact on those), {@code linear:beta=1}
 * and {@code prf:features=256,beta=4,seed=1} (kernel summaries {@code A = sum phi(xi) xi^T}, {@code
 * b = sum phi(xi)}; a step costs O(D d) per query whatever M is).
 */
public final class RetrievalSpec {
  /** The normalizer family. */
  public enum Rule {
    SOFTMAX("softmax"),
    SPARSEMAX("sparsemax"),
    ENTMAX("entmax"),
    TOPK("topk"),
    /** Random-masked softmax: only a seeded random fraction {@code keep} of memories. */
    MASKED("masked"),
    /** Linear kernel {@code phi(u) = elu(sqrt(beta) u) + 1}: a memory summary, cost free of M. */
    LINEAR("linear"),
    /** Positive random features approximating the softmax kernel, as a memory summary. */
    PRF("prf");

    private final String key;

    Rule(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    static Rule parse(String s) {
      for (Rule r : values()) {
        if (r.key.equals(s)) {
          return r;
        }
      }
      throw new IllegalArgumentException("unknown rule '" + s
          + "' in model spec: expected one of softmax, sparsemax, entmax, topk, masked, "
          + "linear, prf");
    }
  }

  public static final double DEFAULT_BETA = 1.0;
  public static final int DEFAULT_STEPS = 1;
  public static final double DEFAULT_TOL = 0.0;
  public static final double DEFAULT_ALPHA = 1.5;
  public static final int DEFAULT_K = 32;
  public static final double DEFAULT_KEEP = 0.1;
  public static final long DEFAULT_SEED = 0L;
  public static final int DEFAULT_FEATURES = 256;

  private final Rule rule;
  private final double beta;
  private final int steps;
  private final double tol;
  private final double alpha;
  private final int k;
  private final boolean bisect;
  private final double keep;
  private final long seed;
  private final int features;
  /** Path of a saved feature map W (kernelized retrieval), or null. */
  private final String kernel;
  /** Kernel of the normalised feature map {@code W u / |W u|} instead of {@code W u}. */
  private final boolean kernelNormalized;

  private RetrievalSpec(
      Rule rule, double beta, int steps, double tol, double alpha, int k, boolean bisect) {
    this(rule, beta, steps, tol, alpha, k, bisect, DEFAULT_KEEP, DEFAULT_SEED, DEFAULT_FEATURES);
  }

  private RetrievalSpec(Rule rule, double beta, int steps, double tol, double alpha, int k,
      boolean bisect, double keep, long seed, int features) {
    this(rule, beta, steps, tol, alpha, k, bisect, keep, seed, features, null, false);
  }

  private RetrievalSpec(Rule rule, double beta, int steps, double tol, double alpha, int k,
      boolean bisect, double keep, long seed, int features, String kernel,
      boolean kernelNormalized) {
    if (kernel != null && (kernel.isEmpty() || kernel.contains(",") || kernel.contains("="))) {
      throw new IllegalArgumentException("kernel=" + kernel
          + " is out of range: kernel is a path to a D x d .npy without ',' or '='");
    }
    if (kernelNormalized && kernel == null) {
      throw new IllegalArgumentException("kernel_map=normalized needs kernel=PATH (a saved W)");
    }
    this.kernel = kernel;
    this.kernelNormalized = kernelNormalized;
    this.rule = Objects.requireNonNull(rule);
    this.beta = check("beta", beta, beta > 0 && Double.isFinite(beta), "beta > 0");
    if (steps < 1) {
      throw new IllegalArgumentException("steps=" + steps + " is out of range: steps >= 1");
    }
    this.steps = steps;
    this.tol = check("tol", tol, tol >= 0 && Double.isFinite(tol), "tol >= 0");
    this.alpha = check("alpha", alpha, alpha > 1 && alpha <= 2, "alpha in (1, 2]");
    if (k < 1) {
      throw new IllegalArgumentException("k=" + k + " is out of range: k >= 1");
    }
    this.k = k;
    this.bisect = bisect;
    this.keep = check("keep", keep, keep > 0 && keep <= 1, "keep in (0, 1]");
    this.seed = seed;
    if (features < 1) {
      throw new IllegalArgumentException(
          "features=" + features + " is out of range: features >= 1");
    }
    this.features = features;
  }

  private static double check(String key, double v, boolean ok, String range) {
    if (!ok) {
      throw new IllegalArgumentException(
          key + "=" + fmt(v) + " is out of range: " + range);
    }
    return v;
  }

  public static RetrievalSpec softmax(double beta, int steps) {
    return new RetrievalSpec(Rule.SOFTMAX, beta, steps, DEFAULT_TOL, DEFAULT_ALPHA, DEFAULT_K, false);
  }

  public static RetrievalSpec sparsemax(double beta, int steps) {
    return new RetrievalSpec(
        Rule.SPARSEMAX, beta, steps, DEFAULT_TOL, DEFAULT_ALPHA, DEFAULT_K, false);
  }

  public static RetrievalSpec entmax(double alpha, double beta, int steps) {
    return new RetrievalSpec(Rule.ENTMAX, beta, steps, DEFAULT_TOL, alpha, DEFAULT_K, false);
  }

  public static RetrievalSpec topk(int k, double beta, int steps) {
    return new RetrievalSpec(Rule.TOPK, beta, steps, DEFAULT_TOL, DEFAULT_ALPHA, k, false);
  }

  /** The same model with another tolerance. */
  public RetrievalSpec withTol(double newTol) {
    return new RetrievalSpec(rule, beta, steps, newTol, alpha, k, bisect, keep, seed, features,
        kernel, kernelNormalized);
  }

  /** The same model with another maximum number of steps. */
  public RetrievalSpec withSteps(int newSteps) {
    return new RetrievalSpec(rule, beta, newSteps, tol, alpha, k, bisect, keep, seed, features,
        kernel, kernelNormalized);
  }

  /** The same model with the threshold found by bisection (sparsemax, entmax only). */
  public RetrievalSpec withBisection() {
    requireSparse("solver");
    return new RetrievalSpec(rule, beta, steps, tol, alpha, k, true, keep, seed, features,
        kernel, kernelNormalized);
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
    if (!validKeys(rule).contains("kernel")) {
      throw new IllegalArgumentException("key 'kernel' is not valid for rule " + rule.key
          + ": valid keys are " + String.join(", ", validKeys(rule)));
    }
    return new RetrievalSpec(rule, beta, steps, tol, alpha, k, bisect, keep, seed, features,
        path, normalized && path != null);
  }

  /** Path of the feature map W of kernelized retrieval, or null for the plain inner product. */
  public String kernel() {
    return kernel;
  }

  /** Whether the kernel is that of the normalised feature map {@code W u / |W u|}. */
  public boolean kernelNormalized() {
    return kernelNormalized;
  }

  private void requireSparse(String key) {
    if (rule != Rule.SPARSEMAX && rule != Rule.ENTMAX) {
      throw new IllegalArgumentException("key '" + key + "' is not valid for rule "
          + rule.key + ": valid keys are " + String.join(", ", validKeys(rule)));
    }
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
    int colon = s.indexOf(':');
    Rule rule = Rule.parse((colon < 0 ? s : s.substring(0, colon)).trim().toLowerCase(Locale.ROOT));
    Map<String, String> kv = new LinkedHashMap<>();
    if (colon >= 0 && colon < s.length() - 1) {
      for (String part : s.substring(colon + 1).split(",", -1)) {
        int eq = part.indexOf('=');
        if (eq <= 0 || eq == part.length() - 1) {
          throw new IllegalArgumentException("malformed '" + part.trim()
              + "' in model spec '" + text + "': expected key=value");
        }
        String key = part.substring(0, eq).trim();
        if (!validKeys(rule).contains(key)) {
          throw new IllegalArgumentException("unknown key '" + key + "' for rule " + rule.key
              + ": valid keys are " + String.join(", ", validKeys(rule)));
        }
        if (kv.put(key, part.substring(eq + 1).trim()) != null) {
          throw new IllegalArgumentException("duplicate key '" + key + "' in model spec '"
              + text + "'");
        }
      }
    }
    double beta = kv.containsKey("beta") ? number(kv, "beta") : DEFAULT_BETA;
    int steps = kv.containsKey("steps") ? integer(kv, "steps") : DEFAULT_STEPS;
    double tol = kv.containsKey("tol") ? number(kv, "tol") : DEFAULT_TOL;
    double alpha = kv.containsKey("alpha") ? number(kv, "alpha") : DEFAULT_ALPHA;
    int k = kv.containsKey("k") ? integer(kv, "k") : DEFAULT_K;
    boolean bisect = false;
    if (kv.containsKey("solver")) {
      String v = kv.get("solver");
      if (!v.equals("exact") && !v.equals("bisect")) {
        throw new IllegalArgumentException(
            "solver=" + v + " is out of range: solver is exact or bisect");
      }
      bisect = v.equals("bisect");
    }
    double keep = kv.containsKey("keep") ? number(kv, "keep") : DEFAULT_KEEP;
    long seed = DEFAULT_SEED;
    if (kv.containsKey("seed")) {
      try {
        seed = Long.parseLong(kv.get("seed"));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("seed=" + kv.get("seed") + " is not an integer");
      }
    }
    int features = kv.containsKey("features") ? integer(kv, "features") : DEFAULT_FEATURES;
    boolean normalized = false;
    if (kv.containsKey("kernel_map")) {
      String v = kv.get("kernel_map");
      if (!v.equals("linear") && !v.equals("normalized")) {
        throw new IllegalArgumentException(
            "kernel_map=" + v + " is out of range: kernel_map is linear or normalized");
      }
      normalized = v.equals("normalized");
    }
    return new RetrievalSpec(rule, beta, steps, tol, alpha, k, bisect, keep, seed, features,
        kv.get("kernel"), normalized);
  }

  /** The keys a rule accepts. */
  public static List<String> validKeys(Rule rule) {
    List<String> keys = new ArrayList<>(List.of("beta", "steps", "tol"));
    switch (rule) {
      case ENTMAX:
        keys.add(0, "alpha");
        keys.add("solver");
        break;
      case SPARSEMAX:
        keys.add("solver");
        break;
      case TOPK:
        keys.add(0, "k");
        break;
      case MASKED:
        keys.add(0, "keep");
        keys.add("seed");
        break;
      case PRF:
        keys.add(0, "features");
        keys.add("seed");
        break;
      default:
        break;
    }
    if (rule != Rule.LINEAR && rule != Rule.PRF) { // summaries have no per-memory scores
      keys.add("kernel");
      keys.add("kernel_map");
    }
    return keys;
  }

  private static double number(Map<String, String> kv, String key) {
    String v = kv.get(key);
    try {
      double d = Double.parseDouble(v);
      if (Double.isNaN(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "=" + v + " is not a number");
    }
  }

  private static int integer(Map<String, String> kv, String key) {
    String v = kv.get(key);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "=" + v + " is not an integer in range");
    }
  }

  public Rule rule() {
    return rule;
  }

  public double beta() {
    return beta;
  }

  public int steps() {
    return steps;
  }

  public double tol() {
    return tol;
  }

  /** The entmax alpha: 1 for softmax and top-K, 2 for sparsemax. */
  public double alpha() {
    switch (rule) {
      case SPARSEMAX:
        return 2.0;
      case ENTMAX:
        return alpha;
      default:
        return 1.0;
    }
  }

  public int k() {
    return k;
  }

  public boolean bisection() {
    return bisect;
  }

  /** masked: the fraction of memories that take part (each kept with this probability). */
  public double keep() {
    return keep;
  }

  /** masked, prf: the seed of the random mask or projection. */
  public long seed() {
    return seed;
  }

  /** prf: the number of random features D. */
  public int features() {
    return features;
  }

  /** Whether retrieval runs from a memory summary (linear, prf) instead of scanning memories. */
  public boolean isSummary() {
    return rule == Rule.LINEAR || rule == Rule.PRF;
  }

  /**
   * Whether the rule has a closed-form energy that decreases along retrieval: softmax, sparsemax,
   * entmax and masked (softmax on the kept memories); not top-K, linear or prf.
   */
  public boolean hasEnergy() {
    return rule == Rule.SOFTMAX || rule == Rule.SPARSEMAX || rule == Rule.ENTMAX
        || rule == Rule.MASKED;
  }

  /** The normalizer this spec names. alpha = 2 dispatches to sparsemax, not bisection. */
  public Normalizer normalizer() {
    switch (rule) {
      case SOFTMAX:
      case MASKED:
        return SoftmaxNormalizer.INSTANCE;
      case TOPK:
        return new TopKNormalizer(k);
      case LINEAR:
      case PRF:
        throw new IllegalStateException(rule.key + " retrieves from a kernel summary: it has no "
            + "per-memory normalizer");
      default:
        return thresholdNormalizer();
    }
  }

  /** The sparse-family normalizer (sparsemax, entmax); throws for softmax and top-K. */
  public ThresholdNormalizer thresholdNormalizer() {
    double a = alpha();
    if (rule != Rule.SPARSEMAX && rule != Rule.ENTMAX) {
      throw new IllegalStateException(rule.key + " has no threshold");
    }
    return ThresholdNormalizer.forAlpha(a, bisect);
  }

  /** Canonical form: every key of the rule, so that {@code parse(toString())} equals this. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(rule.key).append(':');
    if (rule == Rule.ENTMAX) {
      sb.append("alpha=").append(fmt(alpha)).append(',');
    }
    if (rule == Rule.TOPK) {
      sb.append("k=").append(k).append(',');
    }
    if (rule == Rule.MASKED) {
      sb.append("keep=").append(fmt(keep)).append(',');
    }
    if (rule == Rule.PRF) {
      sb.append("features=").append(features).append(',');
    }
    sb.append("beta=").append(fmt(beta)).append(",steps=").append(steps)
        .append(",tol=").append(fmt(tol));
    if (rule == Rule.SPARSEMAX || rule == Rule.ENTMAX) {
      sb.append(",solver=").append(bisect ? "bisect" : "exact");
    }
    if (rule == Rule.MASKED || rule == Rule.PRF) {
      sb.append(",seed=").append(seed);
    }
    if (kernel != null) {
      sb.append(",kernel=").append(kernel);
      if (kernelNormalized) {
        sb.append(",kernel_map=normalized");
      }
    }
    return sb.toString();
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RetrievalSpec)) {
      return false;
    }
    RetrievalSpec s = (RetrievalSpec) o;
    return rule == s.rule && beta == s.beta && steps == s.steps && tol == s.tol
        && alpha() == s.alpha() && (rule != Rule.TOPK || k == s.k) && bisect == s.bisect
        && (rule != Rule.MASKED || keep == s.keep) && (rule != Rule.PRF || features == s.features)
        && ((rule != Rule.MASKED && rule != Rule.PRF) || seed == s.seed)
        && Objects.equals(kernel, s.kernel) && kernelNormalized == s.kernelNormalized;
  }

  @Override
  public int hashCode() {
    return Objects.hash(rule, beta, steps, tol, alpha(), rule == Rule.TOPK ? k : 0, bisect,
        rule == Rule.MASKED ? keep : 0, rule == Rule.PRF ? features : 0, kernel,
        kernelNormalized);
  }
}
