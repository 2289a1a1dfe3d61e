package org.hopfieldstore.core.kernel;

/**
 * Plain stochastic gradient descent, {@code w -= rate * g}, with an optional {@code
 * 1/sqrt(step)} learning-rate decay (step 1, 2, ...: U-Hop's schedule 1/sqrt(t+1) for t from 0).
 * No momentum: U-Hop's code (MAGICS-LAB/UHop, {@code train_kernel}) uses none.
 */
public final class Sgd implements Optimiser {
  public final double lr;
  public final boolean sqrtDecay;
  private final int size;
  private long t;

  public Sgd(int size, double lr, boolean sqrtDecay) {
    if (!(lr > 0) || !Double.isFinite(lr)) {
      throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
    }
    this.lr = lr;
    this.sqrtDecay = sqrtDecay;
    this.size = size;
  }

  @Override
  public void step(double[] params, double[] grad) {
    if (grad.length != params.length || params.length != size) {
      throw new IllegalArgumentException("SGD: " + params.length + " parameters, "
          + grad.length + " gradients, sized for " + size);
    }
    t++;
    double rate = sqrtDecay ? lr / Math.sqrt(t) : lr;
    for (int i = 0; i < params.length; i++) {
      params[i] -= rate * grad[i];
    }
  }

  @Override
  public long steps() {
    return t;
  }

  @Override
  public void setSteps(long steps) {
    t = steps;
  }

  @Override
  public double[][] state() {
    return new double[0][];
  }
}
