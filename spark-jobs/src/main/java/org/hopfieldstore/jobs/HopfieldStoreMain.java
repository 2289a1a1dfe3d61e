package org.hopfieldstore.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hopfield-store} command line (picocli): one class per subcommand, usage generated
 * from their options. Any error exits non-zero with one line on stderr: 2 for a usage mistake,
 * 1 for a failure.
 */
@Command(name = "hopfield-store", mixinStandardHelpOptions = false,
    description = {"A distributed associative-memory store: modern Hopfield retrieval (softmax, "
        + "sparsemax, alpha-entmax, top-K and the nonparametric variants) over stored patterns.",
        "", "Run 'hopfield-store <command> --help' for a command's options."},
    subcommands = {RetrieveCommand.class, GenerateCommand.class, PrepareCommand.class,
        MakeQueriesCommand.class, BenchCommand.class, CapacityCommand.class,
        ArrangeCommand.class, ForecastCommand.class, StoreCommand.class},
    synopsisSubcommandLabel = "<command>", commandListHeading = "%ncommands:%n")
public final class HopfieldStoreMain implements Runnable {
  @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
  boolean help;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Columns of {@code --help}. */
  static final int HELP_WIDTH = 100;

  private HopfieldStoreMain() {}

  /** No command: the usage, and a usage-error exit. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "no command given");
  }

  public static void main(String[] args) {
    HeapAfterGc.watch();
    SwitchableStream errTarget = new SwitchableStream(System.err);
    PrintStream err = new PrintStream(errTarget, true);
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    // before Spark's hooks (priority 40) stop the context and every thread with work left prints
    // its failure: one line on the terminal, the rest to the log file
    org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(() -> {
      if (!done.get()) {
        String why = FatalErrors.whyEnding(logFile());
        if (why != null) {
          err.println("hopfield-store: " + why);
        }
        errTarget.toLogFile(logFile());
        System.setErr(err);
      }
    }, 100);
    FatalErrors.printTo(err);
    FatalErrors.install();
    FatalErrors.watchSignals();
    int status = run(args, System.out, err);
    done.set(true);
    System.out.flush();
    System.exit(status);
  }

  private static java.io.File logFile() {
    String dir = System.getProperty("hopfield.log.dir", System.getProperty("java.io.tmpdir"));
    return new java.io.File(dir, "hopfield-store.log");
  }

  /** Stderr until a signal ends the run; then the log file, or nowhere when it cannot be opened. */
  static final class SwitchableStream extends java.io.OutputStream {
    private volatile java.io.OutputStream target;

    SwitchableStream(java.io.OutputStream target) {
      this.target = target;
    }

    void toLogFile(java.io.File file) {
      try {
        target = new java.io.FileOutputStream(file, true);
      } catch (IOException e) {
        target = java.io.OutputStream.nullOutputStream();
      }
    }

    @Override
    public void write(int b) throws IOException {
      target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      target.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      target.flush();
    }
  }

  /** Runs a command; returns the exit status (0 ok, 1 failed, 2 usage error). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    FatalErrors.newCommand();
    CommandLine cli = commandLine(out, err);
    cli.setUsageHelpWidth(HELP_WIDTH);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler((e, argv) -> {
      err.println("hopfield-store: error: " + commandName(e.getCommandLine())
          + firstLine(e.getMessage()).replaceFirst("^Error: ", "") + " (see '" + e.getCommandLine().getCommandSpec()
          .qualifiedName() + " --help')");
      return 2;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parsed) -> failure(e, commandLine, err));
    return cli.execute(args);
  }

  /** The command tree with every subcommand's streams set. */
  static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new HopfieldStoreMain(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        K made = CommandLine.defaultFactory().create(cls);
        if (made instanceof CommandBase) {
          ((CommandBase) made).streams(out, err);
        }
        return made;
      }
    });
    for (CommandLine sub : cli.getSubcommands().values()) {
      String[] footer = ((CommandBase) sub.getCommand()).footer();
      if (footer.length > 0) {
        sub.getCommandSpec().usageMessage().footer(footer);
      }
    }
    return cli;
  }

  private static String commandName(CommandLine c) {
    return c.getParent() == null ? "" : c.getCommandName() + ": ";
  }

  private static int failure(Exception e, CommandLine c, PrintStream err) {
    if (e instanceof UsageException
        || e instanceof org.apache.hadoop.fs.FileAlreadyExistsException) {
      err.println("hopfield-store: error: " + commandName(c) + e.getMessage() + " (see '"
          + c.getCommandSpec().qualifiedName() + " --help')");
      return 2;
    }
    String message;
    if (e instanceof NoSuchFileException) {
      message = ((NoSuchFileException) e).getFile() + ": no such file or directory";
    } else if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
      message = describe(e);
    } else if (e instanceof IOException || e instanceof UncheckedIOException) {
      message = "I/O failed: " + describe(e);
    } else {
      // Spark wraps a failed task's exception: report its cause in one line
      Exception cause = org.hopfieldstore.spark.dist.Errors.cause(e);
      if (System.getenv("HOPFIELD_STORE_DEBUG") != null) {
        e.printStackTrace(err);
      }
      message = cause == e ? describeSparkFailure(e) : describe(cause);
    }
    if (FatalErrors.claimTheLine()) { // else a failing thread has printed why already
      err.println("hopfield-store: error: " + message);
    }
    return 1;
  }

  /**
   * The first line of a failure's message; without one (a bare exception from a library), its
   * class and, down the causes, the first one that says something ("error: null" said nothing).
   */
  static String describe(Throwable t) {
    String m = t.getMessage();
    return m != null && !m.isBlank() ? firstLine(m) : named(t);
  }

  private static final java.util.regex.Pattern CAUSED_BY =
      java.util.regex.Pattern.compile("(?m)^Caused by: [\\w.$]+: (.+)$");

  /**
   * A failed Spark job's message wraps the task's whole trace ("Job aborted due to stage failure:
   * ... Exception thrown in awaitResult:"): report the innermost cause that says something, from
   * the cause chain or, when the trace came as text, its last "Caused by:" line; another Spark
   * error with causes ("[TASK_WRITE_FAILED] ...") keeps its first line and adds that cause.
   */
  static String describeSparkFailure(Throwable e) {
    String msg = e.getMessage();
    if (!e.getClass().getName().startsWith("org.apache.spark.") || msg == null) {
      return describe(e);
    }
    String innermost = null;
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        innermost = firstLine(t.getMessage());
      }
    }
    if (innermost == null) {
      java.util.regex.Matcher m = CAUSED_BY.matcher(msg);
      while (m.find()) {
        innermost = m.group(1);
      }
    }
    if (innermost == null) {
      return describe(e);
    }
    if (msg.startsWith("Job aborted due to stage failure")) {
      return "a Spark task failed: " + innermost.strip();
    }
    // e.g. "[TASK_WRITE_FAILED] Task failed while writing rows to ...": and why
    String top = firstLine(msg).strip();
    return top.equals(innermost.strip()) ? top : top + ": " + innermost.strip();
  }

  private static String named(Throwable t) {
    String m = t.getMessage();
    if (m != null && !m.isBlank()) {
      return t.getClass().getSimpleName() + ": " + firstLine(m);
    }
    Throwable c = t.getCause();
    return t.getClass().getSimpleName() + (c != null && c != t ? ": " + named(c) : "");
  }

  static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
