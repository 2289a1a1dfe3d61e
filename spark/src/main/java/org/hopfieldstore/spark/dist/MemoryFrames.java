package org.hopfieldstore.spark.dist;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import java.util.Arrays;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;


/**
 * From a memories DataFrame to a {@link DistributedStore}: one aggregate pass checks every
 * memory (ids set, distinct, >= 0; vectors set, of one length, finite in float) so that errors
 * name the column and an offending id before any block is built; the checked frame, projected to
 * {@code (id: long, vector: array<float>)}, is what a model saves under {@code data/}.
 */
public final class MemoryFrames {
  public static final String ID = "id";
  public static final String VECTOR = "vector";
  public static final String ROLE = "memories";

  private MemoryFrames() {}

  /**
   * Checks the memories in {@code df} and returns them as {@code (id: long, vector:
   * array<float>)}. Reads {@code df} twice or more: cache it if it is costly to compute.
   */
  public static Dataset<Row> validate(Dataset<Row> df, String idCol, String vectorCol) {
    return validate(df, idCol, vectorCol, false);
  }

  /**
   * As {@link #validate(Dataset, String, String)}; with {@code keepColumns} the frame's other
   * columns follow {@code id} and {@code vector} unchanged (a store carries them along).
   */
  public static Dataset<Row> validate(Dataset<Row> df, String idCol, String vectorCol,
      boolean keepColumns) {
    requireId(df.schema(), idCol);
    requireVector(df.schema(), vectorCol, ROLE, "vectorCol");
    Column id = col(idCol);
    Column v = df.schema().apply(vectorCol).dataType() instanceof VectorUDT
        ? vector_to_array(col(vectorCol), "float32") : col(vectorCol);
    Column nullElement = exists(v, x -> x.isNull());
    Column nonFinite = exists(v, x -> isnan(x).or(abs(x).gt(lit((double) Float.MAX_VALUE))));
    Row s = df.agg(
        count_if(lit(true)),
        count_if(id.isNull()),
        min(id),
        count_distinct(id),
        count_if(v.isNull()),
        min(when(v.isNotNull(), size(v))),
        max(when(v.isNotNull(), size(v))),
        count_if(nullElement),
        count_if(nonFinite)).first();
    long rows = s.getLong(0);
    String vc = "column '" + vectorCol + "'";
    String ic = "column '" + idCol + "'";
    if (rows == 0) {
      throw new IllegalArgumentException(
          "empty memories: the DataFrame has no rows; fit needs at least one memory");
    }
    if (s.getLong(1) > 0) {
      throw new IllegalArgumentException(ROLE + ": " + ic + " is null in " + s.getLong(1)
          + " of " + rows + " rows; every memory needs an id");
    }
    long minId = ((Number) s.get(2)).longValue();
    if (minId < 0) {
      throw new IllegalArgumentException(ROLE + ": " + ic + " has negative id " + minId
          + "; ids must be >= 0");
    }
    if (s.getLong(3) != rows) {
      Row dup = df.groupBy(id).count().filter(col("count").gt(1)).first();
      throw new IllegalArgumentException(ROLE + ": " + ic + " has duplicate ids (" + s.getLong(3)
          + " distinct in " + rows + " rows), e.g. id " + dup.get(0) + " appears "
          + dup.getLong(1) + " times; ids must be unique");
    }
    if (s.getLong(4) > 0) {
      throw new IllegalArgumentException(ROLE + ": " + vc + " is null in " + s.getLong(4)
          + " rows, e.g. memory id " + example(df, idCol, v.isNull()));
    }
    int minLen = s.getInt(5);
    int maxLen = s.getInt(6);
    if (minLen == 0) {
      throw new IllegalArgumentException(ROLE + ": " + vc + " holds an empty array, e.g. "
          + "memory id " + example(df, idCol, size(v).equalTo(0)) + "; dimension must be >= 1");
    }
    if (minLen != maxLen) {
      throw new IllegalArgumentException(ROLE + ": vectors in " + vc
          + " differ in length (dimension mismatch): memory id "
          + example(df, idCol, size(v).equalTo(minLen)) + " has " + minLen
          + " values, memory id " + example(df, idCol, size(v).equalTo(maxLen)) + " has "
          + maxLen);
    }
    if (s.getLong(7) > 0) {
      throw new IllegalArgumentException(ROLE + ": " + vc + " has null values in "
          + s.getLong(7) + " rows, e.g. memory id " + example(df, idCol, nullElement));
    }
    if (s.getLong(8) > 0) {
      throw new IllegalArgumentException(ROLE + ": " + vc + " has non-finite values (NaN, "
          + "infinite or beyond float range) in " + s.getLong(8) + " rows, e.g. memory id "
          + example(df, idCol, nonFinite));
    }
    List<Column> out = new java.util.ArrayList<>(List.of(id.cast(DataTypes.LongType).as(ID),
        v.cast(DataTypes.createArrayType(DataTypes.FloatType)).as(VECTOR)));
    if (keepColumns) {
      for (String c : df.columns()) {
        if (!c.equals(idCol) && !c.equals(vectorCol)) {
          out.add(col("`" + c + "`"));
        }
      }
    }
    return df.select(out.toArray(new Column[0]));
  }

  /** A vector column ({@link Vectors#TYPES}) of {@code schema}; {@code param} names its option. */
  public static void requireVector(StructType schema, String name, String role, String param) {
    if (!Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException(role + ": column '" + name + "' (" + param
          + ") not found; expected " + Vectors.TYPES + ". Columns are "
          + Arrays.toString(schema.fieldNames()));
    }
    requireOnce(schema, name, role, param);
    DataType t = schema.apply(name).dataType();
    if (!Vectors.isVectorType(t)) {
      throw new IllegalArgumentException(role + ": column '" + name + "' (" + param
          + ") has type " + t.simpleString() + "; expected " + Vectors.TYPES);
    }
  }

