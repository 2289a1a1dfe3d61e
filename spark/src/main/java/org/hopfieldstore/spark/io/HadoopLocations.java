package org.hopfieldstore.spark.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.spark.sql.SparkSession;
import org.hopfieldstore.core.io.ByteSource;
import org.hopfieldstore.core.io.Locations;

/**
 * Locations through Hadoop's FileSystem, as Spark resolves them: a plain path is the local
 * filesystem, a URI names its own ({@code file://}, {@code hdfs://}, {@code s3a://}, ...). The
 * core finds this provider on the class path, so every reader and writer of the project takes
 * such locations. Local files keep the core's direct channel (no checksum layer, no copies).
 */
public final class HadoopLocations implements Locations.Provider {
  /** The Hadoop configuration of the active Spark session, else the defaults of the class path. */
  public static Configuration configuration() {
    return SparkSession.getActiveSession().isDefined()
        ? SparkSession.getActiveSession().get().sparkContext().hadoopConfiguration()
        : Defaults.CONF;
  }

  private static final class Defaults {
    static final Configuration CONF = quickFailures(new Configuration());
  }

  /**
   * An unreachable namenode fails in seconds, not after Hadoop's retries (10 on a refused
   * connection, 45 on timeouts); retry counts the user configured are kept.
   */
  static Configuration quickFailures(Configuration conf) {
    for (String key : new String[] {"ipc.client.connect.max.retries",
        "ipc.client.connect.max.retries.on.timeouts"}) {
      if (isDefault(conf, key)) {
        conf.setInt(key, 1);
      }
    }
    return conf;
  }

  /** Whether {@code key} holds nothing but the value of Hadoop's own *-default.xml. */
  private static boolean isDefault(Configuration conf, String key) {
    String[] sources = conf.getPropertySources(key);
    if (sources == null) {
      return true;
    }
    for (String s : sources) {
      if (!s.endsWith("-default.xml")) {
        return false;
      }
    }
    return true;
  }

  /** The filesystem of {@code location}: raw for local paths (no .crc side files). */
  public static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
    FileSystem fs;
    try {
      fs = path.getFileSystem(conf);
    } catch (UnsupportedFileSystemException e) {
      throw new IOException("unknown filesystem scheme '" + path.toUri().getScheme()
          + "' (no Hadoop FileSystem for it on the class path)", e);
    }
    return fs instanceof LocalFileSystem ? ((LocalFileSystem) fs).getRawFileSystem() : fs;
  }

  /** Opens a location with an explicit configuration (executors pass the driver's). */
  public static ByteSource open(String location, Configuration conf) throws IOException {
    Path path = new Path(location);
    FileSystem fs = fileSystem(path, conf);
    if ("file".equals(fs.getUri().getScheme())) {
      return ByteSource.open(java.nio.file.Path.of(fs.makeQualified(path).toUri()));
    }
    if (!fs.exists(path)) {
      throw new FileNotFoundException(location);
    }
    if (fs.getFileStatus(path).isDirectory()) {
      throw new IOException("is a directory, not a file");
    }
    return new Source(location, fs.open(path), fs.getFileStatus(path).getLen());
  }

  @Override
  public ByteSource open(String location) throws IOException {
    return open(location, configuration());
  }

  @Override
  public OutputStream create(String location) throws IOException {
    Path path = new Path(location);
    return fileSystem(path, configuration()).create(path, true);
  }

  /**
   * The up-front check of an input or output. Remote filesystems are asked through a fresh
   * instance that gives up quickly on an unreachable service; the cached instance the job then
   * reads with keeps the configured retries.
   */
  @Override
  public boolean exists(String location) throws IOException {
    return status(location) != null;
  }

  /** Whether {@code location} is a directory (checked as {@link #exists} checks). */
  public static boolean isDirectory(String location) throws IOException {
    FileStatus s = status(location);
    return s != null && s.isDirectory();
  }

  private static FileStatus status(String location) throws IOException {
    Path path = new Path(location);
    Configuration conf = configuration();
    FileSystem fs = fileSystem(path, conf);
    if ("file".equals(fs.getUri().getScheme())) {
      return fs.exists(path) ? fs.getFileStatus(path) : null;
    }
    try (FileSystem probe = FileSystem.newInstance(fs.getUri(),
        quickFailures(new Configuration(conf)))) {
      return probe.exists(path) ? probe.getFileStatus(path) : null;
    }
  }

  /** Positioned reads of a Hadoop input stream. */
  private static final class Source implements ByteSource {
    private final String name;
    private final FSDataInputStream in;
    private final long size;
    private byte[] scratch = new byte[0];

    Source(String name, FSDataInputStream in, long size) {
      this.name = name;
      this.in = in;
      this.size = size;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public synchronized int read(ByteBuffer buf, long position) throws IOException {
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(buf.remaining(), size - position);
      if (buf.hasArray()) {
        in.readFully(position, buf.array(), buf.arrayOffset() + buf.position(), n);
      } else {
        if (scratch.length < n) {
          scratch = new byte[n];
        }
        in.readFully(position, scratch, 0, n);
        buf.put(scratch, 0, n);
        return n;
      }
      buf.position(buf.position() + n);
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
