package org.hopfieldstore.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.hopfieldstore.core.memory.FloatMatrix;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), the interchange
 * format for memories, queries and reference results.
 *
 * <p>Reading is defensive because the files come from outside: the header dict is parsed by a
 * strict parser and never evaluated, pickled (object) arrays are refused, and the size the
 * header claims is checked against the file before anything is allocated. Data is read in
 * chunks of positioned reads ({@link ByteSource}: a local file, or any Hadoop filesystem through
 * the spark module) into a direct {@link ByteBuffer} and bulk-copied, so a 300 MB matrix loads
 * at disk/memory speed.
 *
 * <p>Errors: malformed content gives an {@link IllegalArgumentException} whose one-line message
 * starts with the file path and names the problem; an operating-system failure (missing file,
 * permission, disk error) gives an {@link UncheckedIOException}.
 *
 * <p>This class is the entry point; the work is done by the package-private {@code
 * NpyMatrixReader} (2-D float matrices, whole or by rows), {@code NpyArrayReader} (any supported
 * array), {@code NpyWriter}, {@code NpyHeader} with {@code NpyHeaderParser} (the header) and
 * {@code NpyFiles} (file access).
 */
public final class Npy {
  private Npy() {}

  // ---------------------------------------------------------------------------------------------
  // Reading

  /**
   * Reads a 2-D float32 ({@code <f4}) or float64 ({@code <f8}) array in C order, either byte
   * order, as a validated matrix. float64 values are narrowed to float32; a finite value beyond
   * the float32 range is an error rather than a silent infinity.
   *
   * @param what names the matrix in messages, e.g. "memories" or "queries"
   * @throws IllegalArgumentException "<path>: <problem>" for a malformed file, an unsupported
   *     dtype or layout, a shape that is not 2-D or has no rows, or a non-finite value (with its
   *     row and column)
   * @throws UncheckedIOException if the file cannot be read
   */
  public static FloatMatrix readMatrix(Path path, String what) {
    try (ByteSource src = ByteSource.open(path)) {
      return readMatrix(src, what);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(path.toString(), e);
    }
  }

  /** {@link #readMatrix(Path, String)} of any source (the source stays open). */
  public static FloatMatrix readMatrix(ByteSource src, String what) {
    return NpyMatrixReader.readRows(src, what, 0, -1);
  }

  /**
   * The shape {@code (rows, cols)} of a 2-D float .npy file, validated as {@link #readMatrix}
   * would (without reading the data): lets a distributed reader plan row ranges.
   */
  public static long[] matrixShape(Path path, String what) {
    try (ByteSource src = ByteSource.open(path)) {
      return matrixShape(src, what);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(path.toString(), e);
    }
  }

  /**
   * {@link #matrixShape(Path, String)} of any source; the file may hold more values than one
   * Java array (a distributed reader reads its row ranges).
   */
  public static long[] matrixShape(ByteSource src, String what) {
    return NpyMatrixReader.shape(src, what);
  }

  /**
   * Reads rows {@code [from, to)} of a 2-D float .npy file ({@code to = -1}: to the end), validated
   * as {@link #readMatrix}; error messages name rows by their index in the whole file.
   */
  public static FloatMatrix readRows(Path path, String what, int from, int to) {
    try (ByteSource src = ByteSource.open(path)) {
      return readRows(src, what, from, to);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(path.toString(), e);
    }
  }

  /**
   * Rows {@code [from, to)} of any source, validated as {@link #readMatrix}: the file itself may
   * hold more values than one Java array, each range at most one.
   */
  public static FloatMatrix readRows(ByteSource src, String what, long from, long to) {
    return NpyMatrixReader.readRows(src, what, from, to);
  }

  /**
   * Reads an array of any dimensionality with dtype f4, f8, i4, i8 (either byte order), u1 or b1.
   * Meant for tests and tools that compare against reference data: the header and size are
   * validated as in {@link #readMatrix}, but values are not checked for finiteness.
   *
   * @throws IllegalArgumentException "<path>: <problem>" for a malformed or unsupported file
   * @throws UncheckedIOException if the file cannot be read
   */
  public static NpyArray read(Path path) {
    try (ByteSource src = ByteSource.open(path)) {
      return read(src);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(path.toString(), e);
    }
  }

  /** {@link #read(Path)} of a location (a path or any filesystem's URI). */
  public static NpyArray read(String location) {
    if (!Locations.exists(location)) {
      throw new IllegalArgumentException(location + ": no such file");
    }
    try (ByteSource src = Locations.open(location)) {
      return read(src);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(location, e);
    }
  }

  /** {@link #read(Path)} of any source (the source stays open). */
  public static NpyArray read(ByteSource src) {
    return NpyArrayReader.read(src);
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Writes a {@code rows x cols} row-major float32 matrix as {@code <f4}, .npy version 1.0, data
   * aligned to 64 bytes as numpy does. Overwrites an existing file.
   */
  public static void writeFloat32(Path path, float[] data, int rows, int cols) {
    NpyWriter.writeFloat32(path, data, rows, cols);
  }

  /** Writes a {@code rows x cols} row-major float64 matrix as {@code <f8} (see writeFloat32). */
  public static void writeFloat64(Path path, double[] data, int rows, int cols) {
    NpyWriter.writeFloat64(path, data, rows, cols);
  }

  /** Writes a {@code rows x cols} row-major int64 matrix as {@code <i8} (see writeFloat32). */
  public static void writeInt64(Path path, long[] data, int rows, int cols) {
    NpyWriter.writeInt64(path, data, rows, cols);
  }

  /** Writes a 1-D float64 array, shape {@code (n,)}. */
  public static void writeFloat64(Path path, double[] data) {
    NpyWriter.writeFloat64(path, data);
  }

  /**
   * Writes a float32 matrix to {@code out} (any filesystem's stream; left open): the caller
   * makes the output atomic, e.g. by writing under a temporary name and renaming.
   */
  public static void writeFloat32(OutputStream out, float[] data, int rows, int cols)
      throws IOException {
    NpyWriter.writeFloat32(out, data, rows, cols);
  }

  /** Writes a float64 matrix to {@code out} (left open). */
  public static void writeFloat64(OutputStream out, double[] data, int rows, int cols)
      throws IOException {
    NpyWriter.writeFloat64(out, data, rows, cols);
  }

  /** Writes an int64 matrix to {@code out} (left open). */
  public static void writeInt64(OutputStream out, long[] data, int rows, int cols)
      throws IOException {
    NpyWriter.writeInt64(out, data, rows, cols);
  }

  /** Writes a 1-D float64 array, shape {@code (n,)}, to {@code out} (left open). */
  public static void writeFloat64(OutputStream out, double[] data) throws IOException {
    NpyWriter.writeFloat64(out, data);
  }

  /** Writes a 1-D int64 array, shape {@code (n,)}, to {@code out} (left open). */
  public static void writeInt64(OutputStream out, long[] data) throws IOException {
    NpyWriter.writeInt64(out, data);
  }

  /** Writes a 1-D int64 array, shape {@code (n,)}, e.g. memory ids or labels. */
  public static void writeInt64(Path path, long[] data) {
    NpyWriter.writeInt64(path, data);
  }
}
