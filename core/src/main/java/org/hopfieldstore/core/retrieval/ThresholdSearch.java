package org.hopfieldstore.core.retrieval;

import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.reduce.SupportPartial;
import org.hopfieldstore.core.reduce.ThresholdRound;
import org.hopfieldstore.core.reduce.ThresholdWeights;

/**
 * A sparse step whose supports are too wide to ship as candidates, solved with passes whose
 * traffic does not grow with the number of memories: rounds of per-query power sums above a
 * guess ({@link ThresholdRound}) move each guess up to the exact threshold, then one weighted-sum
 * pass ({@link ThresholdWeights}) forms the states.
 *
 * <p>The mass {@code f(t) = sum_i (y_i - t)_+^k}, {@code k = 1/(alpha-1)}, is convex and
 * decreasing, so from a lower bound of the threshold a Newton step never passes it (for
 * sparsemax this is Michelot's iteration). With an integer k a round also gives the polynomial
 * {@code f} on the memories above the guess: when {@code f} at the smallest of them is at most 1,
 * the support is those memories and the threshold is that polynomial's root, found to rounding;
 * else the guess moves past that smallest memory (or by the Newton step, whichever is larger).
 * A non-integer k stops when the mass is within {@link #MASS_TOLERANCE} of 1.
 */
public final class ThresholdSearch {
  /** Rounds after which the search gives up (each is one pass over the memories). */
  public static final int MAX_ROUNDS = 100;
  /** Mass error at which a non-integer exponent's search stops. */
  public static final double MASS_TOLERANCE = 1e-13;

  /** What a search cost: its passes and the bytes its merged partials took. */
  public static final class Cost {
    public final int rounds;
    public final long roundBytes;
    public final long weightBytes;

    Cost(int rounds, long roundBytes, long weightBytes) {
      this.rounds = rounds;
      this.roundBytes = roundBytes;
      this.weightBytes = weightBytes;
    }
  }

  private final BlockRetrieval store;
  private final StepAggregation step;
  private final double alpha;
  private Cost cost;

  public ThresholdSearch(BlockRetrieval store, StepAggregation step, double alpha) {
    this.store = store;
    this.step = step;
    this.alpha = alpha;
  }

  /** The cost of the last {@link #solve}. */
  public Cost cost() {
    return cost;
  }

  /**
   * The step for every query of {@code capped} (the step's first, capped pass: each query's
   * maximum and a lower bound of its threshold).
   */
  public StepOutput solve(SupportPartial capped, boolean wantStates) {
    Rounds r = Rounds.start(capped, alpha);
    while (!r.finished()) {
      r.advance(store.aggregate(step.rescan(r::emptyRound,
          "threshold search round " + (r.rounds() + 1))));
    }
    int dim = wantStates ? step.dim() : 0;
    int report = step.report();
    ThresholdWeights weights = store.aggregate(step.rescan(() -> r.emptyWeights(dim, report),
        "weighted sums at thresholds"));
    cost = new Cost(r.rounds(), r.roundBytes(), weights.byteSize());
    return weights.finish(null, wantStates);
  }

  /**
   * Where a search stands: each query's maximum, guess and, once found, threshold. It is
   * driven by whoever runs the passes ({@link #solve} over a store, or the distributed query
   * plan per query block): {@link #emptyRound} starts a pass, {@link #advance} takes its merged
   * sums, and once {@link #finished} {@link #emptyWeights} starts the weighted-sum pass.
   * Serializable, so it can travel with a query block.
   */
  public static final class Rounds implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final double alpha;
    private final int intExponent;
    private final double[] maxX;
    private final double[] t;
    private final double[] tau;
    private final boolean[] done;
    private int left;
    private int rounds;
    private long roundBytes;

    private Rounds(double alpha, double[] maxX, double[] guess) {
      this.alpha = alpha;
      this.intExponent = ThresholdRound.integerExponent(alpha);
      this.maxX = maxX;
      this.t = guess;
      this.tau = new double[maxX.length];
      this.done = new boolean[maxX.length];
      this.left = maxX.length;
    }

    /**
     * A search for the entmax {@code alpha} (2: sparsemax) from the step's first, capped pass
     * (its maxima and lower bounds).
     */
    public static Rounds start(SupportPartial capped, double alpha) {
      int batch = capped.batch();
      double[] maxX = new double[batch];
      double[] guess = new double[batch];
      for (int b = 0; b < batch; b++) {
        maxX[b] = capped.maxX(b);
        if (!Double.isFinite(maxX[b])) {
          throw new IllegalStateException("query " + b + " has no finite score maximum ("
              + maxX[b] + ")");
        }
        double lb = capped.lowerBoundX(b);
        // tau >= max(x) - 1: the top memory alone would carry weight 1 there
        guess[b] = Math.max(-1.0, Double.isFinite(lb) ? Math.nextDown(lb - maxX[b]) : -1.0);
        guess[b] = Math.min(guess[b], Math.nextDown(0.0));
      }
      return new Rounds(alpha, maxX, guess);
    }

