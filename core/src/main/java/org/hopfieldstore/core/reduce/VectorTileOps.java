package org.hopfieldstore.core.reduce;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link TileOps} with the JDK Vector API. The exponential is {@code expf}'s classic scheme in
 * float lanes: {@code x = k ln2 + r} (Cody-Waite, |r| <= ln2/2), a degree-7 Taylor polynomial for
 * {@code e^r} (truncation error below 6e-9) and {@code 2^k} built from exponent bits. Only loaded
 * by {@link TileOps#best()} when the {@code jdk.incubator.vector} module is present.
 */
final class VectorTileOps implements TileOps {
  static final VectorTileOps INSTANCE = new VectorTileOps();
  /** Must be constants for the JIT to compile the lanes to SIMD registers. */
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final float LOG2E = 1.44269504088896341f;
  private static final float LN2_HI = 0.693359375f; // few bits: k * LN2_HI is exact
  private static final float LN2_LO = -2.12194440e-4f;
  private static final float ROUND = 12582912f; // 1.5 * 2^23
  private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
  /** Vectors summed in float lanes before the partial sum moves to a double. */
  private static final int SUM_RUN = 32;

  private VectorTileOps() {}

  @Override
  public String name() {
    return "vector" + (L * 32);
  }

  @Override
  public float max(float[] a, int from, int to) {
    FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    int j = from;
    for (int end = from + S.loopBound(to - from); j < end; j += L) {
      m = m.max(FloatVector.fromArray(S, a, j));
    }
    float r = m.reduceLanes(VectorOperators.MAX);
    for (; j < to; j++) {
      r = Math.max(r, a[j]);
    }
    return r;
  }

  @Override
  public int nextAtLeast(float[] a, int from, int to, float bound) {
    int j = from;
    for (int end = from + S.loopBound(to - from); j < end; j += L) {
      VectorMask<Float> hit = FloatVector.fromArray(S, a, j).compare(VectorOperators.GE, bound);
      if (hit.anyTrue()) {
        return j + hit.firstTrue();
      }
    }
    while (j < to && !(a[j] >= bound)) {
      j++;
    }
    return j;
  }

  @Override
  public double expShifted(float[] z, int from, int to, float shift, float[] w, int wOff) {
    double total = 0;
    FloatVector acc = FloatVector.zero(S);
    int run = 0;
    int j = from;
    for (int end = from + S.loopBound(to - from); j < end; j += L) {
      FloatVector e = exp(FloatVector.fromArray(S, z, j).sub(shift));
      e.intoArray(w, wOff + j - from);
      acc = acc.add(e);
      if (++run == SUM_RUN) {
        total += acc.reduceLanes(VectorOperators.ADD);
        acc = FloatVector.zero(S);
        run = 0;
      }
    }
    total += acc.reduceLanes(VectorOperators.ADD);
    return total + ScalarTileOps.INSTANCE.expShifted(z, j, to, shift, w, wOff + j - from);
  }

  /** {@code e^x} lane by lane for {@code x <= 0}; 0 below -87 or below {@link Float#MIN_NORMAL}. */
  private static FloatVector exp(FloatVector x) {
    // k = round(x log2e) by the 1.5 * 2^23 trick: adding it leaves k in the low mantissa bits,
    // subtracting it again gives k as a float (plain float lanes, no conversions to intrinsify)
    FloatVector t = x.mul(LOG2E).add(ROUND);
    FloatVector kf = t.sub(ROUND);
    FloatVector r = x.sub(kf.mul(LN2_HI)).sub(kf.mul(LN2_LO));
    FloatVector p = r.mul(1f / 5040).add(1f / 720);
    p = p.mul(r).add(1f / 120);
    p = p.mul(r).add(1f / 24);
    p = p.mul(r).add(1f / 6);
    p = p.mul(r).add(0.5f);
    p = p.mul(r).add(1f);
    p = p.mul(r).add(1f);
    // 2^k: (k + 127) << 23, where the bits of t are ROUND's plus k
    FloatVector scale = t.reinterpretAsInts().sub(ROUND_BITS - 127)
        .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    FloatVector e = p.mul(scale);
    VectorMask<Float> zero = x.compare(VectorOperators.LT, -87f)
        .or(e.compare(VectorOperators.LT, Float.MIN_NORMAL));
    return e.blend(0f, zero);
  }
}
