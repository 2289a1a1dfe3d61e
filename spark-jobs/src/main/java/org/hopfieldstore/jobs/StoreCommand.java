package org.hopfieldstore.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.hopfieldstore.core.data.Preprocessing;
import org.hopfieldstore.core.io.Locations;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.spark.dist.MemoryFrames;
import org.hopfieldstore.spark.store.MemoryStore;
import org.hopfieldstore.spark.store.StoreMetadata;
import org.hopfieldstore.spark.store.StoreRef;
import org.hopfieldstore.spark.store.StoreVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code store}: a persistent, versioned memory store (a Delta table) and its changes. */
@Command(name = "store", sortOptions = false,
    header = "create, change and inspect a persistent, versioned memory store",
    description = {"A store is a directory on any Hadoop filesystem holding a Delta Lake table "
        + "of memories (id long, vector array<float>, your other columns, a partition key) and "
        + "their metadata: dimension, preprocessing, partitions, kernel summaries. Every change "
        + "commits a new version; STORE@VERSION names an old one (retrieve --store, info). "
        + "Each command runs on Spark: local[*] unless --master says otherwise.", ""},
    subcommands = {StoreCommand.Create.class, StoreCommand.Append.class,
        StoreCommand.Delete.class, StoreCommand.Info.class, StoreCommand.Compact.class})
