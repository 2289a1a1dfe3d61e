package org.hopfieldstore.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;

/**
 * The {@code hopfield-store} command line: {@code retrieve}, {@code generate}, {@code
 * make-queries}. Any error exits non-zero with one line on stderr.
 */
public final class HopfieldStoreMain {
  static final String USAGE = String.join("\n",
      "usage: hopfield-store <command> [options]",
      "",
      "A distributed associative-memory store: modern Hopfield retrieval (softmax, sparsemax,",
      "alpha-entmax, top-K) over stored patterns.",
      "",
      "commands:",
      "  retrieve      retrieve a batch of queries from the memories (see retrieve --help)",
      "  generate      write seeded synthetic memories (uniform on the sphere)",
      "  prepare       centre and/or scale memories to unit norm, or convert IDX to .npy",
      "  make-queries  make corrupted queries from memories (masked, dropout, Gaussian noise)",
      "  bench         time retrieval of a query batch on loaded memories (JSON line)",
      "  capacity      run a capacity study from a config (deploy/studies/*.conf): TSV + plots",
      "  arrange       learn a feature map W that separates the memories (kernelized model)",
      "  forecast      STanHop-Net vs dense Hopfield vs seasonal naive on a CSV of series",
      "",
      "Run 'hopfield-store <command> --help' for a command's options.");

  private HopfieldStoreMain() {}

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }

  /** Runs a command; returns the exit status (0 ok, 1 failed, 2 usage error). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")
        || args[0].equals("help")) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    boolean help = Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h");
    try {
      switch (command) {
        case "retrieve":
          if (help) {
            out.println(RetrieveCommand.USAGE);
          } else {
            RetrieveCommand.run(rest, out, err);
          }
          return 0;
        case "generate":
          if (help) {
            out.println(DataCommands.GENERATE_USAGE);
          } else {
            DataCommands.generate(rest, out);
          }
          return 0;
        case "bench":
          if (help) {
            out.println(BenchCommand.USAGE);
          } else {
            BenchCommand.run(rest, out, err);
          }
          return 0;
        case "capacity":
          if (help) {
            out.println(CapacityCommand.USAGE);
          } else {
            CapacityCommand.run(rest, out, err);
          }
          return 0;
        case "arrange":
          if (help) {
            out.println(ArrangeCommand.USAGE);
          } else {
            ArrangeCommand.run(rest, out, err);
          }
          return 0;
        case "forecast":
          if (help) {
            out.println(ForecastCommand.USAGE);
          } else {
            ForecastCommand.run(rest, out, err);
          }
          return 0;
        case "prepare":
          if (help) {
            out.println(DataCommands.PREPARE_USAGE);
          } else {
            DataCommands.prepare(rest, out);
          }
          return 0;
        case "make-queries":
          if (help) {
            out.println(DataCommands.QUERIES_USAGE);
          } else {
            DataCommands.makeQueries(rest, out);
          }
          return 0;
        default:
          throw new UsageException("unknown command '" + command
              + "': expected retrieve, bench, capacity, arrange, forecast, generate, "
              + "prepare or make-queries");
      }
    } catch (UsageException e) {
      err.println("hopfield-store: error: " + e.getMessage()
          + " (see 'hopfield-store " + (command.startsWith("-") ? "" : command + " ")
          + "--help')");
      return 2;
    } catch (FileAlreadyExistsException e) {
      err.println("hopfield-store: error: " + e.getFile() + ": " + e.getReason());
      return 1;
    } catch (NoSuchFileException e) {
      err.println("hopfield-store: error: " + e.getFile() + ": no such file or directory");
      return 1;
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("hopfield-store: error: " + firstLine(e.getMessage()));
      return 1;
    } catch (IOException | UncheckedIOException e) {
      err.println("hopfield-store: error: I/O failed: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      // Spark wraps a failed task's exception (SparkException is checked but thrown from
      // Scala without a declaration); report its cause in one line
      Exception cause = SparkBackend.unwrap(e);
      if (System.getenv("HOPFIELD_STORE_DEBUG") != null) {
        e.printStackTrace(err);
      }
      err.println("hopfield-store: error: " + firstLine(cause.getMessage() == null
          ? cause.toString() : cause.getMessage()));
      return 1;
    } catch (OutOfMemoryError e) {
      err.println("hopfield-store: error: out of memory; give the JVM more heap, e.g. "
          + "JAVA_OPTS=-Xmx16g");
      return 1;
    }
  }
}
