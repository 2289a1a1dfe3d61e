package org.hopfieldstore.jobs;

import picocli.CommandLine.Option;

/**
 * Where a command's memories come from: files ({@code --memories}) or a store version ({@code
 * --store}), exactly one (a picocli argument group: {@code @ArgGroup(exclusive = true,
 * multiplicity = "1")}).
 */
final class MemorySource {
  @Option(names = "--memories", paramLabel = "PATH", description = {"stored "
      + "patterns: .npy (2-D float32/float64, C order) or IDX images (*-idx3-ubyte[.gz], "
      + "pixels scaled to [0,1] and flattened); in Spark mode also Parquet (a .parquet path or "
      + "a directory, columns --id-column and --vector-column)"})
  String memPath;

  @Option(names = "--store", paramLabel = "STORE[@VERSION]", description = {"instead of "
      + "--memories: a store (hopfield-store store create), at its latest version or at "
      + "VERSION; its kernel summaries are used, not rebuilt, and kernel=store in a spec names "
      + "its attached feature map. Read through Spark (local[*] unless --master): the store is "
      + "a Delta table, which Spark reads"})
  String storeRef;

  boolean isStore() {
    return storeRef != null;
  }
}
