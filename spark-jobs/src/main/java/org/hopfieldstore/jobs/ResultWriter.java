package org.hopfieldstore.jobs;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.spark.dist.QueryData;
import org.hopfieldstore.spark.io.AtomicOutput;
import org.hopfieldstore.spark.io.HadoopLocations;

/** Where {@code retrieve}'s results go, batch by batch: .npy files, or Parquet. */
abstract class ResultWriter {
  abstract void add(long[] ids, RetrievalResult r) throws IOException;

  /** Writes what is left and adds the per-query figures to the summary. */
  abstract void finish(ObjectNode summary) throws IOException;

  /** Small results: collected, then written as three .npy files. */
  static final class Npy extends ResultWriter {
    private final AtomicOutput output;
    private final int d;
    private final int width;
    private final float[] states;
    private final long[] topIds;
    private final float[] topWeights;
    private final int[] steps;
    private final double[] energy;
    private final long[] support;
    private int n;

    Npy(AtomicOutput output, long b, int d, int width) {
      if (b * Math.max(d, width) > Integer.MAX_VALUE - 8) {
        throw new UsageException(b + " queries of dimension " + d + " do not fit a .npy "
            + "output; name the output *.parquet (Spark mode)");
      }
      this.output = output;
      this.d = d;
      this.width = width;
      int q = (int) b;
      states = new float[q * d];
      topIds = new long[q * width];
      topWeights = new float[q * width];
      steps = new int[q];
      energy = new double[q];
      support = new long[q];
    }

    @Override
    void add(long[] ids, RetrievalResult r) {
      System.arraycopy(r.states().data(), 0, states, n * d, r.batch() * d);
      for (int i = 0; i < r.batch(); i++, n++) {
        System.arraycopy(r.topIds(i), 0, topIds, n * width, width);
        System.arraycopy(r.topWeights(i), 0, topWeights, n * width, width);
        steps[n] = r.steps(i);
        energy[n] = r.finalEnergy(i);
        support[n] = r.supportSize(i);
      }
    }

    @Override
    void finish(ObjectNode summary) throws IOException {
      int b = steps.length;
      try (OutputStream o = output.create("states.npy")) {
        org.hopfieldstore.core.io.Npy.writeFloat32(o, states, b, d);
      }
      try (OutputStream o = output.create("top_ids.npy")) {
        org.hopfieldstore.core.io.Npy.writeInt64(o, topIds, b, width);
      }
      try (OutputStream o = output.create("top_weights.npy")) {
        org.hopfieldstore.core.io.Npy.writeFloat32(o, topWeights, b, width);
      }
      summary.put("report", width);
      summary.set("steps", Json.array(steps));
      summary.set("final_energy", Json.array(energy));
      summary.set("support_size", Json.array(support));
    }
  }

  /** Parquet written by the executors, one part file per batch. */
  static final class Parquet extends ResultWriter {
    private final SparkSession spark;
    private final AtomicOutput output;
    private int batches;

    Parquet(SparkSession spark, AtomicOutput output) {
      this.spark = spark;
      this.output = output;
    }

    @Override
    void add(long[] ids, RetrievalResult r) {
      String dir = output.location() + "/batch-" + batches++;
      spark.createDataFrame(QueryData.rows(r, ids), QueryData.RESULT_SCHEMA).coalesce(1)
          .write().parquet(dir);
    }

    @Override
    void finish(ObjectNode summary) throws IOException {
      for (int i = 0; i < batches; i++) {
        moveParts(output, output.location() + "/batch-" + i);
      }
      aggregates(spark, output.location(), summary);
    }

    /** Moves the part files of a Spark write into the output directory itself. */
    static void moveParts(AtomicOutput output, String dir) throws IOException {
      Path from = new Path(dir);
      FileSystem fs = HadoopLocations.fileSystem(from, HadoopLocations.configuration());
      for (FileStatus f : fs.listStatus(from)) {
        String name = f.getPath().getName();
        if (name.startsWith("part-")) {
          Path to = new Path(output.location(), from.getName() + "-" + name);
          if (!fs.rename(f.getPath(), to)) {
            throw new IOException("cannot move " + f.getPath() + " to " + to);
          }
        }
      }
      fs.delete(from, true);
    }

    /**
     * Counts, mean steps and mean final energy of the written results. Reads the part files by
     * name: Spark warns about a hidden root directory (the temporary output's) or a glob.
     */
    static void aggregates(SparkSession spark, String dir, ObjectNode summary)
        throws IOException {
      Path root = new Path(dir);
      FileSystem fs = HadoopLocations.fileSystem(root, HadoopLocations.configuration());
      String[] parts = java.util.Arrays.stream(fs.listStatus(root))
          .map(f -> f.getPath().toString()).filter(n -> n.endsWith(".parquet"))
          .toArray(String[]::new);
      if (parts.length == 0) {
        throw new IOException(dir + ": no result files were written");
      }
      Row a = spark.read().parquet(parts).agg(count("query_id"), avg("steps"), max("steps"),
          avg("energy")).first();
      summary.put("results", a.getLong(0));
      Json.put(summary, "steps_mean", a.isNullAt(1) ? Double.NaN : a.getDouble(1));
      summary.put("steps_max", a.isNullAt(2) ? 0 : a.getInt(2));
      Json.put(summary, "final_energy_mean", a.isNullAt(3) ? Double.NaN : a.getDouble(3));
    }
  }
}
