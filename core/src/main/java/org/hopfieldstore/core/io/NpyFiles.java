package org.hopfieldstore.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * File access shared by the .npy readers and writer (and {@link Idx}): opening, one-line
 * messages for OS failures, and chunked reads through a direct buffer, which keep a large
 * matrix loading at disk/memory speed without a second full-size copy.
 */
final class NpyFiles {
  /** Read/write chunk size in bytes; a multiple of every element size. */
  static final int CHUNK = 1 << 20;

  private NpyFiles() {}

  /** Receives consecutive chunks; {@code index} is the element index of the chunk's start. */
  @FunctionalInterface
  interface ChunkSink {
    void accept(ByteBuffer buf, long index) throws IOException;
  }

  /** Reads all elements of the array. */
  static void readChunks(ByteSource ch, NpyHeader h, NpyDtype dt, String p,
      ChunkSink sink) throws IOException {
    readChunks(ch, h, dt, p, 0, h.elementCount(), sink);
  }

  /** Reads elements {@code [first, first + count)}; chunk indices count from {@code first}. */
  static void readChunks(ByteSource ch, NpyHeader h, NpyDtype dt, String p,
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

  /** Opens a regular local file for reading (see {@link ByteSource#open}). */
  static ByteSource openForRead(Path path) throws IOException {
    return ByteSource.open(path);
  }

  /** Wraps an OS-level failure as "<path>: <reason>" on one line. */
  static UncheckedIOException ioFailure(String p, IOException e) {
    String reason;
    if (e instanceof NoSuchFileException || e instanceof java.io.FileNotFoundException) {
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
}
