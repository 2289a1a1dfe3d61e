package org.hopfieldstore.core.capacity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.Preprocessing;

/**
 * A capacity study: which memory sets (source, sizes on a grid, dimension), which models, which
 * corrupted queries, how many trials, and the seed. Read from a {@code key = value} file with
 * {@code #} comments ({@code deploy/studies/*.conf}), like DataSketches' characterization configs:
 *
 * <pre>
 * name = quick
 * source = sphere                  # sphere | clustered:clusters=K,intrinsic=I,spread=S
 *                                  # | fashion-mnist[:path=DIR]
 * dim = 64                         # synthetic sources
 * memories = 100..10000 x10        # geometric grid (from..to xFACTOR) or a list 100,1000
 * rules = softmax:beta=8; sparsemax:beta=8
 * noise = gaussian:0.2             # none | mask-bottom | dropout:P | gaussian:SIGMA
 *                                  # | gaussian-clamp:SIGMA | sphere-clamp:R; several
 *                                  # separated by ';'
 * queries = 64                     # per grid point and trial (at most M)
 * trials = 2
 * seed = 1
 * preprocess = none                # none | unit | center-unit (default center-unit for images)
 * cosine_tolerance = 0.2           # success: cosine distance to the target <= this
 * clamp = false                    # clamp both to [0, 1] before comparing (images)
 * separation = true                # exact min angle per set (subsampled above separation_max)
 * separation_max = 20000
 * separation_distributed = false   # on a Spark master: sets above separation_max exactly, by
 *                                  # the distributed block-pair job (cost M^2 d / 2)
 * kernel_epochs = 0,1,10,100       # U-Hop Stage I: a learned W per set and N (0: no map)
 * kernel_rules = softmax:beta=8    # the rules that also run with each W (default: all that can)
 * kernel_train = preset=uhop-max,share=0.5   # arrange's settings; W learns from floor(S M)
 * </pre>
 *
 * <p>{@link #keysHelp()} lists every key with its meaning, values and default.
 */
