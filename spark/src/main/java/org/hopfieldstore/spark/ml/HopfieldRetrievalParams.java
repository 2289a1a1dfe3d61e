package org.hopfieldstore.spark.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.hopfieldstore.core.retrieval.RetrievalSpec;

/**
 * Params shared by {@link HopfieldRetrieval} and {@link HopfieldRetrievalModel} (the Java form of
 * a Spark params trait): the retrieval model of a {@link RetrievalSpec} string (rule, beta, steps,
 * tol, alpha, k, solver), the columns read and written, and how the memories are distributed.
 * Params, getters, the model's setters (returning the estimator or model itself) and {@link
 * #spec()} live here; the estimator alone sets how memories are read and distributed.
 */
public interface HopfieldRetrievalParams<S extends HopfieldRetrievalParams<S>> extends Params {
  /** The param objects of this instance (each class owns one set, built with its uid). */
  RetrievalParams hopfieldParams();

  /** The rule of the update: softmax, sparsemax, entmax, topk, masked, linear, prf. */
  default Param<String> rule() {
    return hopfieldParams().rule;
  }

  /** Inverse temperature, finite and > 0 (default 1). */
  default DoubleParam beta() {
    return (DoubleParam) hopfieldParams().specParam("beta");
  }

  /** Maximum number of update steps, >= 1 (default 1). */
  default IntParam steps() {
    return (IntParam) hopfieldParams().specParam("steps");
  }

  /** Per-query stopping tolerance in max-norm, >= 0 (default 0: always run steps updates). */
  default DoubleParam tol() {
    return (DoubleParam) hopfieldParams().specParam("tol");
  }

  /** Entmax alpha in (1, 2], entmax only (default 1.5). */
  default DoubleParam alpha() {
    return (DoubleParam) hopfieldParams().specParam("alpha");
  }

  /** Memories kept by topk, >= 1 (default 32). */
  default IntParam k() {
    return (IntParam) hopfieldParams().specParam("k");
  }

  /** Threshold solver of sparsemax and entmax: exact or bisect (default exact). */
  default Param<String> solver() {
    return specParam("solver");
  }

  /** Memory id column of the fit DataFrame (default id). */
  default Param<String> idCol() {
    return hopfieldParams().idCol;
  }

  /** Memory vector column of the fit DataFrame (default vector). */
  default Param<String> vectorCol() {
    return hopfieldParams().vectorCol;
  }

  /** Query column of the transform DataFrame (default query). */
  default Param<String> queryCol() {
    return hopfieldParams().queryCol;
  }

  /** Output column of retrieved states (default state). */
  default Param<String> stateCol() {
    return hopfieldParams().stateCol;
  }

  /** Output column of the top memory ids (default top_ids). */
  default Param<String> topIdsCol() {
    return hopfieldParams().topIdsCol;
  }

  /** Output column of the top weights (default top_weights). */
  default Param<String> topWeightsCol() {
    return hopfieldParams().topWeightsCol;
  }

  /** Top entries reported per query, >= 1 (default 10). */
  default IntParam report() {
    return hopfieldParams().report;
  }

  /** Queries retrieved together, >= 1 (default 1024). */
  default IntParam batchSize() {
    return hopfieldParams().batchSize;
  }

  /** Partitions of the memories, >= 1 (no default: the fit DataFrame's partition count). */
  default IntParam numPartitions() {
    return hopfieldParams().numPartitions;
  }

  /** Executor score kernel: nd4j, simd or java (default nd4j). */
  default Param<String> kernel() {
    return hopfieldParams().kernel;
  }

  /** Storage level of the cached memory blocks (default MEMORY_ONLY). */
  default Param<String> storageLevel() {
    return hopfieldParams().storageLevel;
  }

  /** Value of {@link #rule()}, or its default. */
  default String getRule() {
    return getOrDefault(rule());
  }

  /** Value of {@link #beta()}, or its default. */
  default double getBeta() {
    return (Double) getOrDefault(beta());
  }

  /** Value of {@link #steps()}, or its default. */
  default int getSteps() {
    return (Integer) getOrDefault(steps());
  }

  /** Value of {@link #tol()}, or its default. */
  default double getTol() {
    return (Double) getOrDefault(tol());
  }

  /** Value of {@link #alpha()}, or its default. */
  default double getAlpha() {
    return (Double) getOrDefault(alpha());
  }

  /** Value of {@link #k()}, or its default. */
  default int getK() {
    return (Integer) getOrDefault(k());
  }

