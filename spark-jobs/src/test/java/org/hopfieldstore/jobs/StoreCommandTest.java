package org.hopfieldstore.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.Preprocessing;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store commands as a user runs them: create from .npy, append .npy rows (ids continue),
 * delete ids, info, and retrieve --store at version 0 and at the latest version, each equal to
 * retrieve --memories of a .npy file holding that version's rows preprocessed here.
 */
class StoreCommandTest {
  static final long SEED = 9090;
  @TempDir Path tmp;

  static RetrieveCommandTest.Run run(String... args) {
    return RetrieveCommandTest.run(args);
  }

  @Test
  void createAppendDeleteInfoAndRetrieveFromOldAndNewVersions() throws Exception {
    int d = 12;
    FloatMatrix first = SyntheticMemories.fromSource("clustered:clusters=5,intrinsic=3,"
        + "spread=0.3", 200, d, SEED);
    FloatMatrix more = SyntheticMemories.fromSource("sphere", 40, d, SEED + 1);
    Path a = tmp.resolve("a.npy");
    Path b = tmp.resolve("b.npy");
    Npy.writeFloat32(a, first.data(), 200, d);
    Npy.writeFloat32(b, more.data(), 40, d);
    String store = tmp.resolve("store").toString();
    String[] spark = {"--master", "local[2]"};

    RetrieveCommandTest.Run r = run(cat(new String[] {"store", "create", "--from", a.toString(),
        "--out", store, "--normalize", "unit", "--partitions", "2", "--summary",
        "prf:features=16,beta=2,seed=3", "--kernel", "java"}, spark));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("create: 200 rows; " + store + " is at version 0"), r.out());
    r = run(cat(new String[] {"store", "append", "--store", store, "--from", b.toString(),
        "--kernel", "java"}, spark));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("append: 40 rows; " + store + " is at version 1 with 240"),
        r.out());
    r = run(cat(new String[] {"store", "delete", "--store", store, "--ids", "3,199,200,239",
        "--kernel", "java"}, spark));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("delete: 4 rows; " + store + " is at version 2 with 236"),
        r.out());
    r = run(cat(new String[] {"store", "info", "--store", store}, spark));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("version 2 of 2"), r.out());
    assertTrue(r.out().contains("memories     236 x 12 (unit)"), r.out());
    assertTrue(r.out().contains("summary      prf:features=16,beta=2,steps=1,tol=0,seed=3,"
        + "projection=orthogonal (236 "
        + "memories)"), r.out());
    assertTrue(r.out().contains("create   200 rows added"), r.out());
    assertTrue(r.out().contains("append   40 rows added"), r.out());
    assertTrue(r.out().contains("delete   4 rows deleted"), r.out());

    // bad input: one line, non-zero, the store still at version 2
    r = run(cat(new String[] {"store", "append", "--store", store, "--from", a.toString(),
        "--first-id", "0"}, spark));
    assertEquals(1, r.status(), r.out());
    assertTrue(r.err().startsWith("hopfield-store: error: append: 198 of the new ids are already"
        + " in the store"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    r = run(cat(new String[] {"store", "info", "--store", store + "@7"}, spark));
    assertEquals(1, r.status());
    assertTrue(r.err().contains("has versions 0 to 2; there is no version 7"), r.err());
    r = run(cat(new String[] {"store", "info", "--store", tmp.toString()}, spark));
    assertEquals(1, r.status());
    assertTrue(r.err().contains("not a store"), r.err());

    // each version retrieves what its rows, preprocessed here, retrieve in-process
    QuerySet qs = QuerySet.fromMemories(first, 17, Corruption.parse("gaussian:0.3"), SEED + 2);
    Path q = tmp.resolve("q.npy");
    Npy.writeFloat32(q, qs.queries().data(), 17, d);
    float[] all = Arrays.copyOf(first.data(), 240 * d);
    System.arraycopy(more.data(), 0, all, 200 * d, 40 * d);
    for (String spec : new String[] {"sparsemax:beta=4,steps=3", "prf:features=16,beta=2,seed=3,"
        + "steps=2"}) {
      for (int v : new int[] {0, 2}) {
        int[] rows = v == 0 ? range(0, 200) : Arrays.stream(range(0, 240))
            .filter(i -> i != 3 && i != 199 && i != 200 && i != 239).toArray();
        float[] x = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
          System.arraycopy(all, rows[i] * d, x, i * d, d);
          Preprocessing.UNIT.applyRow(x, i * d, d, null);
        }
        Path plain = tmp.resolve("v" + v + ".npy");
        Npy.writeFloat32(plain, x, rows.length, d);
        Path want = tmp.resolve("want-" + v + "-" + spec.charAt(0));
        Path got = tmp.resolve("got-" + v + "-" + spec.charAt(0));
        r = run("retrieve", "--memories", plain.toString(), "--queries", q.toString(), "--spec",
            spec, "--out", want.toString(), "--quiet", "--kernel", "java");
        assertEquals(0, r.status(), r.err());
        r = run(cat(new String[] {"retrieve", "--store", store + "@" + v, "--queries",
            q.toString(), "--spec", spec, "--out", got.toString(), "--quiet", "--kernel",
            "java"}, spark));
        assertEquals(0, r.status(), r.err());
        String msg = spec + " version " + v + " seed " + SEED;
        float[] ws = Npy.readMatrix(want.resolve("states.npy"), "s").data();
        float[] gs = Npy.readMatrix(got.resolve("states.npy"), "s").data();
        assertArrayEquals(ws, gs, 1e-4f, msg);
        long[] wantIds = Npy.read(want.resolve("top_ids.npy")).asLongs();
        long[] gotIds = Npy.read(got.resolve("top_ids.npy")).asLongs();
        for (int i = 0; i < wantIds.length; i++) {
          wantIds[i] = rows[(int) wantIds[i]]; // row index of the plain file -> store id
        }
        assertArrayEquals(wantIds, gotIds, msg);
        JsonNode summary = RetrieveCommandTest.JSON.readTree(got.resolve("summary.json")
            .toFile());
        assertEquals(v, summary.get("store").get("version").asInt(), summary.toString());
      }
    }
  }

  /**
   * arrange learns W from a store and attaches it; after an append (new rows' factors only),
   * retrieve --store with kernel=store (the normalised map, from the stored factors) equals
   * retrieve --memories of the same rows with the W file arrange wrote; bench reads the store.
   */
  @Test
  void arrangeAttachesItsKernelForRetrieveAndBench() throws Exception {
    int d = 12;
    FloatMatrix first = SyntheticMemories.fromSource("clustered:clusters=4,intrinsic=3,"
        + "spread=0.3", 150, d, SEED + 10);
    FloatMatrix more = SyntheticMemories.fromSource("sphere", 30, d, SEED + 11);
    Path a = tmp.resolve("a.npy");
    Path b = tmp.resolve("b.npy");
    Npy.writeFloat32(a, first.data(), 150, d);
    Npy.writeFloat32(b, more.data(), 30, d);
    String store = tmp.resolve("store").toString();
    String w = tmp.resolve("W.npy").toString();
    String[] spark = {"--master", "local[2]"};
    RetrieveCommandTest.Run r = run(cat(new String[] {"store", "create", "--from", a.toString(),
        "--out", store, "--normalize", "unit", "--partitions", "2"}, spark));
    assertEquals(0, r.status(), r.err());
    r = run("arrange", "--memories", a.toString(), "--dim", "16", "--epochs", "2", "--out",
        tmp.resolve("unused.npy").toString(), "--attach", "--quiet");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--attach needs --store"), r.err());
    r = run("arrange", "--store", store, "--dim", "16", "--epochs", "3", "--out", w,
        "--attach", "--quiet", "--seed", "5");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("attached W (16 x 12) to store " + store + ": version 1, row "
        + "factors 1/|W xi| for its 150 memories"), r.out());
    r = run(cat(new String[] {"store", "append", "--store", store, "--from", b.toString()},
        spark));
    assertEquals(0, r.status(), r.err());
    r = run(cat(new String[] {"store", "info", "--store", store}, spark));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("kernel       W 16 x 12 (arrange --loss spherical"), r.out());
    assertTrue(r.out().contains("attach-kernel 150 rows rewritten with their row factors"),
        r.out());

    float[] x = Arrays.copyOf(first.data(), 180 * d);
    System.arraycopy(more.data(), 0, x, 150 * d, 30 * d);
    for (int i = 0; i < 180; i++) {
      Preprocessing.UNIT.applyRow(x, i * d, d, null);
    }
    Path plain = tmp.resolve("v2.npy");
    Npy.writeFloat32(plain, x, 180, d);
    QuerySet qs = QuerySet.fromMemories(first, 11, Corruption.parse("gaussian:0.3"), SEED + 12);
    Path q = tmp.resolve("q.npy");
    Npy.writeFloat32(q, qs.queries().data(), 11, d);
    String spec = "softmax:beta=8,steps=2,kernel_map=normalized,kernel=";
    Path want = tmp.resolve("want");
    Path got = tmp.resolve("got");
    r = run("retrieve", "--memories", plain.toString(), "--queries", q.toString(), "--spec",
        spec + w, "--out", want.toString(), "--quiet", "--kernel", "java");
    assertEquals(0, r.status(), r.err());
    r = run("retrieve", "--store", store, "--queries", q.toString(), "--spec", spec + "store",
        "--out", got.toString(), "--quiet", "--kernel", "java");
    assertEquals(0, r.status(), r.err());
    assertArrayEquals(Npy.readMatrix(want.resolve("states.npy"), "s").data(),
        Npy.readMatrix(got.resolve("states.npy"), "s").data(), 1e-4f, "seed " + SEED);
    // ids: the plain file's rows are the store's ids 0..179
    assertArrayEquals(Npy.read(want.resolve("top_ids.npy")).asLongs(),
        Npy.read(got.resolve("top_ids.npy")).asLongs(), "seed " + SEED);

    r = run("bench", "--store", store + "@1", "--queries", q.toString(), "--spec",
        spec + "store", "--reps", "1", "--warmup", "0", "--warmup-seconds", "0");
    assertEquals(0, r.status(), r.err());
    JsonNode line = RetrieveCommandTest.JSON.readTree(r.out().strip());
    assertEquals(150, line.get("M").asInt(), r.out());
    r = run("retrieve", "--memories", plain.toString(), "--queries", q.toString(), "--spec",
        spec + "store", "--out", tmp.resolve("bad").toString(), "--quiet");
    assertEquals(1, r.status(), r.out());
    assertTrue(r.err().contains("kernel=store names the feature map attached to a store"),
        r.err());
  }

  static int[] range(int from, int to) {
    return java.util.stream.IntStream.range(from, to).toArray();
  }

  static String[] cat(String[] a, String[] b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
