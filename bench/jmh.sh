#!/usr/bin/env bash
# JMH benchmarks of hopfield-store (built with -Pbench; not part of `mvn verify`).
#   bench/jmh.sh                          every benchmark (long: tens of minutes)
#   bench/jmh.sh ScoreKernelBench         one class; any JMH option works, e.g.
#   bench/jmh.sh NormalizerBench -p size=100003 -f 1 -rf json -rff target/normalizers.json
#   bench/jmh.sh -h                       JMH's own help
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
if [ ! -d bench/target/lib ] || [ ! -d bench/target/classes/META-INF ]; then
  echo "== building the benchmarks (mvn -B -q -Pbench -DskipTests package)"
  mvn -B -q -Pbench -DskipTests package
fi
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# Spark on Java 17 needs these in every forked benchmark JVM
opens="-Djdk.reflect.useDirectMethodHandle=false --add-modules=jdk.incubator.vector"
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util \
  java.util.concurrent java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs \
  sun.security.action sun.util.calendar; do
  opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
done
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
exec "$java_bin" -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main \
  -jvmArgsPrepend "$opens" "$@"
