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
# every forked benchmark JVM reads the options Spark needs on Java 17 and the JDK Vector API
# from the @argfile every JVM of ours reads (JMH splits -jvmArgsPrepend at spaces: the path has none)
case $here in
  *[[:space:]]*) echo "jmh.sh: the checkout path '$here' has a space; JMH would split it" >&2; exit 1 ;;
esac
opens="@$here/deploy/jvm.options"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
exec "$java_bin" -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main \
  -jvmArgsPrepend "$opens" "$@"
