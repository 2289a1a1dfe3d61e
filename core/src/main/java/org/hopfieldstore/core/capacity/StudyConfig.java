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
 *                                  # | gaussian-clamp:SIGMA; several separated by ';'
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
            + "gaussian-clamp:SIGMA (clamp(|x + noise|, 0, 1), the sparse Hopfield paper's code)",
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
            + "block-pair job (cost M^2 d / 2)", "true | false", "false");

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
