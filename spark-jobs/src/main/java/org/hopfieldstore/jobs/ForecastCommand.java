package org.hopfieldstore.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.io.CsvSeries;
import org.hopfieldstore.core.models.Forecaster;
import org.hopfieldstore.core.models.Forecasting;
import org.hopfieldstore.core.models.MemoryPlugin;
import org.hopfieldstore.core.models.MemoryPlugins;
import org.hopfieldstore.core.models.PlugAndPlayMemory;
import org.hopfieldstore.core.models.StanHopEncoderDecoder;
import org.hopfieldstore.core.models.StanHopNet;
import org.hopfieldstore.core.models.TuneAndPlayMemory;
import org.hopfieldstore.core.models.WindowMeanForecaster;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.BlockRetrieval;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.SparkSetup;
import org.hopfieldstore.spark.io.AtomicOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * {@code hopfield-store forecast}: STanHop-Net, its dense (softmax) variant and two naive
 * baselines on a CSV of multivariate series, each without memory and with the paper's external
 * memory plug-ins inside the blocks, Plug-and-Play and Tune-and-Play (in-process or served by a
 * Spark store); the earlier output blending is kept as a named baseline.
 */
@Command(name = "forecast", sortOptions = false,
    header = "STanHop-Net vs dense Hopfield vs naive forecasts, with memory plug-ins",
    description = {"Reads one column per series from CSV (header row; --columns picks them, "
        + "default every all-numeric column), splits it 70/10/20 in time, standardises each "
        + "series with the training part, scores two baselines (seasonal naive, the last value "
        + "repeated), and trains STanHop-Net (GSH layers, learnable alpha starting at 1.5) and "
        + "its dense variant (alpha fixed at 1: softmax) with Adam and early stopping on the "
        + "validation part.",
        "--memory adds the external memory plug-ins of the paper (arXiv 2312.17346, Sec. 3.3): "
            + "every block's input representations of the memory windows (the training part's "
            + "lookback windows, or every window of --memory-data) form that block's memory "
            + "set, and each block retrieves from it with a GSH layer, z + GSH(z, Y). pnp "
            + "(Plug-and-Play) uses the block's pretrained temporal projections and trains "
            + "nothing; tnp (Tune-and-Play) then tunes the plug-ins' projections and alpha "
            + "(--plugin-epochs) with the network frozen, the retrieval served by the store "
            + "(query-side projection) and the gradients taken from the returned supports. "
            + "blend adds the output-blending baseline (retrieved futures mixed into the "
            + "forecast with --memory-gate; its tuned variant fits a per-horizon gate and map "
            + "in --tune-steps). With --master every memory is a Spark store: the same answers.",
        "Prints per epoch and a table of test MSE and MAE (standardised scale); --out DIR "
            + "writes results.tsv, mse.png and the table, atomically.", ""})
final class ForecastCommand extends CommandBase {
  @Option(names = "--data", required = true, paramLabel = "CSV", description = "the series")
  String data;

  @Option(names = "--lookback", required = true, paramLabel = "L",
      description = "window length the models see, >= 2")
  int lookback;

  @Option(names = "--horizon", required = true, paramLabel = "H",
      description = "steps forecast, >= 1")
  int horizon;

  @Option(names = "--columns", paramLabel = "A,B,...", split = ",",
      description = "the series' columns (default: every all-numeric column)")
  List<String> columnList;

  @Option(names = "--patch", paramLabel = "P", description = "patch length (default L/4)")
  Integer patchOption;

  @Option(names = "--d-model", paramLabel = "D", defaultValue = "16",
      description = "model width (default ${DEFAULT-VALUE})")
  int dModel;

  @Option(names = "--levels", paramLabel = "N", defaultValue = "2",
      description = "resolutions (default ${DEFAULT-VALUE})")
  int levels;

  @Option(names = "--beta", paramLabel = "B", defaultValue = "1",
      description = "the GSH layers' beta (default ${DEFAULT-VALUE})")
  double beta;

