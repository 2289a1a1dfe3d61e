package org.hopfieldstore.spark.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs appear whole or not at all: nothing is made before the first write (a run that fails
 * on its inputs leaves no temporary directory), an uncommitted output is removed on close and
 * on SIGTERM/SIGINT, and a filesystem's root is refused with one line.
 */
class AtomicOutputTest {
  @TempDir
  Path dir;

  private List<String> names() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private static void write(OutputStream o, String text) throws Exception {
    try (o) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void nothingIsMadeBeforeTheFirstWriteAndACommitLeavesOnlyTheTarget() throws Exception {
    Path target = dir.resolve("out");
    try (AtomicOutput o = AtomicOutput.directory(target.toString(), false)) {
      assertEquals(List.of(), names(), "reserving made something");
      write(o.create("a.txt"), "one");
      assertEquals(1, names().size());
      assertTrue(names().get(0).startsWith(".out.tmp-"), names().toString());
      o.commit();
    }
    assertEquals(List.of("out"), names());
    assertEquals("one", Files.readString(target.resolve("a.txt")));
  }

  @Test
  void twoWritersOfOneOutputLeaveOneWholeOutputAndNoLeftovers() throws Exception {
    Path target = dir.resolve("out");
    try (AtomicOutput a = AtomicOutput.directory(target.toString(), false);
        AtomicOutput b = AtomicOutput.directory(target.toString(), false)) {
      write(a.create("a.txt"), "from a");
      write(b.create("b.txt"), "from b");
      a.commit();
      Exception e = assertThrows(org.apache.hadoop.fs.FileAlreadyExistsException.class, b::commit);
      assertTrue(e.getMessage().contains("appeared while running"), e.getMessage());
    }
    assertEquals(List.of("out"), names());
    try (Stream<Path> s = Files.list(target)) {
      assertEquals(List.of("a.txt"), s.map(p -> p.getFileName().toString()).collect(
          Collectors.toList()));
    }
  }

  @Test
  void aWriterThatLosesTheRaceToTheRenameLeavesTheWinnersOutputWhole() throws Exception {
    Path target = dir.resolve("out");
    try (AtomicOutput a = AtomicOutput.directory(target.toString(), false);
        AtomicOutput b = AtomicOutput.directory(target.toString(), false)) {
      write(a.create("a.txt"), "from a");
      write(b.create("b.txt"), "from b");
      a.commit();
      // b passed its check for an existing target before a's rename: only its rename is left
      Exception e = assertThrows(org.apache.hadoop.fs.FileAlreadyExistsException.class,
          b::moveIntoPlace);
      assertTrue(e.getMessage().contains("another process wrote this output"), e.getMessage());
    }
    assertEquals(List.of("out"), names(), "no temporary output is left");
    try (Stream<Path> s = Files.list(target)) {
      assertEquals(List.of("a.txt"), s.map(p -> p.getFileName().toString()).collect(
          Collectors.toList()), "the winner's output holds only its own files");
    }
    assertEquals("from a", Files.readString(target.resolve("a.txt")));
  }

  @Test
  void theNextOutputRemovesWhatAKilledWriterLeftAndKeepsALiveWritersOutput() throws Exception {
    Path target = dir.resolve("out");
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String prefix = AtomicOutput.temporaryPrefix(new org.apache.hadoop.fs.Path(target.toUri()));
    Path dead = dir.resolve(prefix + gone.pid() + "-0b7e");
    Path live = dir.resolve(prefix + ProcessHandle.current().parent().orElseThrow().pid()
        + "-1c2d");
    Path otherHost = dir.resolve(".out.tmp-elsewhere-" + gone.pid() + "-3e4f");
    for (Path p : List.of(dead, live, otherHost)) {
      Files.createDirectories(p);
      Files.writeString(p.resolve("part"), "partial");
    }
    try (AtomicOutput o = AtomicOutput.directory(target.toString(), false)) {
      assertFalse(Files.exists(dead), "a dead writer's temporary output stays");
      write(o.create("a.txt"), "one");
      o.commit();
    }
    assertTrue(Files.exists(live), "a live writer's temporary output was removed");
    assertTrue(Files.exists(otherHost), "another host's temporary output was removed");
    assertEquals("one", Files.readString(target.resolve("a.txt")));
  }

  @Test
  void aFailedRunLeavesNothingAndTheOldOutputStays() throws Exception {
    Path target = dir.resolve("out");
    Files.createDirectories(target);
    Files.writeString(target.resolve("a.txt"), "old");
    try (AtomicOutput o = AtomicOutput.directory(target.toString(), true)) {
      write(o.create("a.txt"), "new");
      // no commit: the run failed
    }
    assertEquals(List.of("out"), names());
    assertEquals("old", Files.readString(target.resolve("a.txt")));
    try (AtomicOutput o = AtomicOutput.directory(target.toString(), true)) {
      write(o.create("a.txt"), "new");
      o.commit();
    }
    assertEquals(List.of("out"), names());
    assertEquals("new", Files.readString(target.resolve("a.txt")));
  }

  @Test
  void anExistingOutputNeedsOverwrite() throws Exception {
    Path target = dir.resolve("out");
    Files.createDirectories(target);
    Exception e = assertThrows(org.apache.hadoop.fs.FileAlreadyExistsException.class,
        () -> AtomicOutput.directory(target.toString(), false));
    assertEquals(target + ": output already exists (use --overwrite to replace it)",
        e.getMessage());
  }

  /** {@code --out /} once printed a NullPointerException's message. */
  @Test
  void aFilesystemRootIsRefusedWithOneLine() {
    for (String root : new String[] {"/", "file:///"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> AtomicOutput.directory(root, true));
      assertEquals(root + ": the output cannot be a filesystem's root; name a directory or file"
          + " under it", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> AtomicOutput.file(root, true));
      assertTrue(e.getMessage().contains("root"), e.getMessage());
    }
  }

  /** A child JVM writes into an output and waits; SIGTERM (and SIGINT) remove what it wrote. */
  @Test
  void aSignalledWriterLeavesNoTemporaryOutput() throws Exception {
    for (String signal : new String[] {"TERM", "INT"}) {
      Path target = dir.resolve("out-" + signal);
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-cp", System.getProperty("java.class.path"), Writer.class.getName(),
          target.toString()).redirectErrorStream(true).start();
      try {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
            StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null && !line.equals("written")) {
          // log4j or JVM warnings before the writer's line
        }
        assertEquals("written", line, "the writer ended before writing");
        assertTrue(names().stream().anyMatch(n -> n.startsWith(".out-" + signal + ".tmp-")),
            names().toString());
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
            .start().waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the writer outlived SIG" + signal);
      } finally {
        p.destroyForcibly();
      }
      assertFalse(names().stream().anyMatch(n -> n.contains("out-" + signal)),
          "SIG" + signal + " left " + names());
    }
  }

  /** The child of {@link #aSignalledWriterLeavesNoTemporaryOutput}. */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      AtomicOutput o = AtomicOutput.directory(args[0], false);
      write(o.create("part"), "partial data");
      System.out.println("written");
      System.out.flush();
      Thread.sleep(120_000);
    }
  }
}
