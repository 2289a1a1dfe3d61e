package org.hopfieldstore.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dispatch by file name and the errors for paths that are not a readable matrix. */
class MatrixReaderTest {
  @TempDir
  Path dir;

  static String rejects(Path p, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MatrixReader.read(p, "queries"));
    String msg = e.getMessage();
    assertTrue(msg.startsWith(p + ": "), msg);
    for (String f : fragments) {
      assertTrue(msg.contains(f), "expected '" + f + "' in: " + msg);
    }
    return msg;
  }

  @Test
  void npyByExtension() {
    Path p = dir.resolve("q.NPY");
    Npy.writeFloat32(p, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
    FloatMatrix m = MatrixReader.read(p, "queries");
    assertEquals(3, m.rows());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.data());
  }

  @Test
  void idxImagesByName() throws IOException {
    byte[] b = IdxTest.idx(Idx.MAGIC_IMAGES, new int[] {1, 1, 2}, new byte[] {0, (byte) 255});
    for (String name : new String[] {"t10k-images-idx3-ubyte", "train-images.idx3-ubyte",
        "train-images-idx3-ubyte.gz"}) {
      Path p = dir.resolve(name);
      Files.write(p, name.endsWith(".gz") ? IdxTest.gzip(b) : b);
      assertArrayEquals(new float[] {0, 1}, MatrixReader.read(p, "memories").data(), name);
    }
  }

  @Test
  void missingFile() {
    Path p = dir.resolve("absent.npy");
    assertEquals(p + ": no such file", rejects(p));
  }

  @Test
  void directoryListsTheFormats() {
    rejects(dir, "is a directory", ".npy", "idx3-ubyte");
  }

  /** A FIFO as input once blocked forever waiting for a writer. */
  @Test
  @org.junit.jupiter.api.Timeout(20)
  void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getProperty("os.name").toLowerCase().contains("linux"), "mkfifo needs Linux");
    for (String name : new String[] {"fifo.npy", "fifo-idx3-ubyte.gz"}) {
      Path p = dir.resolve(name);
      assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).start().waitFor());
      rejects(p, "is not a regular file (a FIFO, device or socket)");
    }
  }

  @Test
  void unknownExtensionListsTheFormats() throws IOException {
    Path csv = Files.writeString(dir.resolve("m.csv"), "1,2\n");
    rejects(csv, "unknown file format", "supported", ".npy", "idx3-ubyte");
    Path labels = Files.write(dir.resolve("train-labels-idx1-ubyte"), new byte[8]);
    rejects(labels, "labels");
    Path npz = Files.write(dir.resolve("m.npz"), new byte[8]);
    rejects(npz, ".npz");
  }

  @Test
  void contentErrorsComeFromTheChosenReader() throws IOException {
    Path p = Files.write(dir.resolve("fake.npy"), new byte[] {1, 2, 3});
    rejects(p, "not a .npy file");
  }
}
