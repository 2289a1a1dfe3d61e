package org.hopfieldstore.jobs;

import org.hopfieldstore.spark.io.AtomicOutput;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code make-queries}: corrupted queries made from memories, with their targets. */
@Command(name = "make-queries", sortOptions = false,
    header = "make corrupted queries from memories (masked, dropout, Gaussian noise)",
    description = {"Makes B queries from B distinct memories drawn at random (seeded), each "
        + "corrupted as KIND says:",
        "  none            an exact copy",
        "  mask-bottom     the bottom half of the coordinates zeroed (of an image: its lower "
            + "half)",
        "  dropout:P       each coordinate zeroed with probability P, the kept ones scaled "
            + "1/(1-P)",
        "  gaussian:SIGMA  N(0, SIGMA^2) noise added to every coordinate",
        "  gaussian-clamp:SIGMA  clamp(|x + N(0, SIGMA^2)|, 0, 1), as the sparse Hopfield "
            + "paper's code perturbs [0, 1] images",
        "  sphere-clamp:R  clamp(|x + R u|, 0, 1), u a random unit vector: noise of norm R, as "
            + "U-Hop's noise-robustness code", ""})
final class MakeQueriesCommand extends CommandBase {
  @Option(names = "--memories", required = true, paramLabel = "PATH",
      description = "memories: .npy or IDX images")
  String memPath;

  @Option(names = "--count", required = true, paramLabel = "B", description = "queries, >= 1")
  int count;

  @Option(names = "--out", required = true, paramLabel = "PATH.npy", description = "output file")
  String path;

  @Option(names = "--corrupt", paramLabel = "KIND", defaultValue = "mask-bottom",
      description = "corruption (default ${DEFAULT-VALUE})")
  String corrupt;

  @Option(names = "--targets", paramLabel = "PATH.npy", description = "also write the index "
      + "of the memory each query came from (int64 .npy), for retrieve --targets")
  String targetsPath;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
      description = "random seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--overwrite", description = "replace existing outputs")
  boolean overwrite;

  @Override
  void run() throws Exception {
    atLeast("--count", count, 1);
    Corruption corruption = Corruption.parse(corrupt);
    try (AtomicOutput o = AtomicOutput.file(path, overwrite);
        AtomicOutput t = targetsPath == null ? null : AtomicOutput.file(targetsPath, overwrite)) {
      FloatMatrix memories = MatrixReader.read(memPath, "memories");
      QuerySet qs = QuerySet.fromMemories(memories, count, corruption, seed);
      try (java.io.OutputStream s = o.create()) {
        Npy.writeFloat32(s, qs.queries().data(), count, memories.cols());
      }
      if (t != null) {
        try (java.io.OutputStream s = t.create()) {
          Npy.writeInt64(s, qs.targets());
        }
        t.commit();
      }
      o.commit();
    }
    out.println("wrote " + count + " queries (" + corruption + ", seed " + seed + ") to " + path
        + (targetsPath == null ? "" : " and their targets to " + targetsPath));
  }
}
