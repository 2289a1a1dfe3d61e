package org.hopfieldstore.spark.dist;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The Spark configuration every hopfield-store job uses: Kryo with registration required. */
public final class SparkSetup {
  private SparkSetup() {}

  /** Kryo as the serializer, registration required, our registrator; keeps what conf has. */
  public static SparkConf configure(SparkConf conf) {
    return conf
        .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .set("spark.kryo.registrationRequired", "true")
        .set("spark.kryo.registrator", HopfieldKryoRegistrator.class.getName())
        .setIfMissing("spark.ui.enabled", "false")
        .setIfMissing("spark.ui.showConsoleProgress", "false");
  }

  /**
   * A session for {@code master} ({@code local[*]}, {@code spark://host:port}, ...), or, when
   * master is null, the master spark-submit set.
   */
  public static SparkSession session(String master, String appName) {
    SparkConf conf = configure(new SparkConf().setAppName(appName));
    if (master != null) {
      conf.setMaster(master);
    }
    if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
