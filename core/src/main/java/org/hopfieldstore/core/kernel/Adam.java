package org.hopfieldstore.core.kernel;

/**
 * Adam (Kingma and Ba 2015) on a flat parameter vector, with an optional {@code 1/sqrt(epoch+1)}
 * learning-rate decay (U-Hop's schedule; its code uses it with {@link Sgd}). Its state (moments,
 * step count) is public so that a checkpoint can save and restore it exactly.
 */
public final class Adam extends Optimiser {
  public final double beta1 = 0.9;
  public final double beta2 = 0.999;
  public final double eps = 1e-8;
  public final double[] m;
  public final double[] v;

  public Adam(int size, double lr, boolean sqrtDecay) {
    super("Adam", size, lr, sqrtDecay);
    this.m = new double[size];
    this.v = new double[size];
  }

  @Override
  protected void update(double[] params, double[] grad, double rate, long step) {
    double c1 = 1 - Math.pow(beta1, step);
    double c2 = 1 - Math.pow(beta2, step);
    for (int i = 0; i < params.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
      v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
      params[i] -= rate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
    }
  }

  @Override
  public double[][] state() {
    return new double[][] {m, v};
  }
}
