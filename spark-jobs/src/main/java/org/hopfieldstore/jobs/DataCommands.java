package org.hopfieldstore.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.Preprocessing;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;

/** {@code generate} and {@code make-queries}: seeded data sets for retrieval and studies. */
final class DataCommands {
  static final String GENERATE_USAGE = String.join("\n",
      "usage: hopfield-store generate --count M --dim D --out PATH.npy [--seed S]",
      "                               [--kind sphere|clustered:clusters=K,intrinsic=I,spread=S]",
      "                               [--overwrite]",
      "",
      "Writes M seeded memories (default seed 42) as a float32 .npy file, atomically: uniform",
      "on the unit sphere in R^D, or clustered (K centres on the sphere, each memory its centre",
      "plus S times a Gaussian mix of I directions of its cluster, unit norm; defaults 16, 4,",
      "0.3).");

  static final String QUERIES_USAGE = String.join("\n",
      "usage: hopfield-store make-queries --memories PATH --count B --out PATH.npy",
      "                                   [--corrupt KIND] [--targets PATH.npy] [--seed S]",
      "                                   [--overwrite]",
      "",
      "Makes B queries from B distinct memories drawn at random (seeded; default seed 42),",
      "each corrupted as KIND says (default mask-bottom):",
      "  none            an exact copy",
      "  mask-bottom     the bottom half of the coordinates zeroed (of an image: its lower half)",
      "  dropout:P       each coordinate zeroed with probability P, the kept ones scaled 1/(1-P)",
      "  gaussian:SIGMA  N(0, SIGMA^2) noise added to every coordinate",
      "--targets writes the index of the memory each query came from (int64 .npy), for",
      "retrieve --targets.");

  static final String PREPARE_USAGE = String.join("\n",
      "usage: hopfield-store prepare --memories PATH --out PATH.npy [--normalize MODE]",
      "                              [--overwrite]",
      "",
      "Writes the memories (.npy or IDX images) as float32 .npy after MODE (default",
      "center-unit):",
      "  none         unchanged (e.g. to turn IDX images into .npy)",
      "  unit         each memory scaled to unit norm",
      "  center-unit  the mean memory subtracted, then each scaled to unit norm (what the",
      "               papers' image setups do; raw images retrieve badly by dot product)");

  private DataCommands() {}

  static void prepare(String[] argv, PrintStream out) throws IOException {
    Args a = Args.parse("prepare", argv, Set.of("memories", "out", "normalize"),
        Set.of("overwrite"));
    Path memPath = a.path("memories");
    Path path = a.path("out");
    Preprocessing mode = Preprocessing.parse(a.get("normalize", "center-unit"));
    try (AtomicOutput o = AtomicOutput.file(path, a.has("overwrite"))) {
      FloatMatrix m = mode.apply(MatrixReader.read(memPath, "memories"));
      Npy.writeFloat32(o.path(), m.data(), m.rows(), m.cols());
      o.commit();
      out.println("wrote " + m.rows() + " x " + m.cols() + " memories (" + mode + ") to " + path);
    }
  }

  static void generate(String[] argv, PrintStream out) throws IOException {
    Args a = Args.parse("generate", argv, Set.of("count", "dim", "out", "seed", "kind"),
        Set.of("overwrite"));
    String kind = a.get("kind", "sphere");
    int count = a.integer("count", -1, 1);
    int dim = a.integer("dim", -1, 1);
    if (!a.has("count") || !a.has("dim")) {
      a.required(a.has("count") ? "dim" : "count");
    }
    long seed = a.longValue("seed", 42);
    Path path = a.path("out");
    try (AtomicOutput o = AtomicOutput.file(path, a.has("overwrite"))) {
      FloatMatrix m = SyntheticMemories.fromSource(kind, count, dim, seed);
      Npy.writeFloat32(o.path(), m.data(), count, dim);
      o.commit();
    }
    out.println("wrote " + count + " x " + dim + " memories (" + (kind.equals("sphere")
        ? "uniform on the sphere" : kind) + ", seed " + seed + ") to " + path);
  }

  static void makeQueries(String[] argv, PrintStream out) throws IOException {
    Args a = Args.parse("make-queries", argv,
        Set.of("memories", "count", "out", "corrupt", "targets", "seed"), Set.of("overwrite"));
    Path memPath = a.path("memories");
    int count = a.integer("count", -1, 1);
    a.required("count");
    Path path = a.path("out");
    Corruption corruption = Corruption.parse(a.get("corrupt", "mask-bottom"));
    long seed = a.longValue("seed", 42);
    boolean overwrite = a.has("overwrite");
    Path targetsPath = a.has("targets") ? a.path("targets") : null;
    try (AtomicOutput o = AtomicOutput.file(path, overwrite);
        AtomicOutput t = targetsPath == null ? null : AtomicOutput.file(targetsPath, overwrite)) {
      FloatMatrix memories = MatrixReader.read(memPath, "memories");
      QuerySet qs = QuerySet.fromMemories(memories, count, corruption, seed);
      Npy.writeFloat32(o.path(), qs.queries().data(), count, memories.cols());
      if (t != null) {
        Npy.writeInt64(t.path(), qs.targets());
        t.commit();
      }
      o.commit();
    }
    out.println("wrote " + count + " queries (" + corruption + ", seed " + seed + ") to " + path
        + (targetsPath == null ? "" : " and their targets to " + targetsPath));
  }
}
