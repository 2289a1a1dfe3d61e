package org.hopfieldstore.spark.dist;

import java.io.Serializable;

/** One memory row sent to the driver for a global support: its id and values. */
public final class RowFetch implements Serializable {
  private static final long serialVersionUID = 1L;
  final long id;
  final float[] row;

  RowFetch(long id, float[] row) {
    this.id = id;
    this.row = row;
  }
}
