package org.hopfieldstore.core.kernel;

/**
 * A first-order optimiser of a flat parameter vector ({@link Adam}, {@link Sgd}). Its state is
 * a step count and a few vectors of the parameters' length, so that a checkpoint saves and
 * restores it exactly.
 */
public interface Optimiser {
  /** One update of {@code params} in place, descending {@code grad}. */
  void step(double[] params, double[] grad);

  /** Steps taken so far (what a learning-rate decay counts). */
  long steps();

  /** Sets the step count (a checkpoint's restore). */
  void setSteps(long steps);

  /** The state vectors, live (Adam: m, v; SGD: none): a restore copies into them. */
  double[][] state();
}
