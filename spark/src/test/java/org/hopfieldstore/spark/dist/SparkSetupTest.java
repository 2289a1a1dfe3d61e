package org.hopfieldstore.spark.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

/** A session of {@link SparkSetup} (Kryo, registration required) runs what users run. */
class SparkSetupTest {
  @Test
  void localMastersNameTheirThreads() {
    assertEquals(1, SparkSetup.localThreads("local"));
    assertEquals(3, SparkSetup.localThreads("local[3]"));
    assertEquals(2, SparkSetup.localThreads("local[2,4]"));
    assertEquals(Runtime.getRuntime().availableProcessors(), SparkSetup.localThreads("local[*]"));
    assertEquals(0, SparkSetup.localThreads("local-cluster[2,1,1024]"));
    assertEquals(0, SparkSetup.localThreads("spark://127.0.0.1:7077"));
  }

  /** Delta's snapshot tasks follow the local threads unless the user set them. */
  @Test
  void deltaSnapshotPartitionsFollowTheLocalThreadsUnlessSet() {
    String key = "spark.databricks.delta.snapshotPartitions";
    SparkSession spark = SparkSetup.session("local[2]", "SparkSetupTest");
    try {
      assertEquals("2", spark.conf().get(key));
    } finally {
      spark.stop();
    }
    spark = SparkSetup.session("local[2]", "SparkSetupTest", java.util.Map.of(key, "7"));
    try {
      assertEquals("7", spark.conf().get(key));
    } finally {
      spark.stop();
    }
  }

  /** A cached frame that goes to disk is serialized with Kryo: its classes are registered. */
  @Test
  void framesCachedOnDiskSurviveRegistrationRequired() {
    SparkSession spark = SparkSetup.session("local[2]", "SparkSetupTest");
    try {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        rows.add(RowFactory.create((long) i, new Float[] {i * 0.5f, -i * 1f}, "m" + i, i * 0.25,
            i % 2 == 0));
      }
      StructType schema = new StructType().add("id", DataTypes.LongType)
          .add("vector", DataTypes.createArrayType(DataTypes.FloatType))
          .add("name", DataTypes.StringType).add("weight", DataTypes.DoubleType)
          .add("even", DataTypes.BooleanType);
      Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3)
          .persist(StorageLevel.DISK_ONLY());
      assertEquals(200, df.count());
      List<Row> back = df.orderBy("id").collectAsList();
      assertEquals(rows.size(), back.size());
      for (int i = 0; i < rows.size(); i++) {
        Row want = rows.get(i);
        Row got = back.get(i);
        assertEquals(want.getLong(0), got.getLong(0));
        assertEquals(java.util.Arrays.asList((Float[]) want.get(1)), got.getList(1), "row " + i);
        assertEquals(want.getString(2), got.getString(2));
        assertEquals(want.getDouble(3), got.getDouble(3));
        assertEquals(want.getBoolean(4), got.getBoolean(4));
      }
      assertEquals(200, spark.range(0, 200, 1, 4).selectExpr("id", "array(cast(id as float)) v")
          .persist(StorageLevel.MEMORY_AND_DISK_SER()).count());
      df.unpersist(true);
    } finally {
      spark.stop();
    }
  }
}
