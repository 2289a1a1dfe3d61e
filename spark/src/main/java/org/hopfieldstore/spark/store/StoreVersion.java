package org.hopfieldstore.spark.store;

import io.delta.tables.DeltaTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.hopfieldstore.core.kernel.KernelStep;
import org.hopfieldstore.core.kernel.LinearFeatureMap;
import org.hopfieldstore.core.nonparametric.KernelSummary;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.spark.io.HadoopLocations;

/**
 * One version of a store: its rows (Delta time travel), its metadata (that version's commit, or
 * the newest earlier one of ours when another tool committed since), and the history up to it.
 */
public final class StoreVersion {
  /** One commit of the table: what {@code store info} lists. */
  public record Commit(long version, String timestamp, String operation,
      Map<String, String> metrics, String storeOperation) {
    /** Whether hopfield-store made this commit (then storeOperation names the command). */
    public boolean ours() {
      return storeOperation != null;
    }
  }

  private final SparkSession spark;
  private final StoreRef ref;
  private final long version;
  private final long latest;
  private final StoreMetadata metadata;
  private final List<Commit> history;

  private StoreVersion(SparkSession spark, StoreRef ref, long version, long latest,
      StoreMetadata metadata, List<Commit> history) {
    this.spark = spark;
    this.ref = ref;
    this.version = version;
    this.latest = latest;
    this.metadata = metadata;
    this.history = history;
  }

  /** Opens {@code ref}: its pinned version, or the latest. */
  public static StoreVersion open(SparkSession spark, StoreRef ref) {
    String loc = ref.location();
    boolean exists;
    try {
      exists = HadoopLocations.isDirectory(loc);
    } catch (IOException e) {
      throw new IllegalArgumentException(loc + ": cannot read the store: " + e.getMessage(), e);
    }
    if (!exists || !DeltaTable.isDeltaTable(spark, loc)) {
      throw new IllegalArgumentException(loc + ": not a store (" + (exists
          ? "a directory without a Delta table" : "no such directory")
          + "); create one with: hopfield-store store create --from PATH --out " + loc);
    }
    List<Row> rows = DeltaTable.forPath(spark, loc).history()
        .select("version", "timestamp", "operation", "operationMetrics", "userMetadata")
        .collectAsList();
    List<Commit> all = new ArrayList<>();
    List<StoreMetadata> metas = new ArrayList<>();
    for (Row r : rows) {
      StoreMetadata m = StoreMetadata.fromCommitJson(r.isNullAt(4) ? null : r.getString(4));
      Map<String, String> metrics = r.isNullAt(3) ? Map.of() : r.getJavaMap(3);
      all.add(new Commit(r.getLong(0), String.valueOf(r.get(1)), r.getString(2), metrics,
          m == null ? null : StoreMetadata.operationOf(r.getString(4))));
      metas.add(m);
    }
    long latest = all.stream().mapToLong(Commit::version).max().orElseThrow();
    long v = ref.version() == null ? latest : ref.version();
    long oldest = all.stream().mapToLong(Commit::version).min().orElseThrow();
    if (v > latest || v < oldest) {
      throw new IllegalArgumentException("store " + loc + " has versions " + oldest + " to "
          + latest + "; there is no version " + v);
    }
    StoreMetadata meta = null;
    long metaVersion = -1;
    for (int i = 0; i < all.size(); i++) {
      long cv = all.get(i).version();
      if (metas.get(i) != null && cv <= v && cv > metaVersion) {
        meta = metas.get(i);
        metaVersion = cv;
      }
    }
    if (meta == null) {
      throw new IllegalArgumentException(loc + ": a Delta table, but not a hopfield store (no "
          + "commit up to version " + v + " carries store metadata)");
    }
    List<Commit> upTo = new ArrayList<>();
    for (Commit c : all) {
      if (c.version() <= v) {
        upTo.add(c);
      }
    }
    upTo.sort(Comparator.comparingLong(Commit::version));
    return new StoreVersion(spark, new StoreRef(loc, v), v, latest, meta, upTo);
  }

  public StoreRef ref() {
    return ref;
  }

  public long version() {
    return version;
  }

  /** The newest version of the table when this one was opened. */
  public long latest() {
    return latest;
  }

  public StoreMetadata metadata() {
    return metadata;
  }

  /** The commits up to this version, oldest first. */
  public List<Commit> history() {
    return history;
  }

  /** The rows of this version: {@code id, vector}, the user columns and the partition key. */
  public Dataset<Row> rows() {
    return spark.read().format("delta").option("versionAsOf", version).load(ref.location());
  }

  /** The kernel summary kept for {@code spec} (its canonical text), or null. */
  public KernelSummary summary(String spec) {
    for (StoreMetadata.Summary s : metadata.summaries) {
      if (s.spec().equals(spec)) {
        return readSummary(s);
      }
    }
    return null;
  }

  /** Every kernel summary kept with this version. */
  public List<KernelSummary> summaries() {
    List<KernelSummary> out = new ArrayList<>();
    for (StoreMetadata.Summary s : metadata.summaries) {
      out.add(readSummary(s));
    }
    return out;
  }

  private KernelSummary readSummary(StoreMetadata.Summary s) {
    Path p = new Path(ref.location(), s.file());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try (InputStream in = HadoopLocations.fileSystem(p, conf).open(p)) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      KernelSummary k = KernelSummary.fromBytes(bytes.toByteArray());
      if (k.count() != s.count()) {
        throw new IllegalStateException(p + ": the summary holds " + k.count()
            + " memories, the store's metadata says " + s.count());
      }
      return k;
    } catch (IOException e) {
      throw new IllegalStateException("store " + ref + ": cannot read its " + s.spec()
          + " summary " + p + ": " + e.getMessage(), e);
    }
  }

  /** The location of the attached feature map W, or null when none is attached. */
  public String kernelLocation() {
    StoreMetadata.Kernel k = metadata.kernel;
    return k == null ? null : new Path(ref.location(), k.file()).toString();
  }

  /** The attached feature map W; an error when none is attached. */
  public LinearFeatureMap kernelMap() {
    return LinearFeatureMap.read(requireKernelLocation());
  }

  /** Whether {@code spec} names the attached feature map ({@code kernel=store}). */
  public static boolean namesStoreKernel(RetrievalSpec spec) {
    return KernelStep.STORE_KERNEL.equals(spec.kernel());
  }

  /**
   * {@code spec} with {@code kernel=store} replaced by the attached W's location (an error
   * when none is attached); other specs unchanged.
   */
  public RetrievalSpec resolve(RetrievalSpec spec) {
    return namesStoreKernel(spec)
        ? spec.withKernel(requireKernelLocation(), spec.kernelNormalized()) : spec;
  }

  private String requireKernelLocation() {
    if (metadata.kernel == null) {
      throw new IllegalArgumentException("store " + ref + " has no attached kernel; attach one "
          + "with: hopfield-store arrange --store " + ref.location() + " --attach ...");
    }
    return kernelLocation();
  }

  /** Bytes of the data files this version reads. */
  public long dataBytes() throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    long sum = 0;
    for (String f : rows().inputFiles()) {
      Path p = new Path(f);
      sum += HadoopLocations.fileSystem(p, conf).getFileStatus(p).getLen();
    }
    return sum;
  }

  /** Bytes under the store's directory: every version's files, the log, the attachments. */
  public long totalBytes() throws IOException {
    Path p = new Path(ref.location());
    FileSystem fs = HadoopLocations.fileSystem(p, spark.sparkContext().hadoopConfiguration());
    return fs.getContentSummary(p).getLength();
  }
}
