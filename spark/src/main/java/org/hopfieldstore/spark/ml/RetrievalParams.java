package org.hopfieldstore.spark.ml;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import org.hopfieldstore.core.rules.Rule;
import org.hopfieldstore.core.rules.Rules;
import org.hopfieldstore.core.rules.SpecKey;
import scala.Function1;

/**
 * The Param objects of one {@link HopfieldRetrieval} or {@link HopfieldRetrievalModel}, built in
 * its constructor with doc, validator and default (as in Spark's {@code JavaTestParams}). The
 * model params, {@code rule} and one Param per spec key of any rule, are generated from the rule
 * registry ({@link Rules}), so they cannot drift from the spec strings of the command line.
 */
public final class RetrievalParams implements Serializable {
  private static final long serialVersionUID = 1L;

  static final List<String> KERNELS = List.of("nd4j", "simd", "java");

  final Param<String> rule;
  /** One Param per spec key, by key name, in registry order. */
  private final Map<String, Param<?>> specParams = new LinkedHashMap<>();
  final Param<String> idCol;
  final Param<String> vectorCol;
  final Param<String> queryCol;
  final Param<String> stateCol;
  final Param<String> topIdsCol;
  final Param<String> topWeightsCol;
  final IntParam report;
  final IntParam batchSize;
  final IntParam numPartitions;
  final Param<String> kernel;
  final Param<String> storageLevel;
  private final Param<?>[] all;

  /** Creates the params of {@code owner} (whose uid must already be set) and their defaults. */
  RetrievalParams(Params owner) {
    Identifiable id = (Identifiable) owner;
    rule = new Param<>(id, "rule", "the retrieval rule: " + String.join(", ", Rules.names())
        + "; the other model params are its spec keys (see setSpec); default softmax",
        ParamValidators.inArray(Rules.names().toArray(new String[0])));
    owner.setDefault(rule, "softmax");
    for (SpecKey<?> key : Rules.allKeys()) {
      Param<?> param = specParam(id, key);
      specParams.put(key.name(), param);
      if (key.defaultValue() != null) {
        setDefault(owner, param, key.defaultValue());
      }
    }
    idCol = new Param<>(id, "idCol", "memory id column of the fit DataFrame: integral (long, "
        + "int, short or byte), non-null, distinct and >= 0; default id", nonEmpty());
    vectorCol = new Param<>(id, "vectorCol", "memory column of the fit DataFrame (the stored "
        + "patterns): array<float> or array<double>, all of one length, finite; default vector",
        nonEmpty());
    queryCol = new Param<>(id, "queryCol", "query column of the transform DataFrame (the state "
        + "patterns): array<float> or array<double> of the memories' dimension; default query",
        nonEmpty());
    stateCol = new Param<>(id, "stateCol", "output column: the retrieved state, array<float> "
        + "of the memories' dimension; default state", nonEmpty());
    topIdsCol = new Param<>(id, "topIdsCol", "output column: memory ids of the report largest "
        + "weights of the last update, best first, ties to the lower id, array<long> (empty "
        + "for the summary rules linear and prf); default top_ids", nonEmpty());
    topWeightsCol = new Param<>(id, "topWeightsCol", "output column: the weights matching "
        + "topIdsCol, array<float>; default top_weights", nonEmpty());
    report = new IntParam(id, "report", "number of top ids and weights reported per query "
        + "(at most the number of memories), >= 1; default 10", ParamValidators.gtEq(1));
    batchSize = new IntParam(id, "batchSize", "queries per block of the distributed plan (each "
        + "block is scored against every memory block in one task per update step), >= 1; "
        + "default 1024",
        ParamValidators.gtEq(1));
    numPartitions = new IntParam(id, "numPartitions", "number of partitions the memories are "
        + "spread over and cached in, >= 1; default: the fit DataFrame's partition count",
        ParamValidators.gtEq(1));
    kernel = new Param<>(id, "kernel", "score kernel on the executors: nd4j (native BLAS; small "
        + "batches scanned with simd), simd (heap SIMD loops) or java (plain loops); default "
        + "nd4j", ParamValidators.inArray(KERNELS.toArray(new String[0])));
    storageLevel = new Param<>(id, "storageLevel", "storage level of the cached memory blocks, "
        + "e.g. MEMORY_ONLY, MEMORY_AND_DISK, DISK_ONLY (not NONE); default MEMORY_ONLY",
        valid(RetrievalParams::isStorageLevel));

    owner.setDefault(idCol, "id");
    owner.setDefault(vectorCol, "vector");
    owner.setDefault(queryCol, "query");
    owner.setDefault(stateCol, "state");
    owner.setDefault(topIdsCol, "top_ids");
    owner.setDefault(topWeightsCol, "top_weights");
    owner.setDefault(report, 10);
    owner.setDefault(batchSize, 1024);
    owner.setDefault(kernel, "nd4j");
    owner.setDefault(storageLevel, "MEMORY_ONLY");
    List<Param<?>> list = new ArrayList<>();
    list.add(rule);
    list.addAll(specParams.values());
    list.addAll(List.of(idCol, vectorCol, queryCol, stateCol, topIdsCol, topWeightsCol, report,
        batchSize, numPartitions, kernel, storageLevel));
    list.sort(java.util.Comparator.comparing(Param::name)); // Spark's order: by name
    all = list.toArray(new Param<?>[0]);
  }