final class StoreCommand extends CommandBase {
  @Override
  void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "no store command given (create, append, delete, info or compact)");
  }

  /** Options every store command shares. */
  abstract static class StoreBase extends CommandBase {
    /** The line a change prints: what it committed and where the store is now. */
    void report(MemoryStore.Change c, String store, long t0) {
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (c.operation().equals("compact")) {
        out.printf(Locale.ROOT, "compact: %s is at version %d with %d memories (%.1f s)%n",
            store, c.version(), c.totalRows(), seconds);
      } else {
        out.printf(Locale.ROOT, "%s: %d rows; %s is at version %d with %d memories (%.1f s)%n",
            c.operation(), c.rows(), store, c.version(), c.totalRows(), seconds);
      }
    }

    @Mixin
    SparkOptions sparkOptions = new SparkOptions();

    @Option(names = "--kernel", paramLabel = "NAME", defaultValue = "nd4j",
        description = "score kernel that builds kernel summaries (default ${DEFAULT-VALUE})")
    String kernelName;

    /** Checks that need no Spark (usage mistakes), before a session starts. */
    void checkUsage() {}

    /** The command's work in a session of its own (local[*] unless --master). */
    abstract void run(SparkSession spark) throws Exception;

    @Override
    final void run() throws Exception {
      checkUsage();
      String master = sparkOptions.master() == null ? "local[*]" : sparkOptions.master();
      SparkSession spark = SparkBackend.session(master, "hopfield-store store "
          + spec.name(), sparkOptions.conf());
      try {
        run(spark);
      } finally {
        spark.stop();
      }
    }
  }

  /** Options of the commands that read new memories. */
  abstract static class FromBase extends StoreBase {
    @Option(names = "--from", required = true, paramLabel = "PATH", description = "memories: "
        + ".npy (2-D float32/float64), IDX images, or Parquet (a .parquet path or a directory; "
        + "columns --id-column and --vector-column, other columns are kept)")
    String from;

    @Option(names = "--id-column", paramLabel = "C", defaultValue = "id",
        description = "id column of Parquet input (default ${DEFAULT-VALUE})")
    String idCol;

    @Option(names = "--vector-column", paramLabel = "V", defaultValue = "vector",
        description = "vector column of Parquet input (default ${DEFAULT-VALUE})")
    String vectorCol;

    /** The input as a frame; .npy and IDX rows get ids {@code firstId + row}. */
    Dataset<Row> input(SparkSession spark, long firstId) throws java.io.IOException {
      if (!Locations.exists(from)) {
        throw new IllegalArgumentException(from + ": no such file");
      }
      if (SparkBackend.isParquet(from)) {
        return spark.read().parquet(from);
      }
      if (!idCol.equals("id") || !vectorCol.equals("vector")) {
        throw new UsageException("--id-column and --vector-column name Parquet columns; " + from
            + " is not Parquet");
      }
      if (from.toLowerCase(Locale.ROOT).endsWith(".npy")) {
        return MemoryFrames.fromNpy(spark, from, firstId);
      }
      return MemoryFrames.fromMatrix(spark, MatrixReader.read(from, "memories"), firstId);
    }
  }

  @Command(name = "create", sortOptions = false, header = "create a store (version 0)",
      description = {"Validates the memories once (ids unique and >= 0, one dimension, finite "
          + "values), applies --normalize, partitions them by id and writes version 0. Rows of "
          + ".npy and IDX input get ids 0, 1, 2, ...", ""})
  static final class Create extends FromBase {
    @Option(names = "--out", required = true, paramLabel = "STORE",
        description = "the new store's directory (must not exist)")
    String out;

    @Option(names = "--normalize", paramLabel = "MODE", defaultValue = "none", description =
        "none, unit or center-unit (the mean of these memories, kept and applied to every row "
            + "appended later) (default ${DEFAULT-VALUE})")
    String normalize;

    @Option(names = "--summary", paramLabel = "SPEC", description = "keep the kernel summary "
        + "of a linear or prf model (e.g. prf:features=256,beta=1,seed=7) in step with the "
        + "rows; repeatable")
    List<String> summaries = new ArrayList<>();

    private Preprocessing mode;
    private final List<RetrievalSpec> specs = new ArrayList<>();

    @Override
    void checkUsage() {
      mode = Preprocessing.parse(normalize);
      for (String s : summaries) {
        specs.add(RetrievalSpec.parse(s));
      }
    }

    @Override
    void run(SparkSession spark) throws Exception {
      long t0 = System.nanoTime();
      int partitions = sparkOptions.partitions() > 0 ? sparkOptions.partitions()
          : spark.sparkContext().defaultParallelism();
      MemoryStore.Change c = MemoryStore.create(spark, input(spark, 0), idCol, vectorCol, out,
          mode, partitions, specs, kernelName);
      report(c, out, t0);
    }
  }

  @Command(name = "append", sortOptions = false, header = "append memories: a new version",
      description = {"Checks the new rows against the store (dimension, columns, ids new to "
          + "it), applies the store's preprocessing, adds their terms to each kernel summary "
          + "and commits a new version. Rows of .npy and IDX input get ids from --first-id on "
          + "(default: one above the store's largest id).", ""})
  static final class Append extends FromBase {
    @Option(names = "--store", required = true, paramLabel = "STORE", description = "the store")
    String store;

    @Option(names = "--first-id", paramLabel = "N",
        description = "id of the first row of .npy or IDX input")
    Long firstId;

    @Override
    void run(SparkSession spark) throws Exception {
      long t0 = System.nanoTime();
      long first = firstId != null ? firstId : nextId(spark);
      MemoryStore.Change c = MemoryStore.append(spark, store, input(spark, first), idCol,
          vectorCol, kernelName);
      report(c, store, t0);
    }

    private long nextId(SparkSession spark) {
      Row max = StoreVersion.open(spark, new StoreRef(store, null)).rows()
          .agg(org.apache.spark.sql.functions.max(MemoryFrames.ID)).first();
      return max.isNullAt(0) ? 0 : max.getLong(0) + 1;
    }
  }

  @Command(name = "delete", sortOptions = false, header = "delete memories: a new version",
      description = {"Removes the rows with the given ids (every id must be in the store) or "
          + "those matching a SQL condition on the store's columns, subtracts their terms from "
          + "each kernel summary and commits a new version.", ""})
  static final class Delete extends StoreBase {
    @Option(names = "--store", required = true, paramLabel = "STORE", description = "the store")
    String store;

    @Option(names = "--ids", paramLabel = "IDS", description = "ids: a comma-separated list, "
        + "an int64 .npy file, or Parquet with an id column")
    String ids;

    @Option(names = "--where", paramLabel = "EXPR",
        description = "a SQL condition, e.g. \"label = 3\" or \"id >= 60000\"")
    String where;

    @Override
    void checkUsage() {
      if ((ids == null) == (where == null)) {
        throw new UsageException("give --ids or --where (one of them)");
      }
    }

    @Override
    void run(SparkSession spark) throws Exception {
      long t0 = System.nanoTime();
      MemoryStore.Change c = MemoryStore.delete(spark, store, ids == null ? null
          : idFrame(spark), where, kernelName);
      report(c, store, t0);
    }

    private Dataset<Row> idFrame(SparkSession spark) throws java.io.IOException {
      List<Long> list = new ArrayList<>();
      if (ids.matches("[0-9]+(,[0-9]+)*")) {
        for (String s : ids.split(",")) {
          list.add(Long.parseLong(s));
        }
      } else if (!Locations.exists(ids)) {
        throw new IllegalArgumentException(ids + ": no such file (and not a list of ids)");
      } else if (SparkBackend.isParquet(ids)) {
        return spark.read().parquet(ids).select(MemoryFrames.ID);
      } else {
        for (long id : Npy.read(ids).asLongs()) {
          list.add(id);
        }
      }
      List<Row> rows = new ArrayList<>();
      list.forEach(id -> rows.add(org.apache.spark.sql.RowFactory.create(id)));
      return spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType()
          .add(MemoryFrames.ID, org.apache.spark.sql.types.DataTypes.LongType));
    }
  }

  @Command(name = "compact", sortOptions = false, header = "rewrite small files (a version)",
      description = {"Rewrites the latest version's small files into fewer (Delta's OPTIMIZE); "
          + "rows, metadata and the version history stay.", ""})
  static final class Compact extends StoreBase {
    @Option(names = "--store", required = true, paramLabel = "STORE", description = "the store")
    String store;

    @Override
    void run(SparkSession spark) {
      long t0 = System.nanoTime();
      report(MemoryStore.compact(spark, store), store, t0);
    }
  }

  @Command(name = "info", sortOptions = false, header = "describe a store or one version",
      description = {"Rows, dimension, preprocessing, partitions, kernel summaries, bytes on "
          + "disk, and the versions with their operations and times.", ""})
  static final class Info extends StoreBase {
    @Option(names = "--store", required = true, paramLabel = "STORE[@VERSION]",
        description = "the store, at its latest version or at VERSION")
    String store;

    @Override
    void run(SparkSession spark) throws Exception {
      StoreVersion v = StoreVersion.open(spark, StoreRef.parse(store));
      StoreMetadata m = v.metadata();
      out.printf(Locale.ROOT, "store %s, version %d of %d%n", v.ref().location(), v.version(),
          v.latest());
      out.printf(Locale.ROOT, "  memories     %d x %d (%s)%n", MemoryStore.totalRows(v),
          m.dim, m.preprocessing);
      out.printf(Locale.ROOT, "  partitions   %d (by %s)%n", m.partitions, MemoryStore.PART);
      out.printf(Locale.ROOT, "  columns      id, vector%s%n", m.columns.isEmpty() ? ""
          : ", " + String.join(", ", m.columns));
      for (StoreMetadata.Summary s : m.summaries) {
        out.printf(Locale.ROOT, "  summary      %s (%d memories)%n", s.spec(), s.count());
      }
      if (m.kernel != null) {
        out.printf(Locale.ROOT, "  kernel       W %d x %d (%s, from version %d), row factors in "
            + "%s: retrieve with kernel=store%n", m.kernel.outDim(), m.kernel.inDim(),
            m.kernel.learnedBy(), m.kernel.learnedOn(), MemoryStore.ROW_FACTOR);
      }
      out.printf(Locale.ROOT, "  bytes        %d in this version's data files; %d under the "
          + "directory%n", v.dataBytes(), v.totalBytes());
      out.println("  versions");
      for (StoreVersion.Commit c : v.history()) {
        out.printf(Locale.ROOT, "    %4d  %s  %-8s %s%n", c.version(), c.timestamp(),
            c.ours() ? c.storeOperation() : c.operation(), changed(c));
      }
    }

    private static String changed(StoreVersion.Commit c) {
      var m = c.metrics();
      List<String> parts = new ArrayList<>();
      String[][] keys = "attach-kernel".equals(c.storeOperation())
          ? new String[][] {{"numOutputRows", "rows rewritten with their row factors"}}
          : c.operation().equals("WRITE") ? new String[][] {{"numOutputRows", "rows added"}}
          : new String[][] {{"numTargetRowsInserted", "rows added"},
              {"numTargetRowsDeleted", "rows deleted"}, {"numDeletedRows", "rows deleted"},
              {"numRemovedFiles", "files removed"}, {"numAddedFiles", "files added"}};
      for (String[] k : keys) {
        if (m.containsKey(k[0]) && !m.get(k[0]).equals("0")) {
          parts.add(m.get(k[0]) + " " + k[1]);
        }
      }
      return String.join(", ", parts) + (c.ours() ? "" : " (" + c.operation()
          + ", not by hopfield-store)");
    }
  }
}
