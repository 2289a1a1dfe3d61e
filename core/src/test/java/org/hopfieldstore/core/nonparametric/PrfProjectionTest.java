package org.hopfieldstore.core.nonparametric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.hopfieldstore.core.ReferenceMath;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.nonparametric.FeatureMap.PositiveRandom;
import org.hopfieldstore.core.nonparametric.FeatureMap.Projection;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.rules.Prf;
import org.junit.jupiter.api.Test;

/** The prf projection W: orthogonal blocks (Performer) or i.i.d. rows, and the kernel estimate. */
class PrfProjectionTest {
  private static PositiveRandom map(int d, int features, double beta, long seed, Projection p) {
    return (PositiveRandom) FeatureMap.positiveRandom(d, features, beta, seed, p);
  }

  @Test
  void orthogonalRowsAreOrthogonalWithinEachBlockAndMarginallyGaussianInLength() {
    double beta = 2;
    // D < d, D = d, several blocks with a partial last one, d = 1 (every row its own block)
    int[][] shapes = {{5, 3}, {8, 8}, {8, 20}, {16, 40}, {1, 4}};
    for (int[] shape : shapes) {
      int d = shape[0];
      int features = shape[1];
      for (long seed : new long[] {3, 17, -9}) {
        String what = "d=" + d + " D=" + features + " seed=" + seed;
        double[] w = map(d, features, beta, seed, Projection.ORTHOGONAL).rows();
        assertArrayEquals(w, map(d, features, beta, seed, Projection.ORTHOGONAL).rows(), what
            + ": the same W from the same seed");
        assertFalse(Arrays.equals(w, map(d, features, beta, seed + 1, Projection.ORTHOGONAL)
            .rows()), what + ": another seed, another W");
        double[][] unit = new double[features][d];
        for (int r = 0; r < features; r++) {
          double n = 0;
          for (int i = 0; i < d; i++) {
            n += w[r * d + i] * w[r * d + i];
          }
          assertTrue(n > 0, what + " row " + r);
          for (int i = 0; i < d; i++) {
            unit[r][i] = w[r * d + i] / Math.sqrt(n);
          }
        }
        double across = 0;
        for (int r = 0; r < features; r++) {
          for (int q = 0; q < r; q++) {
            double dot = 0;
            for (int i = 0; i < d; i++) {
              dot += unit[r][i] * unit[q][i];
            }
            if (r / d == q / d) {
              assertEquals(0, dot, 1e-9, what + ": rows " + q + " and " + r + " of block "
                  + r / d);
            } else {
              across = Math.max(across, Math.abs(dot));
            }
          }
        }
        if (d > 1 && features > d) {
          // independent blocks: rows of different blocks are not orthogonal
          assertTrue(across > 1e-3, what + ": max |cos| across blocks " + across);
        }
      }
    }
    // the lengths are those of N(0, I_d) vectors (chi_d, times sqrt(beta)): |w_r|^2 / beta has
    // mean d and variance 2d over rows; without the scaling every length would be sqrt(beta)
    int d = 16;
    int features = 4096;
    long seed = 5;
    double[] w = map(d, features, beta, seed, Projection.ORTHOGONAL).rows();
    double mean = 0;
    double var = 0;
    for (int r = 0; r < features; r++) {
      double n = 0;
      for (int i = 0; i < d; i++) {
        n += w[r * d + i] * w[r * d + i];
      }
      mean += n / beta / features;
      var += (n / beta - d) * (n / beta - d) / features;
    }
    // standard errors: sqrt(2d / D) = 0.09 for the mean, about 0.9 for the variance
    assertEquals(d, mean, 0.5, "seed=" + seed + ": mean squared row length / beta");
    assertEquals(2 * d, var, 5, "seed=" + seed + ": variance of squared row length / beta");
  }

  /** The construction before the projection key existed: every entry i.i.d. N(0, 1). */
  private static double[] oldIidRows(int d, int features, double beta, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double s = Math.sqrt(beta);
    double[] w = new double[features * d];
    for (int i = 0; i < w.length; i++) {
      w[i] = s * SyntheticMemories.gaussian(rnd);
    }
    return w;
  }

