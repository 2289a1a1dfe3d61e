package org.hopfieldstore.spark.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class ExecutorThreadsTest {
  static SparkConf conf(String master, String... kv) {
    SparkConf c = new SparkConf(false).set("spark.master", master);
    for (int i = 0; i < kv.length; i += 2) {
      c.set(kv[i], kv[i + 1]);
    }
    return c;
  }

  @Test
  void blasThreadsAreCoresPerConcurrentTask() {
    assertEquals(1, ExecutorThreads.threads(conf("local[2]"), 2));
    assertEquals(1, ExecutorThreads.threads(conf("local[*]"), 16));
    assertEquals(2, ExecutorThreads.threads(conf("local"), 2));
    assertEquals(8, ExecutorThreads.threads(conf("local[2]"), 16));
    assertEquals(4, ExecutorThreads.threads(conf("spark://h:7077", "spark.executor.cores", "4"),
        16));
    assertEquals(8, ExecutorThreads.threads(conf("yarn", "spark.executor.cores", "4",
        "spark.task.cpus", "2"), 16));
    assertEquals(1, ExecutorThreads.threads(conf("spark://h:7077"), 16)); // all cores, 1 each
    assertEquals(3, ExecutorThreads.threads(conf("local[2]", "spark.hopfield.blasThreads", "3"),
        2));
  }
}
