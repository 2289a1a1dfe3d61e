package org.hopfieldstore.spark.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.hopfieldstore.core.aggregate.Both;
import org.hopfieldstore.core.aggregate.DoubleSums;
import org.hopfieldstore.core.aggregate.RowBundle;
import org.hopfieldstore.core.capacity.Separation;
import org.hopfieldstore.core.kernel.LinearFeatureMap;
import org.hopfieldstore.core.kernel.PairTerms;
import org.hopfieldstore.core.kernel.SeparationLoss;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.nonparametric.KernelSummary;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.Partials;
import org.hopfieldstore.core.reduce.RowSource;
import org.hopfieldstore.core.reduce.StepOutput;
import org.hopfieldstore.core.reduce.SupportPartial;
import org.hopfieldstore.core.retrieval.BlockScan;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.retrieval.StepAggregation;
import org.hopfieldstore.core.retrieval.StepPartial;
import org.hopfieldstore.core.score.ScoreKernels;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

/**
 * Every class of ours that crosses the wire survives Spark's Kryo serializer with registration
 * required, and an unregistered class is refused (so the setting is really on).
 */
class KryoRoundTripTest {
  static final SerializerInstance KRYO = new KryoSerializer(SparkSetup.configure(new SparkConf()))
      .newInstance();

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T value) {
    ByteBuffer bytes = KRYO.serialize(value, ClassTag$.MODULE$.apply(value.getClass()));
    return (T) KRYO.deserialize(bytes, ClassTag$.MODULE$.apply(value.getClass()));
  }

  @Test
  void memoryBlocksKeepValuesAndIds() {
    Random r = new Random(3);
    float[] data = new float[7 * 5];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) r.nextGaussian();
    }
    MemoryBlock offset = MemoryBlock.withIdOffset(data.clone(), 7, 5, 1000);
    MemoryBlock back = roundTrip(offset);
    assertArrayEquals(offset.data(), back.data());
    assertEquals(1003, back.id(3));
    MemoryBlock explicit = MemoryBlock.withIds(data.clone(), new long[] {9, 4, 7, 1, 0, 3, 8}, 5);
    back = roundTrip(explicit);
    assertArrayEquals(explicit.explicitIds(), back.explicitIds());
    assertEquals(explicit.maxNorm(), back.maxNorm());
    MemoryBlock scaled = explicit.withRowScale(new float[] {1, 2, 0.5f, 3, 1, 0.25f, 7});
    back = roundTrip(scaled);
    assertArrayEquals(scaled.rowScale(), back.rowScale());
    assertArrayEquals(scaled.explicitIds(), back.explicitIds());
    assertEquals(null, roundTrip(offset).rowScale());
  }

  @Test
  void everyPartialTypeFinishesTheSameAfterARoundTrip() {
    Random r = new Random(5);
    int m = 300;
    int d = 8;
    int b = 3;
    float[] xi = new float[m * d];
    for (int i = 0; i < xi.length; i++) {
      xi[i] = (float) r.nextGaussian() / 3;
    }
    float[] q = Arrays.copyOf(xi, b * d);
    MemoryBlock block = MemoryBlock.of(xi, m, d);
    for (String s : new String[] {"softmax:beta=4", "sparsemax:beta=4", "entmax:alpha=1.5",
        "entmax:alpha=1.3,solver=bisect", "topk:k=5"}) {
      RetrievalSpec spec = RetrievalSpec.parse(s);
      PartialScores<?> p = Partials.empty(spec, b, d, 10);
      BlockScan.fold(p, block, ScoreKernels.byName("java").bind(block),
          BlockScan.scaledQueries(q, b, d, spec.beta()), b, 64);
      if (p instanceof SupportPartial) {
        ((SupportPartial) p).compact();
      }
      PartialScores<?> back = roundTrip(p);
      assertEquals(p.getClass(), back.getClass(), s);
      StepOutput want = p.finish(RowSource.of(block), true);
      StepOutput got = back.finish(RowSource.of(block), true);
      assertArrayEquals(want.states, got.states, s);
      for (int i = 0; i < b; i++) {
        assertArrayEquals(want.supportIds[i], got.supportIds[i], s);
        assertArrayEquals(want.supportWeights[i], got.supportWeights[i], s);
      }
    }
  }

  @Test
  void everyOtherMergeableKeepsItsValues() {
    MemoryBlock block = MemoryBlock.withIds(new float[] {1, 2, 3, 4, 5, 6}, new long[] {42, 7},
        3);
    RowBundle rows = roundTrip(RowBundle.of(block, new long[] {7, 42}));
    assertEquals(2, rows.size());
    double[] acc = new double[3];
    rows.rows(3).addRow(7, 2.0, acc, 0);
    assertArrayEquals(new double[] {8, 10, 12}, acc);
    assertEquals(false, roundTrip(RowBundle.incomplete()).isComplete());

    DoubleSums sums = new DoubleSums(3);
    sums.values()[1] = 2.5;
    assertArrayEquals(new double[] {0, 2.5, 0}, roundTrip(sums).values());

    RetrievalSpec prf = RetrievalSpec.parse("prf:features=16,beta=2,seed=3");
    KernelSummary summary = new KernelSummary(prf, 3).add(block);
    assertEquals(0.0, summary.maxAbsDifference(roundTrip(summary)));

    Both<DoubleSums, DoubleSums> both = roundTrip(new Both<>(sums, new DoubleSums(1)));
    assertArrayEquals(new double[] {0, 2.5, 0}, both.first().values());
    assertEquals(1, both.second().values().length);

    LinearFeatureMap map = LinearFeatureMap.gaussian(4, 3, 11);
    SeparationLoss loss = SeparationLoss.parse("spherical:0.1");
    PairTerms terms = loss.allPairs(map, block, 0);
    PairTerms back = roundTrip(terms);
    assertEquals(terms.pairs, back.pairs);
    assertEquals(loss.loss(terms, 2), loss.loss(back, 2));
    assertArrayEquals(loss.gradient(terms, 2), loss.gradient(back, 2));

    Separation.RowMaxima maxima = Separation.between(block, block, true,
        ScoreKernels.byName("java"), 0).forA();
    Separation want = maxima.of(block);
    Separation got = roundTrip(maxima).of(block);
    assertEquals(want.maxCosine, got.maxCosine);
    assertEquals(want.minSeparation, got.minSeparation);
    assertEquals(want.pairA, got.pairA);
  }

  @Test
  void stepPartialsKeepScoresRowsAndTraffic() {
    MemoryBlock block = MemoryBlock.withIds(new float[] {1, 0, 0, 1, 1, 1}, new long[] {5, 6, 9},
        2);
    RetrievalSpec spec = RetrievalSpec.parse("sparsemax:beta=2");
    StepAggregation step = new StepAggregation(spec, new float[] {1, 0.5f}, 1, 2, 3,
        ScoreKernels.byName("java"), 0, 1, 1 << 20);
    StepPartial p = step.fold(step.zero(), block);
    StepPartial back = roundTrip(p);
    assertEquals(p.sentBytes(), back.sentBytes());
    assertEquals(p.sentCandidates(), back.sentCandidates());
    assertEquals(p.rows().size(), back.rows().size());
    StepOutput want = step.finish(p, true, w -> w.withStatesFrom(RowSource.of(block)));
    StepOutput got = step.finish(back, true, w -> {
      throw new AssertionError("the shipped rows cover the support");
    });
    assertArrayEquals(want.states, got.states);
    assertArrayEquals(want.supportIds[0], got.supportIds[0]);
  }

  @Test
  void idVectorsRoundTrip() {
    IdVector v = roundTrip(new IdVector(7, new float[] {4, 5}));
    assertEquals(7, v.id);
    assertArrayEquals(new float[] {4, 5}, v.vector);
  }

  /** Not registered anywhere: registration-required Kryo must refuse it. */
  static final class Unregistered {
    int x = 1;
  }

  @Test
  void anUnregisteredClassIsRefused() {
    Exception e = assertThrows(Exception.class, () -> roundTrip(new Unregistered()));
    String msg = String.valueOf(e.getMessage()) + e.getCause();
    org.junit.jupiter.api.Assertions.assertTrue(msg.contains("not registered"), msg);
  }
}
