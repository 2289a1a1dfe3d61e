package org.hopfieldstore.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.spark.dist.DistributedQueries;
import org.hopfieldstore.spark.dist.QueryBlock;
import org.hopfieldstore.spark.dist.QueryData;
import org.hopfieldstore.spark.io.AtomicOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code retrieve}: multi-step retrieval of a set of queries, in-process or on Spark. */
@Command(name = "retrieve", sortOptions = false,
    header = "retrieve a set of queries from the memories, in-process or on Spark",
    description = {"Retrieves every query from the memories with the model SPEC and writes into "
        + "DIR (any Hadoop filesystem: a plain path, file://, hdfs://, s3a://, ...):",
        "  states.npy       B x d float32, the final states",
        "  top_ids.npy      B x min(R, M) int64, memory ids of the largest weights of the last "
            + "update (descending weight, ties by lower id; zero-weight entries are the lowest "
            + "ids outside the support); empty for linear and prf",
        "  top_weights.npy  B x min(R, M) float32, the matching weights",
        "  summary.json     spec, M, d, B, steps taken and final energy per query, support "
            + "sizes, wall times (and top-1 accuracy with --targets)",
        "With a DIR ending in .parquet (Spark mode) the executors write Parquet instead, one row "
            + "per query: query_id long (the query's id), state array<float>, top_ids "
            + "array<long>, top_weights array<float>, steps int, energy double; plus "
            + "_summary.json.",
        "On Spark, up to --broadcast-limit queries go through the broadcast plan (a batch at a "
            + "time broadcast, partials merged on the driver); more go through the distributed "
            + "plan (query blocks crossed with memory blocks, states kept on the executors, "
            + "results written by them; Parquet output). With a checkpoint directory "
            + "(--conf spark.checkpoint.dir=DIR) the distributed plan checkpoints the states "
            + "every " + RetrieveCommand.CHECKPOINT_EVERY + " steps.",
        "DIR is written under a temporary name and renamed into place when complete.", ""})
final class RetrieveCommand extends CommandBase {
  /** Queries above which the distributed plan is chosen (see --broadcast-limit). */
  static final long BROADCAST_LIMIT = 65_536;
  /** Steps between checkpoints of the distributed plan's states (with a checkpoint dir). */
  static final int CHECKPOINT_EVERY = 4;

  @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
  MemorySource source = new MemorySource();

  String memPath;

  String storeRef;

  @Option(names = "--queries", required = true, paramLabel = "PATH", description = "state "
      + "patterns to retrieve from: the same formats (Parquet of any size in Spark mode)")
  String queryPath;

