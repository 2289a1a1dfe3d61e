package org.hopfieldstore.core.kernel;

/**
 * Plain stochastic gradient descent, {@code w -= rate * g}, with an optional {@code
 * 1/sqrt(step)} learning-rate decay (step 1, 2, ...: U-Hop's schedule 1/sqrt(t+1) for t from 0).
 * No momentum: U-Hop's code (MAGICS-LAB/UHop, {@code train_kernel}) uses none.
 */
public final class Sgd extends Optimiser {
  public Sgd(int size, double lr, boolean sqrtDecay) {
    super("SGD", size, lr, sqrtDecay);
  }

  @Override
  protected void update(double[] params, double[] grad, double rate, long step) {
    for (int i = 0; i < params.length; i++) {
      params[i] -= rate * grad[i];
    }
  }

  @Override
  public double[][] state() {
    return new double[0][];
  }
}