  private static void requireId(StructType schema, String name) {
    requireIntegerType(schema, name, ROLE, "idCol");
  }

  /** An id column, once in {@code schema}, holding integers of at most 64 bits. */
  public static void requireIntegerType(StructType schema, String name, String role,
      String option) {
    requireOnce(schema, name, role, option);
    if (!Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException(role + ": column '" + name + "' (" + option
          + ") not found; expected long, int, short or byte. Columns are "
          + Arrays.toString(schema.fieldNames()));
    }
    DataType t = schema.apply(name).dataType();
    if (!(t.equals(DataTypes.LongType) || t.equals(DataTypes.IntegerType)
        || t.equals(DataTypes.ShortType) || t.equals(DataTypes.ByteType))) {
      throw new IllegalArgumentException(role + ": column '" + name + "' (" + option
          + ") has type " + t.simpleString() + "; expected long, int, short or byte");
    }
  }

  /** A frame with two columns of one name (a join's output) cannot say which one is meant. */
  private static void requireOnce(StructType schema, String name, String role, String option) {
    long n = Arrays.stream(schema.fieldNames()).filter(name::equals).count();
    if (n > 1) {
      throw new IllegalArgumentException(role + ": column '" + name + "' (" + option
          + ") appears " + n + " times; rename or drop the others");
    }
  }

  private static Object example(Dataset<Row> df, String idCol, Column where) {
    List<Row> r = df.filter(where).select(col(idCol)).limit(1).collectAsList();
    return r.isEmpty() ? "?" : r.get(0).get(0);
  }

  /**
   * Spreads checked {@code (id, vector)} memories over {@code partitions} cached blocks.
   * Errors from tasks come back as the IllegalArgumentException they threw.
   */
  public static DistributedStore open(Dataset<Row> memories, int partitions, String storageLevel,
      String kernel) {
    try {
      return DistributedStore.fromDataFrame(memories, ID, VECTOR, ROLE, partitions,
          StorageLevel.fromString(storageLevel), kernel);
    } catch (Exception e) {
      throw Errors.unwrap(e);
    }
  }

  /** Rows per task when a .npy file becomes a frame. */
  static final long NPY_ROWS_PER_TASK = 1 << 16;

  /**
   * A 2-D float .npy file on any Hadoop filesystem as {@code (id: long, vector: array<float>)},
   * row {@code r} with id {@code firstId + r}: each task reads and checks its own row range.
   */
  public static Dataset<Row> fromNpy(org.apache.spark.sql.SparkSession spark, String location,
      long firstId) throws java.io.IOException {
    org.apache.spark.api.java.JavaSparkContext jsc =
        org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
    long m = SparkBlocks.npyShape(jsc, location)[0];
    List<long[]> ranges = new java.util.ArrayList<>();
    for (long from = 0; from < m; from += NPY_ROWS_PER_TASK) {
      ranges.add(new long[] {from, Math.min(m, from + NPY_ROWS_PER_TASK)});
    }
    org.apache.spark.api.java.JavaRDD<Row> rows = SparkBlocks.npyRanges(jsc, location, ranges)
        .flatMap(b -> rows(b.matrix(), firstId + b.idOffset()).iterator());
    return spark.createDataFrame(rows, SCHEMA);
  }

  /** In-memory rows (IDX images read on the driver, small files) as a frame. */
  public static Dataset<Row> fromMatrix(org.apache.spark.sql.SparkSession spark,
      org.hopfieldstore.core.memory.FloatMatrix x, long firstId) {
    return spark.createDataFrame(rows(x, firstId), SCHEMA);
  }

  /** The rows of {@code x} as {@code (firstId + row, vector)}. */
  private static List<Row> rows(org.hopfieldstore.core.memory.FloatMatrix x, long firstId) {
    List<Row> out = new java.util.ArrayList<>(x.rows());
    int d = x.cols();
    for (int i = 0; i < x.rows(); i++) {
      Float[] v = new Float[d];
      for (int j = 0; j < d; j++) {
        v[j] = x.data()[i * d + j];
      }
      out.add(org.apache.spark.sql.RowFactory.create(firstId + i, v));
    }
    return out;
  }

  /**
   * The {@code (id, vector)} rows of {@code frame} on the driver, in id order: the matrix (row i
   * is the i-th smallest id) and the ids. For in-process work on a store's rows.
   */
  public static org.hopfieldstore.core.memory.MemoryBlock toBlock(Dataset<Row> frame,
      String source) {
    // one block, sorted here: cheaper than a distributed sort of rows the driver holds anyway
    SparkBlocks blocks = SparkBlocks.fromDataFrame(frame, ID, VECTOR, source, 1,
        org.apache.spark.storage.StorageLevel.MEMORY_ONLY());
    org.hopfieldstore.core.memory.MemoryBlock b = blocks.collect().get(0);
    blocks.unpersist();
    int d = b.dim();
    Integer[] order = new Integer[b.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, java.util.Comparator.comparingLong(b::id));
    float[] x = new float[Math.multiplyExact(order.length, d)];
    long[] ids = new long[order.length];
    for (int i = 0; i < order.length; i++) {
      System.arraycopy(b.data(), order[i] * d, x, i * d, d);
      ids[i] = b.id(order[i]);
    }
    return org.hopfieldstore.core.memory.MemoryBlock.withIds(x, ids, d);
  }

  /** The memories' schema. */
  public static final StructType SCHEMA = new StructType().add(ID, DataTypes.LongType, false)
      .add(VECTOR, DataTypes.createArrayType(DataTypes.FloatType, false), false);
}
