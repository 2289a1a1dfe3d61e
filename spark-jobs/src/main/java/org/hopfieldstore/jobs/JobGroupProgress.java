package org.hopfieldstore.jobs;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Progress of work that runs as Spark jobs rather than as driver-side batches (the distributed
 * plan): the finished tasks of the jobs of one job group against the tasks of their stages
 * known so far, at most one line per interval on stderr.
 */
final class JobGroupProgress extends SparkListener implements AutoCloseable {
  private final SparkContext sc;
  private final String group;
  private final PrintStream err;
  private final String what;
  private final long intervalNanos;
  private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final long start = System.nanoTime();
  private long lastPrint = start;

  JobGroupProgress(SparkContext sc, String group, PrintStream err, String what,
      long intervalMillis) {
    this.sc = sc;
    this.group = group;
    this.err = err;
    this.what = what;
    this.intervalNanos = intervalMillis * 1_000_000L;
    sc.addSparkListener(this);
  }

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    if (job.properties() == null
        || !group.equals(job.properties().getProperty("spark.jobGroup.id"))) {
      return;
    }
    for (StageInfo s : CollectionConverters.asJava(job.stageInfos())) {
      if (stages.add(s.stageId())) {
        total.addAndGet(s.numTasks());
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd task) {
    if (!stages.contains(task.stageId()) || !task.taskInfo().successful()) {
      return;
    }
    long d = done.incrementAndGet();
    synchronized (this) {
      long now = System.nanoTime();
      if (err == null || now - lastPrint < intervalNanos) {
        return;
      }
      lastPrint = now;
      double elapsed = (now - start) / 1e9;
      // stages skipped because their output is cached never run: the count is an upper bound
      err.println(String.format(Locale.ROOT, "%s: %d/%d tasks, %.1f s elapsed", what, d,
          total.get(), elapsed));
    }
  }

  /** Tasks finished so far in the group's stages. */
  long tasksDone() {
    return done.get();
  }

  @Override
  public void close() {
    sc.removeSparkListener(this);
  }
}
