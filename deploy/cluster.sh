#!/usr/bin/env bash
# A Spark standalone cluster on loopback from the Maven-resolved jars: one Master and N Workers,
# each a separate background JVM bound to 127.0.0.1, with shared-secret authentication.
#
#   deploy/cluster.sh start [--workers N] [--worker-cores C] [--worker-memory M]
#   deploy/cluster.sh stop
#   deploy/cluster.sh status
#   deploy/cluster.sh heal     (restart any Worker that died, with the options it started with)
#
# Defaults: 2 workers, 1 core and 2g each. State lives in deploy/work/ (HOPFIELD_WORK moves it):
# spark-home/ (a fake SPARK_HOME: RELEASE and jars/ linked to spark-dist/target/spark-lib), secret
# (mode 600, made on the first start), *.pid, logs/*.log, worker-N/ (executor logs per app).
# Ports (environment): HOPFIELD_MASTER_PORT (7077), HOPFIELD_MASTER_UI_PORT (18080),
# HOPFIELD_WORKER_UI_PORT (18081: worker i gets 18081 + i - 1). Timeouts in seconds:
# HOPFIELD_START_TIMEOUT (90), HOPFIELD_STOP_TIMEOUT (20), HOPFIELD_APP_DATA_TTL (86400: Workers
# delete finished applications' directories older than that). HOPFIELD_DAEMON_MEMORY: heap of the
# Master and Worker JVMs (512m). HOPFIELD_MASTER_OPTS, HOPFIELD_WORKER_OPTS: more JVM options
# (-Dspark.worker.* settings, e.g. GPUs: see deploy/templates/gpu-executors.conf).
set -euo pipefail
# shellcheck source=deploy/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MASTER_PORT=${HOPFIELD_MASTER_PORT:-7077}
MASTER_UI_PORT=${HOPFIELD_MASTER_UI_PORT:-18080}
WORKER_UI_PORT=${HOPFIELD_WORKER_UI_PORT:-18081}
START_TIMEOUT=${HOPFIELD_START_TIMEOUT:-90}
STOP_TIMEOUT=${HOPFIELD_STOP_TIMEOUT:-20}
DAEMON_MEMORY=${HOPFIELD_DAEMON_MEMORY:-512m}
SPARK_HOME_DIR=$WORK_DIR/spark-home
LOG_DIR=$WORK_DIR/logs
SECRET_FILE=$WORK_DIR/secret
MASTER_URL=spark://127.0.0.1:$MASTER_PORT
MASTER_JSON=http://127.0.0.1:$MASTER_UI_PORT/json/
# Workers delete the directories of finished applications (executor logs, fetched files) older
# than HOPFIELD_APP_DATA_TTL seconds (1 day), checking every 30 minutes
CLEANUP=(-Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.interval=1800
  "-Dspark.worker.cleanup.appDataTtl=${HOPFIELD_APP_DATA_TTL:-86400}")

usage() {
  # the comment block at the top of this file
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

# --- processes ------------------------------------------------------------------------------

# pid files: workers first (stop order), then the master
pid_files() {
  local f
  for f in "$WORK_DIR"/worker-*.pid "$WORK_DIR"/master.pid; do
    [ -f "$f" ] && printf '%s\n' "$f"
  done
  return 0
}

# true when process group $1 (a daemon started with setsid: its pid is its group id, and the
# executors a Worker launches join it) still has a member
group_alive() {
  kill -0 -- "-$1" 2>/dev/null
}

# true when pid $1 is alive and is one of our Spark daemons (guards against a reused pid)
is_our_daemon() {
  local cmd
  [ -r "/proc/$1/cmdline" ] || return 1
  cmd=$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *org.apache.spark.deploy.* && $cmd == *"$SPARK_HOME_DIR"* ]]
}

