package org.hopfieldstore.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.hopfieldstore.core.memory.FloatMatrix;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of the matrix readers (.npy, IDX images raw and gzipped, IDX labels):
 * byte flips, interesting integers over header fields, truncation, growth, spliced ranges and
 * header-aware edits (shapes, dtypes, order) of valid files and of the shared bad inputs. Every
 * mutant must either be rejected with one line (an {@link IllegalArgumentException} naming the
 * file) or read as an independent decoder written here reads it; never another exception, a
 * hang, or an allocation the file does not back.
 *
 * <p>{@code -Dhopfield.fuzz.iterations=N} runs N mutants per seed file (default 400, about ten
 * seconds in all); {@code -Dhopfield.fuzz.seed=S} picks the random stream (printed on failure).
 */
class ReaderFuzzTest {
  static final int ITERATIONS = Integer.getInteger("hopfield.fuzz.iterations", 400);
  static final long SEED = Long.getLong("hopfield.fuzz.seed", 20261203L);
  static final Path BAD = Path.of(System.getProperty("hopfield.shared.dir", "../../shared"),
      "reference", "bad-inputs");
  static final int[] INTERESTING = {0, 1, -1, 2, 255, 256, 0x7f, 0x80, 0xffff, 0x7fffffff,
      0x80000000, 0x40000000, 641861956, 1796214114, 16, 3, 0x803, 0x801};

  // ---- independent decoders: what an accepted file must hold ----

