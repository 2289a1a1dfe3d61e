package org.hopfieldstore.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.sql.SparkSession;
import org.hopfieldstore.core.capacity.Separation;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.spark.dist.SparkSetup;
import org.junit.jupiter.api.Test;

/** The entry point gives the same answers in-process and on Spark. */
class HopfieldStoreTest {
  @Test
  void inProcessAndSparkAgreeOnRetrievalQualityAndSeparation() {
    long seed = 31;
    FloatMatrix xi = SyntheticMemories.fromSource("sphere", 500, 12, seed);
    QuerySet q = HopfieldStore.queries(xi, 20, "gaussian:0.3", seed + 1);
    SparkSession spark = SparkSetup.session("local[2]", "HopfieldStoreTest");
    try (HopfieldStore local = HopfieldStore.of(xi);
        HopfieldStore dist = HopfieldStore.onSpark(spark, xi, 3)) {
      assertEquals(500, dist.memoryCount());
      assertEquals(12, dist.dim());
      for (String spec : new String[] {"sparsemax:beta=8,steps=2", "topk:k=4,beta=8"}) {
        RetrievalResult a = local.retrieve(q.queries(), spec);
        RetrievalResult b = dist.retrieve(q.queries(), spec);
        float[] sa = a.states().data();
        float[] sb = b.states().data();
        for (int i = 0; i < sa.length; i++) {
          assertEquals(sa[i], sb[i], 1e-5, spec + " seed " + seed + " value " + i);
        }
        for (int i = 0; i < 20; i++) {
          assertArrayEquals(a.topIds(i), b.topIds(i), spec + " query " + i);
        }
        assertEquals(local.quality(a, q).successRate, dist.quality(b, q).successRate, spec);
      }
      Separation sl = local.separation();
      Separation sd = dist.separation();
      assertEquals(sl.maxCosine, sd.maxCosine, 1e-6);
      assertEquals(sl.minSeparation, sd.minSeparation, 1e-6);
    } finally {
      spark.stop();
    }
  }
}
