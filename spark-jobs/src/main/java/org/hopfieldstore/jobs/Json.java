package org.hopfieldstore.jobs;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;

/** Summary files and JSON lines, with Jackson; non-finite numbers are written as null. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();
  /** Two-space indent, {@code "key": value}: what people and Python's json.dumps write. */
  private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter().withSeparators(
      Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** {@code v} as a number, or null when it is NaN or infinite (JSON has neither). */
  static void put(ObjectNode node, String key, double v) {
    if (Double.isFinite(v)) {
      node.put(key, v);
    } else {
      node.putNull(key);
    }
  }

  static ArrayNode array(double[] values) {
    ArrayNode a = MAPPER.createArrayNode();
    for (double v : values) {
      if (Double.isFinite(v)) {
        a.add(v);
      } else {
        a.addNull();
      }
    }
    return a;
  }

  static ArrayNode array(long[] values) {
    ArrayNode a = MAPPER.createArrayNode();
    for (long v : values) {
      a.add(v);
    }
    return a;
  }

  static ArrayNode array(int[] values) {
    ArrayNode a = MAPPER.createArrayNode();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }

  /** Pretty-printed, with a final newline. */
  static void write(OutputStream out, ObjectNode node) throws IOException {
    out.write((MAPPER.writer(PRETTY).writeValueAsString(node) + "\n").getBytes(
        java.nio.charset.StandardCharsets.UTF_8));
  }

  /** One line. */
  static String line(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
