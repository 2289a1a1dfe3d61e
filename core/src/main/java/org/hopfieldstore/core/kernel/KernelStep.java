package org.hopfieldstore.core.kernel;

import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepFunction;

/**
 * A retrieval step in kernel space, {@code x' = Xi^T p(beta K(Xi, x))} (U-Hop, arXiv 2404.03827,
 * the kernelized update), for the affine feature map {@code Phi(u) = W u + b} (b = 0: the linear
 * map) in two kernels, with {@code G = W^T W} and {@code c(x) = b^T W x + |b|^2}:
 * <ul>
 *   <li>linear, {@code K(xi, x) = <Phi xi, Phi x> = <xi, G x + W^T b> + c(x)}: the store scores
 *       the transformed states {@code G x + W^T b} and combines its ordinary memory rows (c(x)
 *       is the same for every memory, which no rule's weights see), so any store (one block
 *       in-process, or the Spark store) runs it unchanged and executors never see W;
 *   <li>normalised, {@code K(xi, x) = <Phi xi, Phi x> / (|Phi xi| |Phi x|)} (the images on the
 *       unit sphere of the spherical-code paper, arXiv 2410.23126): the states become {@code (G
 *       x + W^T b) / |Phi x|}, each with the score offset {@code c(x) / |Phi x|}, and the store
 *       scores with per-memory factors {@code 1 / |Phi xi|} ({@link StepFunction#withRowScales}),
 *       computed once where the memories live.
 * </ul>
 */
public final class KernelStep implements StepFunction, AutoCloseable {
  private final StepFunction store;
  private final KernelSpace space;
  private final boolean normalized;
  private final int d;

  /** The linear feature map's kernel. */
  public KernelStep(StepFunction store, LinearFeatureMap map) {
    this(store, map, false);
  }

  private KernelStep(StepFunction store, LinearFeatureMap map, boolean normalized) {
    if (map.inDim() != store.dim()) {
      throw new IllegalArgumentException("dimension mismatch: the kernel maps d=" + map.inDim()
          + " but memories have dimension " + store.dim());
    }
    this.store = normalized ? store.withRowScales(map.inverseImageNorms()) : store;
    this.space = new KernelSpace(map, normalized);
    this.normalized = normalized;
    this.d = store.dim();
  }

  /**
   * The normalised feature map's kernel over {@code store}: derives a store that scores with
   * {@code 1 / |W xi|} per memory (a pass over the memories, no copy of their rows).
   */
  public static KernelStep normalized(StepFunction store, LinearFeatureMap map) {
    return new KernelStep(store, map, true);
  }

  /**
   * The spec value {@code kernel=store}: the feature map attached to a store, which the store's
   * reader resolves to its location before retrieval.
   */
  public static final String STORE_KERNEL = "store";

  /** The kernel step a spec asks for ({@code kernel=PATH[,kernel_map=normalized]}). */
  public static KernelStep of(StepFunction store, RetrievalSpec spec) {
    if (STORE_KERNEL.equals(spec.kernel())) {
      throw new IllegalArgumentException("kernel=store names the feature map attached to a "
          + "store: retrieve from it with --store STORE[@VERSION]");
    }
    LinearFeatureMap map = LinearFeatureMap.read(spec.kernel());
    return spec.kernelNormalized() ? normalized(store, map) : new KernelStep(store, map);
  }

  public boolean isNormalized() {
    return normalized;
  }

  /** The kernel space this step scores in (serializable: it travels to executors). */
  public KernelSpace space() {
    return space;
  }

  /** The store the transformed states are scored against (row-scaled for the normalised map). */
  public StepFunction scorer() {
    return store;
  }

  /**
   * {@code G x + W^T b} (or that over {@code |W x + b|}) for each of {@code batch} row-major
   * states.
   */
  public float[] transform(float[] states, int batch) {
    return space.transform(states, batch);
  }

  /** {@code K(x, x)}: {@code |W x + b|^2}, or 1 for the normalised map. */
  public double quadratic(float[] states, int offset) {
    return space.quadratic(states, offset);
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
      boolean wantStates, long[] queryKeys) {
    return store.step(transform(states, batch), space.offsets(states, batch), batch, spec,
        report, wantStates, queryKeys);
  }

  @Override
  public long[] lowestIds(int n) {
    return store.lowestIds(n);
  }

  /** Releases the store derived for the normalised map (e.g. its cached Spark blocks). */
  @Override
  public void close() {
    if (normalized && store instanceof AutoCloseable) {
      try {
        ((AutoCloseable) store).close();
      } catch (Exception e) {
        throw new IllegalStateException("could not release the normalised-kernel store", e);
      }
    }
  }
}
