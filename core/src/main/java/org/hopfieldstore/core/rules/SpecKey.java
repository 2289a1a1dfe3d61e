package org.hopfieldstore.core.rules;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One key of a model spec ({@code beta=8}): its name, type, default, valid range and meaning. The
 * spec parser, its printer, {@code --help}, the README's key table and the Spark ML Params are all
 * read off these definitions, so they cannot drift apart.
 *
 * @param <T> Double, Integer, Long or String
 */
public final class SpecKey<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How a value is written and parsed. */
  public enum Kind { REAL, INTEGER, LONG, CHOICE, PATH }

  private final String name;
  private final Kind kind;
  private final T defaultValue;
  private final Predicate<T> valid;
  private final String range;
  private final String doc;
  private final List<String> choices;
  private final boolean omittedAtDefault;
  private final String paramName;

  private SpecKey(String name, Kind kind, T defaultValue, SerializablePredicate<T> valid,
      String range, String doc, List<String> choices) {
    this(name, kind, defaultValue, valid, range, doc, choices, kind == Kind.PATH,
        camelCase(name));
  }

  private SpecKey(String name, Kind kind, T defaultValue, Predicate<T> valid, String range,
      String doc, List<String> choices, boolean omittedAtDefault, String paramName) {
    this.name = name;
    this.kind = kind;
    this.defaultValue = defaultValue;
    this.valid = valid;
    this.range = range;
    this.doc = doc;
    this.choices = choices;
    this.omittedAtDefault = omittedAtDefault;
    this.paramName = paramName;
  }

  /**
   * The same key, printed in the canonical spec only when it differs from its default (so specs
   * that do not use an option read as they did before it existed).
   */
  public SpecKey<T> omittedAtDefault() {
    return new SpecKey<>(name, kind, defaultValue, valid, range, doc, choices, true, paramName);
  }

  /** The same key under another Spark ML Param name (where the camel-case name is taken). */
  public SpecKey<T> withParamName(String param) {
    return new SpecKey<>(name, kind, defaultValue, valid, range, doc, choices, omittedAtDefault,
        param);
  }

  /** A finite real number. */
  public static SpecKey<Double> real(String name, double dflt, SerializablePredicate<Double> valid,
      String range, String doc) {
    return new SpecKey<>(name, Kind.REAL, dflt, x -> Double.isFinite(x) && valid.test(x), range,
        doc, List.of());
  }

  /** A 32-bit integer. */
  public static SpecKey<Integer> integer(String name, int dflt,
      SerializablePredicate<Integer> valid, String range, String doc) {
    return new SpecKey<>(name, Kind.INTEGER, dflt, valid, range, doc, List.of());
  }

  /** Any 64-bit integer (seeds). */
  public static SpecKey<Long> anyLong(String name, long dflt, String doc) {
    return new SpecKey<>(name, Kind.LONG, dflt, x -> true, "any integer", doc, List.of());
  }

  /** One of a few words; the first is the default. */
  public static SpecKey<String> choice(String name, String doc, String... words) {
    List<String> list = List.of(words);
    return new SpecKey<>(name, Kind.CHOICE, words[0], list::contains,
        name + " is " + String.join(" or ", list), doc, list);
  }

  /** A path, absent by default (and then not printed). */
  public static SpecKey<String> path(String name, SerializablePredicate<String> valid,
      String range, String doc) {
    return new SpecKey<>(name, Kind.PATH, null, valid, range, doc, List.of());
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  public T defaultValue() {
    return defaultValue;
  }

  /** The valid range in words, e.g. {@code beta > 0}. */
  public String range() {
    return range;
  }

  /** What the key means, in one sentence. */
  public String doc() {
    return doc;
  }

  /** The accepted words of a {@link Kind#CHOICE} key; empty otherwise. */
  public List<String> choices() {
    return choices;
  }

  /** The default as written in docs: its printed form, or "none". */
  public String defaultText() {
    return defaultValue == null ? "none" : format(defaultValue);
  }

  /** Whether the canonical spec leaves this key out when it has its default value. */
  public boolean isOmittedAtDefault() {
    return omittedAtDefault;
  }

  /** The Spark ML Param name: by default the key in camel case ({@code kernel_map} -> {@code kernelMap}). */
  public String paramName() {
    return paramName;
  }

  private static String camelCase(String name) {
    StringBuilder sb = new StringBuilder();
    boolean up = false;
    for (char c : name.toCharArray()) {
      if (c == '_') {
        up = true;
      } else {
        sb.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return sb.toString();
  }

  /** Parses a value as written in a spec; a bad number or an out-of-range value names the key. */
  public T parse(String text) {
    Object v;
    try {
      switch (kind) {
        case REAL:
          double d = Double.parseDouble(text);
          if (Double.isNaN(d)) {
            throw new NumberFormatException();
          }
          v = d;
          break;
        case INTEGER:
          v = Integer.parseInt(text);
          break;
        case LONG:
          v = Long.parseLong(text);
          break;
        default:
          v = text;
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + text
          + (kind == Kind.REAL ? " is not a number" : kind == Kind.INTEGER
              ? " is not an integer in range" : " is not an integer"));
    }
    return check(cast(v));
  }

  /** Returns {@code value} if it is in range, else throws naming the key and its range. */
  public T check(T value) {
    if (value == null ? kind != Kind.PATH : !valid.test(value)) {
      throw new IllegalArgumentException(name + "=" + (value == null ? "null" : format(value))
          + " is out of range: " + range);
    }
    return value;
  }

  /** The canonical printed form of a value. */
  public String format(Object value) {
    if (value instanceof Double) {
      double v = (Double) value;
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
          : Double.toString(v);
    }
    return String.valueOf(value);
  }

  /** {@code value} as this key's type (numbers are widened or narrowed as needed). */
  @SuppressWarnings("unchecked")
  public T cast(Object value) {
    if (value == null) {
      return null;
    }
    switch (kind) {
      case REAL:
        return (T) Double.valueOf(((Number) value).doubleValue() + 0.0); // -0.0 reads as 0
      case INTEGER:
        return (T) Integer.valueOf(((Number) value).intValue());
      case LONG:
        return (T) Long.valueOf(((Number) value).longValue());
      default:
        return (T) value.toString();
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpecKey && ((SpecKey<?>) o).name.equals(name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name);
  }

  @Override
  public String toString() {
    return name;
  }

  /** A predicate that travels with the key (Spark ML Params are serializable). */
  @FunctionalInterface
  public interface SerializablePredicate<T> extends Predicate<T>, Serializable {}
}
