package org.hopfieldstore.core.io;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;

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
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(p
          + ": is not a regular file (a FIFO, device or socket); give a file");
    }
    try (ByteSource src = ByteSource.open(path)) {
      return read(src, what);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(p, e);
    }
  }

  /**
   * Reads a location (a path, or any filesystem's URI: see {@link Locations}) as {@link
   * #read(Path, String)} does.
   */
  public static FloatMatrix read(String location, String what) {
    if (!Locations.exists(location)) {
      throw new IllegalArgumentException(location + ": no such file");
    }
    try (ByteSource src = Locations.open(location)) {
      return read(src, what);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(location, e);
    }
  }

  /**
   * Reads any source by the format its name says (as {@link #read(Path, String)}); the source
   * stays open.
   */
  public static FloatMatrix read(ByteSource src, String what) {
    String p = src.name();
    String name = p.substring(p.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    if (name.endsWith(".npy")) {
      return Npy.readMatrix(src, what);
    }
    if (name.contains("idx3-ubyte")) {
      return Idx.readImages(src, what);
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

  /**
   * Reads a memory file as blocks of at most {@code maxValues} values each (ids = row indices):
   * an in-process store of more values than one Java array holds. A .npy file is read block by
   * block; other formats as one block.
   */
  public static java.util.List<MemoryBlock> readBlocks(ByteSource src, String what,
      long maxValues) {
    java.util.List<MemoryBlock> blocks = new java.util.ArrayList<>();
    if (!src.name().toLowerCase(Locale.ROOT).endsWith(".npy")) {
      blocks.add(MemoryBlock.of(read(src, what)));
      return blocks;
    }
    long[] shape = Npy.matrixShape(src, what);
    long perBlock = Math.max(1, Math.min(shape[0], maxValues / shape[1]));
    for (long from = 0; from < shape[0]; from += perBlock) {
      long to = Math.min(shape[0], from + perBlock);
      FloatMatrix rows = Npy.readRows(src, what, from, to);
      blocks.add(MemoryBlock.withIdOffset(rows.data(), rows.rows(), rows.cols(), from));
    }
    return blocks;
  }
}
