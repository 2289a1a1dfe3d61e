package org.hopfieldstore.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.core.score.HeapBlas;
import org.hopfieldstore.core.score.RowOps;

/**
 * {@code bench}: times retrieval of one query batch on already loaded memories, after a warm-up,
 * and prints one JSON line (best and median seconds, queries/s). Loading, kernel set-up and JIT
 * warm-up are excluded, as in the peers' harness; used by bench/vs-peers.sh.
 */
final class BenchCommand {
  static final String USAGE = String.join("\n",
      "usage: hopfield-store bench --memories PATH --queries PATH --spec SPEC [--reps N]",
      "                            [--warmup N] [--warmup-seconds S] [--states PATH.npy]",
      "                            [--kernel nd4j|simd|java] [--master MASTER [--partitions P]]",
      "",
      "Retrieves the whole query batch untimed at least --warmup times (default 2) and for at",
      "least --warmup-seconds (default 2: the JIT compiles the SIMD loops only after thousands",
      "of calls, which a millisecond-long step reaches only after a few hundred runs), then",
      "--reps times (default 5) timed, without energies, and prints a JSON line: spec, M, d,",
      "B, best_s, median_s, qps (B / best), the BLAS library and the row loops in use.",
      "--states writes the final states of the last run (.npy).");

  private BenchCommand() {}

  static void run(String[] argv, PrintStream out, PrintStream err) throws IOException {
    Args a = Args.parse("bench", argv, Set.of("memories", "queries", "spec", "reps", "warmup",
        "warmup-seconds", "states", "kernel", "master", "partitions"), Set.of());
    int reps = a.integer("reps", 5, 1);
    int warmup = a.integer("warmup", 2, 0);
    double warmupSeconds = a.decimal("warmup-seconds", 2.0);
    Path memPath = a.path("memories");
    FloatMatrix queries = MatrixReader.read(a.path("queries"), "queries");
    RetrievalSpec spec = RetrievalSpec.parse(a.required("spec"));
    String kernel = a.get("kernel", "nd4j");
    String master = a.get("master", null);
    try (Backend backend = master == null ? LocalBackend.open(memPath, kernel)
        : SparkBackend.open(master, memPath, a.integer("partitions", 0, 1), "MEMORY_ONLY",
            kernel)) {
      StepFunction store = backend.store();
      if (queries.cols() != store.dim()) {
        throw new IllegalArgumentException("dimension mismatch: queries have dimension "
            + queries.cols() + " but memories have dimension " + store.dim());
      }
      RetrievalResult last = null;
      long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
      for (int i = 0; i < warmup || System.nanoTime() < warmupEnd; i++) {
        last = RetrievalLoop.run(store, queries, spec, 10, false);
      }
      double[] t = new double[reps];
      for (int i = 0; i < reps; i++) {
        long t0 = System.nanoTime();
        last = RetrievalLoop.run(store, queries, spec, 10, false);
        t[i] = (System.nanoTime() - t0) / 1e9;
      }
      Arrays.sort(t);
      if (a.has("states")) {
        Npy.writeFloat32(a.path("states"), last.states().data(), queries.rows(), store.dim());
      }
      out.println(String.format(Locale.ROOT,
          "{\"spec\": \"%s\", \"mode\": \"%s\", \"M\": %d, \"d\": %d, \"B\": %d, \"best_s\": %.6f,"
              + " \"median_s\": %.6f, \"qps\": %.2f, \"blas\": \"%s\", \"row_ops\": \"%s\"}",
          spec, backend.describe(), store.memoryCount(), store.dim(), queries.rows(), t[0],
          t[reps / 2], queries.rows() / t[0], HeapBlas.library().replace("\"", "'"),
          RowOps.best().name()));
    }
  }
}
