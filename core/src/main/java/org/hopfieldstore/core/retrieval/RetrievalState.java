package org.hopfieldstore.core.retrieval;

import java.io.Serializable;
import java.util.Arrays;
import org.hopfieldstore.core.kernel.KernelSpace;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.reduce.MemoryMask;
import org.hopfieldstore.core.reduce.StepOutput;

/**
 * Multi-step retrieval of one batch of queries as a state that steps are applied to, wherever
 * the steps are computed: {@link RetrievalLoop} drives it against a store in one process, the
 * distributed query plan keeps one per query block on the executors. A query stops after {@code
 * spec.steps()} updates, or as soon as an update moves it by at most {@code spec.tol()} in
 * max-norm when tol > 0 (the step that converged counts); converged queries leave the batch, so
 * later steps only score the rest. With the energy tracked, one more scoring pass gives the
 * energy of the final states.
 */
public final class RetrievalState implements Serializable {
  private static final long serialVersionUID = 1L;

  private final RetrievalSpec spec;
  private final int batch;
  private final int d;
  private final int report;
  private final boolean energy;
  private final Energy energyFn;
  private final long memoryCount;
  private final KernelSpace kernel;
  private final long[] queryIds;
  private final float[] states;
  private final int[] steps;
  private final double[][] energies;
  private final int[] energyCount;
  private final long[][] supIds;
  private final double[][] supW;
  private final long[] supSize;
  private int[] active;
  private int nActive;
  private int taken;
  private boolean energyDone;

  /**
   * @param kernel the kernel space of a {@code kernel=W} spec (its transform of the states and
   *     its quadratic term), or null
   */
  public RetrievalState(FloatMatrix queries, RetrievalSpec spec, int report, boolean trackEnergy,
      long memoryCount, double maxNorm, KernelSpace kernel) {
    this(queries, null, spec, report, trackEnergy, memoryCount, maxNorm, kernel);
  }

  /**
   * As above, for queries with ids {@code queryIds} (one per row; null: the row numbers), from
   * which the rules that draw per query (masked) draw.
   */
  public RetrievalState(FloatMatrix queries, long[] queryIds, RetrievalSpec spec, int report,
      boolean trackEnergy, long memoryCount, double maxNorm, KernelSpace kernel) {
    if (report < 1) {
      throw new IllegalArgumentException("report must be >= 1, got " + report);
    }
    this.spec = spec;
    this.batch = queries.rows();
    this.d = queries.cols();
    this.report = report;
    this.energy = trackEnergy && spec.hasEnergy();
    this.energyFn = new Energy(spec.beta(), spec.alpha(), memoryCount, maxNorm);
    this.memoryCount = memoryCount;
    this.kernel = kernel;
    if (queryIds != null && queryIds.length != queries.rows()) {
      throw new IllegalArgumentException(queryIds.length + " query ids for " + queries.rows()
          + " queries");
    }
    this.queryIds = queryIds;
    this.states = queries.data().clone();
    this.steps = new int[batch];
    this.energies = new double[batch][];
    this.energyCount = new int[batch];
    for (int b = 0; b < batch; b++) {
      // grown as steps are taken: steps is a cap (steps=100000000,tol=0.1 stops early), and
      // steps + 1 wraps at Integer.MAX_VALUE
      energies[b] = new double[energy ? (int) Math.min(spec.steps() + 1L, 16) : 0];
    }
    this.supIds = new long[batch][];
    this.supW = new double[batch][];
    this.supSize = new long[batch];
    this.active = new int[batch];
    for (int b = 0; b < batch; b++) {
      active[b] = b;
    }
    this.nActive = batch;
  }

