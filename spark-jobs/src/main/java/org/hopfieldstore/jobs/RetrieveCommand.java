package org.hopfieldstore.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code retrieve}: multi-step retrieval of a batch of queries, in-process or on Spark. */
@Command(name = "retrieve", sortOptions = false,
    header = "retrieve a batch of queries from the memories, in-process or on Spark",
    description = {"Retrieves every query from the memories with the model SPEC and writes into "
        + "DIR:",
        "  states.npy       B x d float32, the final states",
        "  top_ids.npy      B x min(R, M) int64, memory ids of the largest weights of the last "
            + "update (descending weight, ties by lower id; zero-weight entries are the lowest "
            + "ids outside the support); empty for linear and prf",
        "  top_weights.npy  B x min(R, M) float32, the matching weights",
        "  summary.json     spec, M, d, B, steps taken and final energy per query, support "
            + "sizes, wall times (and top-1 accuracy with --targets)",
        "With a DIR ending in .parquet (Spark mode) it writes Parquet instead, one row per query:",
        "  query_id long, state array<float>, top_ids array<long>, top_weights array<float>, "
            + "steps int, energy double; plus _summary.json.",
        "DIR is written to a temporary directory and renamed into place when complete.", ""})
final class RetrieveCommand extends CommandBase {
  @Option(names = "--memories", required = true, paramLabel = "PATH", description = {"stored "
      + "patterns: .npy (2-D float32/float64, C order) or IDX images (*-idx3-ubyte[.gz], "
      + "pixels scaled to [0,1] and flattened); in Spark mode also Parquet (a .parquet path "
      + "with columns id: long, vector: array<float>)"})
  Path memPath;

  @Option(names = "--queries", required = true, paramLabel = "PATH",
      description = "state patterns to retrieve from, same formats, same dimension")
  Path queryPath;

  @Option(names = "--spec", required = true, paramLabel = "SPEC",
      description = "retrieval model, e.g. sparsemax:beta=4,steps=3 (see model specs below)")
  String specText;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "output directory; must not exist unless --overwrite")
  Path outDir;

  @Option(names = "--overwrite",
      description = "replace an existing DIR (only once the new output is complete)")
  boolean overwrite;

  @Option(names = "--targets", paramLabel = "PATH", description = "int64 .npy with the memory "
      + "index each query came from (-1: none); adds the top-1 accuracy to the summary")
  Path targetsPath;

  @Option(names = "--kernel", paramLabel = "NAME", defaultValue = "nd4j", description = {
      "score kernel: nd4j (native BLAS GEMMs; small batches scanned with simd; the default), "
          + "simd (heap SIMD loops) or java (reference)"})
  String kernelName;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256",
      description = "queries per batch (default ${DEFAULT-VALUE}); progress is printed per batch")
  int batchSize;

  @Option(names = "--report", paramLabel = "N", defaultValue = "10",
      description = "number of top ids/weights per query R (default ${DEFAULT-VALUE})")
  int report;

  @Option(names = "--no-energy",
      description = "skip the extra scoring pass that computes the final energies")
  boolean noEnergy;

  @Option(names = "--quiet", description = "no progress or summary line on the terminal")
  boolean quiet;

  @Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @Option(names = "--storage-level", paramLabel = "L", description = {"cache level of the "
      + "memory blocks in Spark mode: MEMORY_ONLY (default), MEMORY_ONLY_SER, MEMORY_AND_DISK, "
      + "MEMORY_AND_DISK_SER, DISK_ONLY"})
  String storageLevel;

  @Override
  String[] footer() {
    return specHelp();
  }

  @Override
  void run() throws IOException {
    RetrievalSpec spec = RetrievalSpec.parse(specText);
    kernel(kernelName);
    atLeast("--batch-size", batchSize, 1);
    atLeast("--report", report, 1);
    boolean energy = !noEnergy;
    String master = sparkOptions.master();
    boolean parquetOut = outDir.getFileName().toString().endsWith(".parquet");
    sparkOptions.requireSparkFor(sparkOptions.partitions != null, "--partitions");
    sparkOptions.requireSparkFor(storageLevel != null, "--storage-level");
    if (master == null && (parquetOut || SparkBackend.isParquet(memPath))) {
      throw new UsageException("Parquet input or output needs Spark mode: add "
          + "--master local[*]");
    }
    int partitions = sparkOptions.partitions();
    String level = storageLevel == null ? "MEMORY_ONLY" : storageLevel;

    long t0 = System.nanoTime();
    try (AtomicOutput output = AtomicOutput.directory(outDir, overwrite)) {
      FloatMatrix queries = MatrixReader.read(queryPath, "queries");
      try (Backend backend = master == null ? LocalBackend.open(memPath, kernelName)
          : SparkBackend.open(master, memPath, partitions, level, kernelName)) {
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
        ObjectNode json = Json.object();
        json.put("command", "retrieve").put("spec", spec.toString()).put("kernel", kernelName)
            .put("mode", backend.describe());
        json.putObject("memories").put("path", memPath.toString()).put("count", m)
            .put("dim", d);
        json.putObject("queries").put("path", queryPath.toString()).put("count", b);
        json.put("M", m).put("d", d).put("B", b).put("report", width);
        json.set("steps", Json.array(steps));
        json.set("final_energy", Json.array(finalEnergy));
        json.set("support_size", Json.array(supportSize));
        if (targets != null && width > 0) {
          json.put("targets", targetsPath.toString());
          Json.put(json, "top1_accuracy", accuracy);
        }
        backend.summarize(json);
        json.putObject("wall_seconds").put("load", (t1 - t0) / 1e9)
            .put("retrieve", retrieveSeconds).put("write", (System.nanoTime() - t2) / 1e9);
        json.put("queries_per_second", b / retrieveSeconds);
        try (OutputStream o = Files.newOutputStream(dir.resolve(summaryName))) {
          Json.write(o, json);
        }
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