  @Test
  void iidIsTheOldConstructionBitForBit() {
    for (long seed : new long[] {0, 42, -7}) {
      for (int[] shape : new int[][] {{5, 6}, {12, 64}, {3, 1}}) {
        int d = shape[0];
        int features = shape[1];
        double beta = 1.5;
        String what = "d=" + d + " D=" + features + " seed=" + seed;
        PositiveRandom iid = map(d, features, beta, seed, Projection.IID);
        double[] old = oldIidRows(d, features, beta, seed);
        assertArrayEquals(old, iid.rows(), what);
        float[] oldF = new float[old.length];
        for (int i = 0; i < old.length; i++) {
          oldF[i] = (float) old[i];
        }
        assertArrayEquals(oldF, iid.projection(), what);
        FeatureMap fromSpec = FeatureMap.of(RetrievalSpec.parse("prf:features=" + features
            + ",beta=1.5,seed=" + seed + ",projection=iid"), d);
        assertArrayEquals(old, ((PositiveRandom) fromSpec).rows(), what + " from a spec");
      }
    }
    // phi(x) printed by the code before this change (FeatureMap.positiveRandom(5, 6, 1.5, 42))
    double[] before = {0.6879618380561783, 0.05841167380773816, 0.11931944387751159,
        0.8239085577167355, 0.04313674605419857, 0.30270816092801167};
    float[] x = {0.3f, -0.2f, 0.5f, 0.1f, -0.7f};
    double[] out = new double[6];
    map(5, 6, 1.5, 42, Projection.IID).map(x, 0, out);
    for (int r = 0; r < 6; r++) {
      assertEquals(before[r], out[r], 1e-15 * before[r], "seed=42 feature " + r);
    }
  }

  @Test
  void bothProjectionsEstimateTheSoftmaxKernelAndOrthogonalOnesWithLowerError() {
    int d = 16;
    int features = 32;
    double beta = 1;
    double cos = -0.5;
    // Per seed the estimate phi(u).phi(v) is a sum of lognormal-tailed terms: over 200 seeds
    // the mean squared errors of the two projections overlap (orthogonal was lower in only
    // 63-92% of 200-seed windows, depending on <u, v>); over 10000 seeds the true ratio, about
    // 0.78 here, is measured to within about 0.04.
    int seeds = 10000;
    long seed = 2024;
    float[] u = ReferenceMath.unitRows(1, d, seed);
    float[] t = ReferenceMath.unitRows(1, d, seed + 1);
    double ut = 0;
    for (int i = 0; i < d; i++) {
      ut += u[i] * t[i];
    }
    double tn = 0;
    for (int i = 0; i < d; i++) {
      t[i] -= (float) (ut * u[i]);
      tn += t[i] * t[i];
    }
    float[] v = new float[d];
    double uv = 0;
    for (int i = 0; i < d; i++) {
      v[i] = (float) (cos * u[i] + Math.sqrt(1 - cos * cos) * t[i] / Math.sqrt(tn));
    }
    double uu = 0;
    double vv = 0;
    for (int i = 0; i < d; i++) {
      uv += (double) u[i] * v[i];
      uu += (double) u[i] * u[i];
      vv += (double) v[i] * v[i];
    }
    assertEquals(1, uu, 1e-6);
    assertEquals(1, vv, 1e-6);
    assertEquals(cos, uv, 1e-6);
    double exact = Math.exp(beta * uv);
    double[] mse = new double[2];
    for (Projection p : new Projection[] {Projection.ORTHOGONAL, Projection.IID}) {
      double sum = 0;
      double sumSq = 0;
      double se = 0;
      double[] pu = new double[features];
      double[] pv = new double[features];
      for (long s = seed; s < seed + seeds; s++) {
        FeatureMap m = map(d, features, beta, s, p);
        m.map(u, 0, pu);
        m.map(v, 0, pv);
        double k = 0;
        for (int r = 0; r < features; r++) {
          k += pu[r] * pv[r];
        }
        sum += k;
        sumSq += k * k;
        se += (k - exact) * (k - exact);
      }
      double mean = sum / seeds;
      double stdErr = Math.sqrt((sumSq / seeds - mean * mean) / seeds);
      String what = p + " d=" + d + " D=" + features + " beta=" + beta + " <u,v>=" + cos
          + " seeds " + seed + ".." + (seed + seeds - 1);
      // unbiased: the mean is within 4 standard errors (about 0.005) of exp(beta <u, v>)
      assertEquals(exact, mean, 4 * stdErr, what + ": mean " + mean + ", standard error "
          + stdErr);
      mse[p.ordinal()] = se / seeds;
    }
    double ort = mse[Projection.ORTHOGONAL.ordinal()];
    double iid = mse[Projection.IID.ordinal()];
    assertTrue(ort < 0.9 * iid, "seeds " + seed + ".." + (seed + seeds - 1)
        + ": mean squared error orthogonal " + ort + " vs iid " + iid + " (ratio " + ort / iid
        + ")");
  }

