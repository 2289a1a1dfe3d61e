package org.hopfieldstore.jobs;

import picocli.CommandLine.Option;

/** The options of a command that can run on Spark. */
final class SparkOptions {
  @Option(names = "--master", paramLabel = "MASTER", description = {"run on Spark: local[*] "
      + "(embedded), local[N], spark://host:port, ... (under spark-submit, its --master is used "
      + "without this option). Memories are partitioned and cached on the executors; each step "
      + "merges the partitions' partial results exactly."})
  String master;

  @Option(names = "--partitions", paramLabel = "P",
      description = "number of memory partitions (default: Spark's default parallelism)")
  Integer partitions;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "a Spark property (as "
      + "spark-submit's --conf; repeatable): it wins over hopfield-store's defaults")
  java.util.List<String> confPairs = new java.util.ArrayList<>();

  /** The {@code --conf} properties, in order. */
  java.util.Map<String, String> conf() {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String p : confPairs) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--conf takes KEY=VALUE, got '" + p + "'");
      }
      out.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return out;
  }

  /** --master, or the master spark-submit put in the system properties, or null: in-process. */
  String master() {
    return master != null ? master : System.getProperty("spark.master");
  }

  /** The partition count asked for, or 0 for Spark's default. */
  int partitions() {
    return partitions == null ? 0 : CommandBase.atLeast("--partitions", partitions, 1);
  }

  /** Refuses Spark-only options without Spark. */
  void requireSparkFor(boolean given, String option) {
    if (given && master() == null) {
      throw new UsageException(option + " needs Spark mode (--master)");
    }
  }
}
