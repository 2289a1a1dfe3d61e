package org.hopfieldstore.spark.dist;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StructType;
import org.hopfieldstore.core.memory.MemoryBlock;

/** One memory on its way from a DataFrame row to a block: its id and values. */
public final class IdVector implements Serializable {
  private static final long serialVersionUID = 1L;
  final long id;
  final float[] vector;
  /** The memory's stored score factor (a third column), or NaN when there is none. */
  final float factor;

  IdVector(long id, float[] vector) {
    this(id, vector, Float.NaN);
  }

  IdVector(long id, float[] vector, float factor) {
    this.id = id;
    this.vector = vector;
    this.factor = factor;
  }

  /** Row {@code (id, vector)} of a memory frame; a null names the columns of {@code source}. */
  static IdVector of(Row row, String source, String idCol, String vectorCol) {
    if (row.isNullAt(0) || row.isNullAt(1)) {
      throw new IllegalArgumentException(source + ": null " + idCol + " or " + vectorCol);
    }
    long id = row.getLong(0);
    List<Object> v = row.getList(1);
    float[] f = new float[v.size()];
    for (int i = 0; i < f.length; i++) {
      Object x = v.get(i);
      if (x == null) {
        throw new IllegalArgumentException(source + ": null value in memory id " + id
            + ", column " + i);
      }
      f[i] = ((Number) x).floatValue();
    }
    return new IdVector(id, f);
  }

  /**
   * Whether rows of {@code schema} ({@code id, vector}) can be read as Spark's internal rows:
   * a long id and an array of floats or doubles, copied out without boxing each value.
   */
  static boolean decodesInternally(StructType schema) {
    DataType id = schema.fields()[0].dataType();
    DataType v = schema.fields()[1].dataType();
    boolean factor = schema.fields().length < 3
        || schema.fields()[2].dataType() instanceof FloatType;
    return factor && id instanceof LongType && v instanceof ArrayType a
        && (a.elementType() instanceof FloatType || a.elementType() instanceof DoubleType);
  }

  /** Whether the vector column of such a schema holds floats (else doubles). */
  static boolean floatVectors(StructType schema) {
    return ((ArrayType) schema.fields()[1].dataType()).elementType() instanceof FloatType;
  }

  /**
   * An internal row {@code (id, vector)} of a schema that {@link #decodesInternally}, its vector
   * of floats ({@code floats}) or doubles.
   */
  static IdVector of(InternalRow row, boolean floats, String source, String idCol,
      String vectorCol) {
    if (row.isNullAt(0) || row.isNullAt(1)) {
      throw new IllegalArgumentException(source + ": null " + idCol + " or " + vectorCol);
    }
    long id = row.getLong(0);
    ArrayData v = row.getArray(1);
    int n = v.numElements();
    for (int i = 0; i < n; i++) {
      if (v.isNullAt(i)) {
        throw new IllegalArgumentException(source + ": null value in memory id " + id
            + ", column " + i);
      }
    }
    float[] f;
    if (floats) {
      f = v.toFloatArray();
    } else {
      f = new float[n];
      for (int i = 0; i < n; i++) {
        f[i] = (float) v.getDouble(i);
      }
    }
    if (row.numFields() > 2) {
      if (row.isNullAt(2)) {
        throw new IllegalArgumentException(source + ": memory id " + id + " has no row factor");
      }
      return new IdVector(id, f, row.getFloat(2));
    }
    return new IdVector(id, f);
  }

  /** A partition's memories as one block (none for an empty partition). */
  static Iterator<MemoryBlock> pack(Iterator<IdVector> it, String source) {
    List<IdVector> rows = new ArrayList<>();
    it.forEachRemaining(rows::add);
    if (rows.isEmpty()) {
      return Collections.emptyIterator();
    }
    int d = rows.get(0).vector.length;
    float[] slab = new float[Math.multiplyExact(rows.size(), d)];
    long[] ids = new long[rows.size()];
    boolean factors = !Float.isNaN(rows.get(0).factor);
    float[] scale = factors ? new float[rows.size()] : null;
    for (int i = 0; i < rows.size(); i++) {
      IdVector r = rows.get(i);
      if (r.vector.length != d) {
        throw new IllegalArgumentException(source + ": dimension mismatch: memory id " + r.id
            + " has " + r.vector.length + " values, memory id " + ids[0] + " has " + d);
      }
      System.arraycopy(r.vector, 0, slab, i * d, d);
      ids[i] = r.id;
      if (factors) {
        scale[i] = r.factor;
      }
    }
    MemoryBlock block = MemoryBlock.withIds(slab, ids, d);
    return Collections.singletonList(factors ? block.withRowScale(scale) : block).iterator();
  }
}
