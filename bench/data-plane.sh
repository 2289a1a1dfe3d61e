#!/usr/bin/env bash
# The data plane's benchmarks (never part of CI): one run of each on this machine.
#   bench/data-plane.sh            200,000 Parquet queries against 1,000,000 memories (d = 128),
#                                  sparsemax and top-K, local[2], the distributed and the
#                                  broadcast plan; then the Spark ML transform of 1,000,000 query
#                                  rows against 100,000 memories (d = 64) with a 1 GB heap
#   HOPFIELD_DP_MEMORIES=100000 HOPFIELD_DP_QUERIES=20000 bench/data-plane.sh   smaller
# Prints one line per run and writes bench/results/<date>-data-plane.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
m=${HOPFIELD_DP_MEMORIES:-1000000}
q=${HOPFIELD_DP_QUERIES:-200000}
ml_m=${HOPFIELD_DP_ML_MEMORIES:-100000}
ml_q=${HOPFIELD_DP_ML_QUERIES:-1000000}
work=${HOPFIELD_DP_DIR:-$here/target/data-plane}
mkdir -p "$work"
hs=bin/hopfield-store
[ -f "$work/m.npy" ] || $hs generate --count "$m" --dim 128 --seed 11 --out "$work/m.npy"
[ -f "$work/q.npy" ] || $hs generate --count "$q" --dim 128 --seed 12 --out "$work/q.npy"
[ -d "$work/q.parquet" ] || $hs prepare --memories "$work/q.npy" --normalize none \
  --out "$work/q.parquet" --master 'local[2]'
# the machine's limit in the same run: numpy sgemm, 4096^3, 2 threads, best of 3
sgemm=$(OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 python3 -c "
import numpy as np, time
n = 4096; r = np.random.default_rng(0)
a = r.standard_normal((n, n), dtype=np.float32); b = r.standard_normal((n, n), dtype=np.float32)
c = np.empty((n, n), np.float32); best = 1e9
for _ in range(3):
    t = time.perf_counter(); np.matmul(a, b, out=c); best = min(best, time.perf_counter() - t)
print('%.1f' % (2 * n ** 3 / best / 1e9))")
echo "numpy sgemm 4096^3, 2 threads: $sgemm GFLOP/s"
results=()
for spec in "sparsemax:beta=16" "topk:k=32,beta=16"; do
  for plan in distributed broadcast; do
    out="$work/out-${spec%%:*}-$plan.parquet"
    rm -rf "$out"
    /usr/bin/time -f '%M' -o "$work/rss" env JAVA_OPTS="-Xmx6g" $hs retrieve \
      --memories "$work/m.npy" --queries "$work/q.parquet" --spec "$spec" --out "$out" \
      --master 'local[2]' --partitions 4 --plan "$plan" --no-energy
    line=$(python3 -c "
import json, sys
j = json.load(open(sys.argv[1])); peak = float(sys.argv[4])
gflops = 2.0 * j['M'] * j['d'] * j['queries_per_second'] / 1e9  # the score GEMM of one step
print('| %s | %s | %d | %.1f | %.1f | %.1f (%.0f%%) | %.3f | %.3f |' % (sys.argv[2], sys.argv[3],
    j['B'], j['wall_seconds']['retrieve'], j['queries_per_second'], gflops, 100 * gflops / peak,
    j['driver_peak_heap_after_gc_bytes'] / 2**30, j['shuffle_bytes_written'] / 2**30))" \
      "$out/_summary.json" "${spec%%:*}" "$plan" "$sgemm")
    results+=("$line $(awk '{printf "%.2f", $1/1048576}' "$work/rss") |")
    echo "$line"
  done
done
mvn -B -q -Pbench -DskipTests package -pl bench -am
rm -rf "$work/transform.parquet"
ml=$(java @deploy/jvm.options -Xmx1g -Dlog4j2.configurationFile=deploy/log4j2.properties \
  "-Dhopfield.log.dir=$work" -cp "bench/target/classes:bench/target/lib/*" \
  org.hopfieldstore.bench.TransformBench 'local[2]' "$ml_m" "$ml_q" 64 "sparsemax:beta=8" \
  "$work/transform.parquet" | tail -n 1)
echo "$ml"
{
  echo "# Data plane, $(date -u +%Y-%m-%dT%H:%MZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo
  echo "Command: \`bench/data-plane.sh\` (HOPFIELD_DP_MEMORIES=$m, HOPFIELD_DP_QUERIES=$q)."
  echo "$q Parquet queries against $m memories (d = 128), one step, no energy, \`local[2]\`, 4 memory partitions, -Xmx6g:"
  echo
  echo "numpy sgemm 4096^3 (2 threads, best of 3, same run): $sgemm GFLOP/s. Score GFLOP/s = 2 M d x queries/s (one step's GEMM; selection and row fetches are extra work on top)."
  echo
  echo "| rule | plan | queries | retrieve s | queries/s | score GFLOP/s (% of sgemm) | JVM heap after GC, peak GiB | shuffle written GiB | peak RSS GiB |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${results[@]}"
  echo
  echo "Spark ML transform (lazy; one action writing the results), -Xmx1g, \`local[2]\`:"
  echo
  echo '```'
  echo "$ml"
  echo '```'
} > "bench/results/$(date -u +%Y-%m-%d)-data-plane.md"
echo "wrote bench/results/$(date -u +%Y-%m-%d)-data-plane.md"
