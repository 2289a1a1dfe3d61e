#!/usr/bin/env bash
# Installs what the notebooks need and the hopfield-store Java kernel, project-locally:
#   - Debian's jupyter-notebook and jupyter-nbconvert (and dataset-fashion-mnist), with apt-get
#     when missing and run as root;
#   - the built jars (mvn -B -DskipTests package when notebook-kernel/target is missing);
#   - the kernelspec notebooks/.jupyter/kernels/hopfield-java/kernel.json (no ~/.local changes).
# Then: JUPYTER_PATH=notebooks/.jupyter jupyter notebook notebooks/
#   notebooks/setup.sh --system-only    only the Debian packages (CI runs this before the tests)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
need=()
command -v jupyter >/dev/null 2>&1 || need+=(jupyter-notebook)
jupyter nbconvert --version >/dev/null 2>&1 || need+=(jupyter-nbconvert)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${need[@]}" >/dev/null \
      || { apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; }
  else
    echo "setup: needs the Debian packages ${need[*]} (run as root to install them)" >&2
    exit 1
  fi
fi
[ "${1:-}" = "--system-only" ] && exit 0
target="$here/notebook-kernel/target"
if [ ! -f "$target/hopfield-notebook-kernel.jar" ] || [ ! -d "$target/lib" ]; then
  echo "== building the jars (mvn -B -q -DskipTests package)"
  (cd "$here" && mvn -B -q -DskipTests package)
fi
java_bin=$(command -v "${JAVA_HOME:+$JAVA_HOME/bin/}java")
java_bin=$(readlink -f "$java_bin")
spec="$here/notebooks/.jupyter/kernels/hopfield-java"
mkdir -p "$spec"
# the kernel JVM reads the JVM options every JVM of ours reads (Spark's Java 17 add-opens list,
# the JDK Vector API) from the @argfile deploy/jvm.options
/usr/bin/python3 - "$java_bin" "$target" "$spec/kernel.json" "$here/deploy/jvm.options" <<'PY'
import json, os, sys
java, target, out, options = sys.argv[1:]
spec = {
    "argv": [java, "-Xmx6g", "@" + options,
             "-Dlog4j2.configurationFile=" + os.path.join(os.path.dirname(options), "log4j2.properties"),
             "-cp",
             target + "/hopfield-notebook-kernel.jar:" + target + "/lib/*",
             "org.hopfieldstore.notebook.KernelMain", "{connection_file}"],
    "display_name": "Java (hopfield-store)",
    "language": "java",
    "env": {"SPARK_LOCAL_IP": "127.0.0.1"},
}
with open(out + ".tmp", "w") as f:
    json.dump(spec, f, indent=2)
import os; os.replace(out + ".tmp", out)
PY
echo "installed the kernel 'hopfield-java' in $here/notebooks/.jupyter"
echo "start Jupyter with: JUPYTER_PATH=$here/notebooks/.jupyter jupyter notebook $here/notebooks"