# true when process group $1 holds only processes of ours: the daemon, or (after the daemon
# died) executors it launched, whose class path is the fake SPARK_HOME's jars
group_is_ours() {
  local member cmd
  for member in $(pgrep -g "$1" || true); do
    cmd=$(tr '\0' ' ' < "/proc/$member/cmdline" 2>/dev/null) || continue
    [[ $cmd == *"$SPARK_HOME_DIR"* ]] || return 1
  done
  return 0
}

# stop every process group named in a pid file: TERM, then KILL after STOP_TIMEOUT seconds
stop_all() {
  local f pid groups=() waited=0
  while IFS= read -r f; do
    pid=$(cat "$f" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && group_alive "$pid" && group_is_ours "$pid"; then
      echo "stopping ${f##*/} (process group $pid)"
      kill -TERM -- "-$pid" 2>/dev/null || true
      groups+=("$pid")
    fi
  done < <(pid_files)
  while [ "${#groups[@]}" -gt 0 ]; do
    local left=()
    for pid in "${groups[@]}"; do
      if group_alive "$pid"; then left+=("$pid"); fi
    done
    groups=("${left[@]+"${left[@]}"}")
    [ "${#groups[@]}" -eq 0 ] && break
    if [ "$waited" -ge $((STOP_TIMEOUT * 2)) ]; then
      for pid in "${groups[@]}"; do
        echo "process group $pid still running after ${STOP_TIMEOUT}s: KILL" >&2
        kill -KILL -- "-$pid" 2>/dev/null || true
      done
      sleep 0.5
      break
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  while IFS= read -r f; do rm -f "$f"; done < <(pid_files)
}

# --- the master's JSON ----------------------------------------------------------------------

# the UIs ask for the secret (SecretUiFilter): curl reads it as a config line from a pipe, so it
# is on no command line
master_json() {
  local secret
  secret=$(tr -d '[:space:]' < "$SECRET_FILE" 2>/dev/null) || return 1
  printf 'user = "cluster:%s"\n' "$secret" \
    | curl --noproxy '*' -sf --max-time 3 -K - "$MASTER_JSON"
}

# the number of ALIVE workers the master reports (0 when it does not answer)
alive_workers() {
  local json n
  json=$(master_json 2>/dev/null) || { echo 0; return; }
  n=$(printf '%s' "$json" | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || true)
  echo "${n:-0}"
}

port_in_use() {
  ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

# --- start ----------------------------------------------------------------------------------

make_spark_home() {
  local jar
  rm -rf "$SPARK_HOME_DIR"
  mkdir -p "$SPARK_HOME_DIR/jars"
  # the launcher that builds executor command lines needs RELEASE (a "distribution") and jars/
  echo "Spark 4.0.1 (Maven-resolved jars of hopfield-store; not a Spark distribution)" \
    > "$SPARK_HOME_DIR/RELEASE"
  for jar in "$SPARK_LIB"/*.jar; do
    ln -s "$jar" "$SPARK_HOME_DIR/jars/${jar##*/}"
  done
}

make_secret() {
  if [ ! -s "$SECRET_FILE" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$SECRET_FILE")
    echo "made a new secret: $SECRET_FILE"
  fi
  chmod 600 "$SECRET_FILE"
}

start_failed() {
  echo "${0##*/}: error: start failed: $1; stopping what was started" >&2
  stop_all >&2
  exit 1
}

# start_daemon NAME CLASS "JVM OPTIONS" ARGS...: a background JVM in its own process group,
# logging to logs/NAME.log, its pid in NAME.pid
start_daemon() {
  local name=$1 cls=$2 opts=$3 pid auth
  shift 3
  local extra=()
  read -r -a extra <<< "$opts"
  auth=$(auth_jvm_options "$SECRET_FILE") || start_failed "the secret file $SECRET_FILE is empty"
  SPARK_HOME=$SPARK_HOME_DIR SPARK_SCALA_VERSION=2.13 \
    setsid "$JAVA_BIN" "${SPARK_OPENS[@]}" -Xmx"$DAEMON_MEMORY" @/dev/fd/3 \
    -Dspark.port.maxRetries=0 -Dspark.master.rest.enabled=false -Dspark.ui.killEnabled=false \
    "-Dspark.ui.filters=$UI_FILTER" "${CLEANUP[@]}" "${extra[@]+"${extra[@]}"}" \
    -cp "$SPARK_HOME_DIR/jars/*:$UI_FILTER_JAR" "$cls" "$@" \
    > "$LOG_DIR/$name.log" 2>&1 < /dev/null 3<<< "$auth" &
  pid=$!
  echo "$pid" > "$WORK_DIR/$name.pid"
  echo "started $name: pid $pid, log $LOG_DIR/$name.log"
}

# start_worker I CORES MEMORY: Worker I on its UI port, with its own work directory
start_worker() {
  local i=$1 ui=$((WORKER_UI_PORT + $1 - 1))
  mkdir -p "$WORK_DIR/worker-$i"
  start_daemon "worker-$i" org.apache.spark.deploy.worker.Worker "${HOPFIELD_WORKER_OPTS:-}" \
    --host 127.0.0.1 --cores "$2" --memory "$3" --webui-port "$ui" \
    --work-dir "$WORK_DIR/worker-$i" "$MASTER_URL"
}

# --- heal -----------------------------------------------------------------------------------

# restarts every Worker whose JVM is gone (killed, crashed), with the options of the start
heal() {
  [ -f "$WORK_DIR/workers.conf" ] || die "no cluster started from $WORK_DIR (no workers.conf)"
  local workers cores memory i pid restarted=()
  workers=$(sed -n 's/^workers=//p' "$WORK_DIR/workers.conf")
  cores=$(sed -n 's/^cores=//p' "$WORK_DIR/workers.conf")
  memory=$(sed -n 's/^memory=//p' "$WORK_DIR/workers.conf")
  if ! [ -f "$WORK_DIR/master.pid" ] || ! is_our_daemon "$(cat "$WORK_DIR/master.pid")"; then
    die "the master is not running: run $0 stop, then $0 start"
  fi
  for i in $(seq 1 "$workers"); do
    pid=$(cat "$WORK_DIR/worker-$i.pid" 2>/dev/null || echo 0)
    if [ "$pid" -gt 0 ] && is_our_daemon "$pid"; then
      continue
    fi
    # executors of a killed Worker exit on their own; make sure none lingers in its group
    if [ "$pid" -gt 0 ] && group_alive "$pid" && group_is_ours "$pid"; then
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    start_worker "$i" "$cores" "$memory"
    restarted+=("worker-$i")
  done
  if [ ${#restarted[@]} -eq 0 ]; then
    echo "nothing to heal: $workers workers running"
    return
  fi
  local deadline=$((SECONDS + START_TIMEOUT)) alive=0
  while alive=$(alive_workers); [ "$alive" -lt "$workers" ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "heal: timed out after ${START_TIMEOUT}s: the master reports $alive of $workers workers ALIVE; logs in $LOG_DIR"
    sleep 0.5
  done
  echo "healed: restarted ${restarted[*]}; $workers workers ALIVE"
}

start() {
  local workers=2 cores=1 memory=2g i
  while [ $# -gt 0 ]; do
    case $1 in
      --workers) workers=${2:?--workers needs a value}; shift 2 ;;
      --worker-cores) cores=${2:?--worker-cores needs a value}; shift 2 ;;
      --worker-memory) memory=${2:?--worker-memory needs a value}; shift 2 ;;
      *) die "start: unknown option '$1' (see: $0 --help)" ;;
    esac
  done
  [[ $workers =~ ^[1-9][0-9]*$ ]] || die "--workers must be a positive integer: '$workers'"
  [[ $cores =~ ^[1-9][0-9]*$ ]] || die "--worker-cores must be a positive integer: '$cores'"
  [[ $memory =~ ^[1-9][0-9]*[mMgG]$ ]] || die "--worker-memory must look like 2g or 512m: '$memory'"
  require_built
  command -v curl > /dev/null || die "curl is needed to poll the master"
  local f
  while IFS= read -r f; do
    if group_alive "$(cat "$f")"; then
      die "a cluster is already running (${f##*/}); run: $0 stop"
    fi
    rm -f "$f"
  done < <(pid_files)
  for i in "$MASTER_PORT" "$MASTER_UI_PORT" $(seq "$WORKER_UI_PORT" $((WORKER_UI_PORT + workers - 1))); do
    if port_in_use "$i"; then
      die "port $i is in use; pick others with HOPFIELD_MASTER_PORT, HOPFIELD_MASTER_UI_PORT, HOPFIELD_WORKER_UI_PORT"
    fi
  done
  mkdir -p "$WORK_DIR" "$LOG_DIR"
  chmod 700 "$WORK_DIR"
  make_spark_home
  make_secret

  # from here on, a failure or an interrupt stops whatever was started
  trap 'start_failed "interrupted"' INT TERM
  start_daemon master org.apache.spark.deploy.master.Master "${HOPFIELD_MASTER_OPTS:-}" \
    --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT"
  printf 'workers=%s\ncores=%s\nmemory=%s\n' "$workers" "$cores" "$memory" \
    > "$WORK_DIR/workers.conf"
  for i in $(seq 1 "$workers"); do
    start_worker "$i" "$cores" "$memory"
  done

  local deadline=$((SECONDS + START_TIMEOUT)) alive=0
  while :; do
    alive=$(alive_workers)
    [ "$alive" -ge "$workers" ] && break
    while IFS= read -r f; do
      if ! kill -0 "$(cat "$f")" 2>/dev/null; then
        echo "${f##*/}: the process exited; last lines of its log:" >&2
        tail -n 20 "$LOG_DIR/$(basename "$f" .pid).log" >&2 || true
        start_failed "$(basename "$f" .pid) exited"
      fi
    done < <(pid_files)
    if [ "$SECONDS" -ge "$deadline" ]; then
      start_failed "timed out after ${START_TIMEOUT}s: the master ($MASTER_JSON) reports $alive of $workers workers ALIVE; logs in $LOG_DIR"
    fi
    sleep 0.5
  done
  trap - INT TERM
  echo "cluster up: $MASTER_URL, $workers workers ALIVE ($cores core(s), $memory each), master UI http://127.0.0.1:$MASTER_UI_PORT"
}

# --- status ---------------------------------------------------------------------------------

status() {
  local f pid name any=0 json
  while IFS= read -r f; do
    any=1
    pid=$(cat "$f")
    name=$(basename "$f" .pid)
    if is_our_daemon "$pid"; then
      echo "$name: pid $pid running"
    elif group_alive "$pid"; then
      echo "$name: pid $pid gone; its process group still has: $(pgrep -g "$pid" | tr '\n' ' ')"
    else
      echo "$name: pid $pid not running"
    fi
  done < <(pid_files | sort)
  [ "$any" -eq 1 ] || echo "no cluster started from $WORK_DIR"
  if json=$(master_json 2>/dev/null); then
    echo "master $MASTER_URL ($MASTER_JSON):"
    if command -v jq > /dev/null; then
      printf '%s' "$json" | jq -r '"  status \(.status), \(.aliveworkers) alive workers, cores \(.coresused)/\(.cores) used",
        (.workers[] | "  worker \(.id) \(.host):\(.port) \(.state) cores \(.coresused)/\(.cores) memory \(.memoryused)/\(.memory) MB"),
        (.activeapps[] | "  app \(.id) \(.name) \(.state) cores \(.cores)")'
    else
      printf '%s\n' "$json"
    fi
  else
    echo "master: no answer at $MASTER_JSON"
    [ "$any" -eq 0 ] || return 1
  fi
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) shift; [ $# -eq 0 ] || die "stop takes no options"; stop_all; echo "stopped" ;;
  status) shift; status ;;
  heal) shift; [ $# -eq 0 ] || die "heal takes no options"; heal ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
