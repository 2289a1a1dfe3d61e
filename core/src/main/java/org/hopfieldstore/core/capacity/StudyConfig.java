package org.hopfieldstore.core.capacity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.Preprocessing;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

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
 */
public final class StudyConfig {
  static final Set<String> KEYS = Set.of("name", "source", "dim", "memories", "rules", "noise",
      "queries", "trials", "seed", "preprocess", "cosine_tolerance", "clamp", "separation",
      "separation_max", "separation_distributed");

  public final String name;
  public final String source;
  public final int dim;
  public final List<Integer> memories;
  public final List<RetrievalSpec> rules;
  public final Corruption noise;
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
    name = p.text("name", "study");
    source = p.text("source", "sphere");
    if (!source.equals("sphere") && !source.startsWith("clustered")
        && !source.startsWith("fashion-mnist")) {
      throw p.bad("source", "expected sphere, clustered:clusters=K,intrinsic=I,spread=S or "
          + "fashion-mnist[:path=DIR]");
    }
    dim = p.integer("dim", 64, 1);
    memories = p.grid("memories");
    rules = p.rules("rules");
    noise = p.parse("noise", "gaussian:0.1", Corruption::parse);
    queries = p.integer("queries", 64, 1);
    trials = p.integer("trials", 1, 1);
    seed = p.integer("seed", 1, Integer.MIN_VALUE);
    preprocess = p.parse("preprocess", source.startsWith("fashion-mnist") ? "center-unit"
        : "none", Preprocessing::parse);
    cosineTolerance = p.number("cosine_tolerance", 0.2);
    clamp = p.bool("clamp", false);
    separation = p.bool("separation", true);
    separationMax = p.integer("separation_max", 20000, 2);
    separationDistributed = p.bool("separation_distributed", false);
  }

  /** Reads a config file; errors name the file, the line and the key. */
  public static StudyConfig read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read", e);
    }
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
      if (!KEYS.contains(key)) {
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

    IllegalArgumentException bad(String key, String why) {
      return new IllegalArgumentException(where + ": " + key + " = " + kv.get(key) + ": " + why);
    }

    String text(String key, String dflt) {
      return kv.getOrDefault(key, dflt);
    }

    int integer(String key, int dflt, int min) {
      if (!kv.containsKey(key)) {
        return dflt;
      }
      try {
        int v = Integer.parseInt(kv.get(key));
        if (v < min) {
          throw bad(key, "must be >= " + min);
        }
        return v;
      } catch (NumberFormatException e) {
        throw bad(key, "not an integer");
      }
    }

    double number(String key, double dflt) {
      try {
        return kv.containsKey(key) ? Double.parseDouble(kv.get(key)) : dflt;
      } catch (NumberFormatException e) {
        throw bad(key, "not a number");
      }
    }

    boolean bool(String key, boolean dflt) {
      String v = kv.get(key);
      if (v == null) {
        return dflt;
      }
      if (!v.equals("true") && !v.equals("false")) {
        throw bad(key, "expected true or false");
      }
      return v.equals("true");
    }

    <T> T parse(String key, String dflt, java.util.function.Function<String, T> f) {
      try {
        return f.apply(kv.getOrDefault(key, dflt));
      } catch (IllegalArgumentException e) {
        throw bad(key, e.getMessage());
      }
    }

    List<RetrievalSpec> rules(String key) {
      if (!kv.containsKey(key)) {
        throw new IllegalArgumentException(where + ": missing key '" + key + "'");
      }
      List<RetrievalSpec> out = new ArrayList<>();
      for (String s : kv.get(key).split(";")) {
        if (!s.isBlank()) {
          try {
            out.add(RetrievalSpec.parse(s.trim()));
          } catch (IllegalArgumentException e) {
            throw bad(key, "'" + s.trim() + "': " + e.getMessage());
          }
        }
      }
      if (out.isEmpty()) {
        throw bad(key, "no rule");
      }
      return out;
    }

    List<Integer> grid(String key) {
      String v = kv.get(key);
      if (v == null) {
        throw new IllegalArgumentException(where + ": missing key '" + key + "'");
      }
      List<Integer> out = new ArrayList<>();
      try {
        if (v.contains("..")) {
          String[] parts = v.split("\\.\\.|\\s*x\\s*");
          long from = Long.parseLong(parts[0].trim());
          long to = Long.parseLong(parts[1].trim());
          double factor = parts.length > 2 ? Double.parseDouble(parts[2].trim()) : 10;
          if (from < 1 || to < from || !(factor > 1) || to > Integer.MAX_VALUE) {
            throw bad(key, "expected FROM..TO xFACTOR with 1 <= FROM <= TO and FACTOR > 1");
          }
          // a factor like 3.1623 (sqrt 10) lands within 0.1% of TO: that counts as TO
          for (double m = from; m <= to * (1 + 1e-3); m *= factor) {
            out.add((int) Math.min(to, Math.round(m)));
          }
        } else {
          for (String s : v.split(",")) {
            int m = Integer.parseInt(s.trim());
            if (m < 1) {
              throw bad(key, "sizes must be >= 1");
            }
            out.add(m);
          }
        }
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        throw bad(key, "expected FROM..TO xFACTOR (e.g. 1000..1000000 x10) or a list 100,1000");
      }
      return out;
    }
  }
}
