package org.hopfieldstore.spark.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;

/**
 * Writes an output (a directory or one file) on any Hadoop filesystem under a temporary sibling
 * name and renames it into place only when complete, so a failed run leaves nothing at the
 * target and a reader never sees a half-written result (the rename is atomic on local disks and
 * HDFS; object stores copy). An existing target is an error unless {@code overwrite}; then it is
 * replaced only after the new output is complete.
 *
 * <p>The temporary directory is made at the first write, after the inputs were read and checked,
 * and a shutdown hook removes it when the JVM ends uncommitted (SIGTERM, SIGINT, an uncaught
 * error); only a SIGKILL leaves it, under a hidden name that blocks no rerun.
 */
public final class AtomicOutput implements AutoCloseable {
  private final FileSystem fs;
  private final Path target;
  private final Path temp;
  private final boolean overwrite;
  private final boolean isDirectory;
  private final Runnable removeOnExit;
  private boolean made;
  private boolean committed;
  private boolean closed;

  private AtomicOutput(FileSystem fs, Path target, Path temp, boolean overwrite,
      boolean isDirectory) {
    this.fs = fs;
    this.target = target;
    this.temp = temp;
    this.overwrite = overwrite;
    this.isDirectory = isDirectory;
    this.removeOnExit = this::removeTemporary;
    // before Hadoop closes its cached filesystems (priority 10), or the delete could not run
    ShutdownHookManager.get().addShutdownHook(removeOnExit,
        FileSystem.SHUTDOWN_HOOK_PRIORITY + 1);
  }

  /** Checks the target up front (before any work); the directory is made at the first write. */
  public static AtomicOutput directory(String target, boolean overwrite) throws IOException {
    return reserve(target, overwrite, true);
  }

  /** Checks the target up front; the file is written at {@link #location()}. */
  public static AtomicOutput file(String target, boolean overwrite) throws IOException {
    return reserve(target, overwrite, false);
  }

  private static AtomicOutput reserve(String target, boolean overwrite, boolean isDirectory)
      throws IOException {
    Configuration conf = HadoopLocations.configuration();
    Path path = new Path(target);
    FileSystem fs = HadoopLocations.fileSystem(path, conf);
    Path abs = fs.makeQualified(path);
    Path parent = abs.getParent();
    if (parent == null) {
      throw new IllegalArgumentException(target + ": the output cannot be a filesystem's root;"
          + " name a directory or file under it");
    }
    if (fs.exists(abs) && !overwrite) {
      throw new FileAlreadyExistsException(target
          + ": output already exists (use --overwrite to replace it)");
    }
    if (!fs.isDirectory(parent)) {
      throw new IllegalArgumentException(target + ": parent directory " + parent
          + " does not exist");
    }
    Path temp = new Path(parent, "." + abs.getName() + ".tmp-" + UUID.randomUUID());
    return new AtomicOutput(fs, abs, temp, overwrite, isDirectory);
  }

  /**
   * Where to write: the temporary directory (made now if not yet), or the temporary file (a
   * location string).
   */
  public String location() {
    try {
      makeTemporary();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return temp.toString();
  }

  private void makeTemporary() throws IOException {
    if (made || !isDirectory) {
      return;
    }
    if (!fs.mkdirs(temp)) {
      throw new IOException(temp + ": cannot create the temporary output directory");
    }
    made = true;
  }

  /** A new file {@code name} inside the temporary directory. */
  public OutputStream create(String name) throws IOException {
    makeTemporary();
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
    makeTemporary(); // an output with no files is an empty directory
    Path old = null;
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new FileAlreadyExistsException(target
            + ": output appeared while running (use --overwrite to replace it)");
      }
      old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
      rename(target, old);
    }
    moveIntoPlace();
    committed = true;
    if (old != null) {
      fs.delete(old, true);
    }
  }

  /**
   * Renames the temporary output to the target. Another writer may commit between the check for
   * an existing target and this rename; a directory renamed onto its output lands inside it (HDFS
   * moves it in, the local filesystem's copy fallback copies it in), so that is undone and
   * refused: the other writer's output stays whole.
   */
  void moveIntoPlace() throws IOException {
    rename(temp, target);
    Path nested = new Path(target, temp.getName());
    if (isDirectory && fs.exists(nested)) {
      fs.delete(nested, true);
      fs.delete(temp, true); // what a copying rename left behind
      throw new FileAlreadyExistsException(target + ": another process wrote this output at the"
          + " same time and its output is kept; rerun with --overwrite to replace it");
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
    if (closed) {
      return;
    }
    closed = true;
    try {
      ShutdownHookManager.get().removeShutdownHook(removeOnExit);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook deletes it
    }
    if (!committed) {
      fs.delete(temp, true);
    }
  }

  /** The shutdown hook's part: best effort, the JVM is going. */
  private void removeTemporary() {
    if (committed) {
      return;
    }
    try {
      fs.delete(temp, true);
    } catch (IOException | RuntimeException e) {
      System.err.println("could not remove the temporary output " + temp + ": " + e);
    }
  }
}
