package org.hopfieldstore.core.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Jazzer target for model spec strings (the command line's --spec, every study config): a spec
 * is refused with one line, or parses to a model whose canonical text parses back to the same
 * model and prints the same. Corpus: {@code
 * src/test/resources/org/hopfieldstore/core/retrieval/SpecFuzzTargetsInputs/spec/}; {@code mvn
 * -Pfuzz -pl core test} fuzzes it.
 */
class SpecFuzzTargets {
  @FuzzTest(maxDuration = "10m")
  void spec(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    RetrievalSpec spec;
    try {
      spec = RetrievalSpec.parse(text);
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      if (msg == null || msg.isBlank() || msg.contains("\n")) {
        fail("spec " + quoted(text) + ": not a one-line refusal: " + msg);
      }
      return;
    }
    String canonical = spec.toString();
    RetrievalSpec again;
    try {
      again = RetrievalSpec.parse(canonical);
    } catch (IllegalArgumentException e) {
      throw new AssertionError("spec " + quoted(text) + " printed as " + quoted(canonical)
          + ", which does not parse: " + e.getMessage(), e);
    }
    assertEquals(spec, again, "spec " + quoted(text) + " printed as " + quoted(canonical));
    assertEquals(canonical, again.toString(), "spec " + quoted(text));
  }

  private static String quoted(String s) {
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return b.append('\'').toString();
  }
}
