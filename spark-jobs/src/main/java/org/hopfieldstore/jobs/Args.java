package org.hopfieldstore.jobs;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A strict {@code --key value} / {@code --key=value} / {@code --flag} parser for one subcommand. */
final class Args {
  private final String command;
  private final Map<String, String> values = new LinkedHashMap<>();

  private Args(String command) {
    this.command = command;
  }

  /**
   * Parses {@code argv}; options in {@code withValue} take a value, those in {@code flags} none.
   * Anything else is a {@link UsageException} naming it.
   */
  static Args parse(String command, String[] argv, Set<String> withValue, Set<String> flags) {
    Args a = new Args(command);
    for (int i = 0; i < argv.length; i++) {
      String tok = argv[i];
      if (!tok.startsWith("--")) {
        throw new UsageException(command + ": unexpected argument '" + tok + "'");
      }
      String key = tok.substring(2);
      String val = null;
      int eq = key.indexOf('=');
      if (eq >= 0) {
        val = key.substring(eq + 1);
        key = key.substring(0, eq);
      }
      if (flags.contains(key)) {
        if (val != null) {
          throw new UsageException(command + ": option --" + key + " takes no value");
        }
        val = "true";
      } else if (withValue.contains(key)) {
        if (val == null) {
          if (i + 1 >= argv.length) {
            throw new UsageException(command + ": option --" + key + " needs a value");
          }
          val = argv[++i];
        }
      } else {
        throw new UsageException(command + ": unknown option --" + key);
      }
      if (a.values.put(key, val) != null) {
        throw new UsageException(command + ": option --" + key + " given twice");
      }
    }
    return a;
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  String required(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new UsageException(command + ": missing required option --" + key);
    }
    return v;
  }

  String get(String key, String dflt) {
    return values.getOrDefault(key, dflt);
  }

  Path path(String key) {
    return Path.of(required(key));
  }

  int integer(String key, int dflt, int min) {
    String v = values.get(key);
    if (v == null) {
      return dflt;
    }
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException(command + ": --" + key + " must be an integer, got '" + v + "'");
    }
    if (n < min) {
      throw new UsageException(command + ": --" + key + " must be >= " + min + ", got " + n);
    }
    return n;
  }

  long longValue(String key, long dflt) {
    String v = values.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException(command + ": --" + key + " must be an integer, got '" + v + "'");
    }
  }

  /** A finite number >= 0. */
  double decimal(String key, double dflt) {
    String v = values.get(key);
    if (v == null) {
      return dflt;
    }
    double x;
    try {
      x = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new UsageException(command + ": --" + key + " must be a number, got '" + v + "'");
    }
    if (!(x >= 0) || Double.isInfinite(x)) {
      throw new UsageException(command + ": --" + key + " must be a finite number >= 0, got " + v);
    }
    return x;
  }
}
