package org.hopfieldstore.spark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.hopfieldstore.core.data.Preprocessing;

/**
 * What a store knows besides its rows, as of one version: dimension, the preprocessing its rows
 * went through (with the centre of a center-unit store, which new rows reuse), the partition
 * count, the user columns carried along, and the kernel summaries kept in step with the rows.
 * Every commit of the store carries the whole of it as the Delta commit's {@code userMetadata},
 * so a version's metadata is committed atomically with its rows.
 */
public final class StoreMetadata {
  /** The key of our object in a commit's userMetadata. */
  static final String KEY = "hopfield_store";
  static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A kernel summary attachment: its model, its file (relative to the store), rows summed. */
  public record Summary(String spec, String file, long count) {}

  /**
   * A learned feature map W attached to the store (hopfield-store arrange --attach): its file
   * (relative to the store), D x d, what learned it and from which version. Every row then
   * carries its factor {@code 1 / |W xi|} of the normalised kernel in column {@link
   * MemoryStore#ROW_FACTOR}.
   */
  public record Kernel(String file, int outDim, int inDim, String learnedBy, long learnedOn) {}

  public final int dim;
  public final Preprocessing preprocessing;
  /** The centre a center-unit store subtracts; null otherwise. */
  public final double[] center;
  public final int partitions;
  public final List<String> columns;
  public final List<Summary> summaries;
  /** The attached feature map, or null. */
  public final Kernel kernel;

  public StoreMetadata(int dim, Preprocessing preprocessing, double[] center, int partitions,
      List<String> columns, List<Summary> summaries, Kernel kernel) {
    this.dim = dim;
    this.preprocessing = preprocessing;
    this.center = center;
    this.partitions = partitions;
    this.columns = List.copyOf(columns);
    this.summaries = List.copyOf(summaries);
    this.kernel = kernel;
  }

  public StoreMetadata withSummaries(List<Summary> s) {
    return new StoreMetadata(dim, preprocessing, center, partitions, columns, s, kernel);
  }

  public StoreMetadata withKernel(Kernel k) {
    return new StoreMetadata(dim, preprocessing, center, partitions, columns, summaries, k);
  }

  /** The commit's userMetadata: this metadata, the operation, and the version it started from. */
  String toCommitJson(String operation, long baseVersion) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode m = root.putObject(KEY);
    m.put("format", FORMAT).put("operation", operation).put("base_version", baseVersion)
        .put("dim", dim).put("preprocessing", preprocessing.toString())
        .put("partitions", partitions);
    if (center != null) {
      ArrayNode c = m.putArray("center");
      for (double x : center) {
        c.add(x);
      }
    }
    ArrayNode cols = m.putArray("columns");
    columns.forEach(cols::add);
    ArrayNode sums = m.putArray("summaries");
    for (Summary s : summaries) {
      sums.addObject().put("spec", s.spec()).put("file", s.file()).put("count", s.count());
    }
    if (kernel != null) {
      m.putObject("kernel").put("file", kernel.file()).put("out_dim", kernel.outDim())
          .put("in_dim", kernel.inDim()).put("learned_by", kernel.learnedBy())
          .put("learned_on", kernel.learnedOn());
    }
    return root.toString();
  }

  /** The store command that made a commit of ours ("create", "append", ...). */
  static String operationOf(String text) {
    try {
      return JSON.readTree(text).get(KEY).path("operation").asText("?");
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  /** Parses a commit's userMetadata, or returns null when it is not ours. */
  static StoreMetadata fromCommitJson(String text) {
    if (text == null || !text.contains(KEY)) {
      return null;
    }
    JsonNode m;
    try {
      m = JSON.readTree(text).get(KEY);
    } catch (java.io.IOException e) {
      return null;
    }
    if (m == null || !m.isObject()) {
      return null;
    }
    if (m.path("format").asInt() != FORMAT) {
      throw new IllegalStateException("store format " + m.path("format").asInt()
          + " is not supported by this build (it reads format " + FORMAT + ")");
    }
    double[] center = null;
    if (m.has("center")) {
      center = new double[m.get("center").size()];
      for (int i = 0; i < center.length; i++) {
        center[i] = m.get("center").get(i).asDouble();
      }
    }
    List<String> cols = new ArrayList<>();
    m.path("columns").forEach(c -> cols.add(c.asText()));
    List<Summary> sums = new ArrayList<>();
    m.path("summaries").forEach(s -> sums.add(new Summary(s.get("spec").asText(),
        s.get("file").asText(), s.get("count").asLong())));
    JsonNode k = m.get("kernel");
    Kernel kernel = k == null ? null : new Kernel(k.get("file").asText(),
        k.get("out_dim").asInt(), k.get("in_dim").asInt(), k.get("learned_by").asText(),
        k.get("learned_on").asLong());
    return new StoreMetadata(m.get("dim").asInt(),
        Preprocessing.parse(m.get("preprocessing").asText()), center,
        m.get("partitions").asInt(), cols, sums, kernel);
  }
}
