package org.hopfieldstore.spark.dist;

import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Vector columns as the project reads them: {@code array<float>}, {@code array<double>} or a
 * Spark ML {@code Vector} (what {@code VectorAssembler} makes), every value checked.
 */
public final class Vectors {
  /** The types, as error messages list them. */
  public static final String TYPES = "array<float>, array<double> or an ML Vector";

  private Vectors() {}

  public static boolean isVectorType(DataType t) {
    if (t instanceof VectorUDT) {
      return true;
    }
    if (!(t instanceof ArrayType)) {
      return false;
    }
    DataType e = ((ArrayType) t).elementType();
    return e.equals(DataTypes.FloatType) || e.equals(DataTypes.DoubleType);
  }

  /**
   * Field {@code i} of {@code row} as floats, checked: not null, no null element, finite in
   * float, of length {@code dim} (any length when {@code dim < 0}). {@code what} starts the
   * messages, e.g. "queries: row 12 of column 'query'".
   */
  public static float[] floats(Row row, int i, int dim, String what, String dimWhy) {
    if (row.isNullAt(i)) {
      throw new IllegalArgumentException(what + " is null");
    }
    Object field = row.get(i);
    if (field instanceof Vector) {
      double[] v = ((Vector) field).toArray();
      checkLength(v.length, dim, what, dimWhy);
      float[] out = new float[v.length];
      for (int j = 0; j < v.length; j++) {
        out[j] = checked(v[j], what, j);
      }
      return out;
    }
    List<Object> v = row.getList(i);
    checkLength(v.size(), dim, what, dimWhy);
    float[] out = new float[v.size()];
    for (int j = 0; j < out.length; j++) {
      Object x = v.get(j);
      if (x == null) {
        throw new IllegalArgumentException(what + " has a null value at index " + j);
      }
      out[j] = checked(((Number) x).doubleValue(), what, j);
    }
    return out;
  }

  private static void checkLength(int n, int dim, String what, String dimWhy) {
    if (dim >= 0 && n != dim) {
      throw new IllegalArgumentException(what + " has " + n + " values; " + dimWhy);
    }
  }

  private static float checked(double x, String what, int j) {
    float f = (float) x;
    if (!Float.isFinite(f)) {
      throw new IllegalArgumentException(what + " has a non-finite value " + x + " at index " + j
          + (Double.isFinite(x) ? " (out of float range)" : ""));
    }
    return f;
  }
}
