package org.hopfieldstore.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes .npy version 1.0 files, data aligned to 64 bytes as numpy does (see the write methods
 * of {@link Npy}). A failed write deletes the file rather than leave a partial one.
 */
final class NpyWriter {
  private NpyWriter() {}

  static void writeFloat32(Path path, float[] data, int rows, int cols) {
    checkShape(data.length, rows, cols);
    write(path, "<f4", new long[] {rows, cols}, 4, data.length,
        (buf, from, n) -> buf.asFloatBuffer().put(data, from, n));
  }

  static void writeFloat64(Path path, double[] data, int rows, int cols) {
    checkShape(data.length, rows, cols);
    write(path, "<f8", new long[] {rows, cols}, 8, data.length,
        (buf, from, n) -> buf.asDoubleBuffer().put(data, from, n));
  }

  static void writeInt64(Path path, long[] data, int rows, int cols) {
    checkShape(data.length, rows, cols);
    write(path, "<i8", new long[] {rows, cols}, 8, data.length,
        (buf, from, n) -> buf.asLongBuffer().put(data, from, n));
  }

  static void writeFloat64(Path path, double[] data) {
    write(path, "<f8", new long[] {data.length}, 8, data.length,
        (buf, from, n) -> buf.asDoubleBuffer().put(data, from, n));
  }

  static void writeInt64(Path path, long[] data) {
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
      throw NpyFiles.ioFailure(p, e);
    }
    boolean ok = false;
    try (FileChannel ch = opened) {
      write(ch, descr, shape, itemSize, count, source);
      ok = true;
    } catch (IOException e) {
      throw NpyFiles.ioFailure(p, e);
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

  /** Writes header and data to {@code ch} (not closed). */
  private static void write(WritableByteChannel ch, String descr, long[] shape, int itemSize,
      int count, ChunkSource source) throws IOException {
    writeFully(ch, ByteBuffer.wrap(header(descr, shape)));
    int perChunk = NpyFiles.CHUNK / itemSize;
    ByteBuffer buf = ByteBuffer.allocateDirect(
        (int) Math.min(NpyFiles.CHUNK, (long) count * itemSize + 8))
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int from = 0; from < count; from += perChunk) {
      int n = Math.min(perChunk, count - from);
      buf.clear();
      source.fill(buf, from, n);
      buf.limit(n * itemSize);
      writeFully(ch, buf);
    }
  }

  /** A float32 matrix to a stream (any filesystem's; the stream stays open). */
  static void writeFloat32(OutputStream out, float[] data, int rows, int cols)
      throws IOException {
    checkShape(data.length, rows, cols);
    write(Channels.newChannel(out), "<f4", new long[] {rows, cols}, 4, data.length,
        (buf, from, n) -> buf.asFloatBuffer().put(data, from, n));
  }

  /** A float64 matrix to a stream (the stream stays open). */
  static void writeFloat64(OutputStream out, double[] data, int rows, int cols)
      throws IOException {
    checkShape(data.length, rows, cols);
    write(Channels.newChannel(out), "<f8", new long[] {rows, cols}, 8, data.length,
        (buf, from, n) -> buf.asDoubleBuffer().put(data, from, n));
  }

  /** A 1-D float64 array to a stream (the stream stays open). */
  static void writeFloat64(OutputStream out, double[] data) throws IOException {
    write(Channels.newChannel(out), "<f8", new long[] {data.length}, 8, data.length,
        (buf, from, n) -> buf.asDoubleBuffer().put(data, from, n));
  }

  /** A 1-D int64 array to a stream (the stream stays open). */
  static void writeInt64(OutputStream out, long[] data) throws IOException {
    write(Channels.newChannel(out), "<i8", new long[] {data.length}, 8, data.length,
        (buf, from, n) -> buf.asLongBuffer().put(data, from, n));
  }

  /** An int64 matrix to a stream (the stream stays open). */
  static void writeInt64(OutputStream out, long[] data, int rows, int cols) throws IOException {
    checkShape(data.length, rows, cols);
    write(Channels.newChannel(out), "<i8", new long[] {rows, cols}, 8, data.length,
        (buf, from, n) -> buf.asLongBuffer().put(data, from, n));
  }

  private static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
