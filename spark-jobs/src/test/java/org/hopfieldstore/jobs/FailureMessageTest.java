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
}