  @Option(names = "--epochs", paramLabel = "E", defaultValue = "30",
      description = "most epochs (default ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--patience", paramLabel = "K", defaultValue = "5",
      description = "epochs without validation gain before stopping (default ${DEFAULT-VALUE})")
  int patience;

  @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.005",
      description = "Adam's learning rate (default ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--season", paramLabel = "S",
      description = "the seasonal-naive baseline's period, <= L (default H)")
  Integer seasonOption;

  @Option(names = "--memory", paramLabel = "M[,M...]", defaultValue = "none,pnp,tnp",
      split = ",", description = "memory variants evaluated per model: none, pnp, tnp, blend "
          + "(default ${DEFAULT-VALUE})")
  List<String> memoryModes;

  @Option(names = "--memory-data", paramLabel = "CSV", description = "the external memory's "
      + "series (the same columns; standardised like --data); default: the training part")
  String memoryData;

  @Option(names = "--focus", paramLabel = "A:B[,A:B...]", split = ",", description = "also "
      + "report MSE and MAE over the test windows whose horizon overlaps rows A to B-1 of "
      + "--data (0-based, the first data row is 0), such as an event's")
  List<String> focusRanges;

  @Option(names = "--plugin-epochs", paramLabel = "E", defaultValue = "10",
      description = "Tune-and-Play epochs of the plug-ins (default ${DEFAULT-VALUE})")
  int pluginEpochs;

  @Option(names = "--memory-gate", paramLabel = "G", defaultValue = "0.5",
      description = "blend baseline: weight of the retrieved future, in (0, 1] (default "
          + "${DEFAULT-VALUE})")
  double gate;

  @Option(names = "--memory-spec", paramLabel = "SPEC", defaultValue = "entmax:alpha=1.5,beta=4",
      description = "blend baseline: retrieval from the window memory (default "
          + "${DEFAULT-VALUE})")
  String memorySpecText;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "seed of the initialisation (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--tune-steps", paramLabel = "N", defaultValue = "300",
      description = "blend baseline: tuning Adam steps (default ${DEFAULT-VALUE})")
  int tuneSteps;

  @Option(names = "--block", paramLabel = "BLOCK[,BLOCK...]", defaultValue = "compact",
      split = ",", description = {"the networks trained, one or several of: compact (default; "
          + "residual GSH layers, patches averaged between levels, a linear head), full (the "
          + "paper's full block: layer norms, feed-forward sublayers, router vectors in the "
          + "cross-series stage), encoder-decoder (STanHop-Net as its official code: positional "
          + "embedding, full blocks with coarse-graining by concatenation, a decoder merging "
          + "every resolution), both (compact and full)"})
  List<String> blocks;

  @Option(names = "--window", paramLabel = "W", defaultValue = "2",
      description = "encoder-decoder: segments merged by each coarse-graining, >= 2 (default "
          + "${DEFAULT-VALUE})")
  int window;

  @Option(names = "--heads", paramLabel = "H", defaultValue = "1",
      description = "encoder-decoder: heads of every GSH layer, dividing --d-model (default "
          + "${DEFAULT-VALUE})")
  int heads;

  @Option(names = "--routers", paramLabel = "R", defaultValue = "4",
      description = "router vectors of the full block (default ${DEFAULT-VALUE})")
  int routers;

  @Option(names = "--window-mean", description = "add each series' lookback mean to the "
      + "networks' forecasts, which then predict the departure from the window's level (the "
      + "official code's baseline=True)")
  boolean windowMean;

  @Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @Option(names = "--out", paramLabel = "DIR", description = "write results.tsv, table.md, "
      + "mse.png")
  String outDir;

  @Option(names = "--overwrite", description = "replace an existing DIR")
  boolean overwrite;

  @Option(names = "--quiet", description = "no progress on the terminal")
  boolean quiet;

  @Override
  void run() throws IOException {
    atLeast("--lookback", lookback, 2);
    atLeast("--horizon", horizon, 1);
    atLeast("--levels", levels, 1);
    int patch = patchOption == null ? Math.max(1, lookback / 4) : atLeast("--patch",
        patchOption, 1);
    atLeast("--d-model", dModel, 1);
    atLeast("--epochs", epochs, 1);
    atLeast("--patience", patience, 1);
    atLeast("--plugin-epochs", pluginEpochs, 1);
    int season = seasonOption == null ? horizon : atLeast("--season", seasonOption, 1);
    positive("--beta", beta);
    positive("--lr", lr);
    positive("--memory-gate", gate);
    if (gate > 1) {
      throw new UsageException("--memory-gate must be in (0, 1], got " + gate);
    }
    RetrievalSpec memorySpec = RetrievalSpec.parse(memorySpecText);
    atLeast("--tune-steps", tuneSteps, 1);
    atLeast("--routers", routers, 1);
    List<String> modes = new ArrayList<>();
    for (String m : memoryModes) {
      String name = m.trim();
      if (!List.of("none", "pnp", "tnp", "blend").contains(name)) {
        throw new UsageException("--memory must be none, pnp, tnp or blend (or several, "
            + "separated by ','), got '" + m + "'");
      }
      if (!modes.contains(name)) {
        modes.add(name);
      }
    }
    List<String> architectures = new ArrayList<>();
    for (String b : blocks) {
      String name = b.trim();
      if (!List.of("compact", "full", "encoder-decoder", "both").contains(name)) {
        throw new UsageException("--block must be compact, full, encoder-decoder or both (or "
            + "several, separated by ','), got '" + b + "'");
      }
      for (String a : name.equals("both") ? List.of("compact", "full") : List.of(name)) {
        if (!architectures.contains(a)) {
          architectures.add(a);
        }
      }
    }
    atLeast("--window", window, 2);
    atLeast("--heads", heads, 1);
    if (dModel % heads != 0) {
      throw new UsageException("--heads " + heads + " must divide --d-model " + dModel);
    }
    String master = sparkOptions.master;
    int partitions = sparkOptions.partitions();
    if (season > lookback) {
      throw new IllegalArgumentException("--season " + season + " is longer than the lookback "
          + lookback);
    }
    boolean plugins = modes.contains("pnp") || modes.contains("tnp");
    AtomicOutput output = outDir != null ? AtomicOutput.directory(outDir, overwrite) : null;
    SparkSession spark = null;
    List<DistributedStore> distributed = new ArrayList<>();
    try {
      List<String> columns = columnList;
      CsvSeries csv = CsvSeries.read(data, columns);
      double[][] s = csv.values;
      int n = csv.length();
      int[] split = Forecasting.split(n);
      if (lookback + horizon > n - split[1]) {
        throw new IllegalArgumentException("lookback " + lookback + " + horizon " + horizon
            + " is longer than the test part (" + (n - split[1]) + " of " + n + " rows)");
      }
      double[][] external = null;
      if (memoryData != null) {
        CsvSeries mem = CsvSeries.read(memoryData, csv.names);
        external = mem.values;
        if (mem.length() < lookback + horizon) {
          throw new IllegalArgumentException(memoryData + ": " + mem.length() + " rows, fewer "
              + "than lookback " + lookback + " + horizon " + horizon);
        }
        Forecasting.standardiseLike(external, s, split[0]);
      }
      IntPredicate focused = focusRanges == null ? null : focus(focusRanges, n, horizon);
      if (focused != null && IntStream.rangeClosed(Math.max(split[1], lookback), n - horizon)
          .noneMatch(focused)) {
        throw new IllegalArgumentException("--focus " + String.join(",", focusRanges)
            + ": no test window's horizon overlaps it (the test part is rows " + split[1]
            + " to " + (n - 1) + ")");
      }
      Function<Forecasting.Model, double[]> score = m -> {
        double[] all = Forecasting.evaluate(m, s, split[1], n, lookback, horizon);
        if (focused == null) {
          return all;
        }
        double[] f = Forecasting.evaluate(m, s, split[1], n, lookback, horizon, focused);
        return new double[] {all[0], all[1], f[0], f[1]};
      };
      Forecasting.standardise(s, split[0]);
      int c = s.length;
      if (!quiet) {
        err.println(String.format(Locale.ROOT, "forecast: %d series (%s), %d steps; train "
            + "%d, validation %d, test %d", c, String.join(", ", csv.names), n, split[0],
            split[1] - split[0], n - split[1]));
      }
      if (master != null) {
        spark = SparkSetup.session(master, "forecast");
      }
      JavaSparkContext jsc = spark == null ? null
          : JavaSparkContext.fromSparkContext(spark.sparkContext());
      java.util.function.Function<FloatMatrix, BlockRetrieval> storeOf = m -> {
        if (jsc == null) {
          return new LocalRetrievalEngine(MemoryBlock.of(m));
        }
        int p = Math.min(m.rows(), partitions > 0 ? partitions : jsc.defaultParallelism());
        DistributedStore d = DistributedStore.fromMatrix(jsc, m, p, StorageLevel.MEMORY_ONLY(),
            "nd4j");
        distributed.add(d);
        return d;
      };
      String where = master == null ? "an in-process store" : "a Spark store (" + master + ")";
      PlugAndPlayMemory blend = null;
      if (modes.contains("blend")) {
        // the baseline's memory: windows [lookback ; future] of every series
        FloatMatrix windows = external != null
            ? PlugAndPlayMemory.windows(external, 0, external[0].length, lookback, horizon)
            : PlugAndPlayMemory.windows(s, 0, split[0], lookback, horizon);
        blend = new PlugAndPlayMemory(storeOf.apply(windows), lookback, horizon, memorySpec,
            gate);
        if (!quiet) {
          err.println(String.format(Locale.ROOT, "blend baseline memory: %d windows in %s",
              windows.rows(), where));
        }
      }
      int shared = distributed.size(); // the blend baseline's store lives for the whole run
      List<double[]> memoryWindows = !plugins ? List.of() : external != null
          ? MemoryPlugins.windows(external, 0, external[0].length, lookback)
          : MemoryPlugins.windows(s, 0, split[0], lookback);
      List<String[]> rows = new ArrayList<>();
      Forecasting.Model naive = Forecasting.seasonalNaive(c, lookback, horizon, season);
      rows.add(row("seasonal-naive (season " + season + ")", "none",
          score.apply(naive), 0));
      rows.add(row("last-value naive", "none",
          score.apply(Forecasting.seasonalNaive(c, lookback, horizon, 1)), 0));
      for (int variant = 0; variant < 2 * architectures.size(); variant++) {
        String architecture = architectures.get(variant / 2);
        boolean dense = variant % 2 == 1;
        Forecaster network = architecture.equals("encoder-decoder")
            ? new StanHopEncoderDecoder(c, lookback, patch, dModel, horizon, levels, window,
                routers, heads, beta, 1.5, dense, seed)
            : architecture.equals("full")
            ? StanHopNet.full(c, lookback, patch, dModel, horizon, levels, beta, 1.5, routers,
                dense, seed)
            : dense ? StanHopNet.dense(c, lookback, patch, dModel, horizon, levels, beta, seed)
            : new StanHopNet(c, lookback, patch, dModel, horizon, levels, beta, 1.5, seed);
        Forecaster net = windowMean ? new WindowMeanForecaster(network) : network;
        String name = (dense ? "dense Hopfield (softmax)" : "STanHop-Net (GSH)")
            + (architecture.equals("compact") ? "" : ", " + (architecture.equals("full")
                ? "full block" : "encoder-decoder")) + (windowMean ? ", + window mean" : "");
        if (!quiet) {
          err.println("== training " + name);
        }
        int ran = Forecasting.train(net, s, split[0], split[1], epochs, patience, lr,
            quiet ? null : err);
        if (!dense && !quiet) {
          err.println(String.format(Locale.ROOT, "learned alpha: %.3f (temporal, level 1)",
              net.gshLayers().get(0).alpha()));
        }
        if (modes.contains("none")) {
          rows.add(row(name, "none", score.apply(net::forward), ran));
        }
        if (blend != null) {
          PlugAndPlayMemory memory = blend;
          rows.add(row(name, BLEND_PNP, score.apply(x -> memory.apply(net.forward(x), x, c)),
              ran));
          TuneAndPlayMemory tuned = new TuneAndPlayMemory(memory, horizon);
          double[] fit = tuned.tune(net::forward, s, split[0], split[1], lookback, tuneSteps,
              0.05);
          if (!quiet) {
            err.println(String.format(Locale.ROOT, "blend baseline, tuned: validation mse "
                + "%.4f -> %.4f in %d steps, gate of step 1 %.3f", fit[0], fit[1], tuneSteps,
                tuned.gate(0)));
          }
          rows.add(row(name, BLEND_TNP, score.apply(x -> tuned.apply(net.forward(x), x, c)),
              ran));
        }
        if (plugins) {
          long start = System.nanoTime();
          double[][] sets = MemoryPlugins.memorySets(net, memoryWindows, quiet ? null : err);
          List<MemoryPlugin> attached = MemoryPlugins.attach(net, sets,
              (k, m) -> storeOf.apply(m));
          if (!quiet) {
            StringBuilder sizes = new StringBuilder();
            for (MemoryPlugin p : attached) {
              sizes.append(sizes.length() == 0 ? "" : ", ").append(p.memoryCount());
            }
            err.println(String.format(Locale.ROOT, "plug-ins: %d blocks, memory sets of %s "
                + "representations (%d windows) in %s, built in %.1f s", attached.size(),
                sizes, memoryWindows.size(), attached.get(0).isServed() ? where
                    : "memory (softmax: every memory is in the support)",
                (System.nanoTime() - start) / 1e9));
          }
          if (modes.contains("pnp")) {
            rows.add(row(name, PLUGIN_PNP, score.apply(net::forward), ran));
          }
          if (modes.contains("tnp")) {
            if (!quiet) {
              err.println("== Tune-and-Play: the plug-ins of " + name);
            }
            int tunedEpochs = Forecasting.train(MemoryPlugins.tuning(net), s, split[0],
                split[1], pluginEpochs, patience, lr, quiet ? null : err);
            rows.add(row(name, PLUGIN_TNP, score.apply(net::forward), ran + tunedEpochs));
            if (!quiet) {
              StringBuilder alphas = new StringBuilder();
              long steps = 0;
              long fetched = 0;
              for (MemoryPlugin p : attached) {
                alphas.append(alphas.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%.3f", p.layer.alpha()));
                steps += p.storeTraffic()[0];
                fetched += p.storeTraffic()[1];
              }
              err.println(String.format(Locale.ROOT, "Tune-and-Play: plug-in alpha %s; %d "
                  + "store retrievals, %d support rows fetched for gradients", alphas, steps,
                  fetched));
            }
          }
          MemoryPlugins.detach(net);
          List<DistributedStore> perModel = distributed.subList(shared, distributed.size());
          perModel.forEach(DistributedStore::close);
          perModel.clear();
        }
      }
      String focusHead = focused == null ? "" : " focus MSE | focus MAE |";
      StringBuilder table = new StringBuilder("| model | memory | test MSE | test MAE |"
          + focusHead + " epochs |\n|---|---|---|---|" + (focused == null ? "" : "---|---|")
          + "---|\n");
      for (String[] r : rows) {
        table.append("| ").append(String.join(" | ", r)).append(" |\n");
      }
      out.print(table);
      if (output != null) {
        StringBuilder tsv = new StringBuilder("# command = hopfield-store forecast "
            + String.join(" ", argv()) + "\n# series = " + String.join(",", csv.names)
            + (focused == null ? "" : "\n# focus = " + String.join(",", focusRanges))
            + "\nmodel\tmemory\ttest_mse\ttest_mae" + (focused == null ? ""
                : "\tfocus_mse\tfocus_mae") + "\tepochs\n");
        for (String[] r : rows) {
          tsv.append(String.join("\t", r)).append('\n');
        }
        writeText(output, "results.tsv", tsv.toString());
        writeText(output, "table.md", table.toString());
        System.setProperty("java.awt.headless", "true");
        CategoryChart chart = new CategoryChartBuilder().width(800).height(420)
            .title("Test MSE, " + data.substring(data.lastIndexOf('/') + 1) + ", lookback "
                + lookback + ", horizon "
                + horizon).yAxisTitle("MSE (standardised)").build();
        List<String> models = new ArrayList<>();
        for (String[] r : rows) {
          String model = r[0].replaceAll(" \\([^)]*\\)$", "");
          if (!models.contains(model)) {
            models.add(model);
          }
        }
        List<String> memories = new ArrayList<>();
        for (String[] r : rows) {
          if (!memories.contains(r[1])) {
            memories.add(r[1]);
          }
        }
        for (String mem : memories) {
          List<Number> mse = new ArrayList<>();
          for (String model : models) {
            double v = 0;
            for (String[] r : rows) {
              if (r[0].replaceAll(" \\([^)]*\\)$", "").equals(model) && r[1].equals(mem)) {
                v = Double.parseDouble(r[2]);
              }
            }
            mse.add(v);
          }
          chart.addSeries(mem.equals("none") ? "without memory" : mem, models, mse);
        }
        writePng(output, "mse.png", chart);
        output.commit();
        out.println("wrote " + outDir);
      }
    } finally {
      for (DistributedStore d : distributed) {
        d.close();
      }
      if (spark != null) {
        spark.stop();
      }
      if (output != null) {
        output.close();
      }
    }
  }

  static final String PLUGIN_PNP = "plug-in, Plug-and-Play";
  static final String PLUGIN_TNP = "plug-in, Tune-and-Play";
  static final String BLEND_PNP = "output blend (baseline)";
  static final String BLEND_TNP = "output blend, tuned (baseline)";

  /** The row of a model: its name, memory, every error in {@code err}, epochs. */
  private static String[] row(String model, String memory, double[] err, int epochs) {
    String[] r = new String[err.length + 3];
    r[0] = model;
    r[1] = memory;
    for (int i = 0; i < err.length; i++) {
      r[i + 2] = String.format(Locale.ROOT, "%.4f", err[i]);
    }
    r[r.length - 1] = Integer.toString(epochs);
    return r;
  }

  /** Which windows (by first target step t) have a horizon overlapping a --focus range. */
  static IntPredicate focus(List<String> ranges, int n, int horizon) {
    List<int[]> parsed = new ArrayList<>();
    for (String text : ranges) {
      String[] ab = text.trim().split(":", -1);
      int a;
      int b;
      try {
        if (ab.length != 2) {
          throw new NumberFormatException();
        }
        a = Integer.parseInt(ab[0].trim());
        b = Integer.parseInt(ab[1].trim());
      } catch (NumberFormatException e) {
        throw new UsageException("--focus takes ranges A:B of data rows, got '" + text + "'");
      }
      if (a < 0 || b <= a || b > n) {
        throw new UsageException("--focus " + text + ": need 0 <= A < B <= " + n
            + " (the data's rows)");
      }
      parsed.add(new int[] {a, b});
    }
    return t -> {
      for (int[] r : parsed) {
        if (t < r[1] && t + horizon > r[0]) {
          return true;
        }
      }
      return false;
    };
  }
}
