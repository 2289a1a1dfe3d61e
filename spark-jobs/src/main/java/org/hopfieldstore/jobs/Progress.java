package org.hopfieldstore.jobs;

import java.io.PrintStream;
import java.util.Locale;

/** Progress of long work on stderr: done/total, elapsed, estimated remaining; at most one line a second. */
final class Progress {
  private final PrintStream err;
  private final String verb;
  private final String unit;
  private final long total;
  private final long start = System.nanoTime();
  private long lastPrint = start;

  Progress(PrintStream err, String verb, String unit, long total) {
    this.err = err;
    this.verb = verb;
    this.unit = unit;
    this.total = total;
  }

  void update(long done) {
    if (err == null) {
      return;
    }
    long now = System.nanoTime();
    if (done >= total || now - lastPrint < 1_000_000_000L) {
      return; // the command's summary line reports the end
    }
    lastPrint = now;
    double elapsed = (now - start) / 1e9;
    double remaining = done == 0 ? Double.NaN : elapsed * (total - done) / done;
    err.println(String.format(Locale.ROOT, "%s %d/%d %s (%.1f%%), %.1f s elapsed, ~%.1f s left",
        verb, done, total, unit, 100.0 * done / total, elapsed, remaining));
  }
}
