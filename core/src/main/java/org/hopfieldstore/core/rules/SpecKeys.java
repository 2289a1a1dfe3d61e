package org.hopfieldstore.core.rules;

/** The keys more than one rule takes; a rule's own keys may also live in its class. */
public final class SpecKeys {
  private SpecKeys() {}

  public static final SpecKey<Double> BETA = SpecKey.real("beta", 1.0, x -> x > 0 && x <= Float.MAX_VALUE,
      "0 < beta <= 3.4e38 (scores are float32)",
      "inverse temperature scaling the scores");
  public static final SpecKey<Integer> STEPS = SpecKey.integer("steps", 1, x -> x >= 1,
      "steps >= 1", "maximum number of updates");
  public static final SpecKey<Double> TOL = SpecKey.real("tol", 0.0, x -> x >= 0, "tol >= 0",
      "a query stops once an update moves it by at most tol (max-norm); 0 runs exactly steps "
          + "updates");
  public static final SpecKey<String> SOLVER = SpecKey.choice("solver",
      "threshold solver: exact (selection + Michelot for sparsemax, sort for alpha = 1.5, "
          + "bisection otherwise) or bisect (always bisection)", "exact", "bisect");
  public static final SpecKey<Long> SEED = SpecKey.anyLong("seed", 0L,
      "seed of the random mask (masked) or of the random projection (prf)");
  public static final SpecKey<String> SCORE = SpecKey.choice("score",
      "what a memory scores before the rule normalises: dot (beta <x, xi>), euclidean "
          + "(-beta |x - xi|_2, not squared, as in U-Hop) or manhattan (-beta |x - xi|_1); the "
          + "distances report no energy and take no kernel", "dot", "euclidean", "manhattan")
      .omittedAtDefault();
  public static final SpecKey<String> KERNEL = SpecKey.path("kernel",
      p -> !p.isEmpty() && !p.contains(",") && !p.contains("="),
      "a path to a D x d .npy, or an .npz of W and b (no ',' or '=')",
      "a saved feature map Phi(u) = W u + b (W: a D x d .npy; with a bias b, the .npz that "
          + "arrange --bias writes): retrieval scores with <Phi xi, Phi x>")
      .withParamName("kernelPath");
  public static final SpecKey<String> KERNEL_MAP = SpecKey.choice("kernel_map",
      "with kernel: linear (scores <Phi xi, Phi x>) or normalized (the cosine of the images, "
          + "Phi u / |Phi u|)", "linear", "normalized").omittedAtDefault();
}
