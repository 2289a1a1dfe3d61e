package org.hopfieldstore.spark.dist;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BLAS threads per executor JVM: an executor runs one task per slot at once, and each task's
 * GEMM would otherwise start as many BLAS threads as the host has cores, so k concurrent tasks
 * oversubscribe the cores k times. Set once per JVM to the task's CPUs ({@code
 * TaskContext.cpus()}, scaled by host cores over executor cores), at least 1; {@code
 * spark.hopfield.blasThreads=N} overrides it. This sets ND4J's OpenBLAS; the system OpenBLAS
 * reads {@code OPENBLAS_NUM_THREADS} when it loads, which {@link SparkSetup} gives executors.
 */
final class ExecutorThreads {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorThreads.class);
  private static final Pattern LOCAL = Pattern.compile("local\\[(\\*|\\d+)");
  private static volatile boolean set;

  private ExecutorThreads() {}

  static void limit() {
    if (set) {
      return;
    }
    synchronized (ExecutorThreads.class) {
      if (set) {
        return;
      }
      SparkEnv env = SparkEnv.get();
      if (env != null) {
        int cores = Runtime.getRuntime().availableProcessors();
        int threads = threads(env.conf(), cores);
        Nd4j.factory().blas().setMaxThreads(threads);
        LOG.info("BLAS threads per task: {} ({} cores, {} task slots)", threads, cores,
            slots(env.conf(), cores));
      }
      set = true;
    }
  }

  static int threads(SparkConf conf, int cores) {
    int fixed = conf.getInt("spark.hopfield.blasThreads", 0);
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    int taskCpus = task != null ? task.cpus() : conf.getInt("spark.task.cpus", 1);
    return fixed > 0 ? fixed : Math.max(1, taskCpus * cores / executorCores(conf, cores));
  }

  /** Cores of this executor: local[N] / local[*] / local, else spark.executor.cores. */
  static int executorCores(SparkConf conf, int cores) {
    String master = conf.get("spark.master", "local[*]");
    if (master.startsWith("local")) {
      Matcher m = LOCAL.matcher(master);
      return !m.find() ? 1 : m.group(1).equals("*") ? cores : Integer.parseInt(m.group(1));
    }
    return conf.getInt("spark.executor.cores", cores);
  }

  /** Tasks one executor runs at once. */
  static int slots(SparkConf conf, int cores) {
    return Math.max(1, executorCores(conf, cores) / Math.max(1, conf.getInt("spark.task.cpus", 1)));
  }
}
