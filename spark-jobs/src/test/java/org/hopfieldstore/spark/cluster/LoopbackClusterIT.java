package org.hopfieldstore.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.hopfieldstore.core.data.Corruption;
import org.hopfieldstore.core.data.QuerySet;
import org.hopfieldstore.core.data.SyntheticMemories;
import org.hopfieldstore.core.io.Npy;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.hopfieldstore.jobs.HopfieldStoreMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A real standalone cluster on loopback: {@code deploy/cluster.sh} starts a Master and two
 * Workers (separate JVMs, free ports, shared secret), {@code deploy/spark-submit} runs the
 * {@code retrieve} job on it with the application jar, and the Parquet it writes is compared with
 * the in-process result. Then a Worker is killed with SIGKILL in the middle of a longer job, which
 * must still finish with the same answer; and drivers without the secret must be refused.
 * Every process started here is stopped in {@link #cleanUp()} (also from a shutdown hook).
 *
 * <p>Run by the failsafe plugin after {@code package} (it needs the built jars and lib dirs).
 * Seeds: {@code -Dhopfield.it.seed=N} (printed).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LoopbackClusterIT {
  private static final long SEED = Long.getLong("hopfield.it.seed", 20261124L);
  private static final Duration JOB_LIMIT = Duration.ofSeconds(150);

  private static Path repo;
  private static Path dir;
  private static Path work;
  private static Map<String, String> env;
  private static int masterPort;
  private static int masterUiPort;
  private static int workerUiPort;
  private static final List<Process> drivers = new ArrayList<>();
  private static final Set<Long> seenPids = new LinkedHashSet<>();
  private static SparkSession reader;
  private static Thread shutdownHook;
  private static boolean cleanedUp;

  @BeforeAll
  static void startCluster() throws Exception {
    Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"),
        "the loopback cluster scripts need Linux");
    for (String tool : new String[] {"bash", "curl", "setsid", "pgrep", "ss"}) {
      Assumptions.assumeTrue(onPath(tool), tool + " is not on the PATH");
    }
    repo = Path.of(System.getProperty("hopfield.repo.dir", "..")).toAbsolutePath().normalize();
    assertTrue(Files.isExecutable(repo.resolve("deploy/cluster.sh")), "deploy/cluster.sh in "
        + repo);
    assertTrue(Files.isRegularFile(repo.resolve(
        "spark-jobs/target/hopfield-spark-jobs-app.jar")), "the application jar (run package)");
    dir = repo.resolve("spark-jobs/target/it-cluster");
    deleteTree(dir);
    work = dir.resolve("work");
    Files.createDirectories(work);

    int ports = freePorts(4); // master, master UI, two worker UIs
    masterPort = ports;
    masterUiPort = ports + 1;
    workerUiPort = ports + 2;
    env = Map.of(
        "HOPFIELD_WORK", work.toString(),
        "HOPFIELD_MASTER_PORT", Integer.toString(masterPort),
        "HOPFIELD_MASTER_UI_PORT", Integer.toString(masterUiPort),
        "HOPFIELD_WORKER_UI_PORT", Integer.toString(workerUiPort),
        "HOPFIELD_START_TIMEOUT", "90",
        "HOPFIELD_STOP_TIMEOUT", "15");
    System.out.printf("LoopbackClusterIT: seed %d (-Dhopfield.it.seed), master port %d, UI %d,"
        + " worker UIs %d-%d, work dir %s%n", SEED, masterPort, masterUiPort, workerUiPort,
        workerUiPort + 1, work);

    shutdownHook = new Thread(LoopbackClusterIT::cleanUp, "LoopbackClusterIT cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    Script start = script(Duration.ofSeconds(120), "deploy/cluster.sh", "start", "--workers",
        "2", "--worker-cores", "1", "--worker-memory", "2g");
    System.out.print(start.output);
    recordDaemonPids();
    assertEquals(0, start.exit, "cluster.sh start failed:\n" + start.output);
    assertEquals(2, aliveWorkers(), "alive workers after start");
    Script status = script(Duration.ofSeconds(30), "deploy/cluster.sh", "status");
    System.out.print(status.output);
    assertEquals(0, status.exit, status.output);
    assertEquals(3, count(status.output, " running\n"), status.output);
    assertFalse(status.output.contains("not running"), status.output);
    assertListensOnLoopbackOnly(daemonsAndChildren(), "after start");
  }

  @AfterAll
  static void stopCluster() {
    cleanUp();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
  }

  @Test
  @Order(1)
  void retrieveOnTheClusterMatchesInProcess() throws Exception {
    long memSeed = SEED;
    long querySeed = SEED + 1;
    System.out.printf("retrieve on the cluster: memories seed %d, queries seed %d%n", memSeed,
        querySeed);
    Path data = dir.resolve("small");
    Files.createDirectories(data);
    Path memories = writeMemories(data, 6_000, 32, memSeed);
    Path queries = writeQueries(data, memories, 96, "gaussian:0.3", querySeed);
    String spec = "entmax:alpha=1.5,beta=4,steps=2";

    Path reference = inProcess(memories, queries, spec, 64, data.resolve("reference"));
    Path out = data.resolve("cluster.parquet");
    Process driver = submit(data.resolve("driver.log"), memories, queries, spec, 64, out);
    assertFinishes(driver, data.resolve("driver.log"));
    assertMatches(reference, out);
  }

  @Test
  @Order(2)
  void driversWithoutTheSecretAreRefused() throws Exception {
    int appsBefore = appsKnown();
    Path data = dir.resolve("refused");
    Files.createDirectories(data);
    Path wrong = data.resolve("wrong.secret");
    Files.writeString(wrong, "0123456789abcdef0123456789abcdef\n");
    Path memories = writeMemories(data, 100, 8, SEED);
    Path queries = writeQueries(data, memories, 4, "none", SEED);
    String[][] cases = {{"HOPFIELD_SECRET_FILE", wrong.toString()}, {"HOPFIELD_NO_AUTH", "1"}};
    for (String[] c : cases) {
      Path log = data.resolve("driver-" + c[0].toLowerCase() + ".log");
      Process driver = submit(log, Map.of(c[0], c[1]), memories, queries, "softmax:beta=2", 4,
          data.resolve("never.parquet"));
      String text = waitForLog(driver, log, "Failed to connect to master", Duration.ofSeconds(60));
      driver.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      assertTrue(text.contains("Failed to connect to master"), c[0] + ": the driver was not"
          + " refused; log " + log + ":\n" + tail(text));
      String why = c[0].equals("HOPFIELD_NO_AUTH") ? "Expected SaslMessage" : "SaslException";
      assertTrue(text.contains(why), c[0] + ": no '" + why + "' in " + log);
      assertFalse(Files.exists(data.resolve("never.parquet")));
      System.out.println("refused as expected (" + c[0] + "): " + why);
    }
    assertEquals(appsBefore, appsKnown(), "the master registered an application without the"
        + " secret");
  }

  @Test
  @Order(3)
  void hdfsJobSurvivesAWorkerKilledMidJob() throws Exception {
    long memSeed = SEED + 2;
    long querySeed = SEED + 3;
    System.out.printf("worker killed mid-job, data on HDFS: memories seed %d, queries seed %d%n",
        memSeed, querySeed);
    Path data = dir.resolve("kill");
    Files.createDirectories(data);
    Path memories = writeMemories(data, 100_000, 64, memSeed);
    Path queries = writeQueries(data, memories, 256, "gaussian:0.05", querySeed);
    String spec = "softmax:beta=16,steps=4";
    Path reference = inProcess(memories, queries, spec, 32, data.resolve("reference"));
    // the executors read the memories' rows and the driver the query Parquet from HDFS; the
    // results go back to HDFS
    String hdfsMemories = toHdfs(memories, "/kill/memories.npy");
    String hdfsQueries = parquetOnHdfs(queries, "/kill/queries.parquet");
    String out = hdfs() + "/kill/cluster.parquet";

    Path log = data.resolve("driver.log");
    Process driver = submit(log, Map.of(), hdfsMemories, hdfsQueries, spec, 32, out);
    // both executors run; the first progress line means blocks are cached on both of them and
    // the retrieval steps are under way
    String text = waitForLog(driver, log, "retrieved 32/", JOB_LIMIT);
    assertTrue(driver.isAlive() && text.contains("retrieved 32/"), "the job ended before it"
        + " could be interrupted; log " + log + ":\n" + tail(text));
    assertEquals(2, count(text, "Executor added:"), "executors on both workers:\n" + tail(text));
    // while the job runs: the executors and the driver listen on loopback too, and a kill
    // request to the master's UI without the secret is refused (it once killed the job)
    Set<Long> running = daemonsAndChildren();
    running.add(driver.pid());
    assertListensOnLoopbackOnly(running, "mid-job");
    assertKillRequestRefused();
    assertExecutorLogsNeedTheSecret();
    long victim = Long.parseLong(Files.readString(work.resolve("worker-2.pid")).trim());
    ProcessHandle worker = ProcessHandle.of(victim).orElseThrow();
    List<ProcessHandle> executors = worker.descendants().collect(Collectors.toList());
    executors.forEach(p -> seenPids.add(p.pid()));
    assertFalse(executors.isEmpty(), "worker-2 runs no executor");
    System.out.printf("kill -9 worker-2 (pid %d; its children: %s) mid-job%n", victim,
        executors.stream().map(p -> p.pid() + " " + p.info().command().orElse("?"))
            .collect(Collectors.joining(", ")));
    Process kill = new ProcessBuilder("kill", "-9", Long.toString(victim)).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -9 " + victim);
    worker.onExit().get(30, TimeUnit.SECONDS);
    assertTrue(driver.isAlive(), "the driver ended at the kill");

    String done = assertFinishes(driver, log);
    List<String> lost = Arrays.stream(done.split("\n"))
        .filter(l -> l.contains("Lost executor") || l.contains("is now LOST"))
        .collect(Collectors.toList());
    lost.forEach(l -> System.out.println("driver: " + l));
    assertFalse(lost.isEmpty(), "the driver never saw the executor go:\n" + tail(done));
    assertMatches(reference, out);
    assertNoTemporaries("/kill");
    assertEquals(1, aliveWorkers(), "alive workers after the kill");
    // the orphaned executor notices its worker is gone and exits
    for (ProcessHandle e : executors) {
      try {
        e.onExit().get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException t) {
        fail("executor " + e.pid() + " of the killed worker still runs after 60 s");
      }
    }
  }

  @Test
  @Order(4)
  void distributedPlanOnHdfsAndAFailedJobLeavesNothing() throws Exception {
    long memSeed = SEED + 4;
    long querySeed = SEED + 5;
    System.out.printf("distributed plan on HDFS: memories seed %d, queries seed %d%n", memSeed,
        querySeed);
    Path data = dir.resolve("distributed");
    Files.createDirectories(data);
    Path memories = writeMemories(data, 20_000, 32, memSeed);
    Path queries = writeQueries(data, memories, 3000, "gaussian:0.1", querySeed);
    String spec = "sparsemax:beta=8,steps=3";
    Path reference = inProcess(memories, queries, spec, 256, data.resolve("reference"));
    String hdfsMemories = toHdfs(memories, "/distributed/memories.npy");
    String hdfsQueries = toHdfs(queries, "/distributed/queries.npy");
    String out = hdfs() + "/distributed/cluster.parquet";
    Process driver = submit(data.resolve("driver.log"), Map.of(), hdfsMemories, hdfsQueries,
        spec, 256, out, "--plan", "distributed");
    String text = assertFinishes(driver, data.resolve("driver.log"));
    assertTrue(text.contains("distributed plan"), tail(text));
    assertMatches(reference, out);

    // a job that fails midway (a NaN in a query that one task reads) leaves no output on HDFS
    FloatMatrix q = Npy.readMatrix(queries, "queries");
    float[] poisoned = q.data().clone();
    poisoned[2500 * q.cols() + 7] = Float.NaN;
    Path nan = data.resolve("nan.npy");
    Npy.writeFloat32(nan, poisoned, q.rows(), q.cols());
    String bad = toHdfs(nan, "/distributed/nan.npy");
    String failed = hdfs() + "/distributed/failed.parquet";
    Process fails = submit(data.resolve("failed.log"), Map.of(), hdfsMemories, bad, spec, 256,
        failed, "--plan", "distributed");
    assertTrue(fails.waitFor(JOB_LIMIT.toSeconds(), TimeUnit.SECONDS), "the failing job hangs");
    String failText = read(data.resolve("failed.log"));
    assertEquals(1, fails.exitValue(), failText);
    assertTrue(failText.contains("hopfield-store: error: ") && failText.contains("non-finite")
        && failText.contains("row 2500"), tail(failText));
    assertFalse(hdfsFs().exists(new org.apache.hadoop.fs.Path(failed)), "output of a failed job");
    assertNoTemporaries("/distributed");
  }

  /**
   * A store on HDFS: created and appended by local-mode processes (two appends at once, one
   * append killed with SIGKILL midway), then retrieved from on the cluster with spark-submit;
   * the answer equals the in-process one over the same rows from a plain file.
   */
  @Test
  @Order(5)
  @Timeout(value = 480, unit = TimeUnit.SECONDS) // six local-mode JVMs and a cluster job
  void storeOnHdfsConcurrentAndKilledAppendsThenRetrieveOnTheCluster() throws Exception {
    long seed = SEED + 6;
    System.out.printf("store on HDFS: memories seed %d%n", seed);
    Path data = dir.resolve("store");
    Files.createDirectories(data);
    int d = 24;
    FloatMatrix all = SyntheticMemories.uniformSphere(6000, d, seed);
    int[][] parts = {{0, 3000}, {3000, 3500}, {3500, 4000}, {4000, 6000}};
    String[] hdfsParts = new String[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Path f = data.resolve("part" + i + ".npy");
      int from = parts[i][0];
      int to = parts[i][1];
      Npy.writeFloat32(f, Arrays.copyOfRange(all.data(), from * d, to * d), to - from, d);
      hdfsParts[i] = toHdfs(f, "/store/part" + i + ".npy");
    }
    String store = hdfs() + "/store/memories";
    String summaryDir = "/store/memories/_hopfield";
    Script create = local(data.resolve("create.log"), "store", "create", "--from",
        hdfsParts[0], "--out", store, "--partitions", "2", "--summary",
        "prf:features=16,beta=2,seed=5");
    assertEquals(0, create.exit, create.output);

    // two appends at once: one may lose the race (and commits nothing); it is then run again
    Process a = localAsync(data.resolve("append-a.log"), "store", "append", "--store", store,
        "--from", hdfsParts[1], "--first-id", "3000");
    Process b = localAsync(data.resolve("append-b.log"), "store", "append", "--store", store,
        "--from", hdfsParts[2], "--first-id", "3500");
    int committed = 0;
    for (Object[] run : new Object[][] {{a, "append-a.log", 1, "3000"},
        {b, "append-b.log", 2, "3500"}}) {
      Process p = (Process) run[0];
      assertTrue(p.waitFor(JOB_LIMIT.toSeconds(), TimeUnit.SECONDS), "append hangs");
      String log = read(data.resolve((String) run[1]));
      if (p.exitValue() == 0) {
        committed++;
      } else {
        assertTrue(log.contains("committed first") && log.contains("committed nothing"),
            tail(log));
        Script again = local(data.resolve("again-" + run[1]), "store", "append", "--store",
            store, "--from", hdfsParts[(int) run[2]], "--first-id", (String) run[3]);
        assertEquals(0, again.exit, again.output);
      }
    }
    System.out.println("store on HDFS: " + committed + " of 2 concurrent appends committed");
    assertEquals(2, version(store), "two appends on version 0");

    // an append killed once its summary is written (its rows not yet committed)
    int summaries = hdfsFs().listStatus(new org.apache.hadoop.fs.Path(hdfs() + summaryDir))
        .length;
    Process killed = localAsync(data.resolve("killed.log"), "store", "append", "--store", store,
        "--from", hdfsParts[3], "--first-id", "4000");
    long deadline = System.nanoTime() + JOB_LIMIT.toNanos();
    while (killed.isAlive() && System.nanoTime() < deadline && hdfsFs().listStatus(
        new org.apache.hadoop.fs.Path(hdfs() + summaryDir)).length == summaries) {
      Thread.sleep(20);
    }
    assertTrue(killed.isAlive(), "the append ended before it could be killed: "
        + tail(read(data.resolve("killed.log"))));
    new ProcessBuilder("kill", "-KILL", Long.toString(killed.pid())).start().waitFor();
    killed.waitFor(30, TimeUnit.SECONDS);
    assertEquals(2, version(store), "a killed append leaves the store at its version");
    Script again = local(data.resolve("after-kill.log"), "store", "append", "--store", store,
        "--from", hdfsParts[3], "--first-id", "4000");
    assertEquals(0, again.exit, again.output);
    assertEquals(3, version(store));

    // retrieve from the store on the cluster: the same as in-process over the same rows
    Path plain = data.resolve("plain.npy");
    Npy.writeFloat32(plain, all.data(), all.rows(), d); // unit vectors: preprocessing none
    Path queries = writeQueries(data, plain, 300, "gaussian:0.2", seed + 1);
    String spec = "sparsemax:beta=8,steps=3";
    Path reference = inProcess(plain, queries, spec, 128, data.resolve("reference"));
    String out = hdfs() + "/store/retrieved.parquet";
    Path log = data.resolve("retrieve.log");
    Process driver = start(log, Map.of(), sparkSubmit("retrieve", "--store", store,
        "--queries", toHdfs(queries, "/store/queries.npy"), "--spec", spec, "--batch-size",
        "128", "--out", out));
    String text = assertFinishes(driver, log);
    assertTrue(text.contains("store version 3"), tail(text));
    assertMatches(reference, out);
  }

  /**
   * The output filesystem fills up mid-write: an HDFS directory whose space quota admits the
   * first file of an output but not the next block. In-process (.npy files written by the
   * command) and on Spark (Parquet written by the executors): one line naming the quota, no stack
   * trace on the terminal, nothing at the final path, no temporary left; with the quota lifted
   * the same command succeeds without any cleanup and gives the in-process answer.
   */
  @Test
  @Order(6)
  void aFullOutputFilesystemFailsInOneLineAndTheRerunSucceeds() throws Exception {
    long memSeed = SEED + 8;
    long querySeed = SEED + 9;
    System.out.printf("full output filesystem: memories seed %d, queries seed %d%n", memSeed,
        querySeed);
    Path data = dir.resolve("full");
    Files.createDirectories(data);
    Path memories = writeMemories(data, 20_000, 32, memSeed);
    Path queries = writeQueries(data, memories, 4000, "gaussian:0.1", querySeed);
    String spec = "sparsemax:beta=8,steps=2";
    Path reference = inProcess(memories, queries, spec, 256, data.resolve("reference"));
    org.apache.hadoop.hdfs.DistributedFileSystem fs =
        (org.apache.hadoop.hdfs.DistributedFileSystem) hdfsFs();
    org.apache.hadoop.fs.Path full = new org.apache.hadoop.fs.Path(hdfs() + "/full");
    fs.mkdirs(full);
    // a block being written reserves blocksize x replication of the quota; a written file
    // holds its length x replication: room for one block in flight and half the states file
    long blockReserve = fs.getDefaultBlockSize(full) * fs.getDefaultReplication(full);
    long statesBytes = Files.size(reference.resolve("states.npy"));
    fs.setQuota(full, org.apache.hadoop.hdfs.protocol.HdfsConstants.QUOTA_DONT_SET,
        blockReserve + statesBytes * fs.getDefaultReplication(full) / 2);
    for (boolean spark : new boolean[] {false, true}) {
      String out = hdfs() + "/full/" + (spark ? "spark.parquet" : "in-process");
      List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/hopfield-store").toString(),
          "retrieve", "--memories", memories.toString(), "--queries", queries.toString(),
          "--spec", spec, "--batch-size", "256", "--out", out));
      if (spark) {
        cmd.addAll(List.of("--master", "local[1]"));
      }
      String what = spark ? "Spark, Parquet" : "in-process, .npy";
      Path log = data.resolve((spark ? "spark" : "local") + "-full.log");
      Process p = start(log, Map.of("JAVA_OPTS", "-Xmx1g"), cmd);
      assertTrue(p.waitFor(JOB_LIMIT.toSeconds(), TimeUnit.SECONDS), what + ": hangs");
      String text = read(log);
      assertEquals(1, p.exitValue(), what + ":\n" + tail(text));
      List<String> ours = Arrays.stream(text.split("\n"))
          .filter(l -> l.startsWith("hopfield-store: ")).collect(Collectors.toList());
      assertEquals(1, ours.size(), what + ":\n" + tail(text));
      assertTrue(ours.get(0).startsWith("hopfield-store: error: ")
          && ours.get(0).toLowerCase(java.util.Locale.ROOT).contains("quota"), ours.get(0));
      assertFalse(text.contains("\tat "), what + ": a stack trace on the terminal:\n"
          + tail(text));
      assertFalse(fs.exists(new org.apache.hadoop.fs.Path(out)), what + ": output left");
      assertNoTemporaries("/full");
      System.out.printf("%s on a full filesystem: %s%n", what, ours.get(0));
    }
    fs.setQuota(full, org.apache.hadoop.hdfs.protocol.HdfsConstants.QUOTA_DONT_SET,
        org.apache.hadoop.hdfs.protocol.HdfsConstants.QUOTA_RESET);
    String again = hdfs() + "/full/spark.parquet";
    Script rerun = local(data.resolve("rerun.log"), "retrieve", "--memories",
        memories.toString(), "--queries", queries.toString(), "--spec", spec, "--batch-size",
        "256", "--out", again);
    assertEquals(0, rerun.exit, tail(rerun.output));
    assertMatches(reference, again);
    assertNoTemporaries("/full");
  }

  /**
   * Soak: {@code -Dhopfield.soak.jobs} jobs (2 by default, 20 with {@code -Psoak}) of mixed
   * rules on the cluster, each losing a Worker or one of its executors to SIGKILL at a seeded
   * random moment after its first batch; every answer must equal the in-process one, and
   * {@code deploy/cluster.sh heal} restarts a killed Worker before the next job.
   */
  @Test
  @Order(7)
  @Timeout(value = 7200, unit = TimeUnit.SECONDS)
  void soakJobsWithRandomKillsGiveTheInProcessAnswers() throws Exception {
    int jobs = Integer.getInteger("hopfield.soak.jobs", 2);
    long seed = SEED + 30;
    java.util.Random r = new java.util.Random(seed);
    System.out.printf("soak: %d jobs, seed %d%n", jobs, seed);
    Path data = dir.resolve("soak");
    Files.createDirectories(data);
    Path memories = writeMemories(data, 30_000, 32, seed);
    Path queries = writeQueries(data, memories, 256, "gaussian:0.1", seed + 1);
    String[] specs = {"softmax:beta=16,steps=3", "sparsemax:beta=8,steps=3",
        "entmax:alpha=1.5,beta=8,steps=3", "topk:k=8,beta=8,steps=3"};
    Path[] references = new Path[specs.length];
    // an earlier test killed a Worker: start from a whole cluster
    Script first = script(Duration.ofSeconds(120), "deploy/cluster.sh", "heal");
    System.out.print(first.output);
    assertEquals(0, first.exit, first.output);
    recordDaemonPids();
    assertEquals(2, aliveWorkers(), "alive workers before the soak");
    int workerKills = 0;
    int executorKills = 0;
    for (int j = 0; j < jobs; j++) {
      int s = j % specs.length;
      if (references[s] == null) {
        references[s] = inProcess(memories, queries, specs[s], 32,
            data.resolve("reference-" + s));
      }
      boolean killWorker = r.nextBoolean();
      int worker = 1 + r.nextInt(2);
      long delayMs = r.nextInt(2000);
      String out = data.resolve("job-" + j + ".parquet").toString();
      Path log = data.resolve("job-" + j + ".log");
      Process driver = submit(log, Map.of(), memories.toString(), queries.toString(), specs[s],
          32, out);
      String text = waitForLog(driver, log, "retrieved 32/", JOB_LIMIT);
      String killed = "nothing (the job ended first)";
      if (driver.isAlive()) {
        Thread.sleep(delayMs);
        long workerPid = Long.parseLong(Files.readString(work.resolve("worker-" + worker
            + ".pid")).trim());
        List<Long> executors = ProcessHandle.of(workerPid).orElseThrow().descendants()
            .map(ProcessHandle::pid).filter(LoopbackClusterIT::isExecutor)
            .collect(Collectors.toList());
        seenPids.addAll(executors);
        long victim = killWorker || executors.isEmpty() ? workerPid
            : executors.get(r.nextInt(executors.size()));
        assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(victim)).start()
            .waitFor(), "kill -9 " + victim);
        if (victim == workerPid) {
          workerKills++;
          killed = "worker-" + worker + " (pid " + victim + ")";
        } else {
          executorKills++;
          killed = "an executor of worker-" + worker + " (pid " + victim + ")";
        }
      }
      System.out.printf("soak job %d/%d: %s, killed %s %d ms after the first batch%n", j + 1,
          jobs, specs[s], killed, delayMs);
      assertFinishes(driver, log);
      assertMatches(references[s], out);
      Script heal = script(Duration.ofSeconds(120), "deploy/cluster.sh", "heal");
      System.out.print(heal.output);
      assertEquals(0, heal.exit, heal.output);
      recordDaemonPids();
      assertEquals(2, aliveWorkers(), "alive workers after healing");
      assertTrue(text.contains("retrieved 32/") || !driver.isAlive(), tail(text));
    }
    System.out.printf("soak: %d jobs, %d Workers and %d executors killed, every answer equal to"
        + " the in-process one%n", jobs, workerKills, executorKills);
  }

  /** Whether pid is a Spark executor JVM (a Worker's child; its shell wrappers are not). */
  private static boolean isExecutor(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/cmdline"))
          .contains("CoarseGrainedExecutorBackend");
    } catch (IOException e) {
      return false; // gone already
    }
  }

  /** {@code bin/hopfield-store ARGS --master local[1]}, waited for. */
  private static Script local(Path log, String... args) throws Exception {
    Process p = localAsync(log, args);
    boolean ended = p.waitFor(JOB_LIMIT.toSeconds(), TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    return new Script(ended ? p.exitValue() : -1, read(log));
  }

  private static Process localAsync(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/hopfield-store").toString()));
    cmd.addAll(Arrays.asList(args));
    cmd.addAll(List.of("--master", "local[1]"));
    return start(log, Map.of("JAVA_OPTS", "-Xmx1g"), cmd);
  }

  /** The store's latest version: its newest commit file in {@code _delta_log/}. */
  private static long version(String store) throws IOException {
    long newest = -1;
    for (org.apache.hadoop.fs.FileStatus f : hdfsFs().listStatus(
        new org.apache.hadoop.fs.Path(store + "/_delta_log"))) {
      String name = f.getPath().getName();
      if (name.matches("[0-9]{20}\\.json")) {
        newest = Math.max(newest, Long.parseLong(name.substring(0, 20)));
      }
    }
    return newest;
  }

  // --- HDFS: a mini cluster in this JVM -------------------------------------------------------

  private static org.apache.hadoop.hdfs.MiniDFSCluster miniDfs;

  /** The mini HDFS cluster's URI, started on first use (one name node, one data node). */
  private static synchronized String hdfs() throws IOException {
    if (miniDfs == null) {
      org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
      conf.set(org.apache.hadoop.hdfs.MiniDFSCluster.HDFS_MINIDFS_BASEDIR,
          dir.resolve("hdfs").toString());
      conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
      conf.set("dfs.datanode.address", "127.0.0.1:0");
      conf.set("dfs.datanode.http.address", "127.0.0.1:0");
      conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
      conf.set("dfs.namenode.http-address", "127.0.0.1:0");
      miniDfs = new org.apache.hadoop.hdfs.MiniDFSCluster.Builder(conf).numDataNodes(1)
          .format(true).build();
      miniDfs.waitActive();
      System.out.println("HDFS mini cluster at " + miniDfs.getURI());
    }
    return "hdfs://127.0.0.1:" + miniDfs.getNameNodePort();
  }

  private static org.apache.hadoop.fs.FileSystem hdfsFs() throws IOException {
    return org.apache.hadoop.fs.FileSystem.get(URI.create(hdfs()),
        new org.apache.hadoop.conf.Configuration());
  }

  /** Copies a local file to HDFS; returns its URI. */
  private static String toHdfs(Path local, String path) throws IOException {
    hdfsFs().copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()),
        new org.apache.hadoop.fs.Path(hdfs() + path));
    return hdfs() + path;
  }

  /** The queries of a .npy file as Parquet ({@code id} = row, {@code vector}) on HDFS. */
  private static String parquetOnHdfs(Path npy, String path) throws IOException {
    FloatMatrix q = Npy.readMatrix(npy, "queries");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < q.rows(); i++) {
      Float[] v = new Float[q.cols()];
      for (int j = 0; j < v.length; j++) {
        v[j] = q.get(i, j);
      }
      rows.add(org.apache.spark.sql.RowFactory.create((long) i, v));
    }
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("id", org.apache.spark.sql.types.DataTypes.LongType)
        .add("vector", org.apache.spark.sql.types.DataTypes.createArrayType(
            org.apache.spark.sql.types.DataTypes.FloatType));
    reader().createDataFrame(rows, schema).repartition(3).write().parquet(hdfs() + path);
    return hdfs() + path;
  }

  /** No temporary sibling (".NAME.tmp-...") is left in an HDFS directory. */
  private static void assertNoTemporaries(String path) throws IOException {
    for (org.apache.hadoop.fs.FileStatus f : hdfsFs().listStatus(
        new org.apache.hadoop.fs.Path(hdfs() + path))) {
      assertFalse(f.getPath().getName().contains(".tmp-"), "temporary left: " + f.getPath());
    }
  }

  // --- the job and its comparison -----------------------------------------------------------

  private static Path writeMemories(Path data, int count, int dim, long seed) {
    FloatMatrix m = SyntheticMemories.uniformSphere(count, dim, seed);
    Path path = data.resolve("memories.npy");
    Npy.writeFloat32(path, m.data(), m.rows(), m.cols());
    return path;
  }

  private static Path writeQueries(Path data, Path memories, int count, String corruption,
      long seed) {
    FloatMatrix m = Npy.readMatrix(memories, "memories");
    QuerySet q = QuerySet.fromMemories(m, count, Corruption.parse(corruption), seed);
    Path path = data.resolve("queries.npy");
    Npy.writeFloat32(path, q.queries().data(), q.queries().rows(), q.queries().cols());
    return path;
  }

  /** The in-process {@code retrieve} (no Spark) into {@code out}, the .npy directory. */
  private static Path inProcess(Path memories, Path queries, String spec, int batch, Path out) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int rc = HopfieldStoreMain.run(new String[] {"retrieve", "--memories", memories.toString(),
        "--queries", queries.toString(), "--spec", spec, "--batch-size", Integer.toString(batch),
        "--out", out.toString(), "--quiet"}, ps, ps);
    assertEquals(0, rc, "in-process retrieve: " + bytes.toString(StandardCharsets.UTF_8));
    return out;
  }

  private static Process submit(Path log, Path memories, Path queries, String spec, int batch,
      Path out) throws IOException {
    return submit(log, Map.of(), memories.toString(), queries.toString(), spec, batch,
        out.toString());
  }

  private static Process submit(Path log, Map<String, String> extraEnv, Path memories,
      Path queries, String spec, int batch, Path out) throws IOException {
    return submit(log, extraEnv, memories.toString(), queries.toString(), spec, batch,
        out.toString());
  }

  /** {@code deploy/spark-submit ... retrieve ... --partitions 4 --out OUT} in the background. */
  private static Process submit(Path log, Map<String, String> extraEnv, String memories,
      String queries, String spec, int batch, String out, String... more) throws IOException {
    List<String> cmd = sparkSubmit("retrieve", "--memories", memories, "--queries", queries,
        "--spec", spec, "--batch-size", Integer.toString(batch), "--partitions", "4",
        "--out", out);
    cmd.addAll(Arrays.asList(more));
    return start(log, extraEnv, cmd);
  }

  /** {@code deploy/spark-submit} of the application jar to the cluster with {@code args}. */
  private static List<String> sparkSubmit(String... args) {
    List<String> cmd = new ArrayList<>(List.of(repo.resolve("deploy/spark-submit").toString(),
        "--master", "spark://127.0.0.1:" + masterPort, "--driver-memory", "1g",
        "--class", "org.hopfieldstore.jobs.HopfieldStoreMain",
        repo.resolve("spark-jobs/target/hopfield-spark-jobs-app.jar").toString()));
    cmd.addAll(Arrays.asList(args));
    return cmd;
  }

  /** Starts {@code cmd} in the repository, output to {@code log}; stopped on clean-up. */
  private static Process start(Path log, Map<String, String> extraEnv, List<String> cmd)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile());
    setEnvironment(pb);
    pb.environment().putAll(extraEnv);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    synchronized (drivers) {
      drivers.add(p);
    }
    return p;
  }

  /** Waits for the driver to exit 0 within the job limit; returns its log. */
  private static String assertFinishes(Process driver, Path log) throws Exception {
    boolean ended = driver.waitFor(JOB_LIMIT.toSeconds(), TimeUnit.SECONDS);
    String text = read(log);
    if (!ended) {
      driver.destroyForcibly();
      fail("the job did not finish in " + JOB_LIMIT.toSeconds() + " s; log " + log + ":\n"
          + tail(text));
    }
    assertEquals(0, driver.exitValue(), "the job failed; log " + log + ":\n" + tail(text));
    return text;
  }

  /** Polls the log until it holds {@code marker}, the driver exits, or the time is up. */
  private static String waitForLog(Process driver, Path log, String marker, Duration limit)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    String text = read(log);
    while (!text.contains(marker) && driver.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      text = read(log);
    }
    return text;
  }

  /**
   * The Parquet output of the cluster against the in-process .npy output: states within 1e-5,
   * the same steps, top weights within 1e-5, the same top ids (up to float ties), energies
   * within 1e-5 (relative).
   */
  private static void assertMatches(Path referenceDir, Path parquet) throws IOException {
    assertMatches(referenceDir, parquet.toString());
  }

  private static void assertMatches(Path referenceDir, String parquet) throws IOException {
    FloatMatrix states = Npy.readMatrix(referenceDir.resolve("states.npy"), "states");
    long[] topIds = Npy.read(referenceDir.resolve("top_ids.npy")).asLongs();
    FloatMatrix topWeights = Npy.readMatrix(referenceDir.resolve("top_weights.npy"), "weights");
    String summary = Files.readString(referenceDir.resolve("summary.json"));
    int[] steps = intArray(summary, "steps");
    double[] energy = doubleArray(summary, "final_energy");
    int b = states.rows();
    int d = states.cols();
    int width = topWeights.cols();

    List<Row> rows = reader().read().parquet(parquet).orderBy("query_id")
        .collectAsList();
    assertEquals(b, rows.size(), "rows in " + parquet);
    int idTies = 0;
    for (int i = 0; i < b; i++) {
      Row r = rows.get(i);
      String q = "query " + i;
      assertEquals(i, r.getLong(r.fieldIndex("query_id")));
      List<Float> s = r.getList(r.fieldIndex("state"));
      assertEquals(d, s.size(), q);
      for (int j = 0; j < d; j++) {
        assertEquals(states.get(i, j), s.get(j), 1e-5, q + " coordinate " + j);
      }
      assertEquals(steps[i], r.getInt(r.fieldIndex("steps")), q + " steps");
      double e = r.isNullAt(r.fieldIndex("energy")) ? Double.NaN
          : r.getDouble(r.fieldIndex("energy"));
      if (Double.isNaN(energy[i])) {
        assertTrue(Double.isNaN(e), q + " energy: " + e + " where the rule has none");
      } else {
        assertEquals(energy[i], e, 1e-5 * Math.max(1, Math.abs(energy[i])), q + " energy");
      }
      List<Long> ids = r.getList(r.fieldIndex("top_ids"));
      List<Float> w = r.getList(r.fieldIndex("top_weights"));
      assertEquals(width, ids.size(), q);
      for (int k = 0; k < width; k++) {
        float want = topWeights.get(i, k);
        assertEquals(want, w.get(k), 1e-5, q + " top weight " + k);
        boolean tied = (k > 0 && tie(want, topWeights.get(i, k - 1)))
            || (k + 1 < width && tie(want, topWeights.get(i, k + 1)));
        if (tied) {
          idTies++;
        } else {
          assertEquals(topIds[i * width + k], ids.get(k), q + " top id " + k);
        }
      }
    }
    System.out.printf("%s matches the in-process result: %d queries, d=%d, %d top ids each"
        + " (%d tied weights compared by weight only)%n", parquet, b, d, width, idTies);
  }

  /**
   * Weights too close to order reliably: the partitions' merged partials and the in-process
   * scan round differently (relative ~1e-7), so ids of weights within 1e-5 of each other
   * (relative) may swap. Zero weights (outside a sparse support) are ordered by id: not ties.
   */
  private static boolean tie(float a, float b) {
    return a > 0 && b > 0 && Math.abs(a - b) <= 1e-5 * Math.max(a, b);
  }

  private static SparkSession reader() {
    if (reader == null) {
      reader = SparkSession.builder().master("local[1]").appName("LoopbackClusterIT reader")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .getOrCreate();
    }
    return reader;
  }

  private static int[] intArray(String json, String key) {
    return Arrays.stream(jsonArray(json, key)).mapToInt(Integer::parseInt).toArray();
  }

  private static double[] doubleArray(String json, String key) {
    // null: a rule without an energy (top-K)
    return Arrays.stream(jsonArray(json, key)).mapToDouble(v -> v.strip().equals("null")
        ? Double.NaN : Double.parseDouble(v)).toArray();
  }

  private static String[] jsonArray(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
    assertTrue(m.find(), "no " + key + " in summary.json");
    return m.group(1).trim().split("\\s*,\\s*");
  }

  // --- the cluster ----------------------------------------------------------------------------

  private static String masterJson() throws Exception {
    HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(3)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort
        + "/json/")).timeout(Duration.ofSeconds(5))
        .header("Authorization", uiCredentials()).build();
    HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, resp.statusCode(), "master JSON");
    return resp.body();
  }

  /** HTTP Basic credentials the UIs accept (SecretUiFilter): any user, the secret. */
  private static String uiCredentials() throws IOException {
    String secret = Files.readString(work.resolve("secret")).strip();
    return "Basic " + java.util.Base64.getEncoder().encodeToString(
        ("it:" + secret).getBytes(StandardCharsets.UTF_8));
  }

  /** GET {@code url}, with {@code credentials} unless null: status and body. */
  private static HttpResponse<String> uiGet(String url, String credentials) throws Exception {
    HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(3)).build();
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(5));
    if (credentials != null) {
      req.header("Authorization", credentials);
    }
    return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A running executor's stderr, as worker-1's UI serves it: refused (401) without the secret or
   * with a wrong one, and with it the same bytes as the file in the Worker's work directory.
   * The master UI's JSON is refused without the secret too.
   */
  private static void assertExecutorLogsNeedTheSecret() throws Exception {
    String app = runningApp();
    assertTrue(app != null, "no running application in the master JSON");
    Path appDir = work.resolve("worker-1").resolve(app);
    Path executorDir;
    try (Stream<Path> dirs = Files.list(appDir)) {
      executorDir = dirs.filter(Files::isDirectory).findFirst().orElseThrow(
          () -> new AssertionError("no executor directory under " + appDir));
    }
    String stderr = Files.readString(executorDir.resolve("stderr"));
    String firstLine = stderr.lines().findFirst().orElse("");
    assertFalse(firstLine.isBlank(), "the executor's stderr is empty: " + executorDir);
    String url = "http://127.0.0.1:" + workerUiPort + "/log/?appId=" + app + "&executorId="
        + executorDir.getFileName() + "&logType=stderr&offset=0&byteLength=4096";
    HttpResponse<String> open = uiGet(url, null);
    assertEquals(401, open.statusCode(), "executor log without the secret: " + open.body());
    assertFalse(open.body().contains(firstLine), "the log leaked with the refusal");
    String wrong = "Basic " + java.util.Base64.getEncoder().encodeToString(
        "it:0000".getBytes(StandardCharsets.UTF_8));
    assertEquals(401, uiGet(url, wrong).statusCode(), "executor log with a wrong secret");
    HttpResponse<String> withSecret = uiGet(url, uiCredentials());
    assertEquals(200, withSecret.statusCode(), "executor log with the secret");
    assertTrue(withSecret.body().contains(firstLine), "the Worker UI's log does not hold the"
        + " file's first line '" + firstLine + "':\n" + withSecret.body());
    int masterOpen = uiGet("http://127.0.0.1:" + masterUiPort + "/json/", null).statusCode();
    assertEquals(401, masterOpen, "the master JSON without the secret");
    System.out.printf("executor %s log on worker-1's UI: HTTP 401 without the secret or with a"
        + " wrong one, 200 with it (the file's bytes); master JSON 401 without it%n",
        executorDir.getFileName());
  }

  private static int aliveWorkers() throws Exception {
    Matcher m = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)").matcher(masterJson());
    assertTrue(m.find(), "aliveworkers in the master JSON");
    return Integer.parseInt(m.group(1));
  }

  /** Applications the master knows (running or completed): each has one "starttime". */
  private static int appsKnown() throws Exception {
    return count(masterJson(), "\"starttime\"");
  }

  /** The daemons of the PID files and their descendants (executors). */
  private static Set<Long> daemonsAndChildren() throws IOException {
    Set<Long> pids = new LinkedHashSet<>();
    try (Stream<Path> files = Files.list(work)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".pid")).collect(
          Collectors.toList())) {
        long pid = Long.parseLong(Files.readString(f).trim());
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(c -> pids.add(c.pid())));
      }
    }
    return pids;
  }

  /**
   * Every TCP socket the processes {@code pids} listen on is bound to 127.0.0.1 ({@code ss -Htlnp}),
   * and none is the Master's REST submission port (6066).
   */
  private static void assertListensOnLoopbackOnly(Set<Long> pids, String when) throws Exception {
    Process p = new ProcessBuilder("ss", "-Htlnp").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0, "ss -Htlnp: " + out);
    Pattern pidOf = Pattern.compile("pid=(\\d+),");
    Set<Long> seen = new LinkedHashSet<>();
    int sockets = 0;
    for (String line : out.split("\n")) {
      Matcher m = pidOf.matcher(line);
      boolean ours = false;
      while (m.find()) {
        long pid = Long.parseLong(m.group(1));
        if (pids.contains(pid)) {
          ours = true;
          seen.add(pid);
        }
      }
      if (!ours) {
        continue;
      }
      sockets++;
      String local = line.trim().split("\\s+")[3];
      assertTrue(local.startsWith("127.0.0.1:") || local.startsWith("[::ffff:127.0.0.1]:"),
          when + ": a socket not on loopback: " + line);
      assertFalse(local.endsWith(":6066"), when + ": the REST submission server listens: " + line);
    }
    assertTrue(seen.size() >= 3, when + ": ss shows listening sockets of only " + seen + " of "
        + pids + ":\n" + out);
    System.out.printf("%s: %d listening sockets of %d processes, all on 127.0.0.1%n", when,
        sockets, seen.size());
  }

  /**
   * The master UI's kill action, as any local user could send it, is refused without the
   * secret (SecretUiFilter), and with it too (spark.ui.killEnabled=false); the application runs on.
   */
  private static void assertKillRequestRefused() throws Exception {
    String app = runningApp();
    assertTrue(app != null, "no running application in the master JSON");
    HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(3)).build();
    HttpRequest kill = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort
        + "/app/kill/")).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("id=" + app + "&terminate=true")).build();
    int code = http.send(kill, HttpResponse.BodyHandlers.discarding()).statusCode();
    assertEquals(401, code, "the kill request without the secret");
    HttpRequest withSecret = HttpRequest.newBuilder(kill, (name, value) -> true)
        .header("Authorization", uiCredentials()).build();
    int codeWithSecret = http.send(withSecret, HttpResponse.BodyHandlers.discarding())
        .statusCode();
    assertTrue(codeWithSecret >= 400, "the kill request with the secret got HTTP "
        + codeWithSecret + " (spark.ui.killEnabled=false should refuse it)");
    Thread.sleep(2000); // a kill would have reached the master by now
    assertEquals(app, runningApp(), "the application went after the kill requests");
    System.out.printf("kill requests for %s refused: HTTP %d without the secret, %d with it;"
        + " still running%n", app, code, codeWithSecret);
  }

  /** The id of the first active application the master reports, or null. */
  private static String runningApp() throws Exception {
    Matcher m = Pattern.compile("\"activeapps\"\\s*:\\s*\\[\\s*\\{\\s*\"id\"\\s*:\\s*\"([^\"]+)\"")
        .matcher(masterJson());
    return m.find() ? m.group(1) : null;
  }

  /** Adds the daemons in the PID files and their children (executors) to the kill list. */
  private static void recordDaemonPids() {
    if (work == null || !Files.isDirectory(work)) {
      return;
    }
    try (Stream<Path> files = Files.list(work)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".pid")).collect(
          Collectors.toList())) {
        try {
          long pid = Long.parseLong(Files.readString(f).trim());
          seenPids.add(pid);
          ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(
              c -> seenPids.add(c.pid())));
        } catch (IOException | NumberFormatException e) {
          // a half-written or removed file: cluster.sh stop deals with it
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Drivers, then {@code cluster.sh stop}, then a SIGKILL for any process seen here that is
   * still alive (and still a java process: pids are not reused while we hold them, but check).
   */
  private static synchronized void cleanUp() {
    if (cleanedUp || repo == null) {
      return;
    }
    cleanedUp = true;
    synchronized (drivers) {
      for (Process p : drivers) {
        if (p.isAlive()) {
          p.destroyForcibly();
          try {
            p.waitFor(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    }
    recordDaemonPids();
    try {
      Script stop = script(Duration.ofSeconds(60), "deploy/cluster.sh", "stop");
      System.out.print(stop.output);
    } catch (Exception e) {
      System.err.println("LoopbackClusterIT: cluster.sh stop failed: " + e);
    }
    for (long pid : seenPids) {
      Optional<ProcessHandle> h = ProcessHandle.of(pid);
      if (h.isPresent() && h.get().isAlive()
          && h.get().info().command().map(c -> c.endsWith("java")).orElse(false)) {
        System.err.println("LoopbackClusterIT: pid " + pid + " survived cluster.sh stop: KILL");
        h.get().destroyForcibly();
      }
    }
    if (reader != null) {
      reader.stop();
      reader = null;
    }
    if (miniDfs != null) {
      miniDfs.shutdown(true);
      miniDfs = null;
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  private static final class Script {
    final int exit;
    final String output;

    Script(int exit, String output) {
      this.exit = exit;
      this.output = output;
    }
  }

  /** Runs a script of the repository with the cluster's environment, bounded. */
  private static Script script(Duration limit, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(Arrays.asList(command));
    cmd.set(0, repo.resolve(command[0]).toString());
    Path log = Files.createTempFile(dir, "script", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    setEnvironment(pb);
    Process p = pb.start();
    boolean ended = p.waitFor(limit.toSeconds(), TimeUnit.SECONDS);
    if (!ended) {
      p.destroy(); // TERM: cluster.sh start stops what it started on TERM
      p.waitFor(30, TimeUnit.SECONDS);
      p.destroyForcibly();
      return new Script(-1, read(log) + "\n(timed out after " + limit.toSeconds() + " s)\n");
    }
    return new Script(p.exitValue(), read(log));
  }

  /**
   * The cluster's settings, and none of the caller's HOPFIELD_* (a secret file, no-auth, extra
   * daemon options) or JAVA_OPTS that would change what is tested.
   */
  private static void setEnvironment(ProcessBuilder pb) {
    pb.environment().keySet().removeIf(k -> k.startsWith("HOPFIELD_") || k.equals("JAVA_OPTS"));
    pb.environment().putAll(env);
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  private static String tail(String text) {
    String[] lines = text.split("\n");
    return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 40),
        lines.length));
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
      n++;
    }
    return n;
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code count} consecutive free ports below Linux's ephemeral range (32768 and up): a port
   * taken from the ephemeral range could be handed to another daemon's own socket (its RPC
   * port, an outgoing connection) between this check and the daemon that should bind it, which
   * once made a worker's UI fail to bind.
   */
  private static int freePorts(int count) throws IOException {
    // where to start looking only (every candidate is probed): differs between concurrent runs
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(ProcessHandle.current().pid());
    for (int tries = 0; tries < 200; tries++) {
      int p = 20_000 + rnd.nextInt(12_000 - count);
      if (allFree(p, count)) {
        return p;
      }
    }
    throw new IOException("no " + count + " consecutive free ports in 20000-32000 on 127.0.0.1");
  }

  private static boolean allFree(int first, int count) {
    for (int p = first; p < first + count; p++) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), p), 1);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted((a, b) -> b.compareTo(a)).collect(Collectors.toList())) {
        Files.delete(p);
      }
    }
  }
}