public final class StudyConfig {
  /**
   * Every key a config may set: the reader accepts exactly these, takes their defaults from here
   * and {@link #keysHelp} prints them, so the help cannot miss or misstate an accepted key.
   */
  enum Key {
    NAME("name", "study name, echoed into the results", "any text", "study"),
    SOURCE("source", "where the memory sets come from",
        "sphere | clustered:clusters=K,intrinsic=I,spread=S | fashion-mnist[:path=DIR]",
        "sphere"),
    DIM("dim", "vector dimension of the synthetic sources (sphere, clustered)", 1, 64),
    MEMORIES("memories", "memory-set sizes M, one grid point each",
        "FROM..TO xFACTOR, a geometric grid with 1 <= FROM <= TO and FACTOR > 1 (x10 if left "
            + "out), or a list of sizes >= 1 such as 100,1000", null),
    RULES("rules", "retrieval models to compare, separated by ';'",
        "model specs softmax, sparsemax, entmax, topk, masked, linear or prf with key=value "
            + "options, e.g. softmax:beta=8; sparsemax:beta=8; topk:k=20% sizes K as a share "
            + "of each memory set (round(0.2 M), at least 1)", null),
    NOISE("noise", "how each query is corrupted from its stored pattern; several, separated "
        + "by ';', each get their own queries, rows and plots",
        "none | mask-bottom | dropout:P (0 <= P < 1) | gaussian:SIGMA (SIGMA >= 0) | "
            + "gaussian-clamp:SIGMA (clamp(|x + noise|, 0, 1), the sparse Hopfield paper's code) | "
            + "sphere-clamp:R (noise of norm R in a random direction, then that clamp: U-Hop's "
            + "code)",
        "gaussian:0.1"),
    QUERIES("queries", "queries per grid point and trial (at most M are used)", 1, 64),
    TRIALS("trials", "independent trials per grid point", 1, 1),
    SEED("seed", "random seed of the memory sets and queries", Integer.MIN_VALUE, 1),
    // its default depends on the source, so the constructor passes it in
    PREPROCESS("preprocess", "scaling of the patterns before they are stored",
        "none | unit | center-unit", null, "center-unit for fashion-mnist, none otherwise"),
    COSINE_TOLERANCE("cosine_tolerance",
        "a retrieval succeeds when its cosine distance to the target is <= this",
        "a number (cosine distances lie in [0, 2])", "0.2"),
    CLAMP("clamp", "clamp retrieved and target patterns to [0, 1] before comparing (images)",
        "true | false", "false"),
    SEPARATION("separation",
        "measure the minimal angle of each memory set (subsampled above separation_max)",
        "true | false", "true"),
    SEPARATION_MAX("separation_max",
        "largest set whose minimal angle is measured exactly; larger ones are subsampled", 2,
        20000),
    SEPARATION_DISTRIBUTED("separation_distributed",
        "on a Spark master, measure sets above separation_max exactly by the distributed "
            + "block-pair job (cost M^2 d / 2)", "true | false", "false"),
    KERNEL_EPOCHS("kernel_epochs", "U-Hop's Stage I (arXiv 2404.03827): for each memory set "
        + "and each N > 0 of this list, learn a feature map W for N iterations on the set's "
        + "first memories (kernel_train) and run every kernel_rules rule with kernel=W on the "
        + "same queries; 0 stands for the plain model (no map), whose rows every rule has "
        + "anyway. results.tsv and means.tsv get a last column kernel_epochs with N (0: no map)",
        "an ascending list of integers >= 0 without repeats, e.g. 0,1,10,100,1000",
        null, "none: no feature maps, and no kernel_epochs column"),
    KERNEL_RULES("kernel_rules", "which rules also run with each learned W (needs "
        + "kernel_epochs); their label stays the plain rule's, the kernel_epochs column tells "
        + "the rows apart",
        "rule specs separated by ';', each also listed in rules, scoring by inner product "
            + "(no score=euclidean|manhattan, no kernel= of its own, not linear or prf)",
        null, "every rule of rules that can take a kernel"),
    KERNEL_TRAIN("kernel_train", "how each W is learned (needs kernel_epochs): arrange's "
        + "settings, in-process on the driver, every pair (or mini-batch) each iteration, seeded "
        + "per memory set and trial; one run to the largest N, W saved after each listed N "
        + "(a shorter run is a prefix of a longer one), to a temporary .npy deleted after the set",
        "comma-separated key=value: preset=uhop|uhop-max|uhop-plus (arrange --preset; "
            + "uhop-max is train_kernel_max: loss uhop-max:2, SGD lr 10 without decay, N(0,1) "
            + "init), loss=uhop[:T]|uhop-max[:T]|spherical[:TAU], optimiser=adam|sgd, lr=RATE, "
            + "decay=true|false, batch=B (0: every pair), penalty=LAMBDA, "
            + "init=identity|gaussian[:SD]|kaiming|kaiming-uniform, dim=D (default d), share=S "
            + "(W learns from the first floor(S M) memories of each set, 0 < S <= 1, at least 2; "
            + "default 0.5, U-Hop's first half), map=linear|normalized (the kernel_map of "
            + "retrieval: <W xi, W x> as U-Hop, or the cosine of the images)",
        "preset=uhop-max,share=0.5,map=linear", "preset=uhop-max,share=0.5,map=linear "
            + "(U-Hop's memory_retrieval_max_loss.py)");

    final String key;
    final String meaning;
    final String range;
    /** The value when the file does not set the key; null when required or context-dependent. */
    final String dflt;
    final String dfltHelp;
    /** For integer keys, the smallest value accepted; null otherwise. */
    final Integer min;

    Key(String key, String meaning, String range, String dflt) {
      this(key, meaning, range, dflt, dflt == null ? "none: the key is required" : dflt);
    }

    Key(String key, String meaning, String range, String dflt, String dfltHelp) {
      this.key = key;
      this.meaning = meaning;
      this.range = range;
      this.dflt = dflt;
      this.dfltHelp = dfltHelp;
      this.min = null;
    }

