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
}
