package org.hopfieldstore.spark.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Jazzer targets for the schemas and vector cells of query and memory rows (Parquet frames,
 * Delta stores, DataFrames). {@code vectorRow}: a row built from the fuzzer's bytes, holding
 * {@code array<float>}, {@code array<double>} (either with null elements), a dense or sparse ML
 * {@code Vector}, or null, is refused by {@link Vectors#floats} with one line starting with the
 * row's name, or read into exactly the floats an independent check finds: not null, no null
 * element, {@code dim} values, each finite after the cast to float. {@code frameSchema}: see
 * there. Corpora: {@code
 * src/test/resources/org/hopfieldstore/spark/dist/VectorRowFuzzTargetsInputs/<target>/}; {@code
 * mvn -Pfuzz -pl spark test} fuzzes each for its maxDuration.
 */
class VectorRowFuzzTargets {
  private static final String WHAT = "queries: row 3 of partition 1, column 'query'";

  @FuzzTest(maxDuration = "10m")
  void vectorRow(byte[] input) {
    ByteBuffer in = ByteBuffer.wrap(input);
    int kind = in.hasRemaining() ? Byte.toUnsignedInt(in.get()) % 5 : 0;
    int dim = in.hasRemaining() ? Byte.toUnsignedInt(in.get()) % 10 - 1 : -1;
    int n = in.hasRemaining() ? Byte.toUnsignedInt(in.get()) % 12 : 0;
    // the cell's values (null: a null element) and, from them, what the reader must answer
    List<Double> values = new ArrayList<>();
    Object cell;
    switch (kind) {
      case 0:
        cell = null;
        break;
      case 1:
      case 2: {
        double[] v = new double[n];
        for (int j = 0; j < n; j++) {
          v[j] = kind == 1 || (in.hasRemaining() && in.get() % 2 == 0) ? nextDouble(in) : 0.0;
          // a sparse vector keeps no zeros, so its -0.0 reads back as 0.0
          values.add(kind == 2 && v[j] == 0 ? 0.0 : v[j]);
        }
        Vector dense = org.apache.spark.ml.linalg.Vectors.dense(v);
        cell = kind == 1 ? dense : dense.toSparse();
        break;
      }
      default: {
        List<Object> list = new ArrayList<>();
        for (int j = 0; j < n; j++) {
          boolean isNull = in.hasRemaining() && Byte.toUnsignedInt(in.get()) == 0xff;
          Double x = isNull ? null : kind == 3 ? (double) nextFloat(in) : nextDouble(in);
          values.add(x);
          list.add(x == null ? null : kind == 3 ? (Object) x.floatValue() : (Object) x);
        }
        cell = scala.jdk.javaapi.CollectionConverters.asScala(list).toSeq();
      }
    }
    String expected = null;
    float[] floats = new float[values.size()];
    if (cell == null) {
      expected = WHAT + " is null";
    } else if (dim >= 0 && values.size() != dim) {
      expected = WHAT + " has " + values.size() + " values";
    } else {
      for (int j = 0; j < floats.length && expected == null; j++) {
        if (values.get(j) == null) {
          expected = WHAT + " has a null value at index " + j;
        } else {
          floats[j] = (float) values.get(j).doubleValue();
          if (Float.isNaN(floats[j]) || Float.isInfinite(floats[j])) {
            expected = WHAT + " has a non-finite value";
          }
        }
      }
    }
    Row row = RowFactory.create(7L, cell);
    String why = "jazzer row of kind " + kind + ", dim " + dim + ", values " + values;
    float[] got;
    try {
      got = Vectors.floats(row, 1, dim, WHAT, "the memories have dimension " + dim);
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      if (expected == null || msg == null || msg.contains("\n") || !msg.startsWith(expected)) {
        fail(why + ": refused with '" + msg + "', expected "
            + (expected == null ? "the floats" : "'" + expected + "...'"));
      }
      return;
    }
    if (expected != null) {
      fail(why + ": accepted, expected a refusal '" + expected + "...'");
    }
    assertArrayEquals(floats, got, why);
  }

  private static final String[] NAMES = {"vector", "id", "Vector", "query", "vector ", "",
      "a.b", "`v`", "\u00e9"};
  private static final DataType[] TYPES = {
      DataTypes.createArrayType(DataTypes.FloatType), DataTypes.createArrayType(DataTypes.DoubleType),
      new VectorUDT(), DataTypes.LongType, DataTypes.IntegerType, DataTypes.ShortType,
      DataTypes.ByteType, DataTypes.StringType, DataTypes.createArrayType(DataTypes.IntegerType),
      DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)),
      DataTypes.createDecimalType(20, 0), DataTypes.DoubleType, DataTypes.BinaryType,
      DataTypes.createMapType(DataTypes.StringType, DataTypes.FloatType)};

  /**
   * The memory and query loaders' schema checks on a frame schema built from the fuzzer's bytes
   * (names among look-alikes, duplicates allowed; vector, integer and other types): the vector
   * column 'vector' and the id column 'id' are accepted exactly when each appears once with one
   * of the types the loaders read, and refused otherwise with one line naming the role.
   */
  @FuzzTest(maxDuration = "10m")
  void frameSchema(byte[] input) {
    List<StructField> fields = new ArrayList<>();
    for (int i = 0; i + 1 < input.length && fields.size() < 8; i += 2) {
      fields.add(DataTypes.createStructField(NAMES[Byte.toUnsignedInt(input[i]) % NAMES.length],
          TYPES[Byte.toUnsignedInt(input[i + 1]) % TYPES.length], true));
    }
    // new StructType, not DataTypes.createStructType, which refuses the duplicates a join makes
    StructType schema = new StructType(fields.toArray(new StructField[0]));
    String why = "jazzer schema " + schema.simpleString();
    check(why, expected(fields, "vector", 0, 3), () -> MemoryFrames.requireVector(schema,
        "vector", "memories", "vectorCol"));
    check(why, expected(fields, "id", 3, 7), () -> MemoryFrames.requireIntegerType(schema, "id",
        "queries", "--id-column"));
  }

  /** Whether name appears once with a type in TYPES[from, to): null if so, else the refusal. */
  private static String expected(List<StructField> fields, String name, int from, int to) {
    List<StructField> named = new ArrayList<>();
    for (StructField f : fields) {
      if (f.name().equals(name)) {
        named.add(f);
      }
    }
    if (named.size() > 1) {
      return "appears " + named.size() + " times";
    }
    if (named.isEmpty()) {
      return "not found";
    }
    for (int t = from; t < to; t++) {
      if (TYPES[t].equals(named.get(0).dataType())) {
        return null;
      }
    }
    return "has type " + named.get(0).dataType().simpleString();
  }

  private static void check(String why, String refusal, Runnable loaderCheck) {
    try {
      loaderCheck.run();
    } catch (NoSuchElementException | IllegalArgumentException e) {
      String msg = e.getMessage();
      if (!(e instanceof IllegalArgumentException) || refusal == null || msg == null
          || msg.contains("\n") || !(msg.startsWith("memories: ") || msg.startsWith("queries: "))
          || !msg.contains(refusal)) {
        fail(why + ": refused with " + e + ", expected "
            + (refusal == null ? "acceptance" : "a line with '" + refusal + "'"));
      }
      return;
    }
    if (refusal != null) {
      fail(why + ": accepted, expected a refusal with '" + refusal + "'");
    }
  }

  private static double nextDouble(ByteBuffer in) {
    return in.remaining() >= 8 ? in.getDouble() : in.hasRemaining() ? in.get() / 4.0 : 0.5;
  }

  private static float nextFloat(ByteBuffer in) {
    return in.remaining() >= 4 ? in.getFloat() : in.hasRemaining() ? in.get() / 4.0f : 0.5f;
  }
}