    Key(String key, String meaning, int min, int dflt) {
      this.key = key;
      this.meaning = meaning;
      this.range = min == Integer.MIN_VALUE ? "any 32-bit integer" : "an integer >= " + min;
      this.dflt = Integer.toString(dflt);
      this.dfltHelp = this.dflt;
      this.min = min;
    }
  }

  private static final Map<String, Key> KEYS_BY_NAME = new LinkedHashMap<>();

  static {
    for (Key k : Key.values()) {
      KEYS_BY_NAME.put(k.key, k);
    }
  }

  /** The names of the accepted keys, in the order of {@link Key}. */
  public static final Set<String> KEYS = Collections.unmodifiableSet(KEYS_BY_NAME.keySet());

  public final String name;
  public final String source;
  public final int dim;
  public final List<Integer> memories;
  public final List<StudyRule> rules;
  /** The query corruptions, one set of queries each. */
  public final List<Corruption> noises;
  public final int queries;
  public final int trials;
  public final long seed;
  public final Preprocessing preprocess;
  public final double cosineTolerance;
  public final boolean clamp;
  public final boolean separation;
  public final int separationMax;
  public final boolean separationDistributed;
  /** The N of kernel_epochs, ascending; empty when the study learns no feature map. */
  public final List<Integer> kernelEpochs;
  /** The rules that also run with each learned W (a subset of rules); empty without maps. */
  public final List<StudyRule> kernelRules;
  /** How each W is learned; null without kernel_epochs. */
  public final KernelTrain kernelTrain;
  /** The file's key/value pairs, in order, as written (echoed into results). */
  public final Map<String, String> raw;

  private StudyConfig(Map<String, String> kv, String where) {
    this.raw = kv;
    Parser p = new Parser(kv, where);
    name = p.text(Key.NAME);
    source = p.text(Key.SOURCE);
    if (!source.equals("sphere") && !source.startsWith("clustered")
        && !source.startsWith("fashion-mnist")) {
      throw p.bad(Key.SOURCE, "expected sphere, clustered:clusters=K,intrinsic=I,spread=S or "
          + "fashion-mnist[:path=DIR]");
    }
    dim = p.integer(Key.DIM);
    memories = p.grid(Key.MEMORIES);
    rules = p.rules(Key.RULES);
    noises = p.list(Key.NOISE, Corruption::parse);
    queries = p.integer(Key.QUERIES);
    trials = p.integer(Key.TRIALS);
    seed = p.integer(Key.SEED);
    preprocess = p.parse(Key.PREPROCESS, source.startsWith("fashion-mnist") ? "center-unit"
        : "none", Preprocessing::parse);
    cosineTolerance = p.number(Key.COSINE_TOLERANCE);
    clamp = p.bool(Key.CLAMP);
    separation = p.bool(Key.SEPARATION);
    separationMax = p.integer(Key.SEPARATION_MAX);
    separationDistributed = p.bool(Key.SEPARATION_DISTRIBUTED);
    if (!kv.containsKey(Key.KERNEL_EPOCHS.key)) {
      for (Key k : new Key[] {Key.KERNEL_RULES, Key.KERNEL_TRAIN}) {
        if (kv.containsKey(k.key)) {
          throw p.bad(k, "needs kernel_epochs (the iteration counts of the feature maps)");
        }
      }
      kernelEpochs = List.of();
      kernelRules = List.of();
      kernelTrain = null;
    } else {
      kernelEpochs = p.epochs(Key.KERNEL_EPOCHS);
      kernelRules = p.kernelRules(Key.KERNEL_RULES, rules);
      try {
        kernelTrain = KernelTrain.parse(p.text(Key.KERNEL_TRAIN));
      } catch (IllegalArgumentException e) {
        throw p.bad(Key.KERNEL_TRAIN, e.getMessage());
      }
      if (kernelEpochs.get(kernelEpochs.size() - 1) > 0) {
        for (int m : memories) {
          if (kernelTrain.trainRows(m) < 2) {
            throw p.bad(Key.KERNEL_TRAIN, "share=" + kernelTrain.share + " of M=" + m
                + " leaves " + kernelTrain.trainRows(m) + " memories to learn W from; it "
                + "needs at least 2 (a pair)");
          }
        }
      }
    }
  }

