package org.hopfieldstore.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.capacity.RetrievalQuality;
import org.hopfieldstore.core.capacity.Separation;
import org.hopfieldstore.core.capacity.StudyConfig;
import org.hopfieldstore.core.kernel.KernelTraining;
import org.hopfieldstore.core.capacity.StudyRule;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.capacity.TrialMean;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.io.ByteSource;
import org.hopfieldstore.core.io.Idx;
import org.hopfieldstore.core.io.Locations;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.DistributedStudies;
import org.hopfieldstore.spark.dist.SparkSetup;
import org.hopfieldstore.spark.dist.MemoryFrames;
import org.hopfieldstore.spark.io.AtomicOutput;
import org.hopfieldstore.spark.store.MemoryStore;
import org.hopfieldstore.spark.store.StoreRef;
import org.hopfieldstore.spark.store.StoreVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * {@code capacity}: a capacity study from a config file: for each memory-set size on the grid and
 * each trial, retrieval success, error and support of every rule on corrupted queries, and the
 * separation of the set; a TSV that echoes the config, PNG plots, a summary.
 */
@Command(name = "capacity", sortOptions = false,
    header = "run a capacity study from a config (deploy/studies/*.conf): TSV + plots",
    description = {"Runs the capacity study FILE describes (see deploy/studies/*.conf) and "
        + "writes into DIR:",
        "  results.tsv     one row per (M, trial, noise, rule): success rate, mean error, mean "
            + "support, mean steps, seconds, the set's max cosine, min angle, Delta_min, the "
            + "separation sample, the right-memory rate (largest weight on the query's own "
            + "memory) and the query corruption; '# key = value' header lines echo the config "
            + "and the command",
        "  means.tsv       per (noise, M, rule): success, squared error, right-memory rate and "
            + "support, each the mean over trials with its standard error (nan for one trial)",
        "  success.png     success rate against M, one line per rule (mean over trials); with "
            + "several noises, success-NOISE.png for each",
        "  error.png       mean retrieval error against M (error-NOISE.png for each noise)",
        "  separation.png  minimal pairwise angle of the memory set against M",
        "  summary.json    config, grid, wall time",
        "With kernel_epochs (U-Hop's Stage I), every set also learns a feature map W for each "
            + "N > 0 listed (kernel_train: in-process, on the set's first memories) and the "
            + "kernel_rules run again with it; results.tsv and means.tsv then end with a column "
            + "kernel_epochs (N; 0: the plain model, no map), and the plots draw each (rule, N).",
        "In-process by default; with --master each memory set is a distributed store.", ""})
