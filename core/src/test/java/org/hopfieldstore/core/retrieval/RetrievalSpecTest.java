package org.hopfieldstore.core.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One spec string names a model: parse, print, defaults, and every rejection names its key. */
class RetrievalSpecTest {
  @ParameterizedTest
  @ValueSource(strings = {"softmax:beta=8,steps=3", "sparsemax:beta=4",
      "entmax:alpha=1.5,beta=4,steps=2,tol=1e-6", "topk:k=32,beta=8", "softmax",
      "entmax:alpha=1.25,solver=bisect", "sparsemax:beta=0.125,tol=0.5"})
  void parsePrintRoundTrip(String s) {
    RetrievalSpec spec = RetrievalSpec.parse(s);
    assertEquals(spec, RetrievalSpec.parse(spec.toString()));
    assertEquals(spec.toString(), RetrievalSpec.parse(spec.toString()).toString());
  }

  /** Jazzer found it: a newline inside a value came back in a two-line refusal. */
  @Test
  void aControlCharacterInsideASpecIsOneLineNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("topk:k=8\n6,beta=8"));
    assertEquals("model spec has a control character (U+000A) at position 9: a spec is one line,"
        + " e.g. softmax:beta=8,steps=3", e.getMessage());
    assertEquals(RetrievalSpec.parse("topk:k=8,beta=8"),
        RetrievalSpec.parse("topk:k=8,beta=8\n")); // a config file's line end
    // what trim() drops is not quoted back either (it once came back in a two-line message)
    e = assertThrows(IllegalArgumentException.class,
        () -> RetrievalSpec.parse("\u0002entmax:a=\u0000\n\u0000"));
    assertEquals("malformed 'a=' in model spec 'entmax:a=': expected key=value", e.getMessage());
  }

  @Test
  void valuesAndDefaults() {
    RetrievalSpec s = RetrievalSpec.parse("entmax:alpha=1.5,beta=4,steps=2,tol=1e-6");
    assertEquals("entmax", s.rule().key());
    assertEquals(1.5, s.alpha());
    assertEquals(4.0, s.beta());
    assertEquals(2, s.steps());
    assertEquals(1e-6, s.tol());
    RetrievalSpec d = RetrievalSpec.parse("topk");
    assertEquals(32, d.k());
    assertEquals(1.0, d.beta());
    assertEquals(1, d.steps());
    assertEquals(0.0, d.tol());
    assertEquals(2.0, RetrievalSpec.parse("sparsemax").alpha());
    assertEquals("softmax:beta=8,steps=3,tol=0", RetrievalSpec.parse("softmax:beta=8,steps=3")
        .toString());
    assertTrue(RetrievalSpec.parse("sparsemax").hasEnergy());
    assertTrue(!RetrievalSpec.parse("topk").hasEnergy());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "softmax:beta=0|beta=0 is out of range: 0 < beta <= 3.4e38 (scores are float32)",
      "softmax:beta=-1|0 < beta <= 3.4e38",
      "softmax:beta=1e39|beta=1.0E39 is out of range: 0 < beta <= 3.4e38",
      "softmax:beta=inf|beta",
      "entmax:alpha=1|alpha=1 is out of range: alpha in (1, 2]",
      "entmax:alpha=2.5|alpha in (1, 2]",
      "entmax:alpha=0|alpha in (1, 2]",
      "topk:k=0|k=0 is out of range: k >= 1",
      "softmax:steps=0|steps=0 is out of range: steps >= 1",
      "softmax:tol=-1|tol >= 0",
      "hopfield:beta=1|unknown rule 'hopfield'",
      "softmax:alpha=1.5|unknown key 'alpha' for rule softmax: valid keys are beta, steps, tol",
      "topk:gamma=2|unknown key 'gamma' for rule topk: valid keys are k, beta, steps, tol",
      "softmax:beta=1,beta=2|duplicate key 'beta'",
      "softmax:beta=abc|beta=abc is not a number",
      "topk:k=2.5|k=2.5 is not an integer",
      "softmax:beta|malformed 'beta'",
      "sparsemax:solver=newton|solver is exact or bisect",
      "' '|empty model spec"})
  void rejectionsNameTheKeyAndRange(String spec, String fragment) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RetrievalSpec.parse(spec));
    assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
  }
}
