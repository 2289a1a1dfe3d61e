package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.hopfieldstore.core.capacity.StudyConfig;
import org.hopfieldstore.core.rules.Rule;
import org.hopfieldstore.core.rules.Rules;
import org.hopfieldstore.core.rules.SpecKey;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command's {@code --help} is generated from what the command accepts: every option, and
 * for the commands that take a model spec, every rule and spec key of the registry; for
 * {@code capacity}, every study-config key.
 */
class HelpTest {
  static final Map<String, CommandLine> COMMANDS =
      HopfieldStoreMain.commandLine(System.out, System.err).getSubcommands();

  @Test
  void everyCommandIsListedAndEveryOptionDocumented() {
    RetrieveCommandTest.Run top = RetrieveCommandTest.run("--help");
    assertEquals(0, top.status(), top.err());
    assertEquals(List.of("retrieve", "generate", "prepare", "make-queries", "bench", "capacity",
        "arrange", "forecast", "store"), List.copyOf(COMMANDS.keySet()));
    assertEquals(List.of("create", "append", "delete", "info", "compact"),
        List.copyOf(COMMANDS.get("store").getSubcommands().keySet()));
    for (Map.Entry<String, CommandLine> c : COMMANDS.get("store").getSubcommands().entrySet()) {
      RetrieveCommandTest.Run r = RetrieveCommandTest.run("store", c.getKey(), "--help");
      assertEquals(0, r.status(), c.getKey() + ": " + r.err());
      assertTrue(r.out().contains("Usage: hopfield-store store " + c.getKey()), r.out());
      for (OptionSpec o : c.getValue().getCommandSpec().options()) {
        assertTrue(r.out().contains(o.longestName()), "store " + c.getKey() + " --help lists "
            + o.longestName());
        assertFalse(String.join("", o.description()).isBlank(), o.longestName() + " has a doc");
      }
    }
    for (Map.Entry<String, CommandLine> c : COMMANDS.entrySet()) {
      assertTrue(top.out().contains(c.getKey()), c.getKey() + " in the command list");
      RetrieveCommandTest.Run r = RetrieveCommandTest.run(c.getKey(), "--help");
      assertEquals(0, r.status(), c.getKey() + ": " + r.err());
      assertTrue(r.out().contains("Usage: hopfield-store " + c.getKey()), r.out());
      for (OptionSpec o : c.getValue().getCommandSpec().options()) {
        assertTrue(r.out().contains(o.longestName()), c.getKey() + " --help lists "
            + o.longestName());
        assertFalse(String.join("", o.description()).isBlank(), o.longestName() + " has a doc");
      }
    }
  }

  @Test
  void specCommandsListEveryRuleAndKeyWithItsRangeAndDefault() {
    for (String command : new String[] {"retrieve", "bench"}) {
      String help = RetrieveCommandTest.run(command, "--help").out();
      for (Rule rule : Rules.all()) {
        assertTrue(help.contains("    " + rule.key() + " "), command + " lists rule " + rule);
      }
      for (SpecKey<?> key : Rules.allKeys()) {
        String flat = help.replaceAll("\\s+", " ");
        assertTrue(flat.contains(" " + key.name() + " "), command + " lists key " + key);
        assertTrue(flat.contains(key.range() + ", default " + key.defaultText()),
            command + " gives the range and default of " + key);
      }
    }
  }

  @Test
  void capacityListsEveryConfigKey() {
    String help = RetrieveCommandTest.run("capacity", "--help").out();
    for (String key : StudyConfig.KEYS) {
      assertTrue(help.contains("  " + key), "capacity --help lists config key " + key);
    }
  }
}
