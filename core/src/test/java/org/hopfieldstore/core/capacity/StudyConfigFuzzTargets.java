package org.hopfieldstore.core.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Jazzer target for study configs (the capacity command's --config): a file of the fuzzer's
 * bytes is refused with one line naming the file, or read into exactly the key = value pairs an
 * independent split of its text finds, and those pairs, written back as a config, read into the
 * same study. Corpus: {@code
 * src/test/resources/org/hopfieldstore/core/capacity/StudyConfigFuzzTargetsInputs/studyConfig/};
 * {@code mvn -Pfuzz -pl core test} fuzzes it.
 */
class StudyConfigFuzzTargets {
  private Path file;
  private Path again;

  @FuzzTest(maxDuration = "10m")
  void studyConfig(byte[] input) throws IOException {
    if (file == null) {
      file = Files.createTempFile("fuzz-study", ".conf");
      again = Files.createTempFile("fuzz-study-again", ".conf");
      file.toFile().deleteOnExit();
      again.toFile().deleteOnExit();
    }
    Files.write(file, input);
    String why = "jazzer study config of " + input.length + " bytes";
    StudyConfig config;
    try {
      config = StudyConfig.read(file);
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      if (msg == null || msg.contains("\n") || msg.contains("\r")
          || !msg.startsWith(file.toString())) {
        fail(why + ": not a one-line refusal naming the file: " + msg);
      }
      return;
    }
    Map<String, String> pairs = new LinkedHashMap<>();
    for (String line : new String(input, StandardCharsets.UTF_8).split("\r\n|\r|\n", -1)) {
      int hash = line.indexOf('#');
      String t = (hash >= 0 ? line.substring(0, hash) : line).trim();
      if (!t.isEmpty()) {
        int eq = t.indexOf('=');
        pairs.put(t.substring(0, eq).trim(), t.substring(eq + 1).trim());
      }
    }
    assertEquals(pairs, config.raw, why);
    StringBuilder text = new StringBuilder();
    config.raw.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
    Files.writeString(again, text);
    StudyConfig reread;
    try {
      reread = StudyConfig.read(again);
    } catch (IllegalArgumentException e) {
      throw new AssertionError(why + ": its pairs, written back, are refused: " + e.getMessage(),
          e);
    }
    assertEquals(describe(config), describe(reread), why);
  }

  private static String describe(StudyConfig c) {
    return String.join(" | ", c.name, c.source, Integer.toString(c.dim),
        c.memories.toString(), c.rules.toString(), c.noises.toString(),
        Integer.toString(c.queries), Integer.toString(c.trials), Long.toString(c.seed),
        String.valueOf(c.preprocess), Double.toString(c.cosineTolerance),
        Boolean.toString(c.clamp), Boolean.toString(c.separation),
        Integer.toString(c.separationMax), Boolean.toString(c.separationDistributed),
        c.kernelEpochs.toString(), c.kernelRules.toString(),
        c.kernelTrain == null ? "-" : c.kernelTrain.share + "," + c.kernelTrain.dim + ","
            + c.kernelTrain.normalized);
  }
}
