package org.hopfieldstore.spark.ml;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Schema checks with messages that name the column, its role, the param and the type wanted. */
final class Columns {
  static final String VECTOR_TYPES = "array<float> or array<double>";
  static final String ID_TYPES = "long, int, short or byte";
  /** Spark's attribute-group metadata: {@code ml_attr.num_attrs} is a vector column's size. */
  static final String ML_ATTR = "ml_attr";
  static final String NUM_ATTRS = "num_attrs";

  private Columns() {}

  static StructField require(StructType schema, String name, String role, String param,
      String expected) {
    if (!Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException(role + ": column '" + name + "' (" + param
          + ") not found; expected " + expected + ". Columns are "
          + Arrays.toString(schema.fieldNames()));
    }
    return schema.apply(name);
  }

  /** An array<float> or array<double> column. */
  static StructField requireVector(StructType schema, String name, String role, String param) {
    StructField f = require(schema, name, role, param, VECTOR_TYPES);
    if (!isVectorType(f.dataType())) {
      throw new IllegalArgumentException(role + ": column '" + name + "' (" + param
          + ") has type " + f.dataType().simpleString() + "; expected " + VECTOR_TYPES);
    }
    return f;
  }

  /** A long, int, short or byte column. */
  static StructField requireId(StructType schema, String name, String role, String param) {
    StructField f = require(schema, name, role, param, ID_TYPES);
    DataType t = f.dataType();
    if (!(t.equals(DataTypes.LongType) || t.equals(DataTypes.IntegerType)
        || t.equals(DataTypes.ShortType) || t.equals(DataTypes.ByteType))) {
      throw new IllegalArgumentException(role + ": column '" + name + "' (" + param
          + ") has type " + t.simpleString() + "; expected " + ID_TYPES);
    }
    return f;
  }

  static void requireAbsent(StructType schema, String name, String param) {
    if (Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException("output column '" + name + "' (" + param
          + ") already exists in the input; set " + param + " to another name");
    }
  }

  static boolean isVectorType(DataType t) {
    if (!(t instanceof ArrayType)) {
      return false;
    }
    DataType e = ((ArrayType) t).elementType();
    return e.equals(DataTypes.FloatType) || e.equals(DataTypes.DoubleType);
  }

  /** The vector size recorded in the column's metadata, or -1 when it is not known. */
  static long knownSize(StructField f) {
    Metadata m = f.metadata();
    if (m.contains(ML_ATTR)) {
      Metadata attr = m.getMetadata(ML_ATTR);
      if (attr.contains(NUM_ATTRS)) {
        return attr.getLong(NUM_ATTRS);
      }
    }
    return -1;
  }

  /** Metadata recording a vector column's size, read back by {@link #knownSize}. */
  static Metadata sized(long size) {
    return new MetadataBuilder().putMetadata(ML_ATTR,
        new MetadataBuilder().putLong(NUM_ATTRS, size).build()).build();
  }

  /**
   * Field {@code i} of {@code row} (array of float or double) as floats, checked: not null, no
   * null element, finite in float, of length {@code dim}. {@code what} starts the messages, e.g.
   * "queries: row 12 of column 'query'".
   */
  static float[] floats(Row row, int i, int dim, String what, String dimWhy) {
    if (row.isNullAt(i)) {
      throw new IllegalArgumentException(what + " is null");
    }
    List<Object> v = row.getList(i);
    if (v.size() != dim) {
      throw new IllegalArgumentException(what + " has " + v.size() + " values; " + dimWhy);
    }
    float[] out = new float[dim];
    for (int j = 0; j < dim; j++) {
      Object x = v.get(j);
      if (x == null) {
        throw new IllegalArgumentException(what + " has a null value at index " + j);
      }
      float f = ((Number) x).floatValue();
      if (!Float.isFinite(f)) {
        throw new IllegalArgumentException(what + " has a non-finite value " + x
            + " at index " + j + (Double.isFinite(((Number) x).doubleValue())
                ? " (out of float range)" : ""));
      }
      out[j] = f;
    }
    return out;
  }

  /** A 64-bit fingerprint of a vector, to check a row still holds the query it was given. */
  static long fingerprint(float[] a, int from, int len) {
    long h = 0xcbf29ce484222325L;
    for (int j = from; j < from + len; j++) {
      h = (h ^ Float.floatToIntBits(a[j])) * 0x100000001b3L;
    }
    return h;
  }
}
