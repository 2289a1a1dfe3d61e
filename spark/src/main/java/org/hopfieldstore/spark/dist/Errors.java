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

  /** The IllegalArgumentException inside {@code e} (as a cause or in its text), else e. */
  public static Exception cause(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return (IllegalArgumentException) t;
      }
    }
    String msg = e.getMessage();
    int at = msg == null ? -1 : msg.indexOf(IAE);
    if (at >= 0) {
      String rest = msg.substring(at + IAE.length());
      int nl = rest.indexOf('\n');
      return new IllegalArgumentException(nl < 0 ? rest : rest.substring(0, nl), e);
    }
    return e;
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E sneaky(Exception e) throws E {
    throw (E) e;
  }
}
