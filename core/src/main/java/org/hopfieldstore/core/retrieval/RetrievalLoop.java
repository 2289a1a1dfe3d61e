package org.hopfieldstore.core.retrieval;

import java.util.Arrays;
import org.hopfieldstore.core.kernel.KernelStep;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.reduce.StepOutput;

/**
 * Multi-step retrieval {@code x_(t+1) = Xi^T normalize(beta Xi x_t)} for a batch of queries, over
 * any {@link StepFunction}. A query stops after {@code spec.steps()} updates, or as soon as an update
 * moves it by at most {@code spec.tol()} in max-norm when tol > 0 (the step that converged counts).
 * Converged queries leave the batch, so later steps only score the rest.
 */
public final class RetrievalLoop {
  /** Default number of reported top ids per query. */
  public static final int DEFAULT_REPORT = 10;

  private RetrievalLoop() {}

  /**
   * Runs retrieval. {@code trackEnergy} adds one scoring pass at the end for the energy of the
   * final states (rules with an energy only).
   */
  public static RetrievalResult run(StepFunction plainStore, FloatMatrix queries,
      RetrievalSpec spec, int report, boolean trackEnergy) {
    if (spec.kernel() == null) {
      return run(plainStore, null, queries, spec, report, trackEnergy);
    }
    // kernel space: the store scores G x; W is loaded here, once, on the driver
    try (KernelStep kernel = KernelStep.of(plainStore, spec)) {
      return run(kernel, kernel, queries, spec, report, trackEnergy);
    }
  }

  private static RetrievalResult run(StepFunction store, KernelStep kernel, FloatMatrix queries,
      RetrievalSpec spec, int report, boolean trackEnergy) {
    final int d = store.dim();
    if (queries.cols() != d) {
      throw new IllegalArgumentException("dimension mismatch: queries have dimension "
          + queries.cols() + " but memories have dimension " + d);
    }
    if (report < 1) {
      throw new IllegalArgumentException("report must be >= 1, got " + report);
    }
    final int batch = queries.rows();
    final boolean energy = trackEnergy && spec.hasEnergy();
    final Energy energyFn = new Energy(spec.beta(), spec.alpha(), store.memoryCount(),
        store.maxNorm());
    float[] states = queries.data().clone();
    int[] steps = new int[batch];
    double[][] energies = new double[batch][];
    int[] energyCount = new int[batch];
    for (int b = 0; b < batch; b++) {
      energies[b] = new double[energy ? spec.steps() + 1 : 0];
    }
    long[][] supIds = new long[batch][];
    double[][] supW = new double[batch][];
    long[] supSize = new long[batch];

    int[] active = new int[batch];
    for (int b = 0; b < batch; b++) {
      active[b] = b;
    }
    int nActive = batch;
    float[] work = new float[batch * d];
    for (int t = 0; t < spec.steps() && nActive > 0; t++) {
      for (int i = 0; i < nActive; i++) {
        System.arraycopy(states, active[i] * d, work, i * d, d);
      }
      StepOutput out = store.step(work, nActive, spec, report, true);
      int kept = 0;
      for (int i = 0; i < nActive; i++) {
        int b = active[i];
        if (energy) {
          energies[b][energyCount[b]++] = kernel == null
              ? energyFn.of(out.conjugate[i], work, i * d, d)
              : energyFn.ofQuadratic(out.conjugate[i], kernel.quadratic(work, i * d));
        }
        double moved = 0;
        for (int c = 0; c < d; c++) {
          float nv = out.states[i * d + c];
          moved = Math.max(moved, Math.abs(nv - states[b * d + c]));
          states[b * d + c] = nv;
        }
        steps[b]++;
        supIds[b] = out.supportIds[i];
        supW[b] = out.supportWeights[i];
        supSize[b] = out.supportSize[i];
        if (!(spec.tol() > 0 && moved <= spec.tol())) {
          active[kept++] = b;
        }
      }
      nActive = kept;
    }
    if (energy) {
      StepOutput last = store.step(states, batch, spec, report, false);
      for (int b = 0; b < batch; b++) {
        energies[b][energyCount[b]++] = kernel == null
            ? energyFn.of(last.conjugate[b], states, b * d, d)
            : energyFn.ofQuadratic(last.conjugate[b], kernel.quadratic(states, b * d));
        energies[b] = Arrays.copyOf(energies[b], energyCount[b]);
      }
    }
    // summary models (linear, prf) have no per-memory weights to report
    int width = spec.isSummary() ? 0 : (int) Math.min(report, store.memoryCount());
    long[][] topIds = new long[batch][];
    float[][] topW = new float[batch][];
    for (int b = 0; b < batch; b++) {
      fillTop(store, supIds[b], supW[b], width, b, topIds, topW);
    }
    return new RetrievalResult(spec, FloatMatrix.of("states", states, batch, d), steps, energies,
        supIds, supW, supSize, topIds, topW);
  }

  /** The best {@code width} of the support, then the lowest ids outside it with weight 0. */
  private static void fillTop(StepFunction store, long[] ids, double[] w, int width, int b,
      long[][] topIds, float[][] topW) {
    long[] outIds = new long[width];
    float[] outW = new float[width];
    int n = Math.min(width, ids.length);
    for (int r = 0; r < n; r++) {
      outIds[r] = ids[r];
      outW[r] = (float) w[r];
    }
    if (n < width) {
      long[] support = Arrays.copyOf(ids, ids.length);
      Arrays.sort(support);
      long[] lowest = store.lowestIds((int) Math.min(store.memoryCount(),
          (long) width + ids.length));
      for (int i = 0; i < lowest.length && n < width; i++) {
        if (Arrays.binarySearch(support, lowest[i]) < 0) {
          outIds[n++] = lowest[i];
        }
      }
    }
    topIds[b] = outIds;
    topW[b] = outW;
  }
}
