package org.hopfieldstore.jobs;

import org.hopfieldstore.spark.io.AtomicOutput;
import org.hopfieldstore.core.data.Preprocessing;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code prepare}: centre and/or scale memories, or turn IDX images into .npy. */
@Command(name = "prepare", sortOptions = false,
    header = "centre and/or scale memories to unit norm, or convert IDX to .npy",
    description = {"Writes the memories (.npy or IDX images) as float32 .npy after MODE, or with "
        + "an output ending in .parquet (Spark mode) as Parquet (id: long = row, vector: "
        + "array<float>), written by the executors:",
        "  none         unchanged (e.g. to turn IDX images into .npy)",
        "  unit         each memory scaled to unit norm",
        "  center-unit  the mean memory subtracted, then each scaled to unit norm (what the "
            + "papers' image setups do; raw images retrieve badly by dot product)", ""})
final class PrepareCommand extends CommandBase {
  @Option(names = "--memories", required = true, paramLabel = "PATH",
      description = "memories: .npy or IDX images")
  String memPath;

  @Option(names = "--out", required = true, paramLabel = "PATH",
      description = "output: a .npy file, or a .parquet directory (needs --master)")
  String path;

  @Mixin
  SparkOptions sparkOptions = new SparkOptions();

  /** Rows per task when writing Parquet. */
  private static final int ROWS_PER_TASK = 65_536;

  @Option(names = "--normalize", paramLabel = "MODE", defaultValue = "center-unit",
      description = "none, unit or center-unit (default ${DEFAULT-VALUE})")
  String normalize;

  @Option(names = "--overwrite", description = "replace an existing output")
  boolean overwrite;

  @Override
  void run() throws Exception {
    Preprocessing mode = Preprocessing.parse(normalize);
    if (path.replaceAll("/+$", "").endsWith(".parquet")) {
      if (sparkOptions.master() == null) {
        throw new UsageException("a Parquet output needs Spark mode: add --master local[*]");
      }
      parquet(mode);
      return;
    }
    try (AtomicOutput o = AtomicOutput.file(path, overwrite)) {
      FloatMatrix m = mode.apply(MatrixReader.read(memPath, "memories"));
      try (java.io.OutputStream s = o.create()) {
        Npy.writeFloat32(s, m.data(), m.rows(), m.cols());
      }
      o.commit();
      out.println("wrote " + m.rows() + " x " + m.cols() + " memories (" + mode + ") to " + path);
    }
  }

  /** The prepared rows as Parquet, each task writing a range of them. */
  private void parquet(Preprocessing mode) throws Exception {
    SparkSession spark = SparkBackend.session(sparkOptions.master(), "hopfield-store prepare",
        sparkOptions.conf());
    try (AtomicOutput o = AtomicOutput.directory(path, overwrite)) {
      FloatMatrix m = mode.apply(MatrixReader.read(memPath, "memories"));
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Broadcast<float[]> data = jsc.broadcast(m.data());
      int d = m.cols();
      List<int[]> ranges = new ArrayList<>();
      for (int from = 0; from < m.rows(); from += ROWS_PER_TASK) {
        ranges.add(new int[] {from, Math.min(m.rows(), from + ROWS_PER_TASK)});
      }
      JavaRDD<Row> rows = jsc.parallelize(ranges, ranges.size()).flatMap(r -> {
        List<Row> out = new ArrayList<>(r[1] - r[0]);
        for (int i = r[0]; i < r[1]; i++) {
          Float[] v = new Float[d];
          for (int j = 0; j < d; j++) {
            v[j] = data.value()[i * d + j];
          }
          out.add(RowFactory.create((long) i, v));
        }
        return out.iterator();
      });
      StructType schema = new StructType().add("id", DataTypes.LongType, false)
          .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);
      spark.createDataFrame(rows, schema).write().parquet(o.location() + "/rows");
      ResultWriter.Parquet.moveParts(o, o.location() + "/rows");
      o.commit();
      out.println("wrote " + m.rows() + " x " + d + " memories (" + mode + ") as Parquet to "
          + path);
    } finally {
      spark.stop();
    }
  }
}
