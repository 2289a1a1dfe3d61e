package org.hopfieldstore.core.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Multivariate time series from a CSV file with a header row: one column per series, one row per
 * time step. Numeric columns are chosen by name, or all columns whose every cell is a number
 * (dates and labels are skipped). Errors name the file, row and column: ragged rows, non-numeric
 * or non-finite cells in a chosen column, unknown columns, too few rows.
 */
public final class CsvSeries {
  public final List<String> names;
  /** series x time. */
  public final double[][] values;

  private CsvSeries(List<String> names, double[][] values) {
    this.names = names;
    this.values = values;
  }

  public int length() {
    return values[0].length;
  }

  /** @param columns names to read, or null for every all-numeric column */
  public static CsvSeries read(Path path, List<String> columns) {
    return read(path.toString(), columns);
  }

  /** Reads a location (a path or any filesystem's URI, see {@link Locations}). */
  public static CsvSeries read(String path, List<String> columns) {
    List<String> lines = Locations.readLines(path);
    lines.removeIf(String::isBlank);
    if (lines.size() < 3) {
      throw new IllegalArgumentException(path + ": needs a header and at least 2 rows, got "
          + lines.size() + " lines");
    }
    List<String> header = Arrays.asList(split(lines.get(0)));
    List<String[]> rows = new ArrayList<>();
    for (int r = 1; r < lines.size(); r++) {
      String[] cells = split(lines.get(r));
      if (cells.length != header.size()) {
        throw new IllegalArgumentException(path + ": row " + (r + 1) + " has " + cells.length
            + " cells, the header has " + header.size());
      }
      rows.add(cells);
    }
    List<Integer> chosen = new ArrayList<>();
    if (columns != null) {
      for (String c : columns) {
        int i = header.indexOf(c);
        if (i < 0) {
          throw new IllegalArgumentException(path + ": no column '" + c + "' (columns: "
              + String.join(", ", header) + ")");
        }
        chosen.add(i);
      }
    } else {
      for (int i = 0; i < header.size(); i++) {
        final int col = i;
        if (rows.stream().allMatch(cells -> isNumber(cells[col]))) {
          chosen.add(i);
        }
      }
      if (chosen.isEmpty()) {
        throw new IllegalArgumentException(path + ": no all-numeric column");
      }
    }
    double[][] v = new double[chosen.size()][rows.size()];
    List<String> names = new ArrayList<>();
    for (int k = 0; k < chosen.size(); k++) {
      int col = chosen.get(k);
      names.add(header.get(col));
      for (int r = 0; r < rows.size(); r++) {
        String cell = rows.get(r)[col];
        if (!isNumber(cell)) {
          throw new IllegalArgumentException(path + ": row " + (r + 2) + ", column '"
              + header.get(col) + "': '" + cell + "' is not a finite number");
        }
        v[k][r] = Double.parseDouble(cell.trim());
      }
    }
    return new CsvSeries(names, v);
  }

  private static String[] split(String line) {
    String[] cells = line.split(",", -1);
    for (int i = 0; i < cells.length; i++) {
      cells[i] = cells[i].trim();
    }
    return cells;
  }

  static boolean isNumber(String s) {
    try {
      return Double.isFinite(Double.parseDouble(s.trim()));
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
