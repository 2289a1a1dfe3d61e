package org.hopfieldstore.core.io;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.hopfieldstore.core.memory.FloatMatrix;

/**
 * Loads a matrix (memories or queries) from any supported file, choosing the reader by file
 * name, so the command line and jobs accept either format without a format flag.
 */
public final class MatrixReader {
  /** The formats, as listed in error messages. */
  public static final String SUPPORTED =
      ".npy (2-D float32/float64, C order) or IDX images (*-idx3-ubyte, *-idx3-ubyte.gz)";

  private MatrixReader() {}

  /**
   * Reads {@code path}: {@code *.npy} with {@link Npy#readMatrix}, a name containing
   * {@code idx3-ubyte} (optionally gzipped) with {@link Idx#readImages}.
   *
   * @param what names the matrix in messages, e.g. "memories" or "queries"
   * @throws IllegalArgumentException "<path>: no such file", a directory, an unknown format
   *     (the message lists the supported ones), or any content error of the chosen reader
   * @throws UncheckedIOException if the file exists but cannot be read
   */
  public static FloatMatrix read(Path path, String what) {
    String p = path.toString();
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(p + ": no such file");
    }
    if (Files.isDirectory(path)) {
      throw new IllegalArgumentException(p + ": is a directory; expected a file: " + SUPPORTED);
    }
    Path fileName = path.getFileName();
    String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".npy")) {
      return Npy.readMatrix(path, what);
    }
    if (name.contains("idx3-ubyte")) {
      return Idx.readImages(path, what);
    }
    String hint = "";
    if (name.contains("idx1-ubyte")) {
      hint = " (an idx1 file holds labels, not images)";
    } else if (name.endsWith(".npz")) {
      hint = " (.npz archives are not read: save the array alone with np.save)";
    }
    throw new IllegalArgumentException(p + ": unknown file format" + hint + "; supported: "
        + SUPPORTED);
  }
}