  @Option(names = "--spec", required = true, paramLabel = "SPEC",
      description = "retrieval model, e.g. sparsemax:beta=4,steps=3 (see model specs below)")
  String specText;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "output directory; must not exist unless --overwrite")
  String outDir;

  @Option(names = "--overwrite",
      description = "replace an existing DIR (only once the new output is complete)")
  boolean overwrite;

  @Option(names = "--targets", paramLabel = "PATH", description = "int64 .npy with the memory "
      + "id each query came from (-1: none), one per query in order; adds the top-1 accuracy")
  String targetsPath;

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

  @Option(names = "--id-column", paramLabel = "C", defaultValue = "id",
      description = "id column of Parquet memories and queries (default ${DEFAULT-VALUE})")
  String idCol;

  @Option(names = "--vector-column", paramLabel = "V", defaultValue = "vector", description =
      "vector column of Parquet memories and queries: array<float>, array<double> or an ML "
          + "Vector (default ${DEFAULT-VALUE})")
  String vectorCol;

  @Option(names = "--plan", paramLabel = "PLAN", defaultValue = "auto", description = "Spark "
      + "mode: broadcast, distributed or auto (default: broadcast up to --broadcast-limit "
      + "queries)")
  String plan;

  @Option(names = "--broadcast-limit", paramLabel = "N", defaultValue = "" + BROADCAST_LIMIT,
      description = "most queries the auto plan sends through the broadcast plan (default "
          + "${DEFAULT-VALUE})")
  long broadcastLimit;

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
    if (!List.of("auto", "broadcast", "distributed").contains(plan)) {
      throw new UsageException("--plan must be auto, broadcast or distributed, got '" + plan
          + "'");
    }
    memPath = source.memPath;
    storeRef = source.storeRef;
    String master = sparkOptions.master();
    if (storeRef != null) {
      memPath = storeRef;
      if (master == null) {
        master = "local[*]";
      }
    }
    boolean parquetOut = outDir.replaceAll("/+$", "").endsWith(".parquet");
    if (storeRef == null) {
      sparkOptions.requireSparkFor(sparkOptions.partitions != null, "--partitions");
      sparkOptions.requireSparkFor(storageLevel != null, "--storage-level");
      sparkOptions.requireSparkFor(!sparkOptions.conf().isEmpty(), "--conf");
    }
    if (master == null && (parquetOut || SparkBackend.isParquet(memPath)
        || SparkBackend.isParquet(queryPath))) {
      throw new UsageException("Parquet input or output needs Spark mode: add "
          + "--master local[*]");
    }
    long t0 = System.nanoTime();
    try (AtomicOutput output = AtomicOutput.directory(outDir, overwrite)) {
      Summary summary;
      if (master == null) {
        try (LocalBackend backend = LocalBackend.open(memPath, kernelName)) {
          QueryInput queries = QueryInput.open(queryPath, null, idCol, vectorCol);
          summary = broadcastPlan(backend, null, queries, spec, output, false, t0);
        }
      } else {
        SparkSession spark = SparkBackend.session(master, "hopfield-store retrieve",
            sparkOptions.conf());
        String level = storageLevel == null ? "MEMORY_ONLY" : storageLevel;
        try (SparkBackend backend = storeRef != null
            ? SparkBackend.openStore(spark, storeRef, sparkOptions.partitions(), level, kernelName,
                spec)
            : SparkBackend.open(spark, memPath, sparkOptions.partitions(), level, kernelName,
                idCol, vectorCol)) {
          QueryInput queries = QueryInput.open(queryPath, spark, idCol, vectorCol);
          boolean distributed = plan.equals("distributed")
              || (plan.equals("auto") && queries.count() > broadcastLimit);
          if (distributed && !parquetOut) {
            throw new UsageException(queries.count() + " queries go through the distributed "
                + "plan, which the executors write as Parquet: name the output *.parquet");
          }
          RetrievalSpec resolved = backend.resolve(spec);
          summary = distributed ? distributedPlan(backend, queries, resolved, output, t0)
              : broadcastPlan(backend, spark, queries, resolved, output, parquetOut, t0);
        } finally {
          spark.stop();
        }
      }
      try (OutputStream o = output.create(parquetOut ? "_summary.json" : "summary.json")) {
        Json.write(o, summary.json); // Parquet readers skip names starting with '_'
      }
      output.commit();
      if (!quiet) {
        out.println(summary.line(outDir));
      }
    }
  }

  /** The summary file and the line printed at the end. */
  final class Summary {
    final ObjectNode json = Json.object();
    long queries;
    long memories;
    int dim;
    String mode;
    double seconds;
    double accuracy = Double.NaN;

    String line(String out) {
      return String.format(Locale.ROOT, "retrieved %d queries from %d memories (d=%d, %s) with "
          + "%s in %.3f s (%.1f queries/s)%s; wrote %s", queries, memories, dim, mode,
          RetrievalSpec.parse(specText), seconds, queries / seconds, Double.isNaN(accuracy) ? ""
              : String.format(Locale.ROOT, "; top-1 accuracy %.4f", accuracy), out);
    }

    void header(Backend backend, String plan, long b, int d, long m) {
      queries = b;
      memories = m;
      dim = d;
      mode = backend.describe() + (plan == null ? "" : ", " + plan + " plan");
      json.put("command", "retrieve").put("spec", RetrievalSpec.parse(specText).toString())
          .put("kernel", kernelName).put("mode", mode);
      json.putObject("memories").put("path", memPath).put("count", m).put("dim", d);
      json.putObject("queries").put("path", queryPath).put("count", b);
      json.put("M", m).put("d", d).put("B", b);
      if (plan != null) {
        json.put("plan", plan);
      }
    }

    void times(long t0, long t1, long t2) {
      seconds = (t2 - t1) / 1e9;
      json.putObject("wall_seconds").put("load", (t1 - t0) / 1e9).put("retrieve", seconds)
          .put("write", (System.nanoTime() - t2) / 1e9);
      json.put("queries_per_second", queries / seconds);
    }
  }

  /**
   * Batches of queries against the store: in-process, or broadcast to the executors with the
   * partials merged on the driver. Results go to .npy files (or, on Spark, to Parquet written by
   * the executors batch by batch).
   */
  private Summary broadcastPlan(Backend backend, SparkSession spark, QueryInput queries,
      RetrievalSpec spec, AtomicOutput output, boolean parquetOut, long t0) throws IOException {
    StepFunction store = backend.store();
    long m = store.memoryCount();
    int d = store.dim();
    if (queries.dim() >= 0 && queries.dim() != d) {
      throw new IllegalArgumentException("dimension mismatch: queries " + queryPath
          + " have dimension " + queries.dim() + " but memories " + memPath
          + " have dimension " + d);
    }
    long b = queries.count();
    Summary s = new Summary();
    s.header(backend, spark == null ? null : "broadcast", b, d, m);
    long[] targets = targetsPath == null ? null : Targets.read(targetsPath, b,
        store instanceof org.hopfieldstore.core.retrieval.LocalRetrievalEngine
            || (storeRef == null && !SparkBackend.isParquet(memPath)) ? m : -1);
    long t1 = System.nanoTime();
    ResultWriter results = parquetOut ? new ResultWriter.Parquet(spark, output)
        : new ResultWriter.Npy(output, b, d, spec.isSummary() ? 0 : (int) Math.min(report, m));
    Progress progress = new Progress(quiet ? null : err, "retrieved", "queries", b);
    long done = 0;
    long hits = 0;
    for (Iterator<QueryInput.Batch> it = queries.batches(batchSize); it.hasNext(); ) {
      QueryInput.Batch batch = it.next();
      if (batch.queries.cols() != d) {
        throw new IllegalArgumentException("dimension mismatch: queries " + queryPath
            + " have dimension " + batch.queries.cols() + " but memories " + memPath
            + " have dimension " + d);
      }
      RetrievalResult r = RetrievalLoop.run(store, batch.queries, batch.ids, spec, report,
          !noEnergy);
      results.add(batch.ids, r);
      for (int i = 0; targets != null && i < r.batch(); i++) {
        hits += r.reportWidth() > 0 && r.topIds(i)[0] == targets[(int) done + i] ? 1 : 0;
      }
      done += r.batch();
      progress.update(done);
    }
    long t2 = System.nanoTime();
    results.finish(s.json);
    if (targets != null && !spec.isSummary()) {
      s.accuracy = (double) hits / b;
      s.json.put("targets", targetsPath);
      Json.put(s.json, "top1_accuracy", s.accuracy);
    }
    backend.summarize(s.json);
    s.times(t0, t1, t2);
    return s;
  }

  /**
   * Query blocks crossed with memory blocks on the executors, states kept there between steps,
   * results written by them as Parquet; the driver holds neither the queries nor the results.
   */
  private Summary distributedPlan(SparkBackend backend, QueryInput queries, RetrievalSpec spec,
      AtomicOutput output, long t0) throws IOException {
    if (targetsPath != null) {
      throw new UsageException("--targets needs the broadcast plan (at most --broadcast-limit "
          + "queries)");
    }
    long m = backend.store().memoryCount();
    int d = backend.store().dim();
    if (queries.dim() >= 0 && queries.dim() != d) {
      throw new IllegalArgumentException("dimension mismatch: queries " + queryPath
          + " have dimension " + queries.dim() + " but memories " + memPath
          + " have dimension " + d);
    }
    Summary s = new Summary();
    s.header(backend, "distributed", queries.count(), d, m);
    long t1 = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(backend.spark().sparkContext());
    String group = "hopfield-store-retrieve-" + java.util.UUID.randomUUID();
    jsc.setJobGroup(group, "hopfield-store retrieve: " + spec.rule().key() + ", "
        + queries.count() + " queries, distributed plan", false);
    try (JobGroupProgress progress = new JobGroupProgress(jsc.sc(), group, quiet ? null : err,
        "distributed plan", 10_000);
        DistributedQueries.Scoring scoring =
            DistributedQueries.Scoring.of(backend.distributed(), spec)) {
      JavaPairRDD<Long, QueryBlock> blocks = queries.blocks(jsc, spec, report, !noEnergy,
          scoring.store, scoring.kernel);
      if (blocks == null) {
        throw new UsageException(queryPath + ": the distributed plan reads .npy or Parquet "
            + "queries; convert these with 'hopfield-store prepare --normalize none'");
      }
      DistributedQueries.Searches searches = new DistributedQueries.Searches();
      JavaPairRDD<Long, QueryBlock> done = DistributedQueries.retrieve(scoring.store, blocks,
          spec, report, blocks.getNumPartitions(), CHECKPOINT_EVERY, searches);
      int width = spec.isSummary() ? 0 : (int) Math.min(report, m);
      String dir = output.location() + "/results";
      QueryData.writeParquet(backend.spark(), QueryData.resultRows(done,
          backend.store().lowestIds((int) Math.min(m, 2L * Math.max(1, width)))), dir);
      ResultWriter.Parquet.moveParts(output, dir);
      ResultWriter.Parquet.aggregates(backend.spark(), output.location(), s.json);
      if (!searches.isEmpty()) {
        // steps whose sparse supports were too wide to ship as candidates (the last may be the
        // energy pass, numbered steps + 1)
        ObjectNode w = s.json.putObject("threshold_searches");
        w.set("step", Json.array(searches.steps.stream().mapToInt(Integer::intValue).toArray()));
        w.set("query_blocks",
            Json.array(searches.blocks.stream().mapToLong(Long::longValue).toArray()));
        w.set("rounds", Json.array(searches.rounds.stream().mapToInt(Integer::intValue)
            .toArray()));
        w.set("bytes", Json.array(searches.bytes.stream().mapToLong(Long::longValue).toArray()));
      }
    } finally {
      jsc.clearJobGroup();
    }
    long t2 = System.nanoTime();
    backend.summarize(s.json);
    s.times(t0, t1, t2);
    return s;
  }
}
