package org.hopfieldstore.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.kernel.PairTerms;
import org.hopfieldstore.core.kernel.SeparationTerms;
import org.apache.hadoop.fs.FileSystem;
import org.hopfieldstore.core.io.Locations;
import org.hopfieldstore.spark.dist.DistributedStudies;
import org.hopfieldstore.spark.io.AtomicOutput;
import org.hopfieldstore.spark.io.HadoopLocations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.hopfieldstore.core.capacity.RetrievalQuality;
import org.hopfieldstore.core.capacity.Separation;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.io.NpyArray;
import org.hopfieldstore.core.kernel.KernelTraining;
import org.hopfieldstore.core.kernel.Optimiser;
import org.hopfieldstore.core.kernel.LinearFeatureMap;
import org.hopfieldstore.core.kernel.SeparationLoss;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalLoop;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;
import org.hopfieldstore.spark.dist.DistributedStore;
import org.hopfieldstore.spark.dist.MemoryFrames;
import org.hopfieldstore.spark.dist.SparkSetup;
import org.hopfieldstore.spark.store.MemoryStore;
import org.hopfieldstore.spark.store.StoreRef;
import org.hopfieldstore.spark.store.StoreVersion;

/**
 * {@code hopfield-store arrange}: learns the feature map W of the kernelized model (U-Hop Stage
 * I) that separates the stored memories on the sphere, in-process or on a Spark store, with
 * checkpoints and a before/after report.
 */
@Command(name = "arrange", sortOptions = false,
    header = "learn a feature map W that separates the memories (kernelized model)",
    description = {"Learns W (D x d, any D >= 1), and with --bias a bias b (D), minimising a "
        + "separation loss of the normalised images u = Phi(xi) / |Phi(xi)|, Phi(xi) = W xi + b "
        + "(b = 0 without --bias), of the memories: spherical (U-Hop+, (1/M) log mean "
        + "exp(<u,u'>/tau), tau 0.1 by default), uhop (log mean exp(-t |u-u'|^2), t 2) or "
        + "uhop-max (U-Hop's worst pair: log max exp(-t |u-u'|^2), only the closest pair "
        + "moves), plus LAMBDA times the mean of (|Phi(xi)|^2 - 1)^2 so that the linear kernel "
        + "<Phi(xi), Phi(x)> stays close to the cosine of the images (LAMBDA 0 by default for "
        + "spherical, 1 for the others). Adam (or SGD, --optimiser); with --negatives every "
        + "memory is paired with K negatives sampled afresh each epoch (seeded), so an epoch "
        + "costs M K D instead "
        + "of the M^2 D / 2 of all pairs (the default).",
        "Prints per epoch: loss, largest overlap among the pairs seen (its angle), time. At "
            + "the end: the minimal angle of the images (exact on up to 20,000 memories, else "
            + "on the first 20,000) and the retrieval success (cosine distance to the stored "
            + "memory <= 0.2) and the right-memory rate (largest weight on the stored memory) "
            + "on noisy copies of 256 memories, softmax at each --beta, for the plain model and "
            + "the learned kernel, linear and normalised.",
        "Retrieve with the learned kernel: --spec 'softmax:beta=16,kernel=W.npy', or with the "
            + "normalised feature map Phi(u) / |Phi(u)| (the images the losses separate): --spec "
            + "'softmax:beta=16,kernel=W.npy,kernel_map=normalized'. A map with a bias is "
            + "written as an .npz (weight.npy D x d, bias.npy D; numpy's np.load reads it) "
            + "whatever --out is called; a map without one is the .npy of W.", ""})
final class ArrangeCommand extends CommandBase {
  static final int ANGLE_SAMPLE = 20_000;
  static final int REPORT_QUERIES = 256;

  @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
  MemorySource source = new MemorySource();

  @Option(names = "--attach", description = {"with --store: attach the learned map to the store "
      + "(a new version; every memory gets its factor 1 / |W xi + b|, which appends keep up to "
      + "date), for retrieval with --spec '...,kernel=store[,kernel_map=normalized]'"})
  boolean attach;

