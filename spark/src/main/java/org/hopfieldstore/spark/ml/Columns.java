package org.hopfieldstore.spark.ml;

import org.hopfieldstore.spark.dist.MemoryFrames;
import org.hopfieldstore.spark.dist.Vectors;
import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Schema checks with messages that name the column, its role, the param and the type wanted. */
final class Columns {
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

  /** A vector column: array<float>, array<double> or an ML Vector. */
  static StructField requireVector(StructType schema, String name, String role, String param) {
    MemoryFrames.requireVector(schema, name, role, param);
    return schema.apply(name);
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

  /** Field {@code i} of {@code row} as checked floats ({@link Vectors#floats}). */
  static float[] floats(Row row, int i, int dim, String what, String dimWhy) {
    return Vectors.floats(row, i, dim, what, dimWhy);
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
