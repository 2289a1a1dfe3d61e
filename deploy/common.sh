# shellcheck shell=bash disable=SC2034
# Shared by deploy/cluster.sh and deploy/spark-submit (sourced, not run): paths, the JVM
# options Spark needs on Java 17, and the authentication options read from the secret file.

# repository root and this directory
DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$DEPLOY_DIR/.." && pwd)
# PID files, logs, the secret and the fake SPARK_HOME; HOPFIELD_WORK moves them (tests do)
WORK_DIR=${HOPFIELD_WORK:-$DEPLOY_DIR/work}
# Spark 4.0.1 and its dependencies as Maven resolved them (mvn -B -DskipTests package)
SPARK_LIB=$REPO_DIR/spark-dist/target/spark-lib
APP_JAR=$REPO_DIR/spark-jobs/target/hopfield-spark-jobs-app.jar
# SecretUiFilter alone, on the Master's and Workers' class path: their web UIs ask for the secret
UI_FILTER_JAR=$(compgen -G "$REPO_DIR/spark/target/hopfield-spark-*-ui-filter.jar" | head -n 1 \
  || true)
UI_FILTER=org.hopfieldstore.spark.deploy.SecretUiFilter
JAVA_BIN=${JAVA_HOME:+$JAVA_HOME/bin/}java

# The JVM options Spark needs on Java 17 with a plain java command (Spark's own launcher scripts
# add them) and the JDK Vector API: the java @argfile jvm.options, read by every JVM we start.
# Exported for spark-defaults.conf, whose spark.executor.extraJavaOptions names it as
# @${env:HOPFIELD_JVM_OPTIONS} (Spark substitutes it in the driver, which has this environment).
export HOPFIELD_JVM_OPTIONS=$DEPLOY_DIR/jvm.options
SPARK_OPENS=("@$HOPFIELD_JVM_OPTIONS")

# Every Spark socket and web UI on loopback: the web UIs bind to SPARK_LOCAL_IP (else 0.0.0.0)
export SPARK_LOCAL_IP=127.0.0.1

die() {
  echo "${0##*/}: error: $*" >&2
  exit 1
}

require_built() {
  if [ ! -d "$SPARK_LIB" ] || [ ! -f "$APP_JAR" ] || [ -z "$UI_FILTER_JAR" ]; then
    die "not built yet; run: (cd $REPO_DIR && mvn -B -DskipTests package)"
  fi
}

# The JVM options that turn on authentication with the secret in file $1, one per line, for a
# java @argfile: given as `@/dev/fd/3 3<<< "$(auth_jvm_options FILE)"` the secret reaches the JVM
# as system properties through a here-string and never appears on a command line (ps shows
# @/dev/fd/3), and no helper process is left behind (process substitution would leave one).
auth_jvm_options() {
  local secret
  secret=$(tr -d '[:space:]' < "$1")
  [ -n "$secret" ] || return 1
  printf '%s\n' "-Dspark.authenticate=true" "-Dspark.authenticate.secret=$secret"
}
