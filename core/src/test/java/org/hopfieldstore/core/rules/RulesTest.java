package org.hopfieldstore.core.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.junit.jupiter.api.Test;

/** The registry: every rule, every key once, and the generated docs that list them. */
class RulesTest {
  @Test
  void everyPermittedRuleIsRegisteredOnceByName() {
    assertEquals(Rule.class.getPermittedSubclasses().length, Rules.all().size());
    assertEquals(List.of("softmax", "sparsemax", "entmax", "topk", "masked", "linear", "prf"),
        Rules.names());
    for (Rule r : Rules.all()) {
      assertEquals(r, Rules.named(r.key()));
      assertTrue(r.keys().containsAll(List.of(SpecKeys.BETA, SpecKeys.STEPS, SpecKeys.TOL)), r
          + " takes the common keys");
      assertEquals(r.perMemoryWeights(), r.keys().contains(SpecKeys.KERNEL), r
          + ": a kernel W scores memories, so only rules with per-memory weights take one");
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Rules.named("gauss"));
    assertTrue(e.getMessage().contains(String.join(", ", Rules.names())), e.getMessage());
  }

  @Test
  void keysAreDefinedOnceAndEachRoundTripsThroughASpec() {
    Set<String> names = new HashSet<>();
    for (SpecKey<?> k : Rules.allKeys()) {
      assertTrue(names.add(k.name()), "one definition of " + k);
      assertTrue(!k.doc().isBlank() && !k.range().isBlank(), k + " is documented");
    }
    for (Rule r : Rules.all()) {
      RetrievalSpec dflt = RetrievalSpec.of(r);
      assertEquals(dflt, RetrievalSpec.parse(r.key()), r.key());
      assertEquals(dflt, RetrievalSpec.parse(dflt.toString()), dflt.toString());
      for (SpecKey<?> k : r.keys()) {
        if (k.defaultValue() != null) {
          String text = r.key() + ":" + k.name() + "=" + k.defaultText();
          assertEquals(dflt, RetrievalSpec.parse(text), text);
        }
      }
    }
    RetrievalSpec kernel = RetrievalSpec.parse("topk:k=3,kernel=w.npy,kernel_map=normalized");
    assertEquals("topk:k=3,beta=1,steps=1,tol=0,kernel=w.npy,kernel_map=normalized",
        kernel.toString());
    assertEquals(kernel, RetrievalSpec.parse(kernel.toString()));
  }

  @Test
  void helpTextNamesEveryRuleAndKeyWithItsRangeAndDefault() {
    String help = Rules.helpText("  ", 100);
    for (Rule r : Rules.all()) {
      assertTrue(help.contains(r.key() + " "), r.key());
    }
    String flat = help.replaceAll("\\s+", " ");
    for (SpecKey<?> k : Rules.allKeys()) {
      assertTrue(flat.contains(k.range() + ", default " + k.defaultText()), k.name());
      assertTrue(Rules.markdownTable().contains("| `" + k.name() + "` |"), k.name());
    }
  }

  /** The README's key table is the generated one (regenerate it with Rules.markdownTable()). */
  @Test
  void readmeHoldsTheGeneratedKeyTable() throws IOException {
    Path readme = Path.of("..", "README.md");
    assertTrue(Files.exists(readme), readme.toAbsolutePath().toString());
    String text = Files.readString(readme);
    assertTrue(text.contains(Rules.markdownTable()),
        "README.md's key table differs from Rules.markdownTable():\n" + Rules.markdownTable());
  }
}