  private RetrievalState(RetrievalState o) {
    this.spec = o.spec;
    this.batch = o.batch;
    this.d = o.d;
    this.report = o.report;
    this.energy = o.energy;
    this.energyFn = o.energyFn;
    this.memoryCount = o.memoryCount;
    this.kernel = o.kernel;
    this.queryIds = o.queryIds;
    this.states = o.states.clone();
    this.steps = o.steps.clone();
    this.energies = new double[batch][];
    for (int b = 0; b < batch; b++) {
      energies[b] = o.energies[b].clone();
    }
    this.energyCount = o.energyCount.clone();
    this.supIds = o.supIds.clone(); // rows are replaced, never written into
    this.supW = o.supW.clone();
    this.supSize = o.supSize.clone();
    this.active = o.active.clone();
    this.nActive = o.nActive;
    this.taken = o.taken;
    this.energyDone = o.energyDone;
  }

  /** An independent copy (a distributed plan must not change a state that Spark cached). */
  public RetrievalState copy() {
    return new RetrievalState(this);
  }

  /** Number of memories of the store this state retrieves from. */
  public long memoryCount() {
    return memoryCount;
  }

  /** Number of queries in the batch. */
  public int batch() {
    return batch;
  }

  /** Number of queries the next step updates (0: the updates are done). */
  public int activeCount() {
    return taken < spec.steps() ? nActive : 0;
  }

  /** Whether one more scoring pass is owed for the energy of the final states. */
  public boolean wantsEnergyPass() {
    return energy && activeCount() == 0 && !energyDone;
  }

  /** The states the next update scores (in kernel space for a kernel spec), row-major. */
  public float[] workStates() {
    float[] work = new float[nActive * d];
    for (int i = 0; i < nActive; i++) {
      System.arraycopy(states, active[i] * d, work, i * d, d);
    }
    return kernel == null ? work : kernel.transform(work, nActive);
  }

  /**
   * The per-query score offsets of the {@link #workStates} (the normalised affine kernel's, see
   * {@link KernelSpace#offsets}), or null when the scores take none.
   */
  public float[] workOffsets() {
    if (kernel == null || !kernel.hasBias()) {
      return null;
    }
    float[] work = new float[nActive * d];
    for (int i = 0; i < nActive; i++) {
      System.arraycopy(states, active[i] * d, work, i * d, d);
    }
    return kernel.offsets(work, nActive);
  }

  /** The score offsets of the {@link #energyStates}, or null. */
  public float[] energyOffsets() {
    return kernel == null || !kernel.hasBias() ? null : kernel.offsets(states, batch);
  }

  /**
   * The keys of the next update of the {@link #workStates}' queries (their ids and how many
   * updates each has had), or null when the rule draws nothing per query.
   */
  public long[] workQueryKeys() {
    if (!spec.rule().needsQueryKeys(spec)) {
      return null;
    }
    long[] keys = new long[nActive];
    for (int i = 0; i < nActive; i++) {
      keys[i] = keyOf(active[i]);
    }
    return keys;
  }

  /** The keys of the energy pass's rows (every query, at its next update), or null. */
  public long[] energyQueryKeys() {
    if (!spec.rule().needsQueryKeys(spec)) {
      return null;
    }
    long[] keys = new long[batch];
    for (int b = 0; b < batch; b++) {
      keys[b] = keyOf(b);
    }
    return keys;
  }

  private long keyOf(int b) {
    return MemoryMask.queryKey(spec.seed(), queryIds == null ? b : queryIds[b], steps[b]);
  }

  /** The final states as scored for the energy pass. */
  public float[] energyStates() {
    return kernel == null ? states.clone() : kernel.transform(states, batch);
  }

