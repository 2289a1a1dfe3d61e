package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one line a failed command prints names something even when the exception says nothing. */
class FailureMessageTest {
  @Test
  void aFailureWithoutAMessageNamesItsClassAndTheFirstCauseThatSaysSomething() {
    assertEquals("IllegalStateException: OutOfMemoryError: Java heap space",
        HopfieldStoreMain.describe(new IllegalStateException((String) null,
            new OutOfMemoryError("Java heap space"))));
    assertEquals("NullPointerException", HopfieldStoreMain.describe(new NullPointerException()));
    assertEquals("store x: bad", HopfieldStoreMain.describe(new IllegalArgumentException(
        "store x: bad\n  at a long trace", new RuntimeException("hidden"))));
    assertEquals("IllegalArgumentException: IOException: disk full", HopfieldStoreMain.describe(
        new IllegalArgumentException(" ", new java.io.IOException("disk full"))));
  }

  /**
   * A failed Spark job reports the task's innermost cause, not "Job aborted due to stage failure:
   * ... Exception thrown in awaitResult:" (what a truncated Parquet part file printed).
   */
  @Test
  void aFailedSparkJobNamesTheTasksInnermostCause() {
    String aborted = "Job aborted due to stage failure: Task 0 in stage 0.0 failed 1 times, most"
        + " recent failure: Lost task 0.0 in stage 0.0 (TID 0) (localhost executor driver):"
        + " org.apache.spark.SparkException: Exception thrown in awaitResult: \n\tat a.b(C.java:1)"
        + "\nCaused by: org.apache.spark.SparkException: [FAILED_READ_FILE] Could not read footer."
        + "\n\tat d.e(F.java:2)\nCaused by: java.lang.RuntimeException: f.parquet is not a Parquet"
        + " file. Expected magic number at tail\n\tat g.h(I.java:3)\n";
    assertEquals("a Spark task failed: f.parquet is not a Parquet file. Expected magic number at"
        + " tail", HopfieldStoreMain.describeSparkFailure(
            new org.apache.spark.SparkException(aborted)));
    assertEquals("a Spark task failed: f.parquet is not a Parquet file", HopfieldStoreMain
        .describeSparkFailure(new org.apache.spark.SparkException("Job aborted due to stage"
            + " failure: lost task", new org.apache.spark.SparkException("awaitResult:",
                new RuntimeException("f.parquet is not a Parquet file\n\tat x")))));
    assertEquals("Could not parse Master URL: 'x'", HopfieldStoreMain.describeSparkFailure(
        new org.apache.spark.SparkException("Could not parse Master URL: 'x'")));
  }

  /**
   * A task whose Parquet writer failed on a full filesystem: Parquet's close adds the failure to
   * itself, so the JDK's "Self-suppression not permitted" wraps the real cause; the line names
   * the quota (it printed "Self-suppression not permitted").
   */
  @Test
  void aWriteFailureWrappedInSelfSuppressionNamesTheRealCause() {
    String quota = "The DiskSpace quota of /full is exceeded: quota = 403421376 B = 384.73 MB";
    Exception chained = new org.apache.spark.SparkException("Job aborted due to stage failure:"
        + " task failed", new org.apache.spark.SparkException("[TASK_WRITE_FAILED] writing",
            new IllegalArgumentException("Self-suppression not permitted",
                new java.io.IOException(quota))));
    assertEquals("a Spark task failed: " + quota, HopfieldStoreMain.describeSparkFailure(
        org.hopfieldstore.spark.dist.Errors.cause(chained)));
    Exception text = new org.apache.spark.SparkException("Job aborted due to stage failure:"
        + " lost task: org.apache.spark.SparkException: [TASK_WRITE_FAILED]\n\tat a.b(C.java:1)"
        + "\nCaused by: java.lang.IllegalArgumentException: Self-suppression not permitted\n"
        + "\tat d.e(F.java:2)\nCaused by: org.apache.hadoop.hdfs.protocol."
        + "DSQuotaExceededException: " + quota + "\n\tat g.h(I.java:3)\n");
    assertEquals(text, org.hopfieldstore.spark.dist.Errors.cause(text));
    assertEquals("a Spark task failed: " + quota, HopfieldStoreMain.describeSparkFailure(text));
    // the write error as the job saw it on local[1]: Spark's first line, then the cause
    Exception write = new org.apache.spark.SparkException("[TASK_WRITE_FAILED] Task failed"
        + " while writing rows to hdfs://h/full/x. SQLSTATE: 58030",
        new IllegalArgumentException("Self-suppression not permitted",
            new java.io.IOException(quota)));
    assertEquals(write, org.hopfieldstore.spark.dist.Errors.cause(write));
    assertEquals("[TASK_WRITE_FAILED] Task failed while writing rows to hdfs://h/full/x. SQLSTATE:"
        + " 58030: " + quota, HopfieldStoreMain.describeSparkFailure(write));
  }
}