    /** An independent copy (to advance without touching this one). */
    public Rounds copy() {
      Rounds r = new Rounds(alpha, maxX.clone(), t.clone());
      System.arraycopy(tau, 0, r.tau, 0, tau.length);
      System.arraycopy(done, 0, r.done, 0, done.length);
      r.left = left;
      r.rounds = rounds;
      r.roundBytes = roundBytes;
      return r;
    }

    /** Whether every query's threshold is found. */
    public boolean finished() {
      return left == 0;
    }

    /** Passes taken so far. */
    public int rounds() {
      return rounds;
    }

    /** Bytes of the merged round partials so far (one per pass). */
    public long roundBytes() {
      return roundBytes;
    }

    /** The empty accumulator of the next round: power sums above the unfinished guesses. */
    public ThresholdRound emptyRound() {
      double[] g = new double[t.length];
      for (int b = 0; b < t.length; b++) {
        g[b] = done[b] ? Double.NaN : t[b];
      }
      return new ThresholdRound(alpha, maxX, g);
    }

    /** The empty accumulator of the weighted-sum pass at the thresholds found. */
    public ThresholdWeights emptyWeights(int dim, int report) {
      if (!finished()) {
        throw new IllegalStateException(left + " thresholds are still unknown");
      }
      return new ThresholdWeights(alpha, dim, report, maxX, tau);
    }

    /** Moves the guesses with one round's merged sums (see the class comment). */
    public void advance(ThresholdRound round) {
      int batch = maxX.length;
      if (finished()) {
        throw new IllegalStateException("the search is finished");
      }
      if (rounds == MAX_ROUNDS) {
        throw new IllegalStateException("the threshold search did not converge in "
            + MAX_ROUNDS + " rounds (alpha " + alpha + ", " + left + " of " + batch
            + " queries left)");
      }
      rounds++;
      roundBytes += round.byteSize();
      int k = intExponent;
      for (int b = 0; b < batch; b++) {
        if (done[b]) {
          continue;
        }
        if (!(round.countAbove(b) > 0)) {
          throw new IllegalStateException("query " + b + ": no memory above the guess " + t[b]
              + " (its maximum is 0)");
        }
        double[] s = round.sums(b);
        double next;
        if (k > 0) {
          double minU = round.minU(b);
          if (polynomial(s, k, minU) <= 1.0) {
            tau[b] = t[b] + root(s, k, minU);
            done[b] = true;
            left--;
            continue;
          }
          next = t[b] + Math.max(minU, (s[k] - 1.0) / (k * s[k - 1]));
        } else {
          double kk = 1.0 / (alpha - 1.0);
          double step = (s[2] - 1.0) / (kk * s[1]);
          if (Math.abs(s[2] - 1.0) <= MASS_TOLERANCE
              || Math.abs(step) <= 4 * Math.ulp(Math.max(1.0, Math.abs(t[b])))) {
            tau[b] = t[b] + step;
            done[b] = true;
            left--;
            continue;
          }
          next = t[b] + step;
        }
        t[b] = Math.min(next, Math.nextDown(0.0));
      }
    }
  }

  /**
   * {@code g(d) = sum_i (u_i - d)^k} from the power sums {@code s[j] = sum_i u_i^j}: {@code sum_j
   * C(k, j) (-d)^(k-j) s[j]}.
   */
  static double polynomial(double[] s, int k, double d) {
    double g = 0;
    double binom = 1; // C(k, j) for j = k, k-1, ...
    double pow = 1; // (-d)^(k-j)
    for (int j = k; j >= 0; j--) {
      g += binom * pow * s[j];
      binom = binom * j / (k - j + 1);
      pow *= -d;
    }
    return g;
  }

  /** The d in [0, hi] with {@code g(d) = 1}, g decreasing there from g(0) >= 1, by bisection. */
  static double root(double[] s, int k, double hi) {
    double lo = 0;
    if (polynomial(s, k, lo) <= 1.0) {
      return lo;
    }
    for (int i = 0; i < 2000; i++) {
      double mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) {
        break;
      }
      if (polynomial(s, k, mid) > 1.0) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return 0.5 * (lo + hi);
  }
}
