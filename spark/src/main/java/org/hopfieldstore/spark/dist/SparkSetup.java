package org.hopfieldstore.spark.dist;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark configuration every hopfield-store job starts from: Kryo with registration required
 * and our registrator, as defaults (a user's setting wins, and a user's registrators keep ours
 * beside them). The UI stays on unless the user turns it off.
 */
public final class SparkSetup {
  private SparkSetup() {}

  private static final java.util.regex.Pattern LOCAL_MASTER =
      java.util.regex.Pattern.compile("local\\[(\\*|[0-9]+)(,[0-9]+)?]");

  /** Our defaults, where {@code conf} does not say otherwise. */
  public static SparkConf configure(SparkConf conf) {
    conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .setIfMissing("spark.kryo.registrationRequired", "true")
        .setIfMissing("spark.ui.showConsoleProgress", "false");
    String ours = HopfieldKryoRegistrator.class.getName();
    String registrators = conf.get("spark.kryo.registrator", "");
    if (!java.util.Arrays.asList(registrators.split(",")).contains(ours)) {
      conf.set("spark.kryo.registrator", registrators.isEmpty() ? ours
          : registrators + "," + ours);
    }
    // Delta Lake, the table format of persistent stores: its SQL extension (DELETE, MERGE,
    // OPTIMIZE) beside the user's, and its catalog unless the user names another
    if (hasDelta(SparkSetup.class.getClassLoader())) {
      String delta = "io.delta.sql.DeltaSparkSessionExtension";
      String extensions = conf.get("spark.sql.extensions", "");
      if (!java.util.Arrays.asList(extensions.split(",")).contains(delta)) {
        conf.set("spark.sql.extensions", extensions.isEmpty() ? delta
            : extensions + "," + delta);
      }
      conf.setIfMissing("spark.sql.catalog.spark_catalog",
          "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    }
    return conf;
  }

  /**
   * The task threads of a {@code local}, {@code local[N]}, {@code local[*]} or
   * {@code local[N,F]} master; 0 for any other master.
   */
  static int localThreads(String master) {
    if (master.equals("local")) {
      return 1;
    }
    java.util.regex.Matcher m = LOCAL_MASTER.matcher(master);
    if (!m.matches()) {
      return 0;
    }
    return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors()
        : Integer.parseInt(m.group(1));
  }

  /** Whether Delta Lake is on the class path (an application may exclude it). */
  static boolean hasDelta(ClassLoader loader) {
    try {
      Class.forName("io.delta.tables.DeltaTable", false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * A session for {@code master} ({@code local[*]}, {@code spark://host:port}, ...), or, when
   * master is null, the master spark-submit set.
   */
  public static SparkSession session(String master, String appName) {
    return session(master, appName, Map.of());
  }

  /** As {@link #session(String, String)}, with the user's properties ({@code --conf}) first. */
  public static SparkSession session(String master, String appName, Map<String, String> user) {
    SparkConf conf = new SparkConf().setAppName(appName);
    user.forEach(conf::set);
    configure(conf);
    if (master != null) {
      conf.setMaster(master);
    }
    if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      // Delta rebuilds a store's snapshot in 50 tasks by default; a store's log is a few
      // small commits, and on a few local threads those tasks cost seconds per command
      int threads = localThreads(conf.get("spark.master"));
      if (threads > 0 && hasDelta(SparkSetup.class.getClassLoader())) {
        conf.setIfMissing("spark.databricks.delta.snapshotPartitions",
            Integer.toString(threads));
      }
    } else {
      // the system OpenBLAS reads its thread count when it loads: one task's CPUs each
      conf.setIfMissing("spark.executorEnv.OPENBLAS_NUM_THREADS",
          conf.get("spark.task.cpus", "1"));
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
