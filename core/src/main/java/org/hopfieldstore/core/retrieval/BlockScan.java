package org.hopfieldstore.core.retrieval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.reduce.PartialScores;
import org.hopfieldstore.core.reduce.ScoreTile;
import org.hopfieldstore.core.reduce.TileFold;
import org.hopfieldstore.core.score.ScoreFunction;
import org.hopfieldstore.core.score.ScoreKernel;

/**
 * Folds one memory block into a partial result tile by tile, so the B x M score matrix is never
 * materialised: the in-process engine and every Spark partition run exactly this.
 */
public final class BlockScan {
  /** Target number of scores per tile (batch x rows): 4M floats, 16 MB. */
  public static final int TILE_SCORES = 1 << 22;
  /** Most memory values per tile (rows x d): 16M floats, 64 MB, the size of a streamed tile. */
  public static final int TILE_VALUES = 1 << 24;
  /**
   * Memory values per tile of a small-batch scan: 64K floats, 256 KiB, so a tile scored for its
   * weights is still in the core's cache when the weighted sum reads it again.
   */
  public static final int CACHE_TILE_VALUES = 1 << 16;
  /** System property: threads of a parallel scan (default: available processors). */
  public static final String THREADS_PROPERTY = "hopfield.scanThreads";

  private BlockScan() {}

  /** {@code beta * states}: scores then come out of the GEMM already scaled. */
  public static float[] scaledQueries(float[] states, int batch, int d, double beta) {
    float b = (float) beta;
    float[] q = new float[batch * d];
    for (int i = 0; i < q.length; i++) {
      q[i] = b * states[i];
    }
    return q;
  }

  /**
   * The queries a step of {@code spec} scores with: {@code beta * states} for the dot product
   * ({@link #scaledQueries}), a copy of the states for a distance score (its scores are the
   * distances from the unscaled queries, multiplied by {@code -beta} after).
   */
  public static float[] stepQueries(float[] states, int batch, int d, RetrievalSpec spec) {
    return spec.score().isDistance() ? java.util.Arrays.copyOf(states, batch * d)
        : scaledQueries(states, batch, d, spec.beta());
  }

  /**
   * Rows per tile: {@code requested} if positive, else about {@link #TILE_SCORES} / batch but at
   * most {@link #TILE_VALUES} / d (a small batch would otherwise make one huge tile).
   */
  public static int tileRows(int batch, int rows, int dim, int requested) {
    int t = requested > 0 ? requested
        : Math.max(256, Math.min(TILE_SCORES / batch, TILE_VALUES / dim));
    return Math.min(t, rows);
  }

  /** Rows per tile of a small-batch scan: about {@link #CACHE_TILE_VALUES} values, 64 or more. */
  public static int cacheTileRows(int dim) {
    return Math.max(64, CACHE_TILE_VALUES / dim) & ~3;
  }

  /**
   * One block's partial for a batch of scaled queries, with the kernel that batch calls for
   * ({@link ScoreKernel#forBatch}): a heap scan split over {@code threads} cores, or the GEMMs of
   * the block's bound kernel. The in-process engine and every executor run exactly this.
   */
  public static PartialScores<?> foldBlock(Supplier<PartialScores<?>> empty, MemoryBlock block,
      ScoreKernel kernel, float[] scaledQueries, int batch, int tileRows, int threads) {
    return foldBlock(empty, block, kernel, scaledQueries, batch, tileRows, threads, Scores.DOT);
  }