  static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=]?)([a-zA-Z])(\\d+)'");
  static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  // Python 2's long suffix: numpy reads "(3L, 2L)" back
  static final Pattern SHAPE =
      Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d+)L?\\s*,\\s*(\\d+)L?\\s*,?\\s*\\)");

  /** Float values of a 2-D little-endian float32/float64 C-order .npy, or null if not one. */
  static double[] decodeNpy(byte[] f, int[] shape) {
    if (f.length < 10 || (f[0] & 0xff) != 0x93 || !new String(f, 1, 5, StandardCharsets.ISO_8859_1)
        .equals("NUMPY")) {
      return null;
    }
    int major = f[6];
    ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
    long headerLen;
    int start;
    if (major == 1) {
      headerLen = b.getShort(8) & 0xffff;
      start = 10;
    } else if ((major == 2 || major == 3) && f.length >= 12) {
      headerLen = b.getInt(8) & 0xffffffffL;
      start = 12;
    } else {
      return null;
    }
    if (start + headerLen > f.length) {
      return null;
    }
    String h = new String(f, start, (int) headerLen, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(h);
    Matcher o = FORTRAN.matcher(h);
    Matcher s = SHAPE.matcher(h);
    if (!d.find() || !o.find() || !s.find() || o.group(1).equals("True")
        || !d.group(2).equals("f")) {
      return null;
    }
    ByteBuffer data = ByteBuffer.wrap(f).order(d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN
        : ByteOrder.LITTLE_ENDIAN);
    int width = Integer.parseInt(d.group(3));
    long rows = Long.parseLong(s.group(1));
    long cols = Long.parseLong(s.group(2));
    if ((width != 4 && width != 8) || rows * cols > (f.length - start - headerLen) / width) {
      return null;
    }
    shape[0] = (int) rows;
    shape[1] = (int) cols;
    double[] v = new double[(int) (rows * cols)];
    int at = (int) (start + headerLen);
    for (int i = 0; i < v.length; i++) {
      v[i] = width == 4 ? data.getFloat(at + 4 * i) : data.getDouble(at + 8 * i);
    }
    return v;
  }

  /**
   * Pixels / 255 of an idx3 ubyte file, or null. Gzip is recognised by its magic bytes whatever
   * the name says (a downloaded .gz is often already unpacked), as the reader does.
   */
  static double[] decodeIdx(byte[] f, int[] shape) {
    if (f.length >= 2 && (f[0] & 0xff) == 0x1f && (f[1] & 0xff) == 0x8b) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(f))) {
        f = in.readAllBytes();
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
    if (f.length < 16) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(f);
    if (b.getInt(0) != Idx.MAGIC_IMAGES) {
      return null;
    }
    long n = b.getInt(4) & 0xffffffffL;
    long r = b.getInt(8) & 0xffffffffL;
    long c = b.getInt(12) & 0xffffffffL;
    if (n == 0 || r == 0 || c == 0 || n * r * c > f.length - 16L || r * c > Integer.MAX_VALUE) {
      return null;
    }
    shape[0] = (int) n;
    shape[1] = (int) (r * c);
    double[] v = new double[(int) (n * r * c)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (f[16 + i] & 0xff) / 255f;
    }
    return v;
  }

  // ---- mutations ----

  static byte[] mutate(byte[] seed, Random r) {
    byte[] f = seed.clone();
    int rounds = 1 + r.nextInt(3);
    for (int k = 0; k < rounds; k++) {
      f = mutateOnce(f, r);
    }
    return f;
  }

  private static byte[] mutateOnce(byte[] f, Random r) {
    int header = Math.min(f.length, 140); // most structure lives up front
    int at = f.length == 0 ? 0 : (r.nextInt(4) > 0 && header > 0 ? r.nextInt(header)
        : r.nextInt(f.length));
    switch (r.nextInt(9)) {
      case 0: // flip a bit
        if (f.length > 0) {
          f[at] ^= (byte) (1 << r.nextInt(8));
        }
        return f;
      case 1: // an interesting byte
        if (f.length > 0) {
          f[at] = (byte) INTERESTING[r.nextInt(INTERESTING.length)];
        }
        return f;
      case 2: // an interesting 32-bit integer, either byte order
        if (f.length >= 4) {
          int pos = Math.min(at, f.length - 4);
          ByteBuffer.wrap(f, pos, 4).order(r.nextBoolean() ? ByteOrder.BIG_ENDIAN
              : ByteOrder.LITTLE_ENDIAN).putInt(INTERESTING[r.nextInt(INTERESTING.length)]);
        }
        return f;
      case 3: // truncate
        return java.util.Arrays.copyOf(f, f.length == 0 ? 0 : r.nextInt(f.length));
      case 4: { // grow with random bytes
        byte[] g = java.util.Arrays.copyOf(f, f.length + 1 + r.nextInt(64));
        for (int i = f.length; i < g.length; i++) {
          g[i] = (byte) r.nextInt(256);
        }
        return g;
      }
      case 5: { // delete a range
        if (f.length < 2) {
          return f;
        }
        int from = r.nextInt(f.length);
        int to = Math.min(f.length, from + 1 + r.nextInt(16));
        byte[] g = new byte[f.length - (to - from)];
        System.arraycopy(f, 0, g, 0, from);
        System.arraycopy(f, to, g, from, f.length - to);
        return g;
      }
      case 6: { // duplicate a range
        if (f.length < 2) {
          return f;
        }
        int from = r.nextInt(f.length);
        int len = Math.min(f.length - from, 1 + r.nextInt(16));
        byte[] g = new byte[f.length + len];
        System.arraycopy(f, 0, g, 0, from + len);
        System.arraycopy(f, from, g, from + len, f.length - from);
        return g;
      }
      default: // header-aware: rewrite a .npy header's fields as text
        return rewriteNpyHeader(f, r);
    }
  }

  static final String[] DTYPES = {"<f4", "<f8", ">f4", ">f8", "<f2", "<i4", "|u1", "<c8", "|O",
      "<f16", "<V4", "=f4", "|f4", "<f"};
  static final String[] DIMS = {"0", "1", "5", "4", "-1", "2147483647", "2147483648",
      "4000000000000", "99999999999999999999", "641861956", "", " ", "5,4,3", "1e3"};

  private static byte[] rewriteNpyHeader(byte[] f, Random r) {
    String s = new String(f, StandardCharsets.ISO_8859_1);
    switch (r.nextInt(3)) {
      case 0:
        s = s.replaceFirst("'descr': *'[^']*'", "'descr': '" + DTYPES[r.nextInt(DTYPES.length)]
            + "'");
        break;
      case 1:
        s = s.replaceFirst("'shape': *\\([^)]*\\)", "'shape': (" + DIMS[r.nextInt(DIMS.length)]
            + ", " + DIMS[r.nextInt(DIMS.length)] + ")");
        break;
      default:
        s = s.replace("'fortran_order': False", "'fortran_order': True");
        break;
    }
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(raw);
    }
    return out.toByteArray();
  }

  // ---- the oracle ----

  /**
   * Reads one mutant and checks the outcome: a one-line refusal naming the file, or what the
   * independent decoder reads (null: it reads nothing, so the reader must refuse).
   */
  static void check(String name, byte[] f, Function<byte[], double[]> decode, int[] shape,
      String why) {
    check(name, f, decode, shape, why, true);
  }

  /**
   * As above; {@code guardHang} reads on another thread and fails after 10 s (Jazzer guards its
   * own runs with libFuzzer's timeout).
   */
  static void check(String name, byte[] f, Function<byte[], double[]> decode, int[] shape,
      String why, boolean guardHang) {
    ByteSource src = ByteSource.of(name, f);
    FloatMatrix m;
    try {
      m = guardHang ? assertTimeoutPreemptively(Duration.ofSeconds(10),
          () -> MatrixReader.read(src, "memories"), why + ": the read hung")
          : MatrixReader.read(src, "memories");
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      if (msg == null || msg.isBlank() || msg.contains("\n") || !msg.startsWith(name)) {
        fail(why + ": not a one-line refusal naming the file: " + msg);
      }
      return;
    } catch (Throwable t) {
      throw new AssertionError(why + ": " + t, t);
    }
    double[] want = decode.apply(f);
    if (want == null) {
      fail(why + ": accepted a file the independent decoder cannot read: " + m.rows() + " x "
          + m.cols());
    }
    assertEquals(shape[0], m.rows(), why);
    assertEquals(shape[1], m.cols(), why);
    float[] got = m.data();
    for (int i = 0; i < want.length; i++) {
      if (!Double.isFinite(want[i])) {
        fail(why + ": accepted a non-finite value at index " + i);
      }
      if ((float) want[i] != got[i]) {
        fail(why + ": value " + i + " is " + got[i] + ", the file holds " + want[i]);
      }
    }
  }

  /** The shared bad inputs named (none when the shared folder is not beside the checkout). */
  static List<byte[]> seeds(String... files) throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (String name : files) {
      if (Files.isRegularFile(BAD.resolve(name))) {
        out.add(Files.readAllBytes(BAD.resolve(name)));
      }
    }
    return out;
  }

  static byte[] validNpy(Random r, String dtype, int rows, int cols) {
    int width = dtype.endsWith("8") ? 8 : 4;
    String dict = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + rows + ", "
        + cols + "), }";
    int pad = 64 - (10 + dict.length() + 1) % 64;
    String header = dict + " ".repeat(pad % 64) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + width * rows * cols)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1)
        .put((byte) 0).putShort((short) header.length())
        .put(header.getBytes(StandardCharsets.ISO_8859_1));
    for (int i = 0; i < rows * cols; i++) {
      if (width == 4) {
        b.putFloat((float) r.nextGaussian());
      } else {
        b.putDouble(r.nextGaussian());
      }
    }
    return b.array();
  }

  static byte[] validIdx(Random r, int n, int rows, int cols) {
    ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols);
    b.putInt(Idx.MAGIC_IMAGES).putInt(n).putInt(rows).putInt(cols);
    for (int i = 0; i < n * rows * cols; i++) {
      b.put((byte) r.nextInt(256));
    }
    return b.array();
  }

  @Test
  void npyMutantsAreRefusedInOneLineOrReadExactly() throws IOException {
    Random r = new Random(SEED);
    List<byte[]> seeds = seeds("ok_5x4.npy", "truncated_data.npy", "fortran_order.npy",
        "big_endian.npy", "huge_shape.npy", "negative_shape.npy", "nan_row2_col1.npy",
        "zero_rows.npy", "three_d.npy");
    seeds.add(validNpy(r, "<f4", 7, 3));
    seeds.add(validNpy(r, "<f8", 2, 9));
    int[] shape = new int[2];
    for (int s = 0; s < seeds.size(); s++) {
      for (int i = 0; i < ITERATIONS; i++) {
        byte[] f = mutate(seeds.get(s), r);
        check("fuzz.npy", f, x -> decodeNpy(x, shape), shape,
            "seed " + SEED + ", npy seed file " + s + ", mutant " + i);
      }
    }
  }

  @Test
  void idxMutantsRawAndGzippedAreRefusedInOneLineOrReadExactly() throws IOException {
    Random r = new Random(SEED + 1);
    List<byte[]> seeds = seeds("idx_truncated-idx3-ubyte", "idx_bad_magic-idx3-ubyte");
    seeds.add(validIdx(r, 3, 4, 5));
    seeds.add(validIdx(r, 1, 28, 28));
    byte[] corruptGz = Files.isRegularFile(BAD.resolve("idx_corrupt_gzip-idx3-ubyte.gz"))
        ? Files.readAllBytes(BAD.resolve("idx_corrupt_gzip-idx3-ubyte.gz"))
        : java.util.Arrays.copyOf(gzip(validIdx(r, 2, 3, 3)), 20);
    int[] shape = new int[2];
    for (int s = 0; s < seeds.size(); s++) {
      for (int i = 0; i < ITERATIONS; i++) {
        String why = "seed " + (SEED + 1) + ", idx seed file " + s + ", mutant " + i;
        byte[] raw = mutate(seeds.get(s), r);
        check("fuzz-idx3-ubyte", raw, x -> decodeIdx(x, shape), shape, why + " raw");
        // the content mutated inside a sound gzip stream, and the stream itself mutated
        check("fuzz-idx3-ubyte.gz", gzip(raw), x -> decodeIdx(x, shape), shape,
            why + " gzipped");
        byte[] gz = mutate(i % 2 == 0 ? gzip(seeds.get(s)) : corruptGz, r);
        check("fuzz-idx3-ubyte.gz", gz, x -> decodeIdx(x, shape), shape,
            why + " gzip mutated");
      }
    }
  }
}
