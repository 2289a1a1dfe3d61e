package org.hopfieldstore.jobs;

/**
 * The command line's handler for errors no code catches: a JVM error (above all out of memory) in
 * any thread, the driver's scheduler threads included, ends the command with one line and exit 1
 * instead of a dead thread and a hang. Spark's local executor installs its own handler (exit 52,
 * no message), so it is installed again once a session is up.
 */
final class FatalErrors {
  private static volatile String fatal;
  private static volatile java.io.PrintStream terminal = System.err;
  // freed when the heap runs out, so that the message can still be made and printed
  private static byte[] reserve = new byte[4 << 20];

  private FatalErrors() {}

  private static volatile String signal;
  private static final java.util.concurrent.atomic.AtomicBoolean said =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** A new command starts: its error line is not said yet. */
  static void newCommand() {
    said.set(false);
  }

  /** True for the first caller only: the one that prints the command's one error line. */
  static boolean claimTheLine() {
    return said.compareAndSet(false, true);
  }

  static void install() {
    Thread.setDefaultUncaughtExceptionHandler(FatalErrors::uncaught);
  }

  /** Notes SIGTERM and SIGINT as they come, then lets the JVM's own handlers end the run. */
  static void watchSignals() {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal sig = new sun.misc.Signal(name);
        sun.misc.SignalHandler[] previous = new sun.misc.SignalHandler[1];
        previous[0] = sun.misc.Signal.handle(sig, s -> {
          signal = "SIG" + name;
          previous[0].handle(s);
        });
      } catch (IllegalArgumentException e) {
        // not on this platform
      }
    }
  }

  /**
   * Why the JVM is ending before the command finished, for the shutdown hook: null when the
   * uncaught-error handler has said so already.
   */
  static String whyEnding(java.io.File log) {
    if (fatal != null || !claimTheLine()) {
      return null;
    }
    if (signal != null) {
      return "interrupted (" + signal + "): stopping; no output is left at the final path"
          + " (details in " + log + ")";
    }
    long peak = HeapAfterGc.watch().peakBytes();
    if (peak >= 0.9 * Runtime.getRuntime().maxMemory()) { // Spark's handler exits 52, silently
      return "error: out of memory in a Spark thread (the heap held " + (peak >> 20) + " of "
          + (Runtime.getRuntime().maxMemory() >> 20) + " MB after a collection): give the JVM"
          + " more heap (JAVA_OPTS=-Xmx..., --driver-memory, spark.executor.memory), or retrieve"
          + " fewer queries at a time (--batch-size); a small beta widens sparse supports."
          + " No output is left at the final path";
    }
    return "error: a Spark thread ended the JVM before the command finished; no output is left"
        + " at the final path (details in " + log + ")";
  }

  /** Where the one line goes (the command's stderr). */
  static void printTo(java.io.PrintStream err) {
    terminal = err;
  }

  /** The one line of the error that ended the command, or null. */
  static String fatal() {
    return fatal;
  }

  private static void uncaught(Thread thread, Throwable e) {
    if (!(e instanceof VirtualMachineError)) {
      // as the JVM's own handler does; after a signal this goes to the log file
      System.err.print("Exception in thread \"" + thread.getName() + "\" ");
      e.printStackTrace();
      return;
    }
    try {
      synchronized (FatalErrors.class) {
        if (fatal != null) {
          return; // already ending
        }
        reserve = null;
        fatal = message(thread, e);
      }
      if (claimTheLine()) {
        terminal.println("hopfield-store: error: " + fatal);
      }
      System.exit(1);
    } catch (Throwable again) {
      Runtime.getRuntime().halt(1);
    }
  }

  static String message(Thread thread, Throwable e) {
    if (e instanceof OutOfMemoryError) {
      return "out of memory (" + e.getMessage() + ") in thread '" + thread.getName() + "': give"
          + " the JVM more heap (JAVA_OPTS=-Xmx..., --driver-memory, spark.executor.memory), or"
          + " retrieve fewer queries at a time (--batch-size); a small beta widens sparse supports";
    }
    return e.getClass().getSimpleName() + " in thread '" + thread.getName() + "': "
        + e.getMessage();
  }
}
