package org.hopfieldstore.core.score;

/**
 * The two memory-bound loops of a small-batch step over memories on the JVM heap: one query's
 * dot products with a run of rows, and a weighted sum of a run of rows. {@link #best()} picks the
 * JDK Vector API version when the JVM was started with {@code --add-modules
 * jdk.incubator.vector}, else plain loops; like Lucene's VectorUtil provider.
 */
public interface RowOps {
  /** {@code out[outOff + j] = <q[qo..qo+d), xi_(from+j)>} for rows {@code [from, to)}. */
  void dots(float[] q, int qo, float[] xi, int d, int from, int to, float[] out, int outOff);

  /** {@code acc[ao..ao+d) += sum_j w[wo + j] xi_(from+j)} for rows {@code [from, to)}. */
  void addWeighted(float[] w, int wo, float[] xi, int d, int from, int to, float[] acc, int ao);

  /** "vector" (SIMD lanes) or "scalar". */
  String name();

  /** The Vector API implementation if this JVM has the module, else {@link ScalarRowOps}. */
  static RowOps best() {
    return Holder.BEST;
  }

  /** Loads the best implementation once. */
  final class Holder {
    static final RowOps BEST = Simd.load("org.hopfieldstore.core.score.VectorRowOps",
        RowOps.class, ScalarRowOps.INSTANCE);

    private Holder() {}
  }
}
