package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.hopfieldstore.core.io.MatrixReader;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.retrieval.LocalRetrievalEngine;
import org.hopfieldstore.core.retrieval.RetrievalResult;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.score.ScoreKernels;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench command: its states are the retrieval's (checked against the plain-Java engine, for
 * a small batch on the heap scan and a large one on BLAS), its JSON line names the libraries, and
 * bad warm-up options are usage errors. Never a timing check.
 */
class BenchCommandTest {
  @TempDir Path tmp;

  @Test
  void statesMatchThePlainEngineAndTheLineNamesTheLibraries() throws Exception {
    Path mem = tmp.resolve("m.npy");
    assertEquals(0, RetrieveCommandTest.run("generate", "--count", "3001", "--dim", "37",
        "--seed", "5", "--out", mem.toString()).status());
    FloatMatrix xi = MatrixReader.read(mem, "memories");
    for (int batch : new int[] {3, 40}) {
      Path q = tmp.resolve("q" + batch + ".npy");
      assertEquals(0, RetrieveCommandTest.run("make-queries", "--memories", mem.toString(),
          "--count", String.valueOf(batch), "--corrupt", "gaussian:0.05", "--seed", "6",
          "--out", q.toString()).status());
      for (String spec : new String[] {"softmax:beta=8", "sparsemax:beta=8", "topk:k=5,beta=8"}) {
        Path states = tmp.resolve("s.npy");
        RetrieveCommandTest.Run r = RetrieveCommandTest.run("bench", "--memories",
            mem.toString(), "--queries", q.toString(), "--spec", spec, "--reps", "2",
            "--warmup", "1", "--warmup-seconds", "0", "--states", states.toString());
        String msg = "B=" + batch + " " + spec + ": " + r.err();
        assertEquals(0, r.status(), msg);
        JsonNode line = RetrieveCommandTest.JSON.readTree(r.out());
        assertEquals(batch, line.get("B").asInt(), r.out());
        assertFalse(line.get("blas").asText().isEmpty(), r.out());
        assertFalse(line.get("row_ops").asText().isEmpty(), r.out());
        assertTrue(line.get("best_s").asDouble() > 0 && line.get("qps").asDouble() > 0, r.out());
        FloatMatrix queries = MatrixReader.read(q, "queries");
        RetrievalResult want = new LocalRetrievalEngine(MemoryBlock.of(xi),
            ScoreKernels.byName("java")).retrieve(queries, RetrievalSpec.parse(spec), 10, false);
        FloatMatrix got = MatrixReader.read(states, "states");
        for (int i = 0; i < batch; i++) {
          for (int j = 0; j < 37; j++) {
            assertEquals(want.states().get(i, j), got.get(i, j), 2e-5, msg + " state " + i);
          }
        }
      }
    }
  }

  @Test
  void badWarmupSecondsIsAUsageError() {
    for (String bad : new String[] {"-1", "abc", "Infinity"}) {
      RetrieveCommandTest.Run r = RetrieveCommandTest.run("bench", "--memories", "m.npy",
          "--queries", "q.npy", "--spec", "softmax:beta=1", "--warmup-seconds", bad);
      assertEquals(2, r.status(), r.err());
      assertTrue(r.err().contains("--warmup-seconds"), r.err());
    }
  }
}