  /** Applies one update of the {@link #workStates}; converged queries leave the batch. */
  public void applyStep(StepOutput out) {
    float[] work = new float[nActive * d];
    for (int i = 0; i < nActive; i++) {
      System.arraycopy(states, active[i] * d, work, i * d, d);
    }
    int kept = 0;
    for (int i = 0; i < nActive; i++) {
      int b = active[i];
      if (energy) {
        addEnergy(b, energyOf(out.conjugate[i], work, i * d));
      }
      // nothing took part (a per-query mask kept no memory): the query stays, unconverged
      boolean none = out.supportSize[i] == 0;
      double moved = 0;
      for (int c = 0; c < d && !none; c++) {
        float nv = out.states[i * d + c];
        moved = Math.max(moved, Math.abs(nv - states[b * d + c]));
        states[b * d + c] = nv;
      }
      steps[b]++;
      supIds[b] = out.supportIds[i];
      supW[b] = out.supportWeights[i];
      supSize[b] = out.supportSize[i];
      if (none || !(spec.tol() > 0 && moved <= spec.tol())) {
        active[kept++] = b;
      }
    }
    nActive = kept;
    taken++;
  }

  /** Applies the energy pass (a step of the {@link #energyStates}, weights only). */
  public void applyEnergy(StepOutput last) {
    for (int b = 0; b < batch; b++) {
      addEnergy(b, energyOf(last.conjugate[b], states, b * d));
      energies[b] = Arrays.copyOf(energies[b], energyCount[b]);
    }
    energyDone = true;
  }

  private void addEnergy(int b, double e) {
    if (energyCount[b] == energies[b].length) {
      energies[b] = Arrays.copyOf(energies[b], (int) Math.min(Integer.MAX_VALUE - 8L,
          2L * energies[b].length + 1));
    }
    energies[b][energyCount[b]++] = e;
  }

  private double energyOf(double conjugate, float[] x, int offset) {
    // the scores left out c(x) (the affine map's per-query constant): Psi*(z + c) = Psi*(z) + c
    return kernel == null ? energyFn.of(conjugate, x, offset, d)
        : energyFn.ofQuadratic(conjugate + spec.beta() * kernel.scoreShift(x, offset),
            kernel.quadratic(x, offset));
  }

  /** Top ids reported per query: none for the summary rules, else {@code min(report, M)}. */
  public int reportWidth(long memoryCount) {
    return spec.isSummary() ? 0 : (int) Math.min(report, memoryCount);
  }

  /** How many of the store's lowest ids {@link #result} may need to fill the top lists. */
  public int lowestIdsNeeded(long memoryCount) {
    int width = reportWidth(memoryCount);
    int most = 0;
    for (int b = 0; b < batch; b++) {
      if (supIds[b] != null && supIds[b].length < width) {
        most = Math.max(most, width + supIds[b].length);
      }
    }
    return (int) Math.min(memoryCount, most);
  }

  /**
   * The result: final states, steps, energies, supports, and per query the best {@code width}
   * of its support, then the lowest ids outside it with weight 0 ({@code lowest}: the store's
   * {@link #lowestIdsNeeded} smallest ids, ascending).
   */
  public RetrievalResult result(long memoryCount, long[] lowest) {
    int width = reportWidth(memoryCount);
    long[][] topIds = new long[batch][];
    float[][] topW = new float[batch][];
    for (int b = 0; b < batch; b++) {
      long[] ids = supIds[b] == null ? new long[0] : supIds[b];
      double[] w = supW[b] == null ? new double[0] : supW[b];
      long[] outIds = new long[width];
      float[] outW = new float[width];
      int n = Math.min(width, ids.length);
      for (int r = 0; r < n; r++) {
        outIds[r] = ids[r];
        outW[r] = (float) w[r];
      }
      if (n < width) {
        long[] support = ids.clone();
        Arrays.sort(support);
        for (int i = 0; i < lowest.length && n < width; i++) {
          if (Arrays.binarySearch(support, lowest[i]) < 0) {
            outIds[n++] = lowest[i];
          }
        }
      }
      topIds[b] = outIds;
      topW[b] = outW;
    }
    return new RetrievalResult(spec, FloatMatrix.of("states", states.clone(), batch, d), steps,
        energies, supIds, supW, supSize, topIds, topW);
  }
}
