package org.hopfieldstore.spark.store;

/**
 * A store named on a command line: {@code LOCATION} (its latest version) or {@code
 * LOCATION@VERSION} (a pinned version, for reproducible studies). LOCATION is any Hadoop
 * filesystem location.
 */
public record StoreRef(String location, Long version) {
  public StoreRef {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("empty store location");
    }
    if (version != null && version < 0) {
      throw new IllegalArgumentException("store version must be >= 0, got " + version);
    }
  }

  /** Parses {@code LOCATION[@VERSION]}; an {@code @} followed by a non-number is an error. */
  public static StoreRef parse(String text) {
    int at = text.lastIndexOf('@');
    if (at < 0 || text.indexOf('/', at) >= 0) {
      return new StoreRef(text, null);
    }
    String v = text.substring(at + 1);
    if (!v.matches("[0-9]{1,18}")) {
      throw new IllegalArgumentException("store '" + text + "': the version after '@' must be "
          + "a number, got '" + v + "'");
    }
    return new StoreRef(text.substring(0, at), Long.parseLong(v));
  }

  public StoreRef at(long v) {
    return new StoreRef(location, v);
  }

  @Override
  public String toString() {
    return version == null ? location : location + "@" + version;
  }
}