  /** Value of {@link #solver()}, or its default. */
  default String getSolver() {
    return getOrDefault(solver());
  }

  /** Value of {@link #idCol()}, or its default. */
  default String getIdCol() {
    return getOrDefault(idCol());
  }

  /** Value of {@link #vectorCol()}, or its default. */
  default String getVectorCol() {
    return getOrDefault(vectorCol());
  }

  /** Value of {@link #queryCol()}, or its default. */
  default String getQueryCol() {
    return getOrDefault(queryCol());
  }

  /** Value of {@link #stateCol()}, or its default. */
  default String getStateCol() {
    return getOrDefault(stateCol());
  }

  /** Value of {@link #topIdsCol()}, or its default. */
  default String getTopIdsCol() {
    return getOrDefault(topIdsCol());
  }

  /** Value of {@link #topWeightsCol()}, or its default. */
  default String getTopWeightsCol() {
    return getOrDefault(topWeightsCol());
  }

  /** Value of {@link #report()}, or its default. */
  default int getReport() {
    return (Integer) getOrDefault(report());
  }

  /** Value of {@link #batchSize()}, or its default. */
  default int getBatchSize() {
    return (Integer) getOrDefault(batchSize());
  }

  /** The partition count; throws when unset (then fit uses the DataFrame's partition count). */
  default int getNumPartitions() {
    return (Integer) getOrDefault(numPartitions());
  }

  /** Value of {@link #kernel()}, or its default. */
  default String getKernel() {
    return getOrDefault(kernel());
  }

  /** Value of {@link #storageLevel()}, or its default. */
  default String getStorageLevel() {
    return getOrDefault(storageLevel());
  }

  /**
   * The Param of any spec key by its name ({@code keep}, {@code features}, {@code seed},
   * {@code kernel}, {@code kernel_map}, ...): one per key of the rule registry.
   */
  @SuppressWarnings("unchecked")
  default <T> Param<T> specParam(String key) {
    return (Param<T>) hopfieldParams().specParam(key);
  }

  /**
   * The retrieval model these params name, so the params and the spec strings of the command
   * line and notebooks stay one model: a key counts only for the rules that take it.
   */
  default RetrievalSpec spec() {
    return hopfieldParams().spec(this);
  }

  /** This estimator or model, for setters that chain. */
  @SuppressWarnings("unchecked")
  private S self() {
    return (S) this;
  }

  /** Sets rule and every spec key the rule takes; the others go back to their defaults. */
  default S setSpec(String spec) {
    return setSpec(RetrievalSpec.parse(spec));
  }

  /** Sets the params from a spec, as {@link #setSpec(String)}. */
  default S setSpec(RetrievalSpec spec) {
    hopfieldParams().setSpec(this, spec);
    return self();
  }

  /** Sets {@link #rule()}. */
  default S setRule(String value) {
    set(rule(), value);
    return self();
  }

  /** Sets {@link #beta()}. */
  default S setBeta(double value) {
    set(beta(), value);
    return self();
  }

  /** Sets {@link #steps()}. */
  default S setSteps(int value) {
    set(steps(), value);
    return self();
  }

  /** Sets {@link #tol()}. */
  default S setTol(double value) {
    set(tol(), value);
    return self();
  }

  /** Sets {@link #alpha()}. */
  default S setAlpha(double value) {
    set(alpha(), value);
    return self();
  }

  /** Sets {@link #k()}. */
  default S setK(int value) {
    set(k(), value);
    return self();
  }

  /** Sets {@link #solver()}. */
  default S setSolver(String value) {
    set(solver(), value);
    return self();
  }

  /** Sets {@link #queryCol()}. */
  default S setQueryCol(String value) {
    set(queryCol(), value);
    return self();
  }

  /** Sets {@link #stateCol()}. */
  default S setStateCol(String value) {
    set(stateCol(), value);
    return self();
  }

  /** Sets {@link #topIdsCol()}. */
  default S setTopIdsCol(String value) {
    set(topIdsCol(), value);
    return self();
  }

  /** Sets {@link #topWeightsCol()}. */
  default S setTopWeightsCol(String value) {
    set(topWeightsCol(), value);
    return self();
  }

  /** Sets {@link #report()}. */
  default S setReport(int value) {
    set(report(), value);
    return self();
  }

  /** Sets {@link #batchSize()}. */
  default S setBatchSize(int value) {
    set(batchSize(), value);
    return self();
  }
}