  @Option(names = "--dim", required = true, paramLabel = "D",
      description = "feature dimension D >= 1 (D < d too, as in U-Hop+'s MNIST setting; "
          + "then --init identity is refused)")
  int big;

  @Option(names = "--epochs", required = true, paramLabel = "E", description = "epochs, >= 1")
  int epochs;

  @Option(names = "--out", required = true, paramLabel = "W.npy", description = "the learned "
      + "map: the .npy of W, or with a bias the .npz of W and b")
  String outPath;

  @Option(names = "--negatives", paramLabel = "K", defaultValue = "0",
      description = "sampled negatives per memory and epoch; 0 (default): every pair")
  int negatives;

  @Option(names = "--preset", paramLabel = "NAME", description = {"the optimiser settings of "
      + "a paper's code, as defaults that explicit options override:",
      "  uhop       U-Hop (MAGICS-LAB/UHop train_kernel): --loss uhop:2 --optimiser sgd --lr 1 "
          + "--decay --init gaussian:1 --norm-penalty 0 --bias false (its W is torch.randn(d, "
          + "d), no bias), every pair each step (its code "
          + "divides the running rate by sqrt(i+1) every step, i.e. 1/sqrt(i!); this takes the "
          + "schedule 1/sqrt(t+1))",
      "  uhop-max   U-Hop's Stage I runs (MAGICS-LAB/UHop train_kernel_max, "
          + "memory_retrieval_max_loss.py): --loss uhop-max:2 --optimiser sgd --lr 10 --no-decay "
          + "--init gaussian:1 --norm-penalty 0, every pair each step",
      "  uhop-plus  U-Hop+ (MAGICS-LAB/Optimal-Hopfield-Memory train_separation): --loss "
          + "spherical:0.1 --optimiser adam --lr 0.1 --init kaiming --batch 16 --norm-penalty 0 "
          + "--bias true (its FeatureMap is nn.Linear(d, D), whose bias is on by default)"})
  String preset;

  @Option(names = "--bias", arity = "1", paramLabel = "true|false", description = {"learn a "
      + "bias b too: Phi(u) = W u + b, as U-Hop+'s nn.Linear (default true with --preset "
      + "uhop-plus, false otherwise). b starts at zero, except with --init kaiming or "
      + "kaiming-uniform, which draw it as torch's nn.Linear does, U(-1/sqrt(d), 1/sqrt(d)) "
      + "(U-Hop+'s code re-initialises only the weight)"})
  Boolean biasOption;

  @Option(names = "--loss", paramLabel = "LOSS",
      description = "spherical[:TAU] (default), uhop[:T] or uhop-max[:T]")
  String lossText;

  @Option(names = "--tau-final", paramLabel = "TAU_END", description = {"spherical only: "
      + "lowers tau geometrically from TAU to TAU_END over the epochs: the smooth maximum then "
      + "tends to the largest overlap itself, the limit in which U-Hop+ reaches the optimal "
      + "spherical code (arXiv 2410.23126)"})
  Double tauFinal;

  @Option(names = "--optimiser", paramLabel = "OPT",
      description = "adam (default) or sgd (plain, no momentum)")
  String optimiserName;

  @Option(names = "--lr", paramLabel = "RATE", description = "learning rate (default 0.01)")
  Double lrOption;

  @Option(names = "--decay", negatable = true,
      description = "divide the learning rate by sqrt(step) (default off)")
  Boolean decayOption;

  @Option(names = "--batch", paramLabel = "B", description = {"mini-batches of B memories: "
      + "each epoch shuffles the memories (seeded) and takes one step per batch on the pairs "
      + "within it (a last batch of one memory has no pair and is skipped); runs on the driver. "
      + "0 (default): one step per epoch on all memories"})
  Integer batchOption;

