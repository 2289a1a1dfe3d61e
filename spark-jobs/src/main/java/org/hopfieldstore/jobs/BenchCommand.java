package org.hopfieldstore.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import java.util.Arrays;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.core.score.HeapBlas;
import org.hopfieldstore.core.score.RowOps;
import org.hopfieldstore.spark.io.AtomicOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench}: times retrieval of one query batch on already loaded memories, after a warm-up,
 * and prints one JSON line (best and median seconds, queries/s). Loading, kernel set-up and JIT
 * warm-up are excluded, as in the peers' harness; used by bench/vs-peers.sh.
 */
@Command(name = "bench", sortOptions = false,
    header = "time retrieval of a query batch on loaded memories (a JSON line)",
    description = {"Retrieves the whole query batch untimed at least --warmup times and for at "
        + "least --warmup-seconds (the JIT compiles the SIMD loops only after thousands of "
        + "calls, which a millisecond-long step reaches only after a few hundred runs), then "
        + "--reps times timed, without energies, and prints a JSON line: spec, mode, M, d, B, "
        + "best_s, median_s, qps (B / best), the BLAS library (blas) and the row loops in use "
        + "(row_ops).", ""})
final class BenchCommand extends CommandBase {
  @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
  MemorySource source = new MemorySource();

  @Option(names = "--queries", required = true, paramLabel = "PATH",
      description = "the query batch")
  String queryPath;

  @Option(names = "--spec", required = true, paramLabel = "SPEC",
      description = "retrieval model (see model specs below)")
  String specText;

  @Option(names = "--reps", paramLabel = "N", defaultValue = "5",
      description = "timed runs (default ${DEFAULT-VALUE})")
  int reps;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "2",
      description = "untimed runs, at least (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--warmup-seconds", paramLabel = "S", defaultValue = "2",
      description = "untimed seconds, at least (default ${DEFAULT-VALUE})")
  double warmupSeconds;

  @Option(names = "--states", paramLabel = "PATH.npy",
      description = "write the final states of the last run")
  String statesPath;

  @Option(names = "--kernel", paramLabel = "NAME", defaultValue = "nd4j",
      description = "score kernel: nd4j (default), simd or java")
  String kernelName;

  @Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @Override
  String[] footer() {
    return specHelp();
  }

  @Override
  void run() throws Exception {
    atLeast("--reps", reps, 1);
    atLeast("--warmup", warmup, 0);
    atLeast("--warmup-seconds", warmupSeconds, 0);
    kernel(kernelName);
    FloatMatrix queries = MatrixReader.read(queryPath, "queries");
    RetrievalSpec spec = RetrievalSpec.parse(specText);
    String master = sparkOptions.master;
    if (source.isStore() && master == null) {
      master = "local[*]";
    }
    SparkSession spark = master == null ? null
        : SparkBackend.session(master, "hopfield-store bench", sparkOptions.conf());
    try (Backend backend = spark == null ? LocalBackend.open(source.memPath, kernelName)
        : source.isStore() ? SparkBackend.openStore(spark, source.storeRef,
            sparkOptions.partitions(), "MEMORY_ONLY", kernelName, spec)
        : SparkBackend.open(spark, source.memPath, sparkOptions.partitions(), "MEMORY_ONLY",
            kernelName, "id", "vector")) {
      spec = backend.resolve(spec);
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
      if (statesPath != null) {
        try (AtomicOutput o = AtomicOutput.file(statesPath, true);
            java.io.OutputStream stream = o.create()) {
          Npy.writeFloat32(stream, last.states().data(), queries.rows(), store.dim());
          stream.close();
          o.commit();
        }
      }
      ObjectNode line = Json.object();
      line.put("spec", spec.toString()).put("mode", backend.describe())
          .put("M", store.memoryCount()).put("d", store.dim()).put("B", queries.rows())
          .put("best_s", t[0]).put("median_s", t[reps / 2]).put("qps", queries.rows() / t[0])
          .put("blas", HeapBlas.library()).put("row_ops", RowOps.best().name());
      out.println(Json.line(line));
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
  }
}
