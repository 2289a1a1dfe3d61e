package org.hopfieldstore.jobs;

import org.hopfieldstore.spark.io.AtomicOutput;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code generate}: seeded synthetic memories. */
@Command(name = "generate", sortOptions = false,
    header = "write seeded synthetic memories (uniform on the sphere, or clustered)",
    description = {"Writes M seeded memories as a float32 .npy file, atomically: uniform on the "
        + "unit sphere in R^D, or clustered (K centres on the sphere, each memory its centre "
        + "plus S times a Gaussian mix of I directions of its cluster, unit norm; defaults 16, "
        + "4, 0.3).", ""})
final class GenerateCommand extends CommandBase {
  @Option(names = "--count", required = true, paramLabel = "M", description = "memories, >= 1")
  int count;

  @Option(names = "--dim", required = true, paramLabel = "D", description = "dimension, >= 1")
  int dim;

  @Option(names = "--out", required = true, paramLabel = "PATH.npy", description = "output file")
  String path;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
      description = "random seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--kind", paramLabel = "KIND", defaultValue = "sphere",
      description = "sphere (default) or clustered:clusters=K,intrinsic=I,spread=S")
  String kind;

  @Option(names = "--overwrite", description = "replace an existing output")
  boolean overwrite;

  @Override
  void run() throws Exception {
    atLeast("--count", count, 1);
    atLeast("--dim", dim, 1);
    try (AtomicOutput o = AtomicOutput.file(path, overwrite)) {
      FloatMatrix m = SyntheticMemories.fromSource(kind, count, dim, seed);
      try (java.io.OutputStream s = o.create()) {
        Npy.writeFloat32(s, m.data(), count, dim);
      }
      o.commit();
    }
    out.println("wrote " + count + " x " + dim + " memories (" + (kind.equals("sphere")
        ? "uniform on the sphere" : kind) + ", seed " + seed + ") to " + path);
  }
}
