package org.hopfieldstore.spark.ml;

import java.io.Serializable;
import java.util.List;
import java.util.function.Predicate;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.storage.StorageLevel;
import org.hopfieldstore.core.retrieval.RetrievalSpec;
import scala.Function1;

/**
 * The Param objects of one {@link HopfieldRetrieval} or {@link HopfieldRetrievalModel}, built in
 * its constructor with doc, validator and default (as in Spark's {@code JavaTestParams}): the
 * Java stand-in for the field part of a Scala params trait, so both classes share one definition.
 */
public final class RetrievalParams implements Serializable {
  private static final long serialVersionUID = 1L;

  static final List<String> RULES = List.of("softmax", "sparsemax", "entmax", "topk");
  static final List<String> SOLVERS = List.of("exact", "bisect");
  static final List<String> KERNELS = List.of("nd4j", "java");

  final Param<String> rule;
  final DoubleParam beta;
  final IntParam steps;
  final DoubleParam tol;
  final DoubleParam alpha;
  final IntParam k;
  final Param<String> solver;
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

  /** Creates the params of {@code owner} (whose uid must already be set) and their defaults. */
  RetrievalParams(Params owner) {
    var id = (org.apache.spark.ml.util.Identifiable) owner;
    rule = new Param<>(id, "rule", "normalizer of the retrieval update: softmax (dense), "
        + "sparsemax or entmax (sparse, exact support) or topk (softmax over the k best "
        + "memories); default softmax", ParamValidators.inArray(RULES));
    beta = new DoubleParam(id, "beta", "inverse temperature scaling the scores (hopfield-layers "
        + "scaling), finite and > 0; default 1",
        valid((Double x) -> x > 0 && Double.isFinite(x)));
    steps = new IntParam(id, "steps", "maximum number of update steps (hopfield-layers "
        + "update_steps_max), >= 1; default 1", ParamValidators.gtEq(1));
    tol = new DoubleParam(id, "tol", "update tolerance: a query stops once an update moves it "
        + "by at most tol in max-norm (hopfield-layers update_steps_eps), finite and >= 0; "
        + "0 runs exactly steps updates; default 0",
        valid((Double x) -> x >= 0 && Double.isFinite(x)));
    alpha = new DoubleParam(id, "alpha", "entmax alpha in (1, 2] (2 is sparsemax, near 1 "
        + "softmax); used by rule entmax only; default 1.5",
        ParamValidators.inRange(1.0, 2.0, false, true));
    k = new IntParam(id, "k", "number of memories rule topk keeps, >= 1; used by rule topk "
        + "only; default 32", ParamValidators.gtEq(1));
    solver = new Param<>(id, "solver", "threshold solver of sparsemax and entmax: exact "
        + "(sort/selection, bisection for alpha other than 1.5 and 2) or bisect (always "
        + "bisection); ignored by softmax and topk; default exact",
        ParamValidators.inArray(SOLVERS));
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
        + "weights of the last update, best first, ties to the lower id, array<long>; default "
        + "top_ids", nonEmpty());
    topWeightsCol = new Param<>(id, "topWeightsCol", "output column: the weights matching "
        + "topIdsCol, array<float>; default top_weights", nonEmpty());
    report = new IntParam(id, "report", "number of top ids and weights reported per query "
        + "(at most the number of memories), >= 1; default 10", ParamValidators.gtEq(1));
    batchSize = new IntParam(id, "batchSize", "queries collected to the driver and retrieved "
        + "together, one distributed pass per update step, >= 1; default 1024",
        ParamValidators.gtEq(1));
    numPartitions = new IntParam(id, "numPartitions", "number of partitions the memories are "
        + "spread over and cached in, >= 1; default: the fit DataFrame's partition count",
        ParamValidators.gtEq(1));
    kernel = new Param<>(id, "kernel", "score kernel on the executors: nd4j (native BLAS) or "
        + "java (plain loops); default nd4j", ParamValidators.inArray(KERNELS));
    storageLevel = new Param<>(id, "storageLevel", "storage level of the cached memory blocks, "
        + "e.g. MEMORY_ONLY, MEMORY_AND_DISK, DISK_ONLY (not NONE); default MEMORY_ONLY",
        valid(RetrievalParams::isStorageLevel));

    owner.setDefault(rule, "softmax");
    owner.setDefault(beta, RetrievalSpec.DEFAULT_BETA);
    owner.setDefault(steps, RetrievalSpec.DEFAULT_STEPS);
    owner.setDefault(tol, RetrievalSpec.DEFAULT_TOL);
    owner.setDefault(alpha, RetrievalSpec.DEFAULT_ALPHA);
    owner.setDefault(k, RetrievalSpec.DEFAULT_K);
    owner.setDefault(solver, "exact");
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
  }

  /**
   * Sets the model params of {@code owner} from a spec: rule, beta, steps and tol always; alpha,
   * k and solver only where the rule uses them, else back to their defaults.
   */
  void setSpec(Params owner, RetrievalSpec s) {
    owner.set(rule, s.rule().key());
    owner.set(beta, s.beta());
    owner.set(steps, s.steps());
    owner.set(tol, s.tol());
    if (s.rule() == RetrievalSpec.Rule.ENTMAX) {
      owner.set(alpha, s.alpha());
    } else {
      owner.clear(alpha);
    }
    if (s.rule() == RetrievalSpec.Rule.TOPK) {
      owner.set(k, s.k());
    } else {
      owner.clear(k);
    }
    if (s.rule() == RetrievalSpec.Rule.SPARSEMAX || s.rule() == RetrievalSpec.Rule.ENTMAX) {
      owner.set(solver, s.bisection() ? "bisect" : "exact");
    } else {
      owner.clear(solver);
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
