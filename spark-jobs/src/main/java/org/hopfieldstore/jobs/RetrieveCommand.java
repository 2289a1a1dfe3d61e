package org.hopfieldstore.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.core.score.ScoreKernels;

/** {@code retrieve}: multi-step retrieval of a batch of queries, in-process. */
final class RetrieveCommand {
  static final String USAGE = String.join("\n",
      "usage: hopfield-store retrieve --memories PATH --queries PATH --spec SPEC --out DIR",
      "                               [--overwrite] [--targets PATH] [--kernel nd4j|simd|java]",
      "                               [--batch-size N] [--report N] [--no-energy] [--quiet]",
      "                               [--master MASTER [--partitions P] [--storage-level L]]",
      "",
      "Retrieves every query from the memories with the model SPEC and writes into DIR:",
      "  states.npy       B x d float32, the final states",
      "  top_ids.npy      B x min(R, M) int64, memory indices of the largest weights of the last",
      "                   update (descending weight, ties by lower index; zero-weight entries are",
      "                   the lowest indices outside the support)",
      "  top_weights.npy  B x min(R, M) float32, the matching weights",
      "  summary.json     spec, M, d, B, steps taken and final energy per query, support sizes,",
      "                   wall times (and top-1 accuracy with --targets)",
      "With a DIR ending in .parquet (Spark mode) it writes Parquet instead, one row per query:",
      "  query_id long, state array<float>, top_ids array<long>, top_weights array<float>,",
      "  steps int, energy double; plus _summary.json.",
      "DIR is written to a temporary directory and renamed into place when complete.",
      "",
      "options:",
      "  --memories PATH   stored patterns: .npy (2-D float32/float64, C order) or IDX images",
      "                    (*-idx3-ubyte[.gz], pixels scaled to [0,1] and flattened)",
      "  --queries PATH    state patterns to retrieve from, same formats, same dimension",
      "  --spec SPEC       retrieval model, e.g. softmax:beta=8,steps=3  sparsemax:beta=4",
      "                    entmax:alpha=1.5,beta=4,steps=2,tol=1e-6  topk:k=32,beta=8",
      "                    keys: beta > 0 (default 1); steps >= 1 (max updates, default 1);",
      "                    tol >= 0 (stop a query once an update moves it by <= tol in max-norm;",
      "                    0 = exactly steps updates, the default); entmax: alpha in (1,2]",
      "                    (default 1.5); topk: k >= 1 (default 32); sparsemax/entmax:",
      "                    solver=exact|bisect (default exact)",
      "  --out DIR         output directory; must not exist unless --overwrite",
      "  --overwrite       replace an existing DIR (only once the new output is complete)",
      "  --targets PATH    int64 .npy with the memory index each query came from; adds the",
      "                    top-1 accuracy to the summary",
      "  --kernel NAME     score kernel: nd4j (native BLAS GEMMs; small batches, <= 8, scanned",
      "                    with simd; the default), simd (heap SIMD loops) or java (reference)",
      "  --batch-size N    queries per batch (default 256); progress is printed per batch",
      "  --report N        number of top ids/weights per query R (default 10)",
      "  --no-energy       skip the extra scoring pass that computes the final energies",
      "  --quiet           no progress or summary line on the terminal",
      "  --master MASTER   run on Spark: local[*] (embedded), local[N], spark://host:port, ...",
      "                    (under spark-submit, its --master is used without this option).",
      "                    Memories are partitioned and cached on the executors; each step",
      "                    merges the partitions' partial results exactly.",
      "  --partitions P    number of memory partitions (default: Spark's default parallelism)",
      "  --storage-level L cache level of the memory blocks: MEMORY_ONLY (default),",
      "                    MEMORY_ONLY_SER, MEMORY_AND_DISK, MEMORY_AND_DISK_SER, DISK_ONLY",
      "  Spark mode also reads memories from Parquet (a .parquet path with columns",
      "  id: long, vector: array<float>).");

  private RetrieveCommand() {}

