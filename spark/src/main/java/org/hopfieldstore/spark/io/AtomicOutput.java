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
 * error); only a SIGKILL leaves it, under a hidden name that blocks no rerun. Its name carries
 * the host and process id of its writer, so the next output to the same target on that host
 * removes what a killed writer left.
 */
public final class AtomicOutput implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(
      AtomicOutput.class);
  /** This host, as temporary names carry it (characters other than [A-Za-z0-9.-] become _). */
  static final String HOST = hostName().replaceAll("[^A-Za-z0-9.-]", "_");
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
    removeLeftoversOfDeadWriters(fs, abs);
    Path temp = new Path(parent, temporaryPrefix(abs) + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID());
    return new AtomicOutput(fs, abs, temp, overwrite, isDirectory);
  }

  /** {@code .NAME.tmp-HOST-}: then the writer's process id, a dash and a random UUID. */
  static String temporaryPrefix(Path target) {
    return "." + target.getName() + ".tmp-" + HOST + "-";
  }

  /**
   * Deletes the temporary outputs to {@code target} whose writer, a process of this host, is
   * gone (a SIGKILL leaves them); a live writer's are kept.
   */
  private static void removeLeftoversOfDeadWriters(FileSystem fs, Path target) {
    String prefix = temporaryPrefix(target);
    try {
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(target.getParent(),
          p -> p.getName().startsWith(prefix))) {
        String rest = f.getPath().getName().substring(prefix.length());
        int dash = rest.indexOf('-');
        long pid;
        try {
          pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
        } catch (NumberFormatException e) {
          continue; // not one of ours
        }
        if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
          fs.delete(f.getPath(), true);
          LOG.warn("removed {}: a temporary output left by process {}, which is gone",
              f.getPath(), pid);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not look for temporary outputs left next to {}: {}", target, e.toString());
    }
  }

  /** The kernel's host name where it can be read (no DNS lookup), else the resolver's. */
  private static String hostName() {
    try {
      java.nio.file.Path proc = java.nio.file.Path.of("/proc/sys/kernel/hostname");
      if (java.nio.file.Files.isReadable(proc)) {
        String name = java.nio.file.Files.readString(proc).strip();
        if (!name.isEmpty()) {
          return name;
        }
      }
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      return "localhost";
    }
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

  /**
   * The shutdown hook's part: best effort, the JVM is going. A task still writing when its
   * Spark context stops can make the directory again after the delete, so it is checked for a
   * moment and deleted again if it came back.
   */
  private void removeTemporary() {
    if (committed) {
      return;
    }
    try {
      for (int i = 0; i < 5; i++) {
        fs.delete(temp, true);
        Thread.sleep(200);
        if (!fs.exists(temp)) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("could not remove the temporary output " + temp + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