final class CapacityCommand extends CommandBase {
  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "the study (keys below)")
  String configPath;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
  String outDir;

  @Option(names = "--overwrite", description = "replace an existing DIR")
  boolean overwrite;

  @Option(names = "--store", paramLabel = "STORE[@VERSION]", description = {"draw the memory "
      + "sets from a store's rows (random subsets, as for fashion-mnist) instead of the "
      + "config's source; a version pins the study's data. Read through Spark (local[*] "
      + "unless --master)"})
  String storeRef;

  @Option(names = "--quiet", description = "no progress on the terminal")
  boolean quiet;

  @Option(names = "--keep-kernels", description = {"with kernel_epochs: also keep each learned "
      + "W in DIR/kernels/M<M>-trial<T>-N<N>.npy (to check them; each is D x d float64)"})
  boolean keepKernels;

  @Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @Override
  String[] footer() {
    return lines("", StudyConfig.keysHelp());
  }

  @Override
  void run() throws IOException {
    StudyConfig cfg = StudyConfig.read(configPath);
    KernelTraining training = cfg.learnsKernels() ? cfg.kernelTrain.training : null;
    int[] trainEpochs = cfg.kernelEpochs.stream().mapToInt(i -> i).filter(n -> n > 0).toArray();
    String master = sparkOptions.master();
    int partitions = sparkOptions.partitions();
    System.setProperty("java.awt.headless", "true");
    HeapAfterGc.watch();
    long start = System.nanoTime();
    try (AtomicOutput output = AtomicOutput.directory(outDir, overwrite)) {
      SparkSession spark = master == null ? null : SparkSetup.session(master, "capacity");
      FloatMatrix images;
      if (storeRef != null) {
        SparkSession reader = spark != null ? spark : SparkSetup.session("local[*]", "capacity");
        StoreVersion v = StoreVersion.open(reader, StoreRef.parse(storeRef));
        storeRef = v.ref().toString();
        images = MemoryFrames.toBlock(MemoryStore.memories(v), storeRef).matrix();
        if (spark == null) {
          reader.stop();
        }
      } else {
        images = cfg.source.startsWith("fashion-mnist") ? fashionMnist(cfg) : null;
      }
      List<String[]> rows = new ArrayList<>();
      // a trial costs a fixed part plus a part per memory: fitted to the trials done
      LinearTimeLeft timeLeft = new LinearTimeLeft();
      try {
        for (int mi = 0; mi < cfg.memories.size(); mi++) {
          int m = cfg.memories.get(mi);
          for (int trial = 0; trial < cfg.trials; trial++) {
            long trialStart = System.nanoTime();
            long setSeed = cfg.seed * 1_000_003L + trial * 7_919L + m;
            FloatMatrix mem = cfg.preprocess.apply(memorySet(cfg, images, m, setSeed));
            int nq = Math.min(cfg.queries, m);
            List<QuerySet> querySets = new ArrayList<>();
            for (int ni = 0; ni < cfg.noises.size(); ni++) {
              querySets.add(QuerySet.fromMemories(mem, nq, cfg.noises.get(ni),
                  setSeed + 1 + 104_729L * ni));
            }
            StepFunction store;
            DistributedStore dist = null;
            if (spark == null) {
              store = new LocalRetrievalEngine(MemoryBlock.of(mem));
            } else {
              JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
              int p = Math.min(m, partitions > 0 ? partitions : jsc.defaultParallelism());
              dist = DistributedStore.fromMatrix(jsc, mem, p, StorageLevel.MEMORY_ONLY(), "nd4j");
              store = dist;
            }
            java.nio.file.Path kernelDir = null;
            double trainSecs = 0;
            try {
              double[] sep = separation(cfg, mem, dist);
              // U-Hop's Stage I: W learned on the set's first memories, one file per N
              java.util.TreeMap<Integer, String> kernels = new java.util.TreeMap<>();
              if (trainEpochs.length > 0) {
                long t0 = System.nanoTime();
                kernelDir = java.nio.file.Files.createTempDirectory("hopfield-capacity-W-");
                learnKernels(cfg, training, trainEpochs, mem, setSeed, kernelDir, kernels,
                    keepKernels ? output : null, m, trial);
                trainSecs = (System.nanoTime() - t0) / 1e9;
              }
              for (int ni = 0; ni < cfg.noises.size(); ni++) {
                QuerySet qs = querySets.get(ni);
                String noise = cfg.noises.get(ni).toString();
                for (StudyRule rule : cfg.rules) {
                  RetrievalSpec spec = rule.specFor(m);
                  rows.add(row(cfg, store, mem, qs, spec, m, trial, rule, sep, noise, 0));
                  if (cfg.isKernelRule(rule)) {
                    for (Map.Entry<Integer, String> k : kernels.entrySet()) {
                      rows.add(row(cfg, store, mem, qs, spec.withKernel(k.getValue(),
                          cfg.kernelTrain.normalized), m, trial, rule, sep, noise, k.getKey()));
                    }
                  }
                }
              }
            } finally {
              if (dist != null) {
                dist.close();
              }
              deleteAll(kernelDir);
            }
            long now = System.nanoTime();
            timeLeft.done(m, (now - trialStart) / 1e9);
            if (!quiet) {
              double left = timeLeft.secondsFor(trialsLeft(cfg, mi, trial));
              err.println(String.format(Locale.ROOT,
                  "grid point %d of %d (M=%d), trial %d of %d: %.1f s elapsed, %s",
                  mi + 1, cfg.memories.size(), m, trial + 1, cfg.trials, (now - start) / 1e9,
                  Double.isNaN(left) ? "time left not known yet" : String.format(Locale.ROOT,
                      "~%.1f s left", left)) + (trainEpochs.length == 0 ? ""
                      : String.format(Locale.ROOT, " (W learned to N=%d in %.1f s)",
                          trainEpochs[trainEpochs.length - 1], trainSecs)));
            }
          }
        }
      } finally {
        if (spark != null) {
          spark.stop();
        }
      }
      writeTsv(output, cfg, configPath, argv(), storeRef, rows);
      writeText(output, "means.tsv", means(cfg, rows));
      plot(output, cfg, rows);
      double wall = (System.nanoTime() - start) / 1e9;
      ObjectNode json = Json.object();
      json.put("command", "capacity").put("config", configPath.toString()).put("name", cfg.name)
          .put("mode", master == null ? "in-process" : "spark " + master);
      if (storeRef != null) {
        json.put("store", storeRef);
      }
      json.set("memories", Json.array(cfg.memories.stream().mapToLong(i -> i).toArray()));
      com.fasterxml.jackson.databind.node.ArrayNode noises = json.putArray("noises");
      cfg.noises.forEach(n -> noises.add(n.toString()));
      if (cfg.learnsKernels()) {
        json.set("kernel_epochs", Json.array(cfg.kernelEpochs.stream().mapToLong(i -> i)
            .toArray()));
      }
      json.put("trials", cfg.trials).put("rules", cfg.rules.size()).put("rows", rows.size())
          .put("wall_seconds", wall)
          .put("peak_heap_after_gc_bytes", HeapAfterGc.watch().peakBytes());
      try (java.io.OutputStream o = output.create("summary.json")) {
        Json.write(o, json);
      }
      output.commit();
      if (!quiet) {
        out.println(String.format(Locale.ROOT,
            "capacity study '%s': %d grid points x %d trials x %d noises x %d rules in %.1f s "
                + "(peak heap after GC %.1f MiB); wrote %s",
            cfg.name, cfg.memories.size(), cfg.trials, cfg.noises.size(), cfg.rules.size(), wall,
            HeapAfterGc.watch().peakBytes() / 1048576.0, outDir));
      }
    }
  }

  /** Columns of results.tsv that means.tsv averages over trials (name, index). */
  private static final String[][] MEASURES = {{"success", "3"}, {"mean_error", "4"},
      {"right_memory", "12"}, {"mean_support", "5"}};

  /** The column of results.tsv naming the query corruption. */
  private static final int NOISE = 13;

  /**
   * means.tsv: per (M, rule), the mean over trials of success, squared error and right-memory
   * rate, each with its standard error over the trials.
   */
  static String means(StudyConfig cfg, List<String[]> rows) {
    StringBuilder sb = new StringBuilder("M\trule\ttrials");
    for (String[] m : MEASURES) {
      sb.append('\t').append(m[0]).append("\t").append(m[0]).append("_se");
    }
    sb.append(cfg.learnsKernels() ? "\tnoise\tkernel_epochs\n" : "\tnoise\n");
    for (org.hopfieldstore.core.data.Corruption noise : cfg.noises) {
      for (int m : cfg.memories) {
        for (StudyRule rule : cfg.rules) {
          for (int n : epochsOf(cfg, rule)) {
            String kernelN = cfg.learnsKernels() ? Integer.toString(n) : null;
            List<String[]> mine = select(rows, noise.toString(), m, rule.label(), kernelN);
            sb.append(m).append('\t').append(rule.label()).append('\t').append(mine.size());
            for (String[] measure : MEASURES) {
              int col = Integer.parseInt(measure[1]);
              TrialMean t = TrialMean.of(mine.stream().mapToDouble(r -> r[col].equals("nan")
                  ? Double.NaN : Double.parseDouble(r[col])).toArray());
              sb.append('\t').append(fmt(t.mean())).append('\t')
                  .append(fmt(t.standardError()));
            }
            sb.append('\t').append(noise);
            if (kernelN != null) {
              sb.append('\t').append(kernelN);
            }
            sb.append('\n');
          }
        }
      }
    }
    return sb.toString();
  }

  /** The column of results.tsv with N of kernel_epochs (when the study has them). */
  private static final int KERNEL_EPOCHS = 14;

  /** The N a rule has rows for: 0 (no map), and each N > 0 for a kernel rule. */
  static int[] epochsOf(StudyConfig cfg, StudyRule rule) {
    java.util.stream.IntStream learned = cfg.isKernelRule(rule)
        ? cfg.kernelEpochs.stream().mapToInt(i -> i).filter(n -> n > 0)
        : java.util.stream.IntStream.empty();
    return java.util.stream.IntStream.concat(java.util.stream.IntStream.of(0), learned)
        .toArray();
  }

  /**
   * Learns W on the first floor(share M) memories of {@code mem} (init seeded by the set's
   * seed), one run to the largest N, and writes W after each N to {@code dir}; {@code kernels}
   * gets N -> file. With {@code keep}, a copy of each goes to kernels/ in the output.
   */
  private static void learnKernels(StudyConfig cfg, KernelTraining training,
      int[] epochs, FloatMatrix mem, long setSeed, java.nio.file.Path dir,
      Map<Integer, String> kernels, AtomicOutput keep, int m, int trial) {
    int rows = cfg.kernelTrain.trainRows(mem.rows());
    int d = mem.cols();
    FloatMatrix first = FloatMatrix.of("first memories",
        java.util.Arrays.copyOf(mem.data(), rows * d), rows, d);
    int big = cfg.kernelTrain.dim != null ? cfg.kernelTrain.dim : d;
    ArrangeCommand.train(training, first, big, setSeed + 3, epochs, (n, w) -> {
      java.nio.file.Path file = dir.resolve("W-" + n + ".npy");
      w.write(file);
      kernels.put(n, file.toString());
      if (keep != null) {
        try (java.io.OutputStream o = keep.create(String.format(Locale.ROOT,
            "kernels/M%d-trial%d-N%d.npy", m, trial, n))) {
          w.write(o);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    });
  }

  private static void deleteAll(java.nio.file.Path dir) throws IOException {
    if (dir == null) {
      return;
    }
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
      for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
        java.nio.file.Files.deleteIfExists(f);
      }
    }
    java.nio.file.Files.deleteIfExists(dir);
  }

  /** One row of results.tsv: the rule's retrieval of the queries, and the set's separation. */
  /** The memory counts of the trials after trial {@code trial} of grid point {@code mi}. */
  private static long[] trialsLeft(StudyConfig cfg, int mi, int trial) {
    java.util.List<Long> left = new ArrayList<>();
    for (int i = mi; i < cfg.memories.size(); i++) {
      for (int t = i == mi ? trial + 1 : 0; t < cfg.trials; t++) {
        left.add((long) cfg.memories.get(i));
      }
    }
    return left.stream().mapToLong(Long::longValue).toArray();
  }

  private static String[] row(StudyConfig cfg, StepFunction store, FloatMatrix mem,
      QuerySet qs, RetrievalSpec spec, int m, int trial, StudyRule rule, double[] sep,
      String noise, int kernelN) {
    int nq = qs.queries().rows();
    long t0 = System.nanoTime();
    RetrievalResult r = org.hopfieldstore.core.retrieval.RetrievalLoop.run(store,
        qs.queries(), spec, 1, false);
    double secs = (System.nanoTime() - t0) / 1e9;
    RetrievalQuality q = RetrievalQuality.of(mem, qs.targets(), r.states(),
        cfg.cosineTolerance, cfg.clamp);
    double support = 0;
    double steps = 0;
    for (int b = 0; b < nq; b++) {
      support += r.supportSize(b);
      steps += r.steps(b);
    }
    String[] row = {Integer.toString(m), Integer.toString(trial),
        rule.label(), fmt(q.successRate), fmt(q.meanError), fmt(support / nq),
        fmt(steps / nq), fmt(secs), fmt(sep[0]), fmt(sep[1]), fmt(sep[2]),
        Integer.toString((int) sep[3]),
        fmt(spec.isSummary() ? Double.NaN // summaries weigh no memory
            : RetrievalQuality.rightMemoryRate(r, qs.targets())),
        noise};
    if (cfg.learnsKernels()) {
      row = java.util.Arrays.copyOf(row, row.length + 1);
      row[row.length - 1] = Integer.toString(kernelN);
    }
    return row;
  }

  /** The rows of one (noise, M, rule[, N of kernel_epochs]), one per trial. */
  private static List<String[]> select(List<String[]> rows, String noise, int m, String rule,
      String kernelN) {
    List<String[]> out = new ArrayList<>();
    for (String[] r : rows) {
      if (Integer.parseInt(r[0]) == m && r[2].equals(rule) && r[NOISE].equals(noise)
          && (kernelN == null || r[KERNEL_EPOCHS].equals(kernelN))) {
        out.add(r);
      }
    }
    return out;
  }

  static String fmt(double v) {
    return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.6g", v);
  }

  /**
   * {max cosine, min angle (degrees), Delta_min, rows measured} of the set, or NaNs when off:
   * exact up to separation_max rows, above it exact on the cluster when asked, else on a sample.
   */
  private static double[] separation(StudyConfig cfg, FloatMatrix mem, DistributedStore dist) {
    if (!cfg.separation || mem.rows() < 2) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN, 0};
    }
    if (dist != null && cfg.separationDistributed && mem.rows() > cfg.separationMax) {
      Separation s = new DistributedStudies(dist.blocks()).separation();
      return new double[] {s.maxCosine, s.minAngleDegrees(), s.minSeparation, mem.rows()};
    }
    FloatMatrix sample = mem;
    if (mem.rows() > cfg.separationMax) { // the sets are random: the first rows are a sample
      int n = cfg.separationMax;
      float[] d = java.util.Arrays.copyOf(mem.data(), n * mem.cols());
      sample = FloatMatrix.of("sample", d, n, mem.cols());
    }
    Separation s = Separation.of(sample, 0);
    return new double[] {s.maxCosine, s.minAngleDegrees(), s.minSeparation, sample.rows()};
  }

  private static FloatMatrix fashionMnist(StudyConfig cfg) {
    String dir = "/usr/share/datasets/fashion-mnist";
    int at = cfg.source.indexOf("path=");
    if (at >= 0) {
      dir = cfg.source.substring(at + 5).trim();
    }
    String file = dir.replaceAll("/+$", "") + "/train-images-idx3-ubyte.gz";
    if (!Locations.exists(file)) {
      throw new IllegalArgumentException(file + ": no such file (install Debian's "
          + "dataset-fashion-mnist: apt-get install dataset-fashion-mnist)");
    }
    try (ByteSource src = Locations.open(file)) {
      return Idx.readImages(src, "memories");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /** The memory set of one grid point and trial: synthetic, or a random subset of the images. */
  private static FloatMatrix memorySet(StudyConfig cfg, FloatMatrix images, int m, long seed) {
    if (images != null) {
      if (m > images.rows()) {
        throw new IllegalArgumentException("memories = " + m + " exceeds the "
            + images.rows() + " rows of the source");
      }
      int d = images.cols();
      int[] perm = new int[images.rows()];
      for (int i = 0; i < perm.length; i++) {
        perm[i] = i;
      }
      SplittableRandom rnd = new SplittableRandom(seed);
      float[] out = new float[m * d];
      for (int i = 0; i < m; i++) {
        int j = i + rnd.nextInt(perm.length - i);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        System.arraycopy(images.data(), perm[i] * d, out, i * d, d);
      }
      return FloatMatrix.of("memories", out, m, d);
    }
    return SyntheticMemories.fromSource(cfg.source, m, cfg.dim, seed);
  }

  private static void writeTsv(AtomicOutput output, StudyConfig cfg, String configPath,
      String[] argv, String store, List<String[]> rows) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# command = hopfield-store capacity ").append(String.join(" ", argv)).append('\n');
    sb.append("# config_file = ").append(configPath).append('\n');
    if (store != null) {
      sb.append("# store = ").append(store).append(" (the memory sets' rows; source unused)\n");
    }
    for (Map.Entry<String, String> e : cfg.raw.entrySet()) {
      sb.append("# ").append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
    }
    sb.append("M\ttrial\trule\tsuccess\tmean_error\tmean_support\tmean_steps\tseconds\t"
        + "max_cosine\tmin_angle_deg\tdelta_min\tseparation_sample\tright_memory\tnoise"
        + (cfg.learnsKernels() ? "\tkernel_epochs\n" : "\n"));
    for (String[] r : rows) {
      sb.append(String.join("\t", r)).append('\n');
    }
    writeText(output, "results.tsv", sb.toString());
  }

  /**
   * success.png, error.png (per rule) and separation.png: means over trials against M; with
   * several noises, success-NOISE.png and error-NOISE.png for each.
   */
  private static void plot(AtomicOutput dir, StudyConfig cfg, List<String[]> rows)
      throws IOException {
    List<Double> ms = new ArrayList<>();
    for (int m : cfg.memories) {
      ms.add((double) m);
    }
    int series = 0;
    for (StudyRule rule : cfg.rules) {
      series += epochsOf(cfg, rule).length;
    }
    for (org.hopfieldstore.core.data.Corruption noise : cfg.noises) {
      String suffix = cfg.noises.size() == 1 ? "" : "-" + noise.toString().replace(':', '-');
      XYChart success = chart(cfg.name + ": retrieval success (cosine distance <= "
          + cfg.cosineTolerance + ", " + noise + ")", "success rate", series);
      XYChart error = chart(cfg.name + ": mean retrieval error (" + noise + ")",
          "mean squared error", series);
      for (StudyRule rule : cfg.rules) {
        String n = noise.toString();
        for (int k : epochsOf(cfg, rule)) {
          String kernelN = cfg.learnsKernels() ? Integer.toString(k) : null;
          String name = label(rule) + (k == 0 ? "" : ", W after " + k + " steps");
          success.addSeries(name, ms, mean(rows, cfg, n, rule.label(), kernelN, 3));
          error.addSeries(name, ms, mean(rows, cfg, n, rule.label(), kernelN, 4));
        }
      }
      success.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
      writePng(dir, "success" + suffix + ".png", success);
      writePng(dir, "error" + suffix + ".png", error);
    }
    if (cfg.separation) {
      XYChart sep = chart(cfg.name + ": minimal pairwise angle of the memories",
          "min angle (degrees)", 0);
      sep.addSeries("memories", ms, mean(rows, cfg, cfg.noises.get(0).toString(),
          cfg.rules.get(0).label(), cfg.learnsKernels() ? "0" : null, 9));
      sep.getStyler().setLegendVisible(false);
      writePng(dir, "separation.png", sep);
    }
  }

  private static String label(StudyRule rule) {
    String s = rule.label();
    return s.replace(",steps=1", "").replace(",tol=0", "").replace(",solver=exact", "");
  }

  private static XYChart chart(String title, String yTitle, int series) {
    // the legend sits below the plot, one line a series: the plot keeps ~420 px whatever the count
    XYChart c = new XYChartBuilder().width(900).height(Math.max(560, 420 + 22 * series))
        .title(title)
        .xAxisTitle("number of memories M").yAxisTitle(yTitle).build();
    c.getStyler().setXAxisLogarithmic(true).setMarkerSize(7)
        .setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
    return c;
  }

  private static List<Double> mean(List<String[]> rows, StudyConfig cfg, String noise,
      String rule, String kernelN, int col) {
    List<Double> out = new ArrayList<>();
    for (int m : cfg.memories) {
      double s = 0;
      int n = 0;
      for (String[] r : select(rows, noise, m, rule, kernelN)) {
        if (!r[col].equals("nan")) {
          s += Double.parseDouble(r[col]);
          n++;
        }
      }
      out.add(n == 0 ? Double.NaN : s / n);
    }
    return out;
  }
}