  @Test
  void projectionIsAKeyOfPrfAlwaysPrinted() {
    RetrievalSpec dflt = RetrievalSpec.parse("prf:features=64,beta=2,seed=5");
    assertEquals("orthogonal", dflt.get(Prf.PROJECTION));
    assertEquals("prf:features=64,beta=2,steps=1,tol=0,seed=5,projection=orthogonal",
        dflt.toString());
    RetrievalSpec iid = RetrievalSpec.parse("prf:projection=iid");
    assertEquals("iid", iid.get(Prf.PROJECTION));
    assertEquals("prf:features=256,beta=1,steps=1,tol=0,seed=0,projection=iid", iid.toString());
    assertEquals(iid, RetrievalSpec.parse(iid.toString()));
    assertEquals(Projection.IID, ((PositiveRandom) FeatureMap.of(iid, 4)).projectionKind());
    assertEquals(Projection.ORTHOGONAL,
        ((PositiveRandom) FeatureMap.of(RetrievalSpec.parse("prf"), 4)).projectionKind());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("prf:projection=foo"));
    assertTrue(e.getMessage().contains("projection=foo")
        && e.getMessage().contains("projection is orthogonal or iid"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("softmax:projection=iid"));
    assertTrue(e.getMessage().contains("unknown key 'projection'"), e.getMessage());

    // summaries under different projections are different models: they do not merge
    int d = 6;
    float[] xi = ReferenceMath.unitRows(10, d, 1);
    KernelSummary a = new KernelSummary(RetrievalSpec.parse("prf:features=8,seed=1"), d)
        .add(MemoryBlock.of(xi.clone(), 10, d));
    KernelSummary b = new KernelSummary(RetrievalSpec.parse("prf:features=8,seed=1,"
        + "projection=iid"), d).add(MemoryBlock.of(xi.clone(), 10, d));
    e = assertThrows(IllegalArgumentException.class, () -> a.merge(b));
    assertTrue(e.getMessage().contains("projection=orthogonal")
        && e.getMessage().contains("projection=iid"), e.getMessage());
    assertEquals(a.spec(), KernelSummary.fromBytes(a.toBytes()).spec());
  }

  @Test
  void summaryBytesWrittenBeforeTheKeyReadAsIid() {
    int d = 6;
    int m = 30;
    float[] xi = ReferenceMath.unitRows(m, d, 12);
    KernelSummary iid = new KernelSummary(RetrievalSpec.parse("prf:features=8,beta=2,seed=4,"
        + "projection=iid"), d).add(MemoryBlock.of(xi.clone(), m, d));
    // the bytes as written before the key existed: the same numbers under the old text
    byte[] now = iid.toBytes();
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(now);
    in.getInt();
    int n = in.getInt();
    String text = new String(now, 8, n, java.nio.charset.StandardCharsets.UTF_8);
    assertEquals("prf:features=8,beta=2,steps=1,tol=0,seed=4,projection=iid", text);
    byte[] oldText = "prf:features=8,beta=2,steps=1,tol=0,seed=4"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.nio.ByteBuffer old = java.nio.ByteBuffer.allocate(now.length - n + oldText.length);
    old.putInt(KernelSummary.TAG).putInt(oldText.length).put(oldText)
        .put(now, 8 + n, now.length - 8 - n);
    KernelSummary legacy = KernelSummary.fromBytes(old.array());
    assertEquals(iid.spec(), legacy.spec(), "legacy summary bytes (seed=4) read as iid");
    assertEquals(0, iid.maxAbsDifference(legacy));
    // and it keeps adding memories with its own (iid) features
    float[] more = ReferenceMath.unitRows(5, d, 13);
    legacy.add(MemoryBlock.withIdOffset(more.clone(), 5, d, m));
    iid.add(MemoryBlock.withIdOffset(more.clone(), 5, d, m));
    assertEquals(0, iid.maxAbsDifference(legacy), "seed=4");
    // new bytes always name the projection, so an orthogonal summary reads back as one
    KernelSummary ort = new KernelSummary(RetrievalSpec.parse("prf:features=8,beta=2,seed=4"), d)
        .add(MemoryBlock.of(xi.clone(), m, d));
    assertEquals("orthogonal", KernelSummary.fromBytes(ort.toBytes()).spec().get(Prf.PROJECTION));
    assertTrue(ort.maxAbsDifference(iid) > 1e-3, "seed=4: the two projections differ");
  }
}
