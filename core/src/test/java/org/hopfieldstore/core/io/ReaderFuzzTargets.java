package org.hopfieldstore.core.io;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz targets (Jazzer) for the matrix readers, with {@link ReaderFuzzTest}'s
 * oracle: a one-line refusal naming the file, or exactly what an independent decoder reads. In
 * every build each target replays its committed corpus ({@code
 * src/test/resources/org/hopfieldstore/core/io/ReaderFuzzTargetsInputs/<target>/}, where any
 * crash Jazzer finds is added); {@code mvn -Pfuzz -pl core test} fuzzes each for minutes
 * (libFuzzer's per-input timeout catches hangs there; its new corpus entries go to
 * {@code core/.cifuzz-corpus/}, which is not committed).
 */
class ReaderFuzzTargets {
  private final int[] shape = new int[2];

  @FuzzTest(maxDuration = "10m")
  void npy(byte[] file) {
    ReaderFuzzTest.check("fuzz.npy", file, f -> ReaderFuzzTest.decodeNpy(f, shape), shape,
        "jazzer npy input of " + file.length + " bytes", false);
  }

  @FuzzTest(maxDuration = "10m")
  void idx(byte[] file) {
    ReaderFuzzTest.check("fuzz-idx3-ubyte", file, f -> ReaderFuzzTest.decodeIdx(f, shape),
        shape, "jazzer idx input of " + file.length + " bytes", false);
  }

  @FuzzTest(maxDuration = "10m")
  void idxGzip(byte[] file) {
    ReaderFuzzTest.check("fuzz-idx3-ubyte.gz", file,
        f -> ReaderFuzzTest.decodeIdx(f, shape), shape,
        "jazzer gzipped idx input of " + file.length + " bytes", false);
  }
}
