package org.hopfieldstore.spark.dist;

/** Spark wraps what a task threw; callers of fit and transform should see our message. */
public final class Errors {
  private static final String IAE = IllegalArgumentException.class.getName() + ": ";

  private Errors() {}

  /**
   * The IllegalArgumentException inside {@code e} (as a cause or in its text), else e itself.
   * Spark throws its checked SparkException from Scala code, so callers catch Exception; one
   * without our message is rethrown unchanged: {@code throw Errors.unwrap(e)}.
   */
  public static RuntimeException unwrap(Exception e) {
    Exception c = cause(e);
    return c instanceof IllegalArgumentException ? (IllegalArgumentException) c
        : Errors.<RuntimeException>sneaky(e);
  }

  /**
   * What the JDK throws when a library's close adds its own failure to itself as suppressed
   * (Parquet's output stream on a failed write): the real failure is its cause.
   */
  private static final String SELF_SUPPRESSION = "Self-suppression not permitted";

  /** The IllegalArgumentException inside {@code e} (as a cause or in its text), else e. */
  public static Exception cause(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException && !SELF_SUPPRESSION.equals(t.getMessage())) {
        return (IllegalArgumentException) t;
      }
    }
    String msg = e.getMessage();
    for (int at = msg == null ? -1 : msg.indexOf(IAE); at >= 0; at = msg.indexOf(IAE, at + 1)) {
      String rest = msg.substring(at + IAE.length());
      int nl = rest.indexOf('\n');
      String line = nl < 0 ? rest : rest.substring(0, nl);
      if (!line.strip().equals(SELF_SUPPRESSION)) {
        return new IllegalArgumentException(line, e);
      }
    }
    return e;
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E sneaky(Exception e) throws E {
    throw (E) e;
  }
}
