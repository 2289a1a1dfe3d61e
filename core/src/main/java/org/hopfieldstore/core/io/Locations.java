package org.hopfieldstore.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * Files named by a location string: a plain path, or a URI ({@code file://}, {@code hdfs://},
 * {@code s3a://}, ...) when a {@link Provider} is on the class path (the spark module's, which
 * goes through Hadoop's FileSystem, found with {@link ServiceLoader}). Without one, locations are
 * local paths.
 */
public final class Locations {
  private Locations() {}

  /** Opens and creates files for location strings. */
  public interface Provider {
    ByteSource open(String location) throws IOException;

    /** A new file (replacing any), with its parent directories. */
    OutputStream create(String location) throws IOException;

    boolean exists(String location) throws IOException;
  }

  private static final class Holder {
    static final Provider PROVIDER = ServiceLoader.load(Provider.class,
        Locations.class.getClassLoader()).findFirst().orElse(new Local());
  }

  /** The provider in use: Hadoop's through the spark module, else the local filesystem. */
  public static Provider provider() {
    return Holder.PROVIDER;
  }

  /** Opens {@code location} for reading; failures name it in one line. */
  public static ByteSource open(String location) {
    try {
      return provider().open(location);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(location, e);
    }
  }

  /** Creates {@code location} for writing. */
  public static OutputStream create(String location) {
    try {
      return provider().create(location);
    } catch (IOException e) {
      throw NpyFiles.ioFailure(location, e);
    }
  }

  /** The lines of a UTF-8 text file; a missing file is "<location>: no such file". */
  public static java.util.List<String> readLines(String location) {
    if (!exists(location)) {
      throw new IllegalArgumentException(location + ": no such file");
    }
    try (ByteSource src = open(location);
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
            src.stream(), java.nio.charset.StandardCharsets.UTF_8))) {
      return r.lines().collect(java.util.stream.Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(location + ": cannot read", e);
    }
  }

  public static boolean exists(String location) {
    try {
      return provider().exists(location);
    } catch (IOException e) {
      throw new UncheckedIOException(location + ": " + e.getMessage(), e);
    }
  }

  /** Plain paths on the local filesystem. */
  static final class Local implements Provider {
    @Override
    public ByteSource open(String location) throws IOException {
      return ByteSource.open(Path.of(location));
    }

    @Override
    public OutputStream create(String location) throws IOException {
      Path p = Path.of(location).toAbsolutePath();
      Files.createDirectories(p.getParent());
      return Files.newOutputStream(p);
    }

    @Override
    public boolean exists(String location) {
      return Files.exists(Path.of(location));
    }
  }
}