  static void run(String[] argv, PrintStream out, PrintStream err) throws IOException {
    Args a = Args.parse("retrieve", argv,
        Set.of("memories", "queries", "spec", "out", "targets", "kernel", "batch-size",
            "report", "master", "partitions", "storage-level"),
        Set.of("overwrite", "no-energy", "quiet"));
    Path memPath = a.path("memories");
    Path queryPath = a.path("queries");
    RetrievalSpec spec = RetrievalSpec.parse(a.required("spec"));
    Path outDir = a.path("out");
    boolean overwrite = a.has("overwrite");
    String kernelName = a.get("kernel", "nd4j");
    ScoreKernels.byName(kernelName);
    int batchSize = a.integer("batch-size", 256, 1);
    int report = a.integer("report", 10, 1);
    boolean energy = !a.has("no-energy");
    boolean quiet = a.has("quiet");
    Path targetsPath = a.has("targets") ? a.path("targets") : null;
    // Spark mode: --master, or the master spark-submit put in the system properties
    String master = a.get("master", System.getProperty("spark.master"));
    boolean parquetOut = outDir.getFileName().toString().endsWith(".parquet");
    if (master == null) {
      for (String sparkOnly : new String[] {"partitions", "storage-level"}) {
        if (a.has(sparkOnly)) {
          throw new UsageException("retrieve: --" + sparkOnly + " needs Spark mode (--master)");
        }
      }
      if (parquetOut || SparkBackend.isParquet(memPath)) {
        throw new UsageException("retrieve: Parquet input or output needs Spark mode: add "
            + "--master local[*]");
      }
    }
    int partitions = a.integer("partitions", 0, 1);
    String storageLevel = a.get("storage-level", "MEMORY_ONLY");

    long t0 = System.nanoTime();
    try (AtomicOutput output = AtomicOutput.directory(outDir, overwrite)) {
      FloatMatrix queries = MatrixReader.read(queryPath, "queries");
      try (Backend backend = master == null ? LocalBackend.open(memPath, kernelName)
          : SparkBackend.open(master, memPath, partitions, storageLevel, kernelName)) {
        StepFunction store = backend.store();
        long m = store.memoryCount();
        int d = store.dim();
        if (queries.cols() != d) {
          throw new IllegalArgumentException("dimension mismatch: queries " + queryPath
              + " have dimension " + queries.cols() + " but memories " + memPath
              + " have dimension " + d);
        }
        long[] targets = targetsPath == null ? null : readTargets(targetsPath, queries.rows(), m);
        long t1 = System.nanoTime();

        int b = queries.rows();
        // linear/prf retrieve from a summary: no per-memory weights, no top ids
        int width = spec.isSummary() ? 0 : (int) Math.min(report, m);
        float[] states = new float[b * d];
        long[] topIds = new long[b * width];
        float[] topWeights = new float[b * width];
        int[] steps = new int[b];
        double[] finalEnergy = new double[b];
        long[] supportSize = new long[b];
        Progress progress = new Progress(quiet ? null : err, "retrieved", "queries", b);
        for (int start = 0; start < b; start += batchSize) {
          int n = Math.min(batchSize, b - start);
          float[] chunk = new float[n * d];
          System.arraycopy(queries.data(), start * d, chunk, 0, n * d);
          RetrievalResult r = RetrievalLoop.run(store, FloatMatrix.of("queries", chunk, n, d),
              spec, report, energy);
          System.arraycopy(r.states().data(), 0, states, start * d, n * d);
          for (int i = 0; i < n; i++) {
            System.arraycopy(r.topIds(i), 0, topIds, (start + i) * width, width);
            System.arraycopy(r.topWeights(i), 0, topWeights, (start + i) * width, width);
            steps[start + i] = r.steps(i);
            finalEnergy[start + i] = r.finalEnergy(i);
            supportSize[start + i] = r.supportSize(i);
          }
          progress.update(start + n);
        }
        long t2 = System.nanoTime();

        Path dir = output.path();
        String summaryName = "summary.json";
        if (parquetOut) {
          ((SparkBackend) backend).writeParquet(dir, states, topIds, topWeights, steps,
              finalEnergy, b, d, width);
          summaryName = "_summary.json"; // Parquet readers skip names starting with '_'
        } else {
          Npy.writeFloat32(dir.resolve("states.npy"), states, b, d);
          Npy.writeInt64(dir.resolve("top_ids.npy"), topIds, b, width);
          Npy.writeFloat32(dir.resolve("top_weights.npy"), topWeights, b, width);
        }
        double accuracy = Double.NaN;
        if (targets != null && width > 0) {
          int hit = 0;
          for (int i = 0; i < b; i++) {
            hit += topIds[i * width] == targets[i] ? 1 : 0;
          }
          accuracy = (double) hit / b;
        }
        double retrieveSeconds = (t2 - t1) / 1e9;
        Json json = new Json().begin()
            .put("command", "retrieve")
            .put("spec", spec.toString())
            .put("kernel", kernelName)
            .put("mode", backend.describe())
            .object("memories").put("path", memPath.toString()).put("count", m).put("dim", d)
            .endObject()
            .object("queries").put("path", queryPath.toString()).put("count", b).endObject()
            .put("M", m).put("d", d).put("B", b)
            .put("report", width)
            .put("steps", steps)
            .put("final_energy", finalEnergy)
            .put("support_size", supportSize);
        if (targets != null && width > 0) {
          json.put("targets", targetsPath.toString()).put("top1_accuracy", accuracy);
        }
        backend.summarize(json);
        json.object("wall_seconds")
            .put("load", (t1 - t0) / 1e9)
            .put("retrieve", retrieveSeconds)
            .put("write", (System.nanoTime() - t2) / 1e9)
            .endObject()
            .put("queries_per_second", b / retrieveSeconds)
            .end();
        Files.writeString(dir.resolve(summaryName), json.toString());
        output.commit();
        if (!quiet) {
          out.println(String.format(Locale.ROOT,
              "retrieved %d queries from %d memories (d=%d, %s) with %s in %.3f s (%.1f queries/s)"
                  + "%s; wrote %s",
              b, m, d, backend.describe(), spec, retrieveSeconds, b / retrieveSeconds,
              targets == null || width == 0 ? "" : String.format(Locale.ROOT, "; top-1 accuracy %.4f",
                  accuracy),
              outDir));
        }
      }
    }
  }

  private static long[] readTargets(Path path, int queries, long memories) {
    long[] t = Npy.read(path).asLongs();
    if (t.length != queries) {
      throw new IllegalArgumentException(path + ": " + t.length + " targets for " + queries
          + " queries");
    }
    for (int i = 0; i < t.length; i++) {
      if (t[i] < -1 || t[i] >= memories) {
        throw new IllegalArgumentException(path + ": target " + t[i] + " of query " + i
            + " is not a memory index in [0, " + memories + ") (or -1 for none)");
      }
    }
    return t;
  }
}
