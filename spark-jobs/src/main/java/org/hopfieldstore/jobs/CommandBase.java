package org.hopfieldstore.jobs;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * A subcommand: its options are picocli fields, {@link #run} does the work and reports on the
 * streams the command line was started with. Usage mistakes found after parsing throw {@link
 * UsageException} (exit 2); failures throw (exit 1).
 */
abstract class CommandBase implements Callable<Integer> {
  @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true,
      description = "show this help and exit")
  boolean help;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  PrintStream out = System.out;
  PrintStream err = System.err;

  final void streams(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public final Integer call() throws Exception {
    try {
      run();
    } catch (OutOfMemoryError e) {
      throw new IllegalStateException("out of memory; give the JVM more heap, e.g. "
          + "JAVA_OPTS=-Xmx16g", e);
    }
    return 0;
  }

  abstract void run() throws Exception;

  /** The command's own arguments as given (after its name), e.g. to echo into outputs. */
  String[] argv() {
    java.util.List<String> all = spec.root().commandLine().getParseResult().originalArgs();
    int at = all.indexOf(spec.name());
    return all.subList(at + 1, all.size()).toArray(new String[0]);
  }

  /** Text shown after the options in {@code --help}, generated where it documents data. */
  String[] footer() {
    return new String[0];
  }

  /** The model-spec section of a command that takes {@code --spec}: from the rule registry. */
  static String[] specHelp() {
    return lines("", "model specs:", org.hopfieldstore.core.rules.Rules.helpText("  ", HopfieldStoreMain.HELP_WIDTH - 2));
  }

  /** Help-text lines (picocli reads each as a format string: '%' is escaped). */
  static String[] lines(String... texts) {
    return java.util.Arrays.stream(texts).flatMap(t -> java.util.Arrays.stream(t.split("\n")))
        .map(l -> l.replace("%", "%%")).toArray(String[]::new);
  }

  /** Writes {@code text} as file {@code name} of an output directory. */
  static void writeText(org.hopfieldstore.spark.io.AtomicOutput output, String name,
      String text) throws java.io.IOException {
    try (java.io.OutputStream o = output.create(name)) {
      o.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** Writes a chart as PNG file {@code name} of an output directory. */
  static void writePng(org.hopfieldstore.spark.io.AtomicOutput output, String name,
      org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) throws java.io.IOException {
    try (java.io.OutputStream o = output.create(name)) {
      o.write(org.knowm.xchart.BitmapEncoder.getBitmapBytes(chart,
          org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG));
    }
  }

  /** The score kernel called {@code name}; an unknown name is a usage mistake. */
  static org.hopfieldstore.core.score.ScoreKernel kernel(String name) {
    try {
      return org.hopfieldstore.core.score.ScoreKernels.byName(name);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--kernel: " + e.getMessage());
    }
  }

  /** A finite {@code value} above 0, else a usage error naming {@code option}. */
  static double positive(String option, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new UsageException(option + " must be a finite number > 0, got " + value);
    }
    return value;
  }

  /** {@code text} as a finite number above 0, else a usage error naming {@code option}. */
  static double positive(String option, String text) {
    try {
      return positive(option, Double.parseDouble(text));
    } catch (NumberFormatException e) {
      throw new UsageException(option + " must be a number, got '" + text + "'");
    }
  }

  /** {@code value} if at least {@code min}, else a usage error naming {@code option}. */
  static int atLeast(String option, int value, int min) {
    if (value < min) {
      throw new UsageException(option + " must be >= " + min + ", got " + value);
    }
    return value;
  }

  /** A finite {@code value} of at least {@code min}, else a usage error naming the option. */
  static double atLeast(String option, double value, double min) {
    if (!(value >= min) || Double.isInfinite(value)) {
      throw new UsageException(option + " must be a finite number >= " + min + ", got "
          + value);
    }
    return value;
  }
}