  /**
   * As above with the score function {@code score} and per-query offsets: for {@link
   * ScoreFunction#DOT} {@code queries} are the scaled queries and query b's scores are offset by
   * {@code scaledOffsets[b]} (already times beta; null: none) before the block's per-memory
   * factors, {@code scale_j (<q_b, xi_j> + offset_b)}; a distance takes the unscaled queries
   * ({@link #stepQueries}), scored {@code -beta * dist(q, xi)} by plain loops into the same
   * tiles, and no offsets. The kernel still forms the weighted sums.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static PartialScores<?> foldBlock(Supplier<PartialScores<?>> empty, MemoryBlock block,
      ScoreKernel kernel, float[] queries, float[] scaledOffsets, int batch, int tileRows,
      int threads, ScoreFunction score, double beta) {
    return (PartialScores<?>) foldTiles((Supplier) empty, block, kernel, queries, scaledOffsets,
        batch, tileRows, threads, score, beta);
  }

  /**
   * {@link #foldBlock(Supplier, MemoryBlock, ScoreKernel, float[], float[], int, int, int,
   * ScoreFunction, double)} into any {@link TileFold}: the same tiles, scored the same way, for a
   * pass that sums something other than a rule's partial.
   */
  public static <P extends TileFold<P>> P foldTiles(Supplier<P> empty, MemoryBlock block,
      ScoreKernel kernel, float[] queries, float[] scaledOffsets, int batch, int tileRows,
      int threads, ScoreFunction score, double beta) {
    if (scaledOffsets != null && score.isDistance()) {
      throw new IllegalArgumentException("score=" + score.key() + " takes no score offsets");
    }
    return foldAny(empty, block, kernel, queries, batch, tileRows, threads,
        new Scores(score, beta, scaledOffsets));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static PartialScores<?> foldBlock(Supplier<PartialScores<?>> empty, MemoryBlock block,
      ScoreKernel kernel, float[] queries, int batch, int tileRows, int threads, Scores scores) {
    return (PartialScores<?>) foldAny((Supplier) empty, block, kernel, queries, batch, tileRows,
        threads, scores);
  }

  private static <P extends TileFold<P>> P foldAny(Supplier<P> empty, MemoryBlock block,
      ScoreKernel kernel, float[] queries, int batch, int tileRows, int threads, Scores scores) {
    ScoreKernel k = kernel.forBatch(batch);
    if (k.isHeapScan()) {
      int t = tileRows > 0 ? tileRows : cacheTileRows(block.dim());
      return foldParallel(empty, block, k.bind(block), queries, batch, t, threads, scores);
    }
    ScoreKernel.Bound bound = k.boundTo(block);
    P partial = empty.get();
    synchronized (bound) {
      fold(partial, block, bound, queries, batch, tileRows, 0, block.size(), threads > 1,
          scores);
    }
    return partial;
  }

  /**
   * How a tile's scores are formed: the bound kernel's product, or a distance score; plus
   * per-query offsets.
   */
  private static final class Scores {
    static final Scores DOT = new Scores(ScoreFunction.DOT, 1.0, null);
    final ScoreFunction function;
    final double beta;
    final float[] offsets; // per query, added before the memories' factors; null: none

    Scores(ScoreFunction function, double beta, float[] offsets) {
      this.function = function;
      this.beta = beta;
      this.offsets = offsets;
    }
  }

  /** Scores every tile of {@code block} with {@code bound} and accumulates it into partial. */
  public static void fold(PartialScores<?> partial, MemoryBlock block, ScoreKernel.Bound bound,
      float[] scaledQueries, int batch, int tileRows) {
    fold(partial, block, bound, scaledQueries, batch, tileRows, 0, block.size(), true,
        Scores.DOT);
  }

  /**
   * Splits the rows of {@code block} into {@code threads} runs, folds each into its own partial
   * from {@code empty} on its own thread, and merges them: the partials' exact merge makes this
   * the single-threaded answer (to float rounding). {@code bound} must allow concurrent calls on
   * disjoint rows ({@link org.hopfieldstore.core.score.SimdScoreKernel} does).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static PartialScores<?> foldParallel(Supplier<PartialScores<?>> empty, MemoryBlock block,
      ScoreKernel.Bound bound, float[] scaledQueries, int batch, int tileRows, int threads) {
    return (PartialScores<?>) foldParallel((Supplier) empty, block, bound, scaledQueries, batch,
        tileRows, threads, Scores.DOT);
  }

  private static <P extends TileFold<P>> P foldParallel(Supplier<P> empty, MemoryBlock block,
      ScoreKernel.Bound bound, float[] scaledQueries, int batch, int tileRows, int threads,
      Scores scores) {
    int m = block.size();
    int runs = Math.max(1, Math.min(threads, m / Math.max(1, tileRows)));
    List<CompletableFuture<P>> others = new ArrayList<>();
    for (int i = 1; i < runs; i++) {
      int from = (int) ((long) m * i / runs);
      int to = (int) ((long) m * (i + 1) / runs);
      others.add(CompletableFuture.supplyAsync(() -> {
        P p = empty.get();
        fold(p, block, bound, scaledQueries, batch, tileRows, from, to, false, scores);
        return p;
      }, ScanPool.EXECUTOR));
    }
    P partial = empty.get();
    fold(partial, block, bound, scaledQueries, batch, tileRows, 0, (int) ((long) m / runs),
        false, scores);
    for (CompletableFuture<P> f : others) {
      P p;
      try {
        p = f.join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : e;
      }
      if (partial.getClass() != p.getClass()) {
        throw new IllegalArgumentException("cannot merge " + partial.getClass().getSimpleName()
            + " with " + p.getClass().getSimpleName());
      }
      partial = partial.merge(p);
    }
    return partial;
  }

  /** Threads of a parallel scan: {@value #THREADS_PROPERTY}, else the available processors. */
  public static int scanThreads() {
    return Math.max(1, Integer.getInteger(THREADS_PROPERTY,
        Runtime.getRuntime().availableProcessors()));
  }

  /** Daemon workers of {@link #foldParallel}; the calling thread scans the first run itself. */
  private static final class ScanPool {
    static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "hopfield-scan");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * {@link #fold} over rows {@code [rowFrom, rowTo)} of {@code block} only; {@code
   * parallelQueries} lets a large tile fold its queries on the common pool (never inside a
   * Spark task, nor inside a scan that already runs a thread per core).
   */
  static void fold(PartialScores<?> partial, MemoryBlock block, ScoreKernel.Bound bound,
      float[] scaledQueries, int batch, int tileRows, int rowFrom, int rowTo,
      boolean parallelQueries) {
    fold(partial, block, bound, scaledQueries, batch, tileRows, rowFrom, rowTo, parallelQueries,
        Scores.DOT);
  }

  /**
   * {@link #fold} with {@code scores}: a distance score fills each tile's buffer with {@code
   * -beta * dist(q, xi)} from the unscaled {@code queries} and the block's heap rows; per-query
   * offsets are added before the memories' factors.
   */
  private static void fold(TileFold<?> partial, MemoryBlock block, ScoreKernel.Bound bound,
      float[] queries, int batch, int tileRows, int rowFrom, int rowTo,
      boolean parallelQueries, Scores scores) {
    int m = rowTo - rowFrom;
    if (m <= 0) {
      return;
    }
    boolean distance = scores.function.isDistance();
    float[] rowScale = block.rowScale();
    if (distance && rowScale != null) {
      throw new IllegalArgumentException("score=" + scores.function.key() + " takes no "
          + "per-memory score factors (the normalised kernel map scores with dot products)");
    }
    int t = tileRows(batch, m, block.dim(), tileRows);
    float[] buf = new float[batch * t];
    float[] rows = block.data();
    int d = block.dim();
    for (int from = rowFrom; from < rowTo; from += t) {
      int to = Math.min(rowTo, from + t);
      if (distance) {
        scores.function.distanceScores(queries, batch, rows, d, from, to, scores.beta, buf);
      } else {
        bound.scores(queries, batch, from, to, buf);
      }
      if (scores.offsets != null) {
        addRowOffsets(buf, batch, to - from, scores.offsets);
      }
      if (rowScale != null) {
        scaleColumns(buf, batch, from, to, rowScale);
      }
      partial.accumulate(new ScoreTile(buf, batch, from, to, block, bound, parallelQueries));
    }
  }

  /** {@code scores[b][j] += offset[b]}: per-query score offsets, before the memories' factors. */
  static void addRowOffsets(float[] scores, int batch, int n, float[] offset) {
    for (int b = 0; b < batch; b++) {
      float o = offset[b];
      for (int j = 0, k = b * n; j < n; j++) {
        scores[k + j] += o;
      }
    }
  }

  /** {@code scores[b][j] *= scale[from + j]}: per-memory score factors of a scaled block. */
  static void scaleColumns(float[] scores, int batch, int from, int to, float[] scale) {
    int n = to - from;
    for (int b = 0; b < batch; b++) {
      for (int j = 0, o = b * n; j < n; j++) {
        scores[o + j] *= scale[from + j];
      }
    }
  }
}
