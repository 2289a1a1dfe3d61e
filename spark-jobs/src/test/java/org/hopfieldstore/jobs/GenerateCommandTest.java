package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate: the sphere and clustered kinds with their parameters; bad kinds write nothing. */
class GenerateCommandTest {
  @TempDir Path tmp;

  @Test
  void writesTheNamedSeededSet() {
    Path out = tmp.resolve("cl.npy");
    RetrieveCommandTest.Run r = RetrieveCommandTest.run("generate", "--count", "40", "--dim",
        "6", "--seed", "3", "--kind", "clustered:clusters=2,intrinsic=3,spread=0.1", "--out",
        out.toString());
    assertEquals(0, r.status(), r.err());
    assertArrayEquals(SyntheticMemories.clustered(40, 6, 2, 3, 0.1, 3).data(),
        Npy.readMatrix(out, "m").data());
    Path sphere = tmp.resolve("s.npy");
    assertEquals(0, RetrieveCommandTest.run("generate", "--count", "5", "--dim", "3", "--out",
        sphere.toString()).status());
    assertArrayEquals(SyntheticMemories.uniformSphere(5, 3, 42).data(),
        Npy.readMatrix(sphere, "m").data());
  }

  @Test
  void badKindsFailCleanly() {
    Path out = tmp.resolve("x.npy");
    for (String[] c : new String[][] {{"blob", "unknown source 'blob'"},
        {"clustered:colour=3", "unknown key 'colour'"},
        {"clustered:clusters=two", "source 'clustered:clusters=two'"}}) {
      RetrieveCommandTest.Run r = RetrieveCommandTest.run("generate", "--count", "5", "--dim",
          "3", "--kind", c[0], "--out", out.toString());
      assertEquals(1, r.status(), r.err());
      assertTrue(r.err().contains(c[1]), r.err());
      assertFalse(Files.exists(out));
    }
  }
}
