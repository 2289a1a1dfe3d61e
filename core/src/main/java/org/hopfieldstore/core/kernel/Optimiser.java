package org.hopfieldstore.core.kernel;

/**
 * A first-order optimiser of a flat parameter vector ({@link Adam}, {@link Sgd}) with an
 * optional {@code 1/sqrt(step)} learning-rate decay (step 1, 2, ...). Its state is a step count
 * and a few vectors of the parameters' length, so that a checkpoint saves and restores it
 * exactly.
 */
public abstract class Optimiser {
  public final double lr;
  public final boolean sqrtDecay;
  private final String name;
  private final int size;
  private long t;

  protected Optimiser(String name, int size, double lr, boolean sqrtDecay) {
    if (!(lr > 0) || !Double.isFinite(lr)) {
      throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
    }
    this.name = name;
    this.size = size;
    this.lr = lr;
    this.sqrtDecay = sqrtDecay;
  }

  /** One update of {@code params} in place, descending {@code grad}. */
  public final void step(double[] params, double[] grad) {
    if (grad.length != params.length || params.length != size) {
      throw new IllegalArgumentException(name + ": " + params.length + " parameters, "
          + grad.length + " gradients, sized for " + size);
    }
    t++;
    update(params, grad, sqrtDecay ? lr / Math.sqrt(t) : lr, t);
  }

  /** The update of step {@code step} (from 1) at learning rate {@code rate}. */
  protected abstract void update(double[] params, double[] grad, double rate, long step);

  /** Steps taken so far (what a learning-rate decay counts). */
  public final long steps() {
    return t;
  }

  /** Sets the step count (a checkpoint's restore). */
  public final void setSteps(long steps) {
    t = steps;
  }

  /** The state vectors, live (Adam: m, v; SGD: none): a restore copies into them. */
  public abstract double[][] state();
}
