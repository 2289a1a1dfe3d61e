package org.hopfieldstore.core.kernel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The settings of one run that learns a feature map W (U-Hop's Stage I, U-Hop+): resolved from a
 * preset and the options that override it (null: the preset's, else the plain default), checked
 * once for {@code arrange} and for a capacity study's {@code kernel_train}.
 *
 * <p>The presets follow the official code: {@code uhop} (SGD, lr 1 / sqrt(t + 1), N(0, 1) init),
 * {@code uhop-max} ({@code train_kernel_max}: the worst pair, SGD lr 10, no decay) and {@code
 * uhop-plus} (spherical loss tau 0.1, Adam lr 0.1, mini-batches of 16 memories, Kaiming init, a
 * bias).
 */
public record KernelTraining(SeparationLoss loss, String optimiser, double lr, boolean decay,
    int batch, double lambda, String init, boolean bias) {

  /** A refused setting: the option (as a study names it), the value given and the problem. */
  public static final class Refusal extends IllegalArgumentException {
    public final String option;
    public final String value;
    public final String problem;

    Refusal(String option, Object value, String problem) {
      super(option + "=" + value + ": " + problem);
      this.option = option;
      this.value = String.valueOf(value);
      this.problem = problem;
    }
  }

  /** A preset's defaults; a null penalty: the loss's default. */
  record Preset(String loss, String optimiser, double lr, boolean decay, String init, int batch,
      Double penalty, boolean bias) {
    static Preset of(String name) {
      if (name == null) {
        return new Preset("spherical", "adam", 0.01, false, "identity", 0, null, false);
      }
      switch (name) {
        case "uhop":
          return new Preset("uhop:2", "sgd", 1, true, "gaussian:1", 0, 0.0, false);
        case "uhop-max":
          return new Preset("uhop-max:2", "sgd", 10, false, "gaussian:1", 0, 0.0, false);
        case "uhop-plus":
          return new Preset("spherical:0.1", "adam", 0.1, false, "kaiming", 16, 0.0, true);
        default:
          throw new Refusal("preset", name, "must be uhop, uhop-max or uhop-plus");
      }
    }
  }

  /**
   * Resolves and checks the settings; a bad value throws a {@link Refusal} naming it (a bad loss
   * the loss parser's message).
   */
  public static KernelTraining resolve(String preset, String loss, String optimiser, Double lr,
      Boolean decay, Integer batch, Double penalty, String init, Boolean bias) {
    Preset defaults = Preset.of(preset);
    SeparationLoss l = SeparationLoss.parse(loss != null ? loss : defaults.loss);
    String opt = optimiser != null ? optimiser : defaults.optimiser;
    if (!opt.equals("adam") && !opt.equals("sgd")) {
      throw new Refusal("optimiser", opt, "must be adam or sgd");
    }
    double rate = lr != null ? lr : defaults.lr;
    if (!(rate > 0) || !Double.isFinite(rate)) {
      throw new Refusal("lr", rate, "must be > 0");
    }
    int b = batch != null ? batch : defaults.batch;
    if (b < 0) {
      throw new Refusal("batch", b, "must be >= 0 (0: every pair)");
    }
    if (b == 1) {
      throw new Refusal("batch", b, "has no pairs: use B >= 2, or 0 for every pair");
    }
    double lambda = penalty != null ? penalty
        : defaults.penalty != null ? defaults.penalty
        : l.form() == SeparationLoss.Form.SPHERICAL ? 0 : 1;
    if (!(lambda >= 0) || !Double.isFinite(lambda)) {
      throw new Refusal("penalty", lambda, "must be >= 0");
    }
    String in = init != null ? init : defaults.init;
    initial(in, 1, 1, 0); // a bad init fails before any memory is read
    return new KernelTraining(l, opt, rate, decay != null ? decay : defaults.decay, b, lambda, in,
        bias != null ? bias : defaults.bias);
  }

  /**
   * The starting parameters of a D x d map ({@code big} = D), seeded by {@code seed}: W of the
   * init (D x d row-major), then b when the bias is learned.
   */
  public double[] startingParameters(int big, int d, long seed) {
    double[] w = initial(init, big, d, seed).weights();
    return bias ? parameters(w, initialBias(init, big, d, seed)) : w.clone();
  }

  /** A fresh optimiser of {@code size} parameters. */
  public Optimiser newOptimiser(int size) {
    return optimiser.equals("sgd") ? new Sgd(size, lr, decay) : new Adam(size, lr, decay);
  }

  /** W then b, the parameter vector of a map with a learned bias. */
  public static double[] parameters(double[] w, double[] b) {
    double[] p = Arrays.copyOf(w, w.length + b.length);
    System.arraycopy(b, 0, p, w.length, b.length);
    return p;
  }

  /**
   * The starting b of a learned bias: torch's {@code nn.Linear} bias init, U(-1/sqrt(d),
   * 1/sqrt(d)), with the kaiming inits (U-Hop+'s FeatureMap re-initialises only the weight, so
   * its bias keeps that draw); zero otherwise (identity: the plain model's kernel).
   */
  public static double[] initialBias(String init, int big, int d, long seed) {
    if (!init.equals("kaiming") && !init.equals("kaiming-uniform")) {
      return new double[big];
    }
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_037L + 11);
    double bound = 1 / Math.sqrt(d);
    double[] b = new double[big];
    for (int i = 0; i < big; i++) {
      b[i] = rnd.nextDouble(-bound, bound);
    }
    return b;
  }

  /**
   * The starting W that {@code init} names (random ones seeded by {@code seed}); null for the
   * identity with D < d, which the caller refuses with the dimensions.
   */
  public static LinearFeatureMap initial(String init, int big, int d, long seed) {
    switch (init) {
      case "identity":
        return big >= d ? paddedIdentity(big, d) : null;
      case "kaiming":
        return LinearFeatureMap.kaimingNormal(big, d, seed);
      case "kaiming-uniform":
        return LinearFeatureMap.kaimingUniform(big, d, seed);
      case "gaussian":
        return LinearFeatureMap.gaussian(big, d, seed);
      default:
        if (init.startsWith("gaussian:")) {
          double sd;
          try {
            sd = Double.parseDouble(init.substring("gaussian:".length()));
          } catch (NumberFormatException e) {
            sd = Double.NaN;
          }
          if (sd > 0 && Double.isFinite(sd)) {
            return LinearFeatureMap.gaussian(big, d, sd, seed);
          }
        }
        throw new Refusal("init", init, "must be identity, gaussian[:SD] (SD > 0), kaiming or "
            + "kaiming-uniform");
    }
  }

  /** {@code [I; 0]}: the plain model's kernel in D >= d dimensions (the identity init). */
  public static LinearFeatureMap paddedIdentity(int big, int d) {
    double[] w = new double[big * d];
    for (int i = 0; i < d; i++) {
      w[i * d + i] = 1;
    }
    return new LinearFeatureMap(w, big, d);
  }
}
