package org.hopfieldstore.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
  private Path csvFile;

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

  /**
   * CSV series (the forecast command's reader) from a file of the fuzzer's bytes: a one-line
   * refusal naming the file, or exactly the all-numeric columns an independent split of the text
   * finds (lines on CR, LF or CRLF, blank lines dropped, cells on ',' and trimmed).
   */
  @FuzzTest(maxDuration = "10m")
  void csvSeries(byte[] file) throws IOException {
    if (csvFile == null) {
      csvFile = Files.createTempFile("fuzz-series", ".csv");
      csvFile.toFile().deleteOnExit();
    }
    Files.write(csvFile, file);
    String why = "jazzer csv input of " + file.length + " bytes";
    CsvSeries got;
    try {
      got = CsvSeries.read(csvFile, null);
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      if (msg == null || msg.contains("\n") || msg.contains("\r")
          || !msg.startsWith(csvFile.toString())) {
        fail(why + ": not a one-line refusal naming the file: " + msg);
      }
      return;
    }
    List<String[]> rows = new ArrayList<>();
    for (String line : new String(file, StandardCharsets.UTF_8).split("\r\n|\r|\n")) {
      if (!line.isBlank()) {
        String[] cells = line.split(",", -1);
        for (int i = 0; i < cells.length; i++) {
          cells[i] = cells[i].trim();
        }
        rows.add(cells);
      }
    }
    if (rows.size() < 3) {
      fail(why + ": accepted " + rows.size() + " non-blank lines");
    }
    for (int r = 1; r < rows.size(); r++) {
      if (rows.get(r).length != rows.get(0).length) {
        fail(why + ": accepted a ragged row " + (r + 1));
      }
    }
    List<String> names = new ArrayList<>();
    List<double[]> series = new ArrayList<>();
    for (int col = 0; col < rows.get(0).length; col++) {
      double[] v = new double[rows.size() - 1];
      boolean numeric = true;
      for (int r = 1; r < rows.size() && numeric; r++) {
        try {
          v[r - 1] = Double.parseDouble(rows.get(r)[col]);
          numeric = Double.isFinite(v[r - 1]);
        } catch (NumberFormatException e) {
          numeric = false;
        }
      }
      if (numeric) {
        names.add(rows.get(0)[col]);
        series.add(v);
      }
    }
    assertEquals(names, got.names, why);
    for (int k = 0; k < series.size(); k++) {
      if (!Arrays.equals(series.get(k), got.values[k])) {
        fail(why + ": column '" + names.get(k) + "' differs from the file");
      }
    }
  }
}
