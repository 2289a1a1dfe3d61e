package org.hopfieldstore.core.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Study configs: grids, defaults, errors that name file, line and key; clustered data. */
class StudyConfigTest {
  @TempDir Path tmp;

  StudyConfig read(String text) throws IOException {
    Path p = tmp.resolve("s.conf");
    Files.writeString(p, text);
    return StudyConfig.read(p);
  }

  @Test
  void gridsDefaultsAndComments() throws IOException {
    StudyConfig c = read("# a study\nmemories = 1000..1000000 x10  # log grid\n"
        + "rules = softmax:beta=8; topk:k=4\n");
    assertEquals(List.of(1000, 10000, 100000, 1000000), c.memories);
    assertEquals(2, c.rules.size());
    assertEquals("sphere", c.source);
    assertEquals(1, c.trials);
    assertEquals(List.of(10, 30, 100), read("memories = 10,30,100\nrules = softmax\n").memories);
    assertEquals(List.of(10, 32, 100),
        read("memories = 10..100 x3.1623\nrules = softmax\n").memories);
  }

  @Test
  void errorsNameTheFileLineAndKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> read("memories = 10\nrules = softmax\nbogus = 1\n"));
    assertTrue(e.getMessage().contains("s.conf:3: unknown key 'bogus'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> read("memories = 10\nrules\n"));
    assertTrue(e.getMessage().contains("s.conf:2: expected key = value"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> read("memories = 10\nrules = softmax\ntrials = 0\n"));
    assertTrue(e.getMessage().contains("trials = 0: must be >= 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> read("memories = ten\nrules = softmax\n"));
    assertTrue(e.getMessage().contains("memories = ten"), e.getMessage());
  }

  @Test
  void clusteredSetsAreSeededUnitNormAndCloseToTheirCentre() {
    FloatMatrix a = SyntheticMemories.clustered(200, 16, 4, 2, 0.1, 9);
    FloatMatrix b = SyntheticMemories.clustered(200, 16, 4, 2, 0.1, 9);
    assertEquals(java.util.Arrays.toString(a.data()), java.util.Arrays.toString(b.data()));
    for (int i = 0; i < 200; i++) {
      double n = 0;
      for (int j = 0; j < 16; j++) {
        n += a.get(i, j) * a.get(i, j);
      }
      assertEquals(1.0, n, 1e-5);
    }
    // members of one cluster (i % 4) are closer to each other than to other clusters
    double same = 0;
    double other = 0;
    for (int j = 0; j < 16; j++) {
      same += a.get(0, j) * a.get(4, j);
      other += a.get(0, j) * a.get(1, j);
    }
    assertTrue(same > other, same + " vs " + other);
  }
}
