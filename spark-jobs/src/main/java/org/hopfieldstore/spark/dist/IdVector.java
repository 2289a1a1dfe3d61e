package org.hopfieldstore.spark.dist;

import java.io.Serializable;

/** One memory on its way from a DataFrame row to a block: its id and values. */
public final class IdVector implements Serializable {
  private static final long serialVersionUID = 1L;
  final long id;
  final float[] vector;

  IdVector(long id, float[] vector) {
    this.id = id;
    this.vector = vector;
  }
}
