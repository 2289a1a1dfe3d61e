package org.hopfieldstore.core.score;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowOps} with the JDK Vector API (FMA over the widest lanes the CPU has). Four rows per
 * pass share each load of the query and each load/store of the accumulator. Only loaded by
 * {@link RowOps#best()} when the {@code jdk.incubator.vector} module is present.
 */
final class VectorRowOps implements RowOps {
  static final VectorRowOps INSTANCE = new VectorRowOps();
  /** Must be a constant for the JIT to compile the lanes to SIMD registers. */
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /**
   * Sum four rows' accumulators at once (two blend-and-permute levels, then folds) instead of
   * four full lane reductions, which dominate the cost of a short row.
   */
  private static final boolean TRANSPOSED_SUM = L >= 4 && L <= 16;
  private static final VectorMask<Float> ODD = laneMask(1);
  private static final VectorMask<Float> BIT2 = laneMask(2);
  private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(S, i -> i ^ 1);
  private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(S, i -> i ^ 2);
  // (i ^ 4 % L: an in-range identity where the species is too narrow to use it)
  private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(S, i -> i ^ 4 % L);
  private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(S, i -> i ^ 8 % L);

  private VectorRowOps() {}

  /** Lanes whose index has {@code bit} set. */
  private static VectorMask<Float> laneMask(int bit) {
    boolean[] m = new boolean[L];
    for (int i = 0; i < L; i++) {
      m[i] = (i & bit) != 0;
    }
    return VectorMask.fromArray(S, m, 0);
  }

  /** A vector whose lanes 0..3 hold the lane sums of a0..a3. */
  private static FloatVector sum4(FloatVector a0, FloatVector a1, FloatVector a2,
      FloatVector a3) {
    // lane i: pairs (i, i^1) of a0 in even lanes, of a1 in odd lanes; likewise a2, a3
    FloatVector u01 = a0.blend(a1, ODD).add(a1.blend(a0, ODD).rearrange(SWAP1));
    FloatVector u23 = a2.blend(a3, ODD).add(a3.blend(a2, ODD).rearrange(SWAP1));
    // lane i: a(i & 3) summed over lanes sharing i's bits above 1, within each group of four
    FloatVector v = u01.blend(u23, BIT2).add(u23.blend(u01, BIT2).rearrange(SWAP2));
    if (L >= 8) {
      v = v.add(v.rearrange(SWAP4));
    }
    if (L >= 16) {
      v = v.add(v.rearrange(SWAP8));
    }
    return v;
  }

  @Override
  public String name() {
    return "vector" + (L * 32);
  }

  @Override
  public void dots(float[] q, int qo, float[] xi, int d, int from, int to, float[] out,
      int outOff) {
    int body = S.loopBound(d);
    float[] lanes = TRANSPOSED_SUM ? new float[L] : null;
    int r = from;
    for (; r + 4 <= to; r += 4) {
      int o0 = r * d;
      int o1 = o0 + d;
      int o2 = o1 + d;
      int o3 = o2 + d;
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      int k = 0;
      for (; k < body; k += L) {
        FloatVector qv = FloatVector.fromArray(S, q, qo + k);
        a0 = FloatVector.fromArray(S, xi, o0 + k).fma(qv, a0);
        a1 = FloatVector.fromArray(S, xi, o1 + k).fma(qv, a1);
        a2 = FloatVector.fromArray(S, xi, o2 + k).fma(qv, a2);
        a3 = FloatVector.fromArray(S, xi, o3 + k).fma(qv, a3);
      }
      float s0;
      float s1;
      float s2;
      float s3;
      if (TRANSPOSED_SUM) {
        sum4(a0, a1, a2, a3).intoArray(lanes, 0);
        s0 = lanes[0];
        s1 = lanes[1];
        s2 = lanes[2];
        s3 = lanes[3];
      } else {
        s0 = a0.reduceLanes(VectorOperators.ADD);
        s1 = a1.reduceLanes(VectorOperators.ADD);
        s2 = a2.reduceLanes(VectorOperators.ADD);
        s3 = a3.reduceLanes(VectorOperators.ADD);
      }
      for (; k < d; k++) {
        float qk = q[qo + k];
        s0 += xi[o0 + k] * qk;
        s1 += xi[o1 + k] * qk;
        s2 += xi[o2 + k] * qk;
        s3 += xi[o3 + k] * qk;
      }
      int j = outOff + r - from;
      out[j] = s0;
      out[j + 1] = s1;
      out[j + 2] = s2;
      out[j + 3] = s3;
    }
    for (; r < to; r++) {
      int o = r * d;
      FloatVector a = FloatVector.zero(S);
      int k = 0;
      for (; k < body; k += L) {
        a = FloatVector.fromArray(S, xi, o + k).fma(FloatVector.fromArray(S, q, qo + k), a);
      }
      float s = a.reduceLanes(VectorOperators.ADD);
      for (; k < d; k++) {
        s += xi[o + k] * q[qo + k];
      }
      out[outOff + r - from] = s;
    }
  }

  @Override
  public void addWeighted(float[] w, int wo, float[] xi, int d, int from, int to, float[] acc,
      int ao) {
    int body = S.loopBound(d);
    int r = from;
    for (; r + 4 <= to; r += 4) {
      int j = wo + r - from;
      float w0 = w[j];
      float w1 = w[j + 1];
      float w2 = w[j + 2];
      float w3 = w[j + 3];
      if (w0 == 0f && w1 == 0f && w2 == 0f && w3 == 0f) {
        continue; // sparse weights: most quads of rows take no part
      }
      int o0 = r * d;
      int o1 = o0 + d;
      int o2 = o1 + d;
      int o3 = o2 + d;
      FloatVector v0 = FloatVector.broadcast(S, w0);
      FloatVector v1 = FloatVector.broadcast(S, w1);
      FloatVector v2 = FloatVector.broadcast(S, w2);
      FloatVector v3 = FloatVector.broadcast(S, w3);
      int k = 0;
      for (; k < body; k += L) {
        FloatVector a = FloatVector.fromArray(S, acc, ao + k);
        a = FloatVector.fromArray(S, xi, o0 + k).fma(v0, a);
        a = FloatVector.fromArray(S, xi, o1 + k).fma(v1, a);
        a = FloatVector.fromArray(S, xi, o2 + k).fma(v2, a);
        a = FloatVector.fromArray(S, xi, o3 + k).fma(v3, a);
        a.intoArray(acc, ao + k);
      }
      for (; k < d; k++) {
        acc[ao + k] += w0 * xi[o0 + k] + w1 * xi[o1 + k] + w2 * xi[o2 + k] + w3 * xi[o3 + k];
      }
    }
    for (; r < to; r++) {
      float wr = w[wo + r - from];
      if (wr == 0f) {
        continue;
      }
      int o = r * d;
      FloatVector v = FloatVector.broadcast(S, wr);
      int k = 0;
      for (; k < body; k += L) {
        FloatVector.fromArray(S, xi, o + k).fma(v, FloatVector.fromArray(S, acc, ao + k))
            .intoArray(acc, ao + k);
      }
      for (; k < d; k++) {
        acc[ao + k] += wr * xi[o + k];
      }
    }
  }
}
