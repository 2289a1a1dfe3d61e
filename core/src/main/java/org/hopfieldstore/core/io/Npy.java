package org.hopfieldstore.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.hopfieldstore.core.memory.FloatMatrix;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), the interchange
 * format for memories, queries and reference results.
 *
 * <p>Reading is defensive because the files come from outside: the header dict is parsed by a
 * strict parser and never evaluated, pickled (object) arrays are refused, and the size the
 * header claims is checked against the file before anything is allocated. Data is read in
 * chunks through a {@link FileChannel} into a direct {@link ByteBuffer} and bulk-copied, so a
 * 300 MB matrix loads at disk/memory speed.
 *
 * <p>Errors: malformed content gives an {@link IllegalArgumentException} whose one-line message
 * starts with the file path and names the problem; an operating-system failure (missing file,
 * permission, disk error) gives an {@link UncheckedIOException}.
 */
public final class Npy {
  /** Read/write chunk size in bytes; a multiple of every element size. */
  private static final int CHUNK = 1 << 20;

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
    return readRows(path, what, 0, -1);
  }

  /**
   * The shape {@code (rows, cols)} of a 2-D float .npy file, validated as {@link #readMatrix}
   * would (without reading the data): lets a distributed reader plan row ranges.
   */
  public static long[] matrixShape(Path path, String what) {
    String p = path.toString();
    try (FileChannel ch = openForRead(path)) {
      NpyHeader h = matrixHeader(ch, p, what);
      return h.shape.clone();
    } catch (IOException e) {
      throw ioFailure(p, e);
    }
  }

  /**
   * Reads rows {@code [from, to)} of a 2-D float .npy file ({@code to = -1}: to the end), validated
   * as {@link #readMatrix}; error messages name rows by their index in the whole file.
   */
  public static FloatMatrix readRows(Path path, String what, int from, int to) {
    Objects.requireNonNull(what, "what");
    String p = path.toString();
    try (FileChannel ch = openForRead(path)) {
      NpyHeader h = matrixHeader(ch, p, what);
      NpyHeader.Dtype dt = NpyHeader.dtype(h.descr);
      int allRows = (int) h.shape[0];
      int cols = (int) h.shape[1];
      int end = to < 0 ? allRows : to;
      if (from < 0 || from >= end || end > allRows) {
        throw new IllegalArgumentException(p + ": row range [" + from + ", " + end
            + ") is not inside the " + allRows + " rows of " + what);
      }
      int rows = end - from;
      float[] data = new float[rows * cols];
      long first = (long) from * cols;
      long count = (long) rows * cols;
      if (dt.size() == 4) {
        readChunks(ch, h, dt, p, first, count, (buf, index) ->
            buf.asFloatBuffer().get(data, (int) index, buf.remaining() / 4));
      } else {
        readFloat64AsFloat32(ch, h, dt, p, what, data, cols, from, first, count);
      }
      for (int i = 0; i < data.length; i++) {
        if (!Float.isFinite(data[i])) {
          throw new IllegalArgumentException(p + ": " + what + ": non-finite value " + data[i]
              + " at row " + (from + i / cols) + ", column " + (i % cols));
        }
      }
      return FloatMatrix.of(what, data, rows, cols);
    } catch (IOException e) {
      throw ioFailure(p, e);
    }
  }

  /** Reads and checks the header of a 2-D float matrix file, including its data size. */
  private static NpyHeader matrixHeader(FileChannel ch, String p, String what)
      throws IOException {
    NpyHeader h = NpyHeader.read(ch, p);
    checkLayout(h, p);
    NpyHeader.Dtype dt = NpyHeader.dtype(h.descr);
    if (dt == null) {
      throw unsupported(h, p, MATRIX_DTYPES);
    }
    if (!dt.isFloat()) {
      throw new IllegalArgumentException(p + ": unsupported dtype '" + h.descr + "' ("
          + (dt.isInteger() ? "integer" : "bool") + ") for " + what + "; " + MATRIX_DTYPES);
    }
    if (h.shape.length != 2) {
      throw new IllegalArgumentException(p + ": " + what + ": expected a 2-D array, got "
          + h.shape.length + "-D shape " + NpyHeader.shapeString(h.shape)
          + (h.shape.length == 1 ? " (save a single vector as shape (1, d))" : ""));
    }
    if (h.shape[0] == 0) {
      throw new IllegalArgumentException(p + ": empty " + what
          + ": need at least 1 row, got shape " + NpyHeader.shapeString(h.shape));
    }
    if (h.shape[1] == 0) {
      throw new IllegalArgumentException(p + ": " + what + ": dimension must be >= 1, got 0");
    }
    h.checkDataSize(p, dt.size());
    return h;
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
    String p = path.toString();
    try (FileChannel ch = openForRead(path)) {
      NpyHeader h = NpyHeader.read(ch, p);
      checkLayout(h, p);
      NpyHeader.Dtype dt = NpyHeader.dtype(h.descr);
      if (dt == null) {
        throw unsupported(h, p, ANY_DTYPES);
      }
      h.checkDataSize(p, dt.size());
      int n = (int) h.elementCount();
      int[] shape = new int[h.shape.length];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = (int) h.shape[i]; // each dim <= element count unless the count is 0
        if (shape[i] != h.shape[i]) {
          throw new IllegalArgumentException(p + ": array too large: dimension " + h.shape[i]
              + " in shape " + NpyHeader.shapeString(h.shape));
        }
      }
      Object values;
      switch (dt.kind() + "" + dt.size()) {
        case "f4": {
          float[] v = new float[n];
          readChunks(ch, h, dt, p, (buf, i) -> buf.asFloatBuffer().get(v, (int) i,
              buf.remaining() / 4));
          values = v;
          break;
        }
        case "f8": {
          double[] v = new double[n];
          readChunks(ch, h, dt, p, (buf, i) -> buf.asDoubleBuffer().get(v, (int) i,
              buf.remaining() / 8));
          values = v;
          break;
        }
        case "i4": {
          int[] v = new int[n];
          readChunks(ch, h, dt, p, (buf, i) -> buf.asIntBuffer().get(v, (int) i,
              buf.remaining() / 4));
          values = v;
          break;
        }
        case "i8": {
          long[] v = new long[n];
          readChunks(ch, h, dt, p, (buf, i) -> buf.asLongBuffer().get(v, (int) i,
              buf.remaining() / 8));
          values = v;
          break;
        }
        default: { // u1, b1
          byte[] v = new byte[n];
          readChunks(ch, h, dt, p, (buf, i) -> buf.get(v, (int) i, buf.remaining()));
          values = v;
          break;
        }
      }
      return new NpyArray(shape, h.descr, dt.kind(), values);
    } catch (IOException e) {
      throw ioFailure(p, e);
    }
  }

  private static void checkLayout(NpyHeader h, String p) {
    if (h.fortranLayoutDiffers()) {
      throw new IllegalArgumentException(p + ": Fortran-order (column-major) .npy is not "
          + "supported; save with np.ascontiguousarray (shape " + NpyHeader.shapeString(h.shape)
          + ")");
    }
  }

  private static final String MATRIX_DTYPES =
      "expected float32 '<f4' or float64 '<f8' ('>f4', '>f8' big-endian also read)";
  private static final String ANY_DTYPES =
      "supported: f4, f8, i4, i8 in either byte order ('<' or '>'), '|u1', '|b1'";

  private static IllegalArgumentException unsupported(NpyHeader h, String p, String supported) {
    return new IllegalArgumentException(p + ": unsupported dtype '"
        + NpyHeader.printable(h.descr) + "' (" + NpyHeader.describeUnsupported(h.descr)
        + "); " + supported);
  }

  /**
   * Narrows float64 to float32. A finite value that would become infinite is an error naming its
   * row and column, unless a NaN/inf comes earlier (then FloatMatrix.of reports that one).
   */
  private static void readFloat64AsFloat32(FileChannel ch, NpyHeader h, NpyHeader.Dtype dt,
      String p, String what, float[] data, int cols, int firstRow, long first, long count)
      throws IOException {
    double[] scratch = new double[Math.min(data.length, CHUNK / 8)];
    long[] overflowAt = {-1};
    double[] overflowValue = {0};
    boolean[] sawNonFinite = {false};
    readChunks(ch, h, dt, p, first, count, (buf, index) -> {
      int n = buf.remaining() / 8;
      buf.asDoubleBuffer().get(scratch, 0, n);
      int base = (int) index;
      for (int k = 0; k < n; k++) {
        double d = scratch[k];
        float f = (float) d;
        if (!Float.isFinite(f) && !sawNonFinite[0]) {
          sawNonFinite[0] = true;
          if (Double.isFinite(d)) {
            overflowAt[0] = base + k;
            overflowValue[0] = d;
          }
        }
        data[base + k] = f;
      }
    });
    if (overflowAt[0] >= 0) {
      long i = overflowAt[0];
      throw new IllegalArgumentException(p + ": " + what + ": float64 value " + overflowValue[0]
          + " at row " + (firstRow + i / cols) + ", column " + (i % cols)
          + " is outside the float32 range (|x| <= " + Float.MAX_VALUE + ")");
    }
  }

  /** Receives consecutive chunks; {@code index} is the element index of the chunk's start. */
  @FunctionalInterface
  private interface ChunkSink {
    void accept(ByteBuffer buf, long index) throws IOException;
  }

  private static void readChunks(FileChannel ch, NpyHeader h, NpyHeader.Dtype dt, String p,
      ChunkSink sink) throws IOException {
    readChunks(ch, h, dt, p, 0, h.elementCount(), sink);
  }

  /** Reads elements {@code [first, first + count)}; chunk indices count from {@code first}. */
  private static void readChunks(FileChannel ch, NpyHeader h, NpyHeader.Dtype dt, String p,
      long first, long count, ChunkSink sink) throws IOException {
    long start = h.dataOffset + first * dt.size();
    long total = count * dt.size();
    if (total == 0) {
      return;
    }
    ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(CHUNK, total)).order(dt.order());
    long done = 0;
    while (done < total) {
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), total - done));
      while (buf.hasRemaining()) {
        int r = ch.read(buf, start + done + buf.position());
        if (r < 0) {
          throw new IllegalArgumentException(p + ": truncated data: expected " + total
              + " bytes, found " + (done + buf.position()) + " (file shrank while reading)");
        }
      }
      buf.flip();
      sink.accept(buf, done / dt.size());
      done += buf.limit();
    }
  }

  /** Opens a regular file for reading; a directory is refused up front with a clear message. */
  static FileChannel openForRead(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      throw new FileSystemException(path.toString(), null, "is a directory, not a file");
    }
    return FileChannel.open(path, StandardOpenOption.READ);
  }

  /** Wraps an OS-level failure as "<path>: <reason>" on one line. */
  static UncheckedIOException ioFailure(String p, IOException e) {
    String reason;
    if (e instanceof NoSuchFileException) {
      reason = "no such file";
    } else if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      reason = ((FileSystemException) e).getReason();
    } else {
      reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
          + e.getMessage());
    }
    return new UncheckedIOException(p + ": " + reason.replace('\n', ' '), e);
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Writes a {@code rows x cols} row-major float32 matrix as {@code <f4}, .npy version 1.0, data
   * aligned to 64 bytes as numpy does. Overwrites an existing file.
   */
  public static void writeFloat32(Path path, float[] data, int rows, int cols) {
    checkShape(data.length, rows, cols);
    write(path, "<f4", new long[] {rows, cols}, 4, data.length,
        (buf, from, n) -> buf.asFloatBuffer().put(data, from, n));
  }

  /** Writes a {@code rows x cols} row-major float64 matrix as {@code <f8} (see writeFloat32). */
  public static void writeFloat64(Path path, double[] data, int rows, int cols) {
    checkShape(data.length, rows, cols);
    write(path, "<f8", new long[] {rows, cols}, 8, data.length,
        (buf, from, n) -> buf.asDoubleBuffer().put(data, from, n));
  }

  /** Writes a {@code rows x cols} row-major int64 matrix as {@code <i8} (see writeFloat32). */
  public static void writeInt64(Path path, long[] data, int rows, int cols) {
    checkShape(data.length, rows, cols);
    write(path, "<i8", new long[] {rows, cols}, 8, data.length,
        (buf, from, n) -> buf.asLongBuffer().put(data, from, n));
  }

  /** Writes a 1-D float64 array, shape {@code (n,)}. */
  public static void writeFloat64(Path path, double[] data) {
    write(path, "<f8", new long[] {data.length}, 8, data.length,
        (buf, from, n) -> buf.asDoubleBuffer().put(data, from, n));
  }

  /** Writes a 1-D int64 array, shape {@code (n,)}, e.g. memory ids or labels. */
  public static void writeInt64(Path path, long[] data) {
    write(path, "<i8", new long[] {data.length}, 8, data.length,
        (buf, from, n) -> buf.asLongBuffer().put(data, from, n));
  }

  private static void checkShape(int length, int rows, int cols) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("npy write: negative shape " + rows + " x " + cols);
    }
    if ((long) rows * cols != length) {
      throw new IllegalArgumentException("npy write: " + rows + " x " + cols + " needs "
          + ((long) rows * cols) + " values, got " + length);
    }
  }

  /** Fills {@code buf} (little-endian, positioned at 0) with elements [from, from + n). */
  @FunctionalInterface
  private interface ChunkSource {
    void fill(ByteBuffer buf, int from, int n);
  }

  /** The version 1.0 header for {@code descr} and {@code shape}, padded to a multiple of 64. */
  static byte[] header(String descr, long[] shape) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': "
        + NpyHeader.shapeString(shape) + ", }";
    int unpadded = 10 + dict.length() + 1;
    int padded = (unpadded + 63) / 64 * 64;
    StringBuilder sb = new StringBuilder(padded);
    sb.append("\u0093NUMPY\u0001\u0000");
    int headerLen = padded - 10;
    sb.append((char) (headerLen & 0xff)).append((char) (headerLen >>> 8));
    sb.append(dict);
    while (sb.length() < padded - 1) {
      sb.append(' ');
    }
    sb.append('\n');
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void write(Path path, String descr, long[] shape, int itemSize, int count,
      ChunkSource source) {
    Objects.requireNonNull(path, "path");
    String p = path.toString();
    FileChannel opened;
    try {
      opened = FileChannel.open(path, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw ioFailure(p, e);
    }
    boolean ok = false;
    try (FileChannel ch = opened) {
      writeFully(ch, ByteBuffer.wrap(header(descr, shape)));
      int perChunk = CHUNK / itemSize;
      ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(CHUNK, (long) count * itemSize
          + 8)).order(ByteOrder.LITTLE_ENDIAN);
      for (int from = 0; from < count; from += perChunk) {
        int n = Math.min(perChunk, count - from);
        buf.clear();
        source.fill(buf, from, n);
        buf.limit(n * itemSize);
        writeFully(ch, buf);
      }
      ok = true;
    } catch (IOException e) {
      throw ioFailure(p, e);
    } finally {
      if (!ok) {
        try {
          Files.deleteIfExists(path); // we created or truncated it: leave no partial output
        } catch (IOException ignored) {
          // the original failure is what matters
        }
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
