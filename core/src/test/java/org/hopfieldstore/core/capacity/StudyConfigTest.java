package org.hopfieldstore.core.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hopfieldstore.core.data.Preprocessing;
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
  void topKAsAShareOfTheMemorySetAndSeveralNoises() throws IOException {
    StudyConfig c = read("memories = 10,1000\nrules = topk:k=20%,beta=4; topk:k=50%; softmax\n"
        + "noise = mask-bottom; gaussian-clamp:0.3\n");
    assertEquals(List.of("mask-bottom", "gaussian-clamp:0.3"),
        c.noises.stream().map(Object::toString).collect(Collectors.toList()));
    StudyRule top20 = c.rules.get(0);
    assertTrue(top20.label().contains("k=20%") && top20.label().contains("beta=4"),
        top20.label());
    assertEquals(200, top20.specFor(1000).get(org.hopfieldstore.core.rules.TopK.K));
    assertEquals(2, top20.specFor(10).get(org.hopfieldstore.core.rules.TopK.K));
    assertEquals(1, top20.specFor(2).get(org.hopfieldstore.core.rules.TopK.K), "at least 1");
    assertEquals(4.0, top20.specFor(1000).beta(), 0);
    assertEquals(500, c.rules.get(1).specFor(999).get(org.hopfieldstore.core.rules.TopK.K));
    assertEquals(c.rules.get(2).specFor(10), c.rules.get(2).specFor(1000), "a fixed spec");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> read("memories = 10\nrules = topk:k=0%\n"));
    assertTrue(e.getMessage().contains("must be in (0, 100]%"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> read("memories = 10\nrules = softmax; softmax:beta=1\n"));
    assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> read("memories = 10\nrules = softmax\nnoise = mask-bottom; blur\n"));
    assertTrue(e.getMessage().contains("noise = mask-bottom; blur: 'blur': unknown corruption"),
        e.getMessage());
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
  void everyAcceptedKeyParsesAndIsInTheHelp() throws IOException {
    String[] lines = {
        "name = all-keys",
        "source = clustered:clusters=4,intrinsic=2,spread=0.1",
        "dim = 8",
        "memories = 10,100",
        "rules = softmax:beta=8; sparsemax:beta=8",
        "noise = dropout:0.5",
        "queries = 16",
        "trials = 3",
        "seed = -7",
        "preprocess = unit",
        "cosine_tolerance = 0.3",
        "clamp = true",
        "separation = false",
        "separation_max = 500",
        "separation_distributed = true",
        "kernel_epochs = 0,5,50",
        "kernel_rules = sparsemax:beta=8",
        "kernel_train = preset=uhop,loss=uhop-max:3,optimiser=adam,lr=0.5,decay=false,batch=4,"
            + "penalty=0.25,init=kaiming,dim=12,share=0.3,map=normalized",
    };
    Set<String> used = new LinkedHashSet<>();
    for (String l : lines) {
      used.add(l.substring(0, l.indexOf('=')).trim());
    }
    // a key added to the parser must be added here too, so the help check below covers it
    assertEquals(new java.util.TreeSet<>(StudyConfig.KEYS), new java.util.TreeSet<>(used));
    StudyConfig c = read(String.join("\n", lines) + "\n");
    assertEquals("all-keys", c.name);
    assertEquals(8, c.dim);
    assertEquals(List.of(10, 100), c.memories);
    assertEquals(2, c.rules.size());
    assertEquals(16, c.queries);
    assertEquals(3, c.trials);
    assertEquals(-7, c.seed);
    assertEquals(Preprocessing.UNIT, c.preprocess);
    assertEquals(0.3, c.cosineTolerance);
    assertTrue(c.clamp);
    assertFalse(c.separation);
    assertEquals(500, c.separationMax);
    assertTrue(c.separationDistributed);
    assertEquals(List.of(0, 5, 50), c.kernelEpochs);
    assertTrue(c.learnsKernels());
    assertEquals(List.of(c.rules.get(1)), c.kernelRules);
    assertFalse(c.isKernelRule(c.rules.get(0)));
    StudyConfig.KernelTrain k = c.kernelTrain;
    // the keys given over the uhop preset, whose bias (off) stays
    assertEquals("uhop-max:3.0", k.training.loss().toString());
    assertEquals("adam", k.training.optimiser());
    assertEquals(0.5, k.training.lr());
    assertFalse(k.training.decay());
    assertEquals(4, k.training.batch());
    assertEquals(0.25, k.training.lambda());
    assertEquals("kaiming", k.training.init());
    assertFalse(k.training.bias());
    assertEquals(12, k.dim);
    assertEquals(0.3, k.share);
    assertEquals(3, k.trainRows(10), "floor(0.3 * 10)");
    assertTrue(k.normalized);

    String help = StudyConfig.keysHelp();
    for (String key : used) {
      // each key heads its own entry: "separation" must not pass by matching "separation_max"
      int at = help.indexOf("\n  " + key + "\n");
      assertTrue(at >= 0, key + " missing from:\n" + help);
      String entry = help.substring(at + 1).split("\n\n", 2)[0];
      assertTrue(entry.contains("values: ") && entry.contains("default: "), entry);
    }
  }

  @Test
  void helpStatesTheDefaultsTheParserUses() throws IOException {
    StudyConfig c = read("memories = 10\nrules = softmax\n");
    String help = StudyConfig.keysHelp();
    assertTrue(help.contains("\n  dim\n"), help);
    assertEquals(64, c.dim);
    assertTrue(help.contains("default: " + c.dim + "\n"), help);
    assertTrue(help.contains("default: " + c.separationMax + "\n"), help);
    assertTrue(help.contains("default: " + c.name + "\n"), help);
    assertTrue(help.contains("default: none: the key is required"), help);
  }

  @Test
  void kernelKeysAreAbsentByDefaultAndTheirDefaultsAreUHopsStageOne() throws IOException {
    StudyConfig plain = read("memories = 10\nrules = softmax\n");
    assertFalse(plain.learnsKernels());
    assertEquals(List.of(), plain.kernelEpochs);
    assertEquals(List.of(), plain.kernelRules);
    assertEquals(null, plain.kernelTrain);
    StudyConfig c = read("memories = 10,100\nkernel_epochs = 0,1,10\nrules = softmax:beta=1; "
        + "sparsemax:beta=1; softmax:beta=1,score=manhattan; linear:beta=1\n");
    assertEquals(List.of(0, 1, 10), c.kernelEpochs);
    // every rule that can score in the kernel space: not the distance score, not the summary
    assertEquals(List.of(c.rules.get(0), c.rules.get(1)), c.kernelRules);
    StudyConfig.KernelTrain k = c.kernelTrain;
    // the uhop-max preset's settings
    assertEquals("uhop-max:2.0", k.training.loss().toString());
    assertEquals(10.0, k.training.lr());
    assertEquals(0.5, k.share);
    assertEquals(5, k.trainRows(10));
    assertEquals(50, k.trainRows(101), "floor, as U-Hop's int(0.5 * m)");
    assertFalse(k.normalized);
    assertEquals(null, k.dim);
    assertTrue(StudyConfig.keysHelp().contains("default: preset=uhop-max,share=0.5,map=linear"),
        StudyConfig.keysHelp());
    // only 0: the column, no training, any size of set
    assertEquals(List.of(0), read("memories = 1\nkernel_epochs = 0\nrules = softmax\n")
        .kernelEpochs);
  }

  @Test
  void badKernelKeysAreRefusedByName() {
    String base = "memories = 10,100\nrules = softmax:beta=1; softmax:beta=1,score=euclidean\n";
    String[][] cases = {
        {"kernel_rules = softmax:beta=1\n", "kernel_rules = softmax:beta=1: needs kernel_epochs"},
        {"kernel_train = share=0.5\n", "kernel_train = share=0.5: needs kernel_epochs"},
        {"kernel_epochs = 0,10,10\n", "must ascend without repeats"},
        {"kernel_epochs = 10,1\n", "must ascend without repeats"},
        {"kernel_epochs = -1,10\n", "must be >= 0"},
        {"kernel_epochs = 1,x\n", "expected a list of iteration counts"},
        {"kernel_epochs = 1\nkernel_rules = sparsemax:beta=1\n",
            "'sparsemax:beta=1,steps=1,tol=0,solver=exact' is not one of rules"},
        {"kernel_epochs = 1\nkernel_rules = softmax:beta=1,score=euclidean\n",
            "cannot take a kernel"},
        {"kernel_epochs = 1\nkernel_rules = softmax:beta=1; softmax:beta=1\n", "listed twice"},
        {"kernel_epochs = 1\nkernel_train = shares=0.5\n", "unknown option 'shares'"},
        {"kernel_epochs = 1\nkernel_train = share=0.5,share=0.4\n", "given twice"},
        {"kernel_epochs = 1\nkernel_train = share\n", "'share': expected key=value"},
        {"kernel_epochs = 1\nkernel_train = share=0\n", "share=0: must be in (0, 1]"},
        {"kernel_epochs = 1\nkernel_train = share=1.5\n", "must be in (0, 1]"},
        {"kernel_epochs = 1\nkernel_train = share=0.1\n",
            "share=0.1 of M=10 leaves 1 memories to learn W from"},
        {"kernel_epochs = 1\nkernel_train = lr=-1\n", "lr=-1: must be > 0"},
        {"kernel_epochs = 1\nkernel_train = lr=fast\n", "lr=fast: not a number"},
        {"kernel_epochs = 1\nkernel_train = decay=yes\n", "decay=yes: expected true or false"},
        {"kernel_epochs = 1\nkernel_train = batch=1\n", "batch=1: has no pairs"},
        {"kernel_epochs = 1\nkernel_train = dim=0\n", "dim=0: must be >= 1"},
        {"kernel_epochs = 1\nkernel_train = penalty=-0.1\n", "penalty=-0.1: must be >= 0"},
        {"kernel_epochs = 1\nkernel_train = optimiser=rmsprop\n", "optimiser=rmsprop: must be adam or sgd"},
        {"kernel_epochs = 1\nkernel_train = loss=hinge\n", "unknown loss 'hinge'"},
        {"kernel_epochs = 1\nkernel_train = map=cosine\n", "map must be linear or normalized"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> read(base + c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains("s.conf"),
          c[0] + " -> " + e.getMessage());
    }
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> read("memories = 10\nkernel_epochs = 1\nrules = softmax:score=manhattan\n"));
    assertTrue(none.getMessage().contains("no rule of rules can take a kernel"),
        none.getMessage());
  }

  @Test
  void unknownKeyIsRejectedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> read("memories = 10\nrules = softmax\nbeta = 8\n"));
    assertTrue(e.getMessage().contains("unknown key 'beta'"), e.getMessage());
    assertTrue(e.getMessage().contains("valid: "), e.getMessage());
    assertFalse(StudyConfig.keysHelp().contains("\n  beta\n"));
  }

  @Test
  void everyDeployedStudyConfigParses() throws IOException {
    Path dir = Path.of("../deploy/studies"); // tests run in core/
    List<Path> confs;
    try (Stream<Path> files = Files.list(dir)) {
      confs = files.filter(f -> f.toString().endsWith(".conf")).sorted()
          .collect(Collectors.toList());
    }
    assertFalse(confs.isEmpty(), "no .conf in " + dir.toAbsolutePath());
    for (Path f : confs) {
      StudyConfig c = StudyConfig.read(f);
      assertFalse(c.memories.isEmpty(), f.toString());
      assertFalse(c.rules.isEmpty(), f.toString());
    }
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
