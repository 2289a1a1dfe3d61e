package org.hopfieldstore.spark.io;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes an output (a directory or one file) on any Hadoop filesystem under a temporary sibling
 * name and renames it into place only when complete, so a failed run leaves nothing at the
 * target and a reader never sees a half-written result (the rename is atomic on local disks and
 * HDFS; object stores copy). An existing target is an error unless {@code overwrite}; then it is
 * replaced only after the new output is complete.
 */
public final class AtomicOutput implements AutoCloseable {
  private final FileSystem fs;
  private final Path target;
  private final Path temp;
  private final boolean overwrite;
  private boolean committed;

  private AtomicOutput(FileSystem fs, Path target, Path temp, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.temp = temp;
    this.overwrite = overwrite;
  }

  /** Checks the target up front (before any work) and makes the temporary directory. */
  public static AtomicOutput directory(String target, boolean overwrite) throws IOException {
    AtomicOutput o = reserve(target, overwrite);
    if (!o.fs.mkdirs(o.temp)) {
      throw new IOException(o.temp + ": cannot create the temporary output directory");
    }
    return o;
  }

  /** Checks the target up front; the file is written at {@link #location()}. */
  public static AtomicOutput file(String target, boolean overwrite) throws IOException {
    return reserve(target, overwrite);
  }

  private static AtomicOutput reserve(String target, boolean overwrite) throws IOException {
    Configuration conf = HadoopLocations.configuration();
    Path path = new Path(target);
    FileSystem fs = HadoopLocations.fileSystem(path, conf);
    Path abs = fs.makeQualified(path);
    if (fs.exists(abs) && !overwrite) {
      throw new FileAlreadyExistsException(target
          + ": output already exists (use --overwrite to replace it)");
    }
    Path parent = abs.getParent();
    if (parent == null || !fs.isDirectory(parent)) {
      throw new IllegalArgumentException(target + ": parent directory " + parent
          + " does not exist");
    }
    Path temp = new Path(parent, "." + abs.getName() + ".tmp-" + UUID.randomUUID());
    return new AtomicOutput(fs, abs, temp, overwrite);
  }

  /** Where to write: the temporary directory, or the temporary file (a location string). */
  public String location() {
    return temp.toString();
  }

  /** A new file {@code name} inside the temporary directory. */
  public OutputStream create(String name) throws IOException {
    return fs.create(new Path(temp, name), true);
  }

  /** The temporary file of a single-file output. */
  public OutputStream create() throws IOException {
    return fs.create(temp, true);
  }

  /** The final location, qualified. */
  public String target() {
    return target.toString();
  }

  /** Renames the finished output into place (replacing the old one when overwriting). */
  public void commit() throws IOException {
    Path old = null;
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new FileAlreadyExistsException(target
            + ": output appeared while running (use --overwrite to replace it)");
      }
      old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
      rename(target, old);
    }
    rename(temp, target);
    committed = true;
    if (old != null) {
      fs.delete(old, true);
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }

  /** Removes the temporary output unless it was committed. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      fs.delete(temp, true);
    }
  }
}
