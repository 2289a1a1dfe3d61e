package org.hopfieldstore.core.score;

/**
 * Whether this JVM can use the JDK Vector API ({@code --add-modules=jdk.incubator.vector}), and
 * loading of the classes that need it: they are only touched by reflection once it is known to be
 * present, so a JVM without the module runs the plain-loop versions instead of failing.
 */
public final class Simd {
  /** System property: "scalar" keeps the Vector API out even where it is present. */
  public static final String PROPERTY = "hopfield.rowOps";

  private Simd() {}

  /** Whether the module is present and not switched off by {@value #PROPERTY}. */
  public static boolean available() {
    return !"scalar".equals(System.getProperty(PROPERTY))
        && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /** The static {@code INSTANCE} of {@code className} when {@link #available()}, else fallback. */
  public static <T> T load(String className, Class<T> type, T fallback) {
    if (!available()) {
      return fallback;
    }
    try {
      java.lang.reflect.Field f = Class.forName(className).getDeclaredField("INSTANCE");
      f.setAccessible(true); // package-private classes of this module
      return type.cast(f.get(null));
    } catch (ReflectiveOperationException | LinkageError e) {
      return fallback; // a JVM without a usable Vector API
    }
  }
}