  /** Whether the study learns feature maps (kernel_epochs is set). */
  public boolean learnsKernels() {
    return !kernelEpochs.isEmpty();
  }

  /** Whether {@code rule} also runs with each learned W. */
  public boolean isKernelRule(StudyRule rule) {
    return kernelRules.contains(rule);
  }

  /**
   * Whether a rule can score in a learned kernel space: an inner-product score, no kernel of
   * its own, not a memory summary.
   */
  static boolean takesKernel(StudyRule rule) {
    org.hopfieldstore.core.retrieval.RetrievalSpec spec = rule.specFor(1);
    return spec.kernel() == null && !spec.isSummary() && !spec.score().isDistance();
  }

  /**
   * {@code kernel_train}: the settings of each learned W, as arrange's options (unset: the
   * preset's, else arrange's default) and checked as arrange checks them, plus the dimension D,
   * the share of each set it learns from and the kernel map retrieval uses.
   */
  public static final class KernelTrain {
    /** The learning settings. */
    public final org.hopfieldstore.core.kernel.KernelTraining training;
    /** D, or null for D = d. */
    public final Integer dim;
    /** W learns from the first floor(share M) memories. */
    public final double share;
    /** Retrieval with the normalised map W u / |W u| (kernel_map=normalized). */
    public final boolean normalized;

    private KernelTrain(Map<String, String> o) {
      try {
        training = org.hopfieldstore.core.kernel.KernelTraining.resolve(o.get("preset"),
            o.get("loss"), o.get("optimiser"), o.containsKey("lr") ? number(o, "lr") : null,
            o.containsKey("decay") ? bool(o, "decay") : null,
            o.containsKey("batch") ? integer(o, "batch") : null,
            o.containsKey("penalty") ? number(o, "penalty") : null, o.get("init"), null);
      } catch (org.hopfieldstore.core.kernel.KernelTraining.Refusal e) {
        throw new IllegalArgumentException(e.option + "=" + o.getOrDefault(e.option, e.value)
            + ": " + e.problem, e);
      }
      dim = o.containsKey("dim") ? integer(o, "dim") : null;
      if (dim != null && dim < 1) {
        throw new IllegalArgumentException("dim=" + dim + ": must be >= 1");
      }
      share = o.containsKey("share") ? number(o, "share") : 0.5;
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("share=" + o.get("share") + ": must be in (0, 1]");
      }
      String map = o.getOrDefault("map", "linear");
      if (!map.equals("linear") && !map.equals("normalized")) {
        throw new IllegalArgumentException("map must be linear or normalized, got '" + map
            + "'");
      }
      normalized = map.equals("normalized");
    }

    private static final Set<String> OPTIONS = Set.of("preset", "loss", "optimiser", "lr",
        "decay", "batch", "penalty", "init", "dim", "share", "map");

