package org.hopfieldstore.core.kernel;

import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;

/**
 * A retrieval step in kernel space, {@code x' = Xi^T p(beta K(Xi, x))} with {@code K(xi, x) =
 * <W xi, W x> = <xi, G x>} (U-Hop, arXiv 2404.03827, the kernelized update): the store scores
 * the transformed states {@code G x} and combines its ordinary memory rows, so any store (one
 * block in-process, or the Spark store) runs it unchanged and executors never see W.
 */
public final class KernelStep implements StepFunction {
  private final StepFunction store;
  private final double[] gram;
  private final int d;

  public KernelStep(StepFunction store, LinearFeatureMap map) {
    if (map.inDim() != store.dim()) {
      throw new IllegalArgumentException("dimension mismatch: the kernel maps d=" + map.inDim()
          + " but memories have dimension " + store.dim());
    }
    this.store = store;
    this.gram = map.gram();
    this.d = store.dim();
  }

  /** {@code G x} for each of {@code batch} row-major states. */
  public float[] transform(float[] states, int batch) {
    float[] out = new float[batch * d];
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < d; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += gram[i * d + j] * states[b * d + j];
        }
        out[b * d + i] = (float) s;
      }
    }
    return out;
  }

  /** {@code <x, G x>} of row {@code offset / d} of states. */
  public double quadratic(float[] states, int offset) {
    double s = 0;
    for (int i = 0; i < d; i++) {
      double gi = 0;
      for (int j = 0; j < d; j++) {
        gi += gram[i * d + j] * states[offset + j];
      }
      s += states[offset + i] * gi;
    }
    return s;
  }

  @Override
  public long memoryCount() {
    return store.memoryCount();
  }

  @Override
  public int dim() {
    return d;
  }

  @Override
  public double maxNorm() {
    return store.maxNorm();
  }

  @Override
  public StepOutput step(float[] states, int batch, RetrievalSpec spec, int report,
      boolean wantStates) {
    return store.step(transform(states, batch), batch, spec, report, wantStates);
  }

  @Override
  public long[] lowestIds(int n) {
    return store.lowestIds(n);
  }
}
