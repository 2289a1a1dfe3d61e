package org.hopfieldstore.core.score;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

/**
 * The system's native BLAS (OpenBLAS where installed: {@code libblas.so.3}) through netlib's JNI
 * binding, which hands BLAS the JVM's own arrays (pinned for the call): GEMMs read the memories
 * where they live on the heap and write scores straight into the result array, with no off-heap
 * copy of either. Absent when no native BLAS loads; callers then use ND4J's bundled one.
 */
public final class HeapBlas {
  /**
   * System property: "false" keeps the system BLAS out even where it loads; "force" takes
   * whatever {@code libblas.so.3} is, even one not recognised as optimised.
   */
  public static final String PROPERTY = "hopfield.heapBlas";
  /** Optimised BLAS libraries, recognised by the path the loader mapped. */
  private static final String[] OPTIMISED = {"openblas", "mkl", "blis", "atlas"};
  /** Set by {@link #load()}: declared first so its initialiser runs before. */
  private static String library = "none";
  private static final BLAS NATIVE = load();

  private HeapBlas() {}

  private static BLAS load() {
    if ("false".equals(System.getProperty(PROPERTY))) {
      return null;
    }
    java.util.logging.Logger log = java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas");
    java.util.logging.Level level = log.getLevel();
    log.setLevel(java.util.logging.Level.SEVERE); // a missing library is an expected outcome
    try {
      BLAS blas = NativeBLAS.getInstance();
      library = mappedBlas();
      boolean optimised = false;
      for (String name : OPTIMISED) {
        optimised |= library.toLowerCase(java.util.Locale.ROOT).contains(name);
      }
      // the reference BLAS (Debian's libblas3) is many times slower than ND4J's OpenBLAS
      return optimised || "force".equals(System.getProperty(PROPERTY)) ? blas : null;
    } catch (RuntimeException | LinkageError e) {
      return null;
    } finally {
      log.setLevel(level);
    }
  }

  /** The path of the mapped libblas/openblas library, from /proc/self/maps; "unknown" if none. */
  private static String mappedBlas() {
    try (java.util.stream.Stream<String> lines =
        java.nio.file.Files.lines(java.nio.file.Path.of("/proc/self/maps"))) {
      return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
          // not netlib's JNI stub, nor ND4J's bundled OpenBLAS (javacpp's cache), which may be
          // mapped already and would pass a reference libblas.so.3 off as optimised
          .filter(p -> p.contains("blas") && p.contains(".so") && !p.contains("netlibblasjni")
              && !p.contains("/.javacpp/"))
          .map(p -> {
            try {
              return java.nio.file.Path.of(p).toRealPath().toString();
            } catch (java.io.IOException e) {
              return p;
            }
          })
          .findFirst().orElse("unknown");
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** The system BLAS library in use (its resolved path), or "none". */
  public static String library() {
    return NATIVE == null ? "none (" + library + ")" : library;
  }

  public static boolean available() {
    return NATIVE != null;
  }

  /**
   * {@code out[b * t + j] = <q_b, xi_(from+j)>}, t = to - from: the row-major B x t result is the
   * column-major t x B product {@code Xi_tile Q^T}.
   */
  static void scores(float[] xi, int d, float[] queries, int batch, int from, int to,
      float[] out) {
    int t = to - from;
    NATIVE.sgemm("T", "N", t, batch, d, 1f, xi, from * d, d, queries, 0, d, 0f, out, 0, t);
  }

  /**
   * {@code acc[b * d + c] += sum_j w[b * t + j] xi_(from+j)[c]}: the row-major B x d sum is the
   * column-major d x B product {@code Xi_tile^T W^T}, accumulated in place.
   */
  static void addWeightedRows(float[] xi, int d, float[] weights, int batch, int from, int to,
      float[] acc) {
    int t = to - from;
    NATIVE.sgemm("N", "N", d, batch, t, 1f, xi, from * d, d, weights, 0, t, 1f, acc, 0, d);
  }
}