  /** A typed Param for one spec key: its doc, range and default come from the key. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Param<?> specParam(Identifiable id, SpecKey<?> key) {
    String doc = key.doc() + " (spec key " + key.name() + "; rules: " + Rules.rulesTaking(key)
        + "; " + key.range() + "; default " + key.defaultText() + ")";
    SpecKey raw = key;
    Function1 check = valid(x -> {
      try {
        raw.check(raw.cast(x));
        return true;
      } catch (IllegalArgumentException | ClassCastException e) {
        return false;
      }
    });
    switch (key.kind()) {
      case REAL:
        return new DoubleParam(id, key.paramName(), doc, check);
      case INTEGER:
        return new IntParam(id, key.paramName(), doc, check);
      case LONG:
        return new LongParam(id, key.paramName(), doc, check);
      default:
        return new Param<String>(id, key.paramName(), doc, check);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void setDefault(Params owner, Param param, Object value) {
    owner.setDefault(param, value);
  }

  /** Every param, for {@code Params.params()}. */
  Param<?>[] all() {
    return all.clone();
  }

  /** The Param of spec key {@code name} (e.g. {@code beta}). */
  Param<?> specParam(String name) {
    Param<?> p = specParams.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no spec key '" + name + "': keys are "
          + String.join(", ", specParams.keySet()));
    }
    return p;
  }

  /** The model the params name: the rule and, for each of its keys, the param's value. */
  RetrievalSpec spec(Params owner) {
    Rule r = Rules.named(owner.getOrDefault(rule));
    RetrievalSpec s = RetrievalSpec.of(r);
    for (SpecKey<?> key : r.keys()) {
      Param<?> p = specParams.get(key.name());
      if (owner.isDefined(p)) {
        s = s.with(key, owner.getOrDefault(p));
      }
    }
    return s;
  }

  /**
   * Sets the params of {@code owner} from a spec: the rule and every key it takes; the keys it
   * does not take go back to their defaults.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  void setSpec(Params owner, RetrievalSpec s) {
    owner.set(rule, s.rule().key());
    for (SpecKey<?> key : Rules.allKeys()) {
      Param p = specParams.get(key.name());
      Object v = s.rule().keys().contains(key) ? s.get(key) : null;
      if (v != null) {
        owner.set(p, v);
      } else {
        owner.clear(p);
      }
    }
  }

  static boolean isStorageLevel(String s) {
    if (s == null || s.equals("NONE")) {
      return false;
    }
    try {
      StorageLevel.fromString(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Column names: non-null, non-blank. */
  private static <T> Function1<T, Object> nonEmpty() {
    return valid((String s) -> s != null && !s.isBlank());
  }

  /** A serializable Scala validator from a Java predicate (Params are serializable). */
  @SuppressWarnings("unchecked")
  private static <T, U> Function1<T, Object> valid(SerializablePredicate<U> p) {
    return (Function1<T, Object> & Serializable) x -> p.test((U) x);
  }

  interface SerializablePredicate<T> extends Predicate<T>, Serializable {}
}
