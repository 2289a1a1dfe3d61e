# Sourced by the studies' run.sh scripts (from the repository root).
# study_needs NAME ITEM...: each ITEM is PATH=PACKAGE (the package provides that file) or
# python:MODULE=PACKAGE (Debian's /usr/bin/python3 imports MODULE from it). Installs the missing
# packages when run as root, else stops with one line naming them; then builds the jar once.
study_needs() {
  local name=$1 item what package need=()
  shift
  for item in "$@"; do
    what=${item%%=*}
    package=${item#*=}
    case $what in
      python:*) /usr/bin/python3 -c "import ${what#python:}" 2>/dev/null || need+=("$package") ;;
      *) [ -e "$what" ] || need+=("$package") ;;
    esac
  done
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      echo "$name: needs ${need[*]} (run as root to install them)" >&2
      exit 1
    fi
  fi
  [ -f spark-jobs/target/hopfield-spark-jobs.jar ] || mvn -B -q -DskipTests package
}
