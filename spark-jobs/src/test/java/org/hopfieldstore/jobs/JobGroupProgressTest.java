package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.hopfieldstore.spark.dist.SparkSetup;
import org.junit.jupiter.api.Test;

class JobGroupProgressTest {
  @Test
  void countsTheTasksOfItsGroupOnly() throws Exception {
    SparkSession spark = SparkSetup.session("local[2]", "progress");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      try (PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
          JobGroupProgress progress = new JobGroupProgress(jsc.sc(), "mine", err, "test", 0)) {
        jsc.parallelize(Arrays.asList(1, 2, 3, 4, 5, 6), 6).count(); // outside the group
        jsc.setJobGroup("mine", "counted", false);
        // a map stage of 3 tasks and a result stage of 2
        jsc.parallelize(Arrays.asList(1, 2, 3, 4, 5, 6), 3).mapToPair(i -> new scala.Tuple2<>(i
            % 2, i)).reduceByKey(Integer::sum, 2).count();
        jsc.clearJobGroup();
        spark.sparkContext().listenerBus().waitUntilEmpty();
        assertEquals(5, progress.tasksDone());
      }
    } finally {
      spark.stop();
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("test: 5/5 tasks, "), text);
    assertTrue(text.contains("test: 1/5 tasks, "), text);
  }
}
