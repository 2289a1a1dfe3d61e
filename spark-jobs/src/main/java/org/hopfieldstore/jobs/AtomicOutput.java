package org.hopfieldstore.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes an output (a directory or a single file) under a temporary sibling name and renames it
 * into place only when complete, so a failed run leaves nothing behind and a reader never sees a
 * half-written result. An existing target is an error unless {@code overwrite}; then it is
 * replaced only after the new output is complete.
 */
final class AtomicOutput implements AutoCloseable {
  private final Path target;
  private final Path temp;
  private final boolean overwrite;
  private boolean committed;

  private AtomicOutput(Path target, Path temp, boolean overwrite) {
    this.target = target;
    this.temp = temp;
    this.overwrite = overwrite;
  }

  /** Checks the target up front (before any work) and reserves a temporary directory. */
  static AtomicOutput directory(Path target, boolean overwrite) throws IOException {
    Path abs = checkTarget(target, overwrite);
    Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".tmp-");
    return new AtomicOutput(abs, tmp, overwrite);
  }

  /** Checks the target up front and reserves a temporary file next to it. */
  static AtomicOutput file(Path target, boolean overwrite) throws IOException {
    Path abs = checkTarget(target, overwrite);
    Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".tmp-", "");
    return new AtomicOutput(abs, tmp, overwrite);
  }

  private static Path checkTarget(Path target, boolean overwrite) throws IOException {
    Path abs = target.toAbsolutePath().normalize();
    if (Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !overwrite) {
      throw new UsageException(abs + ": output already exists (use --overwrite to replace it)");
    }
    Path parent = abs.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new IllegalArgumentException(
          target + ": parent directory " + parent + " does not exist");
    }
    return abs;
  }

  /** Where to write: the temporary directory, or the temporary file. */
  Path path() {
    return temp;
  }

  /** Renames the finished output into place (replacing the old one when overwriting). */
  void commit() throws IOException {
    Path old = null;
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      if (!overwrite) {
        throw new FileAlreadyExistsException(target.toString(), null,
            "output appeared while running (use --overwrite to replace it)");
      }
      old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
      move(target, old);
    }
    move(temp, target);
    committed = true;
    if (old != null) {
      deleteRecursively(old);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  /** Removes the temporary output unless it was committed. */
  @Override
  public void close() {
    if (!committed) {
      try {
        deleteRecursively(temp);
      } catch (IOException e) {
        throw new UncheckedIOException("could not remove temporary output " + temp, e);
      }
    }
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(q);
      }
    }
  }
}
