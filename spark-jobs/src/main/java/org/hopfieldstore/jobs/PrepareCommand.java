package org.hopfieldstore.jobs;

import java.nio.file.Path;
import org.hopfieldstore.core.data.Preprocessing;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code prepare}: centre and/or scale memories, or turn IDX images into .npy. */
@Command(name = "prepare", sortOptions = false,
    header = "centre and/or scale memories to unit norm, or convert IDX to .npy",
    description = {"Writes the memories (.npy or IDX images) as float32 .npy after MODE:",
        "  none         unchanged (e.g. to turn IDX images into .npy)",
        "  unit         each memory scaled to unit norm",
        "  center-unit  the mean memory subtracted, then each scaled to unit norm (what the "
            + "papers' image setups do; raw images retrieve badly by dot product)", ""})
final class PrepareCommand extends CommandBase {
  @Option(names = "--memories", required = true, paramLabel = "PATH",
      description = "memories: .npy or IDX images")
  Path memPath;

  @Option(names = "--out", required = true, paramLabel = "PATH.npy", description = "output file")
  Path path;

  @Option(names = "--normalize", paramLabel = "MODE", defaultValue = "center-unit",
      description = "none, unit or center-unit (default ${DEFAULT-VALUE})")
  String normalize;

  @Option(names = "--overwrite", description = "replace an existing output")
  boolean overwrite;

  @Override
  void run() throws Exception {
    Preprocessing mode = Preprocessing.parse(normalize);
    try (AtomicOutput o = AtomicOutput.file(path, overwrite)) {
      FloatMatrix m = mode.apply(MatrixReader.read(memPath, "memories"));
      Npy.writeFloat32(o.path(), m.data(), m.rows(), m.cols());
      o.commit();
      out.println("wrote " + m.rows() + " x " + m.cols() + " memories (" + mode + ") to " + path);
    }
  }
}