  @Option(names = "--norm-penalty", paramLabel = "LAMBDA", description = "weight of the norm "
      + "penalty, >= 0 (default 0 for the spherical loss, as U-Hop+'s code has none and its "
      + "retrieval of interest is the normalised map, which ignores |W xi|; 1 for uhop and "
      + "uhop-max, whose linear kernel the image norms would otherwise dominate)")
  Double lambdaOption;

  @Option(names = "--init", paramLabel = "INIT", description = {
      "identity (default: the plain model; W = [I; 0] when D > d, refused when D < d), "
          + "gaussian[:SD] (N(0, SD^2), SD 1/sqrt(d) by default; U-Hop's code draws SD 1), "
          + "kaiming (He normal N(0, 2/d), U-Hop+'s code) or kaiming-uniform (U(-1/sqrt(d), "
          + "1/sqrt(d)), torch's nn.Linear default); random ones seeded by --seed"})
  String initOption;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "seed of the init, the negatives and the report (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--checkpoint", paramLabel = "DIR", description = "save W and the optimiser "
      + "state after every epoch; a rerun with the same DIR resumes from the last one")
  String checkpoint;

  @Option(names = "--noise", paramLabel = "KIND[,KIND...]", defaultValue = "gaussian:0.2",
      description = "corruptions of the report's queries (default ${DEFAULT-VALUE})")
  String noiseText;

  @Option(names = "--beta", paramLabel = "BETA[,BETA...]", defaultValue = "16",
      description = "softmax betas of the report (default ${DEFAULT-VALUE})")
  String betaText;

  @Option(names = "--overwrite", description = "replace an existing output")
  boolean overwrite;

  @Option(names = "--quiet", description = "no progress on the terminal")
  boolean quiet;

  @Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @Override
  void run() throws IOException {
    atLeast("--dim", big, 1);
    atLeast("--epochs", epochs, 1);
    atLeast("--negatives", negatives, 0);
    KernelTraining training = training(preset, lossText, optimiserName, lrOption,
        decayOption, batchOption, lambdaOption, initOption, biasOption);
    SeparationLoss loss = training.loss();
    String optimiser = training.optimiser();
    double lr = training.lr();
    boolean decay = training.decay();
    int batch = training.batch();
    String init = training.init();
    double lambda = training.lambda();
    boolean learnBias = training.bias();
    if (batch > 0 && negatives > 0) {
      throw new UsageException("--batch pairs the memories within each batch: it takes no "
          + "--negatives");
    }
    double tauFinal = this.tauFinal == null ? 0 : positive("--tau-final", this.tauFinal);
    if (tauFinal > 0 && loss.form() != SeparationLoss.Form.SPHERICAL) {
      throw new UsageException("--tau-final needs the spherical loss, got " + loss);
    }
    java.util.List<Corruption> noises = new java.util.ArrayList<>();
    for (String n : noiseText.split(",")) {
      noises.add(Corruption.parse(n.trim()));
    }
    java.util.List<Double> betas = new java.util.ArrayList<>();
    for (String b : betaText.split(",")) {
      betas.add(positive("--beta", b.trim()));
    }
    String master = sparkOptions.master();
    int partitions = sparkOptions.partitions();
    if (batch > 0 && master != null) {
      throw new UsageException("--batch runs on the driver (a step is B^2 D): drop --master, "
          + "or use --batch 0");
    }

    if (attach && !source.isStore()) {
      throw new UsageException("--attach needs --store: W is attached to the store it was "
          + "learned from");
    }
    // a store is read through Spark: the cluster's session, else local mode in this JVM
    SparkSession spark = master != null ? SparkSetup.session(master, "arrange")
        : source.isStore() ? SparkSetup.session("local[*]", "arrange") : null;
    try (AtomicOutput output = AtomicOutput.file(outPath, overwrite)) {
      StoreVersion version = source.isStore()
          ? StoreVersion.open(spark, StoreRef.parse(source.storeRef)) : null;
      String memPath = version != null ? version.ref().toString() : source.memPath;
      FloatMatrix mem = version != null
          ? MemoryFrames.toBlock(MemoryStore.memories(version), memPath).matrix()
          : MatrixReader.read(memPath, "memories");
      int m = mem.rows();
      int d = mem.cols();
      if (big < d && init.equals("identity")) {
        // [I; 0] does not exist for D < d; its first D rows would drop coordinates arbitrarily
        throw new IllegalArgumentException("--init identity needs D >= d (W = [I; 0]), got D="
            + big + " < d=" + d + "; start from a random map with --init gaussian");
      }
      if (negatives >= m) {
        throw new IllegalArgumentException("--negatives K=" + negatives + " must be below the "
            + "number of memories M=" + m);
      }
      if (m < 2) {
        throw new IllegalArgumentException("arrange needs at least 2 memories, got " + m);
      }
      double[] w = training.startingParameters(big, d, seed);
      Optimiser opt = training.newOptimiser(w.length);
      int first = 0;
      String fingerprint = String.format(Locale.ROOT, "memories=%s M=%d d=%d D=%d loss=%s "
          + "negatives=%d lr=%s decay=%b penalty=%s init=%s seed=%d tau-final=%s",
          memPath, m, d, big, loss, negatives, lr, decay, lambda,
          init, seed, tauFinal);
      if (!optimiser.equals("adam") || batch > 0) { // so that older Adam checkpoints resume
        fingerprint += String.format(Locale.ROOT, " optimiser=%s batch=%d", optimiser, batch);
      }
      if (learnBias) { // likewise: runs without a bias keep their fingerprint
        fingerprint += " bias=true";
      }
      if (checkpoint != null) {
        first = Checkpoints.restore(checkpoint, fingerprint, w, opt);
        if (first > 0 && !quiet) {
          err.println("arrange: resuming after epoch " + first + " from " + checkpoint);
        }
      }
      DistributedStore store = null;
      try {
        MemoryBlock block = MemoryBlock.of(mem);
        if (master != null) {
          JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
          int p = Math.min(m, partitions > 0 ? partitions : jsc.defaultParallelism());
          store = DistributedStore.fromMatrix(jsc, mem, p, StorageLevel.MEMORY_ONLY(), "nd4j");
        }
        long t0 = System.nanoTime();
        for (int epoch = first; epoch < epochs; epoch++) {
          long te = System.nanoTime();
          LinearFeatureMap map = LinearFeatureMap.ofParameters(w, big, d);
          MemoryBlock sample = negatives == 0 ? null : sample(mem, negatives, seed, epoch);
          SeparationLoss epochLoss = tauFinal > 0
              ? new SeparationLoss(loss.form(), annealed(loss.param(), tauFinal, epoch, epochs))
              : loss;
          PairTerms terms;
          double value;
          if (store == null || batch > 0) {
            EpochResult r = inProcessEpoch(training, epochLoss, opt, w, big, d, mem, block,
                sample, seed, epoch);
            terms = r.terms();
            value = r.value();
          } else {
            SeparationTerms.Epoch epochTerms = new DistributedStudies(store.blocks())
                .separationTerms(map, epochLoss, sample);
            terms = epochTerms.pairs;
            value = descend(opt, w, epochLoss, epochTerms, m, lambda);
          }
          if (checkpoint != null) {
            Checkpoints.save(checkpoint, fingerprint, epoch + 1, w, opt);
          }
          if (!quiet) {
            double now = (System.nanoTime() - t0) / 1e9;
            err.println(String.format(Locale.ROOT,
                "epoch %d/%d: %s loss %.6f, largest overlap %.4f (%.2f degrees) among %d pairs, "
                    + "%.2f s (%.1f s elapsed, ~%.1f s left)", epoch + 1, epochs, epochLoss, value,
                terms.maxCos, Math.toDegrees(Math.acos(Math.min(1, terms.maxCos))), terms.pairs,
                (System.nanoTime() - te) / 1e9, now,
                now / (epoch + 1 - first) * (epochs - epoch - 1)));
          }
        }
        LinearFeatureMap learned = LinearFeatureMap.ofParameters(w, big, d);
        try (java.io.OutputStream o = output.create()) {
          learned.write(o);
        }
        // the report: separation and retrieval with the plain model (the identity on d: the
        // kernel of [I; 0], defined for any D) and with the learned kernel
        Path before = Files.createTempFile("hopfield-identity-", ".npy");
        Path after = Files.createTempFile("hopfield-learned-", ".npy");
        try {
          LinearFeatureMap.identity(d).write(before);
          learned.write(after);
          StepFunction steps = store != null ? store : new LocalRetrievalEngine(block);
          java.util.List<String> lines = new java.util.ArrayList<>();
          for (double beta : betas) {
            RetrievalSpec spec = RetrievalSpec.softmax(beta, 1);
            RetrievalSpec[] specs = {spec.withKernel(before.toString()),
                spec.withKernel(after.toString()), spec.withKernel(after.toString(), true)};
            for (int i = 0; i < noises.size(); i++) {
              Corruption noise = noises.get(i);
              QuerySet qs = QuerySet.fromMemories(mem, Math.min(REPORT_QUERIES, m), noise,
                  seed + 7 + i);
              double[] success = new double[specs.length];
              double[] right = new double[specs.length];
              for (int k = 0; k < specs.length; k++) {
                RetrievalResult r = RetrievalLoop.run(steps, qs.queries(), specs[k], 1, false);
                success[k] = RetrievalQuality.of(mem, qs.targets(), r.states(), 0.2, false)
                    .successRate;
                right[k] = RetrievalQuality.rightMemoryRate(r, qs.targets());
              }
              lines.add(String.format(Locale.ROOT, "retrieval (softmax beta=%.4g, %s, %d "
                  + "queries): success %.4f -> %.4f linear, %.4f normalised; right memory %.4f "
                  + "-> %.4f linear, %.4f normalised", beta, noise, qs.queries().rows(),
                  success[0], success[1], success[2], right[0], right[1], right[2]));
            }
          }
          double a0 = minAngle(LinearFeatureMap.identity(d), mem);
          double a1 = minAngle(learned, mem);
          output.commit();
          out.println(String.format(Locale.ROOT, "arranged %d memories (d=%d) into D=%d%s with %s "
              + "in %d epochs (%.1f s); minimal angle %.3f -> %.3f degrees%s; wrote %s", m, d,
              big, learnBias ? " (with a bias)" : "", loss, epochs,
              (System.nanoTime() - t0) / 1e9, a0, a1, m > ANGLE_SAMPLE
                  ? " (first " + ANGLE_SAMPLE + " memories)" : "", outPath));
          lines.forEach(out::println);
          if (attach) {
            MemoryStore.Change c = MemoryStore.attachKernel(spark, version.ref().location(),
                learned, String.format(Locale.ROOT, "arrange --loss %s --dim %d --epochs %d "
                    + "--seed %d --bias %b", loss, big, epochs, seed, learnBias),
                version.version());
            out.println(String.format(Locale.ROOT, "attached W (%d x %d)%s to store %s: "
                + "version %d, row factors 1/|W xi%s| for its %d memories", big, d,
                learnBias ? " and b" : "", version.ref().location(), c.version(),
                learnBias ? " + b" : "", c.totalRows()));
          }
        } finally {
          Files.deleteIfExists(before);
          Files.deleteIfExists(after);
        }
      } finally {
        if (store != null) {
          store.close();
        }
      }
    }
  }

  /**
   * One optimiser step on the loss of {@code t} over {@code m} memories plus {@code lambda} times
   * the mean norm penalty; returns that objective's value before the step.
   */
  static double descend(Optimiser opt, double[] w, SeparationLoss loss, SeparationTerms.Epoch t,
      long m, double lambda) {
    double value = loss.loss(t.pairs, m) + lambda * t.penalty / m;
    double[] grad = loss.gradient(t.pairs, m); // W then b
    for (int i = 0; i < grad.length; i++) {
      grad[i] += lambda * t.penaltyGradient[i] / m;
    }
    // without a learned bias the parameters are W alone: b's gradient is dropped
    opt.step(w, grad.length == w.length ? grad : Arrays.copyOf(grad, w.length));
    return value;
  }

  /**
   * The settings of {@code arrange}'s options over its preset, as {@link KernelTraining#resolve}
   * checks them; a refusal names the option as the command line spells it.
   */
  static KernelTraining training(String preset, String loss, String optimiser, Double lr,
      Boolean decay, Integer batch, Double penalty, String init, Boolean bias) {
    try {
      return KernelTraining.resolve(preset, loss, optimiser, lr, decay, batch, penalty, init,
          bias);
    } catch (KernelTraining.Refusal e) {
      String flag = e.option.equals("penalty") ? "--norm-penalty" : "--" + e.option;
      throw new UsageException(flag + " " + e.value + ": " + e.problem);
    }
  }

  /** One epoch's objective (before its steps) and the pairs it saw. */
  record EpochResult(double value, PairTerms terms) {}

  /**
   * One in-process epoch on {@code mem} ({@code block}: the same rows as a block): one step on
   * every pair (or every memory against {@code sample}), or with a batch size U-Hop+'s loop, one
   * step per shuffled mini-batch on the pairs within it, reporting the batches' mean loss and
   * their largest overlap.
   */
  static EpochResult inProcessEpoch(KernelTraining t, SeparationLoss epochLoss, Optimiser opt,
      double[] w, int big, int d, FloatMatrix mem, MemoryBlock block, MemoryBlock sample,
      long seed, int epoch) {
    int m = mem.rows();
    LinearFeatureMap map = LinearFeatureMap.ofParameters(w, big, d);
    if (t.batch() == 0) {
      SeparationTerms.Epoch terms = terms(t, epochLoss, map, block, sample);
      return new EpochResult(descend(opt, w, epochLoss, terms, m, t.lambda()), terms.pairs);
    }
    PairTerms terms = new PairTerms(w.length);
    double value = 0;
    int steps = 0;
    int[] order = shuffled(m, seed, epoch);
    for (int from = 0; from + 1 < m; from += t.batch()) {
      int[] rows = Arrays.copyOfRange(order, from, Math.min(m, from + t.batch()));
      if (rows.length < 2) {
        break;
      }
      MemoryBlock part = rows(mem, rows);
      SeparationTerms.Epoch e = terms(t, epochLoss, map, part, null);
      value += descend(opt, w, epochLoss, e, rows.length, t.lambda());
      steps++;
      terms.pairs += e.pairs.pairs;
      terms.maxCos = Math.max(terms.maxCos, e.pairs.maxCos);
      map = LinearFeatureMap.ofParameters(w, big, d);
    }
    return new EpochResult(value / steps, terms);
  }

  /**
   * The terms of one in-process step; without a norm penalty (LAMBDA 0, U-Hop's presets) its
   * terms, which weigh nothing, are not computed (two of the five D x d GEMMs per memory).
   */
  private static SeparationTerms.Epoch terms(KernelTraining t, SeparationLoss loss,
      LinearFeatureMap map, MemoryBlock block, MemoryBlock sample) {
    if (t.lambda() == 0 && sample == null) {
      return new SeparationTerms.Epoch(loss.allPairs(map, block, 0),
          new org.hopfieldstore.core.aggregate.DoubleSums(1 + map.parameterCount()));
    }
    return SeparationTerms.Epoch.of(loss, map, block, sample);
  }

  /**
   * Learns W (D x d) on {@code mem} in-process, every pair (or batch) each epoch, from the init
   * seeded by {@code seed}, as {@code arrange} without a store, negatives or checkpoints: one
   * run to the largest of {@code epochs} (ascending, >= 1), handing W after each listed epoch
   * count to {@code snapshot} (a shorter run's W is the prefix of a longer one's).
   */
  static void train(KernelTraining t, FloatMatrix mem, int big, long seed, int[] epochs,
      java.util.function.BiConsumer<Integer, LinearFeatureMap> snapshot) {
    int d = mem.cols();
    if (mem.rows() < 2) {
      throw new IllegalArgumentException("learning W needs at least 2 memories, got "
          + mem.rows());
    }
    if (big < d && t.init().equals("identity")) {
      throw new IllegalArgumentException("init identity needs D >= d (W = [I; 0]), got D="
          + big + " < d=" + d);
    }
    double[] w = t.startingParameters(big, d, seed);
    Optimiser opt = t.newOptimiser(w.length);
    MemoryBlock block = MemoryBlock.of(mem);
    int next = 0;
    for (int epoch = 0; next < epochs.length; epoch++) {
      while (next < epochs.length && epochs[next] == epoch) {
        snapshot.accept(epoch, LinearFeatureMap.ofParameters(w.clone(), big, d));
        next++;
      }
      if (next < epochs.length) {
        inProcessEpoch(t, t.loss(), opt, w, big, d, mem, block, null, seed, epoch);
      }
    }
  }

  /** The memories' order in epoch e: a permutation seeded by (seed, e), as U-Hop+'s shuffle. */
  static int[] shuffled(int m, long seed, int epoch) {
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_033L + epoch);
    int[] order = new int[m];
    for (int i = 0; i < m; i++) {
      order[i] = i;
    }
    for (int i = m - 1; i > 0; i--) { // Fisher-Yates
      int j = rnd.nextInt(i + 1);
      int x = order[i];
      order[i] = order[j];
      order[j] = x;
    }
    return order;
  }

  /** tau of epoch e: geometric from {@code start} (first epoch) to {@code end} (last). */
  static double annealed(double start, double end, int epoch, int epochs) {
    return epochs == 1 ? end : start * Math.pow(end / start, epoch / (double) (epochs - 1));
  }

  /** K distinct memories drawn for one epoch, seeded by (seed, epoch): the negatives. */
  static MemoryBlock sample(FloatMatrix mem, int k, long seed, int epoch) {
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + epoch);
    return rows(mem, rnd.ints(0, mem.rows()).distinct().limit(k).sorted().toArray());
  }

  /** The given rows of mem as a block, each with its row number as id. */
  static MemoryBlock rows(FloatMatrix mem, int[] rows) {
    int k = rows.length;
    int d = mem.cols();
    float[] data = new float[k * d];
    long[] ids = new long[k];
    for (int i = 0; i < k; i++) {
      System.arraycopy(mem.data(), rows[i] * d, data, i * d, d);
      ids[i] = rows[i];
    }
    return MemoryBlock.withIds(data, ids, d);
  }

  static double minAngle(LinearFeatureMap map, FloatMatrix mem) {
    int n = Math.min(mem.rows(), ANGLE_SAMPLE);
    double[] v = map.images(Arrays.copyOf(mem.data(), n * mem.cols()), n);
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return Separation.of(FloatMatrix.of("images", f, n, map.outDim()), 0).minAngleDegrees();
  }

  /**
   * Checkpoints in a directory of any Hadoop filesystem: after epoch e, {@code epoch-e.npy}
   * (rows W and the optimiser's state vectors: Adam's m and v, none for SGD) and {@code
   * epoch-e.txt} (the run's fingerprint, e, the optimiser's step count), each written under a
   * temporary name and renamed, the text last; the two newest are kept.
   */
  static final class Checkpoints {
    private Checkpoints() {}

    private static FileSystem fs(String dir) throws IOException {
      return HadoopLocations.fileSystem(new org.apache.hadoop.fs.Path(dir),
          HadoopLocations.configuration());
    }

    private static void put(FileSystem fs, org.apache.hadoop.fs.Path dir, String name,
        byte[] bytes) throws IOException {
      org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(dir, "." + name + ".tmp");
      try (java.io.OutputStream o = fs.create(tmp, true)) {
        o.write(bytes);
      }
      org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(dir, name);
      fs.delete(to, false);
      if (!fs.rename(tmp, to)) {
        throw new IOException("cannot rename " + tmp + " to " + to);
      }
    }

    static void save(String dir, String fingerprint, int epoch, double[] w, Optimiser opt)
        throws IOException {
      String name = String.format(Locale.ROOT, "epoch-%06d", epoch);
      double[][] state = opt.state();
      double[] all = new double[(1 + state.length) * w.length];
      System.arraycopy(w, 0, all, 0, w.length);
      for (int k = 0; k < state.length; k++) {
        System.arraycopy(state[k], 0, all, (k + 1) * w.length, w.length);
      }
      FileSystem fs = fs(dir);
      org.apache.hadoop.fs.Path d = new org.apache.hadoop.fs.Path(dir);
      java.io.ByteArrayOutputStream npy = new java.io.ByteArrayOutputStream();
      Npy.writeFloat64(npy, all, 1 + state.length, w.length);
      put(fs, d, name + ".npy", npy.toByteArray());
      put(fs, d, name + ".txt", (fingerprint + "\n" + epoch + "\n" + opt.steps() + "\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      for (int old : epochs(dir)) {
        if (old < epoch - 1) {
          for (String ext : new String[] {".txt", ".npy"}) {
            fs.delete(new org.apache.hadoop.fs.Path(d,
                String.format(Locale.ROOT, "epoch-%06d", old) + ext), false);
          }
        }
      }
    }

    /** Loads the newest complete checkpoint into w and adam; returns its epoch, or 0. */
    static int restore(String dir, String fingerprint, double[] w, Optimiser opt)
        throws IOException {
      int[] all = epochs(dir);
      if (all.length == 0) {
        return 0;
      }
      int epoch = all[all.length - 1];
      String name = dir + "/" + String.format(Locale.ROOT, "epoch-%06d", epoch);
      String[] lines = String.join("\n", Locations.readLines(name + ".txt")).split("\n");
      if (!lines[0].equals(fingerprint)) {
        throw new IllegalArgumentException("checkpoint " + dir + " belongs to another run ("
            + lines[0] + "); use a new --checkpoint directory");
      }
      NpyArray arr = Npy.read(name + ".npy");
      double[][] state = opt.state();
      if (arr.shape()[0] != 1 + state.length || arr.shape()[1] != w.length) {
        throw new IllegalArgumentException("checkpoint " + name + ".npy has shape "
            + Arrays.toString(arr.shape()) + ", expected [" + (1 + state.length) + ", "
            + w.length + "]");
      }
      double[] v = arr.asDoubles();
      System.arraycopy(v, 0, w, 0, w.length);
      for (int k = 0; k < state.length; k++) {
        System.arraycopy(v, (k + 1) * w.length, state[k], 0, w.length);
      }
      opt.setSteps(Long.parseLong(lines[2].trim()));
      return epoch;
    }

    /** Epochs with a complete checkpoint (the text file is written last), ascending. */
    static int[] epochs(String dir) throws IOException {
      FileSystem fs = fs(dir);
      org.apache.hadoop.fs.Path d = new org.apache.hadoop.fs.Path(dir);
      if (!fs.exists(d)) {
        fs.mkdirs(d);
        return new int[0];
      }
      java.util.Set<String> names = new java.util.HashSet<>();
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(d)) {
        names.add(f.getPath().getName());
      }
      return names.stream().filter(n -> n.matches("epoch-\\d{6}\\.txt"))
          .filter(n -> names.contains(n.replace(".txt", ".npy")))
          .mapToInt(n -> Integer.parseInt(n.substring(6, 12))).sorted().toArray();
    }
  }
}
