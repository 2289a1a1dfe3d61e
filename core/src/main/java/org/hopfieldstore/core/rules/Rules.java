package org.hopfieldstore.core.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The registry: every {@link Rule} (the permitted subclasses of the sealed type, in the order of
 * its {@code permits} clause) and every spec key, plus the help texts generated from them.
 */
public final class Rules {
  private Rules() {}

  private static final class Registry {
    static final List<Rule> RULES = load();
    static final List<SpecKey<?>> KEYS = keys(RULES);

    private static List<Rule> load() {
      List<Rule> rules = new ArrayList<>();
      for (Class<?> c : Rule.class.getPermittedSubclasses()) {
        try {
          rules.add((Rule) c.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("rule " + c.getName() + " needs a public no-argument "
              + "constructor", e);
        }
      }
      return List.copyOf(rules);
    }

    /**
     * The union of the rules' keys, one definition per name: those most rules take first, in
     * order of first appearance.
     */
    private static List<SpecKey<?>> keys(List<Rule> rules) {
      Map<String, SpecKey<?>> keys = new LinkedHashMap<>();
      for (Rule r : rules) {
        for (SpecKey<?> k : r.keys()) {
          SpecKey<?> seen = keys.putIfAbsent(k.name(), k);
          if (seen != null && seen != k) {
            throw new IllegalStateException("spec key '" + k.name() + "' is defined twice (rule "
                + r.key() + "): share one SpecKey");
          }
        }
      }
      List<SpecKey<?>> sorted = new ArrayList<>(keys.values());
      sorted.sort(java.util.Comparator.comparingLong(
          k -> -rules.stream().filter(r -> r.keys().contains(k)).count()));
      return List.copyOf(sorted);
    }
  }

  /** Every rule, in registry order. */
  public static List<Rule> all() {
    return Registry.RULES;
  }

  /** Every spec key of any rule, each once. */
  public static List<SpecKey<?>> allKeys() {
    return Registry.KEYS;
  }

  /** The names of every rule: softmax, sparsemax, ... */
  public static List<String> names() {
    return all().stream().map(Rule::key).collect(Collectors.toList());
  }

  /** The rule called {@code name}; an unknown name lists the known ones. */
  public static Rule named(String name) {
    for (Rule r : all()) {
      if (r.key().equals(name)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown rule '" + name + "' in model spec: expected one "
        + "of " + String.join(", ", names()));
  }

  /** The rules that take {@code key}, as docs name them: "all", or a list. */
  public static String rulesTaking(SpecKey<?> key) {
    List<String> taking = all().stream().filter(r -> r.keys().contains(key)).map(Rule::key)
        .collect(Collectors.toList());
    if (taking.size() == all().size()) {
      return "all";
    }
    List<String> not = all().stream().filter(r -> !r.keys().contains(key)).map(Rule::key)
        .collect(Collectors.toList());
    return not.size() < taking.size() ? "all but " + String.join(", ", not)
        : String.join(", ", taking);
  }

  /**
   * The model-spec section of {@code --help}: the form, every rule and every key with its rules,
   * meaning, range and default, wrapped to {@code width} columns after {@code indent}.
   */
  public static String helpText(String indent, int width) {
    StringBuilder sb = new StringBuilder();
    sb.append(indent).append("SPEC is rule[:key=value,...], e.g. softmax:beta=8,steps=3\n");
    sb.append(indent).append("rules:\n");
    for (Rule r : all()) {
      wrap(sb, indent + "  ", String.format("%-10s", r.key()) + r.doc(), width, 12);
    }
    sb.append(indent).append("keys (rules that take them; range, default):\n");
    for (SpecKey<?> k : allKeys()) {
      wrap(sb, indent + "  ", String.format("%-11s", k.name()) + k.doc() + " ("
          + rulesTaking(k) + "; " + k.range() + ", default " + k.defaultText() + ")", width, 13);
    }
    return sb.toString();
  }

  /** The README's key table (Markdown), generated so it cannot drift from the parser. */
  public static String markdownTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("| key | rules | meaning | range, default |\n|---|---|---|---|\n");
    for (SpecKey<?> k : allKeys()) {
      sb.append("| `").append(k.name()).append("` | ").append(rulesTaking(k)).append(" | ")
          .append(markdown(k.doc())).append(" | ").append(markdown(k.range())).append(", ")
          .append(k.defaultText()).append(" |\n");
    }
    return sb.toString();
  }

  /** Text in a Markdown table cell: pipes and opening angle brackets escaped. */
  private static String markdown(String text) {
    return text.replace("|", "\\|").replace("<", "&lt;");
  }

  private static void wrap(StringBuilder sb, String indent, String text, int width, int hang) {
    String pad = indent;
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && pad.length() + line.length() + 1 + word.length() > width) {
        sb.append(pad).append(line).append('\n');
        pad = indent + " ".repeat(hang);
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(word);
    }
    sb.append(pad).append(line).append('\n');
  }
}