    static KernelTrain parse(String text) {
      Map<String, String> o = new LinkedHashMap<>();
      for (String part : text.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        int eq = part.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("'" + part.trim() + "': expected key=value");
        }
        String k = part.substring(0, eq).trim();
        if (!OPTIONS.contains(k)) {
          throw new IllegalArgumentException("unknown option '" + k + "' (valid: "
              + String.join(", ", new java.util.TreeSet<>(OPTIONS)) + ")");
        }
        if (o.put(k, part.substring(eq + 1).trim()) != null) {
          throw new IllegalArgumentException("option '" + k + "' is given twice");
        }
      }
      return new KernelTrain(o);
    }

    /** The memories W learns from in a set of m: the first floor(share m). */
    public int trainRows(int m) {
      return (int) Math.floor(share * m + 1e-9);
    }

    private static double number(Map<String, String> o, String k) {
      try {
        double v = Double.parseDouble(o.get(k));
        if (Double.isFinite(v)) {
          return v;
        }
      } catch (NumberFormatException e) {
        // named below
      }
      throw new IllegalArgumentException(k + "=" + o.get(k) + ": not a number");
    }

    private static int integer(Map<String, String> o, String k) {
      try {
        return Integer.parseInt(o.get(k));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(k + "=" + o.get(k) + ": not an integer");
      }
    }

    private static boolean bool(Map<String, String> o, String k) {
      String v = o.get(k);
      if (!v.equals("true") && !v.equals("false")) {
        throw new IllegalArgumentException(k + "=" + v + ": expected true or false");
      }
      return v.equals("true");
    }
  }

  /**
   * Help on every key a config accepts: its meaning, valid values and default, from the same
   * table the reader validates against.
   */
  public static String keysHelp() {
    StringBuilder sb = new StringBuilder("Study config keys (one 'key = value' per line, '#' "
        + "starts a comment):\n");
    for (Key k : Key.values()) {
      sb.append("\n  ").append(k.key).append('\n')
          .append("      ").append(k.meaning).append('\n')
          .append("      values: ").append(k.range).append('\n')
          .append("      default: ").append(k.dfltHelp).append('\n');
    }
    return sb.toString();
  }

  /** Reads a config file; errors name the file, the line and the key. */
  public static StudyConfig read(Path file) {
    return read(file.toString());
  }

  /** Reads a config at a location (a path or any filesystem's URI). */
  public static StudyConfig read(String file) {
    List<String> lines = org.hopfieldstore.core.io.Locations.readLines(file);
    Map<String, String> kv = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String t = (hash >= 0 ? line.substring(0, hash) : line).trim();
      if (t.isEmpty()) {
        continue;
      }
      int eq = t.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected key = value, got '"
            + t + "'");
      }
      String key = t.substring(0, eq).trim();
      if (!KEYS_BY_NAME.containsKey(key)) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": unknown key '" + key
            + "' (valid: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
      }
      if (kv.put(key, t.substring(eq + 1).trim()) != null) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": duplicate key '" + key
            + "'");
      }
    }
    return new StudyConfig(kv, file.toString());
  }

  /** Parses values with errors that name the file and key. */
  private static final class Parser {
    final Map<String, String> kv;
    final String where;

    Parser(Map<String, String> kv, String where) {
      this.kv = kv;
      this.where = where;
    }

    IllegalArgumentException bad(Key k, String why) {
      return new IllegalArgumentException(where + ": " + k.key + " = " + kv.get(k.key) + ": "
          + why);
    }

    String text(Key k) {
      return kv.getOrDefault(k.key, k.dflt);
    }

    int integer(Key k) {
      String v = kv.get(k.key);
      if (v == null) {
        return Integer.parseInt(k.dflt);
      }
      try {
        int n = Integer.parseInt(v);
        if (n < k.min) {
          throw bad(k, "must be >= " + k.min);
        }
        return n;
      } catch (NumberFormatException e) {
        throw bad(k, "not an integer");
      }
    }

    double number(Key k) {
      try {
        return Double.parseDouble(kv.getOrDefault(k.key, k.dflt));
      } catch (NumberFormatException e) {
        throw bad(k, "not a number");
      }
    }

    boolean bool(Key k) {
      String v = kv.getOrDefault(k.key, k.dflt);
      if (!v.equals("true") && !v.equals("false")) {
        throw bad(k, "expected true or false");
      }
      return v.equals("true");
    }

    <T> T parse(Key k, String dflt, java.util.function.Function<String, T> f) {
      try {
        return f.apply(kv.getOrDefault(k.key, dflt));
      } catch (IllegalArgumentException e) {
        throw bad(k, e.getMessage());
      }
    }

    List<StudyRule> rules(Key k) {
      if (!kv.containsKey(k.key)) {
        throw new IllegalArgumentException(where + ": missing key '" + k.key + "'");
      }
      List<StudyRule> out = list(k, StudyRule::parse);
      Set<String> labels = new java.util.HashSet<>();
      for (StudyRule r : out) {
        if (!labels.add(r.label())) {
          throw bad(k, "'" + r.label() + "' is listed twice");
        }
      }
      return out;
    }

    /** A ';'-separated list of values (the default when the key is unset), at least one. */
    <T> List<T> list(Key k, java.util.function.Function<String, T> f) {
      List<T> out = new ArrayList<>();
      for (String s : kv.getOrDefault(k.key, k.dflt).split(";")) {
        if (!s.isBlank()) {
          try {
            out.add(f.apply(s.trim()));
          } catch (IllegalArgumentException e) {
            throw bad(k, "'" + s.trim() + "': " + e.getMessage());
          }
        }
      }
      if (out.isEmpty()) {
        throw bad(k, "no value");
      }
      return out;
    }

    /** kernel_epochs: integers >= 0, strictly ascending. */
    List<Integer> epochs(Key k) {
      List<Integer> out = new ArrayList<>();
      for (String s : kv.get(k.key).split(",")) {
        int n;
        try {
          n = Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
          throw bad(k, "expected a list of iteration counts such as 0,1,10,100");
        }
        if (n < 0) {
          throw bad(k, "iteration counts must be >= 0");
        }
        if (!out.isEmpty() && n <= out.get(out.size() - 1)) {
          throw bad(k, "iteration counts must ascend without repeats");
        }
        out.add(n);
      }
      return out;
    }

    /** kernel_rules: each one of rules that takes a kernel; default all such rules. */
    List<StudyRule> kernelRules(Key k, List<StudyRule> rules) {
      List<StudyRule> out = new ArrayList<>();
      if (!kv.containsKey(k.key)) {
        for (StudyRule r : rules) {
          if (takesKernel(r)) {
            out.add(r);
          }
        }
        if (out.isEmpty()) {
          throw bad(Key.KERNEL_EPOCHS, "no rule of rules can take a kernel (all score by "
              + "distance, are summaries or have a kernel of their own)");
        }
        return out;
      }
      for (StudyRule r : list(k, StudyRule::parse)) {
        StudyRule match = rules.stream().filter(x -> x.label().equals(r.label())).findFirst()
            .orElseThrow(() -> bad(k, "'" + r.label() + "' is not one of rules"));
        if (!takesKernel(match)) {
          throw bad(k, "'" + r.label() + "' cannot take a kernel (a distance score, a summary "
              + "rule or a kernel of its own)");
        }
        if (out.contains(match)) {
          throw bad(k, "'" + r.label() + "' is listed twice");
        }
        out.add(match);
      }
      return out;
    }

    List<Integer> grid(Key k) {
      String v = kv.get(k.key);
      if (v == null) {
        throw new IllegalArgumentException(where + ": missing key '" + k.key + "'");
      }
      List<Integer> out = new ArrayList<>();
      try {
        if (v.contains("..")) {
          String[] parts = v.split("\\.\\.|\\s*x\\s*");
          long from = Long.parseLong(parts[0].trim());
          long to = Long.parseLong(parts[1].trim());
          double factor = parts.length > 2 ? Double.parseDouble(parts[2].trim()) : 10;
          if (from < 1 || to < from || !(factor > 1) || to > Integer.MAX_VALUE) {
            throw bad(k, "expected FROM..TO xFACTOR with 1 <= FROM <= TO and FACTOR > 1");
          }
          // a factor like 3.1623 (sqrt 10) lands within 0.1% of TO: that counts as TO
          for (double m = from; m <= to * (1 + 1e-3); m *= factor) {
            out.add((int) Math.min(to, Math.round(m)));
          }
        } else {
          for (String s : v.split(",")) {
            int m = Integer.parseInt(s.trim());
            if (m < 1) {
              throw bad(k, "sizes must be >= 1");
            }
            out.add(m);
          }
        }
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        throw bad(k, "expected FROM..TO xFACTOR (e.g. 1000..1000000 x10) or a list 100,1000");
      }
      return out;
    }
  }
}
