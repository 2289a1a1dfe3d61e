package org.hopfieldstore.core.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file to read wherever it lives: its size and positioned reads, so a reader can check a
 * header against the size before allocating and a partition can read its own row range. A
 * local file here ({@link #open(Path)}); any Hadoop filesystem through the spark module. The
 * readers never close a source they are given.
 */
public interface ByteSource extends Closeable {
  /** How messages name the file (its path or URI). */
  String name();

  long size() throws IOException;

  /** Reads up to {@code buf.remaining()} bytes at {@code position}; -1 past the end. */
  int read(ByteBuffer buf, long position) throws IOException;

  /** The bytes from the start, sequentially (closing the stream leaves the source open). */
  default InputStream stream() {
    return new InputStream() {
      private long pos;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        int r = ByteSource.this.read(ByteBuffer.wrap(b, off, len), pos);
        if (r > 0) {
          pos += r;
        }
        return r == 0 ? -1 : r;
      }
    };
  }

  /** Bytes held in memory (an archive's entry, a test's file), named {@code name}. */
  static ByteSource of(String name, byte[] bytes) {
    return new ByteSource() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public int read(ByteBuffer buf, long position) {
        if (position >= bytes.length) {
          return -1;
        }
        int n = (int) Math.min(buf.remaining(), bytes.length - position);
        buf.put(bytes, (int) position, n);
        return n;
      }

      @Override
      public void close() {}
    };
  }

  /**
   * A regular local file; a directory, FIFO, device or socket is refused up front with a clear
   * message (opening a FIFO would wait for a writer forever).
   */
  static ByteSource open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      throw new FileSystemException(path.toString(), null, "is a directory, not a file");
    }
    if (Files.exists(path) && !Files.isRegularFile(path)) {
      throw new FileSystemException(path.toString(), null,
          "is not a regular file (a FIFO, device or socket); give a file");
    }
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    String name = path.toString();
    return new ByteSource() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long size() throws IOException {
        return ch.size();
      }

      @Override
      public int read(ByteBuffer buf, long position) throws IOException {
        return ch.read(buf, position);
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }
}
