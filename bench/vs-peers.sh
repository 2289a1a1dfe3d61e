#!/usr/bin/env bash
# Side-by-side benchmark: hopfield-store vs the Python peers (numpy/OpenBLAS, torch CPU, faiss)
# on the same seeded data in one run on this machine, one retrieval step per workload; checks
# that the answers agree and writes a Markdown table to bench/results/<date>-<cpu>.md.
#   bench/vs-peers.sh           the workloads of the performance issue (M up to 1M, d 128/784)
#   bench/vs-peers.sh --quick   a small smoke run (under 2 minutes): agreement, never timing
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
quick=0
[ "${1:-}" = "--quick" ] && quick=1
peers="${HOPFIELD_PEERS:-$here/../shared/peers}"
py=/usr/bin/python3
if [ ! -f "$peers/bench_peers.py" ]; then
  echo "vs-peers: $peers/bench_peers.py not found (set HOPFIELD_PEERS)" >&2; exit 1
fi
if ! "$py" -c "import numpy, torch, faiss" 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing the peers (apt-get install python3-numpy python3-torch python3-faiss libopenblas0-pthread)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq python3-numpy python3-torch python3-faiss libopenblas0-pthread >/dev/null \
      || { apt-get update -qq && apt-get install -y -qq python3-numpy python3-torch python3-faiss libopenblas0-pthread >/dev/null; }
  else
    echo "vs-peers: needs python3-numpy python3-torch python3-faiss (run as root to install them)" >&2
    exit 1
  fi
fi
[ -f spark-jobs/target/hopfield-spark-jobs.jar ] || mvn -B -q -DskipTests package
work="${HOPFIELD_BENCH_DIR:-$here/target/bench}"
mkdir -p "$work"
cpu=$(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //; s/[^A-Za-z0-9]\+/-/g; s/-$//')
out="bench/results/$(date +%Y-%m-%d)-${cpu}.md"
[ "$quick" = 1 ] && out="$work/vs-peers-quick.md"
if [ "$quick" = 1 ]; then
  sizes="20000:64"; batches="1 64"; reps=2
else
  sizes="100000:128 100000:784 1000000:128 1000000:784"; batches="1 256"; reps=3
fi
# a subset of the workloads: HOPFIELD_BENCH_SIZES="100000:784" HOPFIELD_BENCH_BATCHES="256"
sizes="${HOPFIELD_BENCH_SIZES:-$sizes}"
batches="${HOPFIELD_BENCH_BATCHES:-$batches}"
beta=32; K=32
export JAVA_OPTS="${JAVA_OPTS:--Xmx14g}"
{
  echo "# hopfield-store vs Python peers, one retrieval step"
  echo
  echo "Command: \`HOPFIELD_BENCH_SIZES=\"$sizes\" HOPFIELD_BENCH_BATCHES=\"$batches\" bench/vs-peers.sh $*\` on $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)."
  echo "beta=$beta, K=$K, float32, 2 threads everywhere; best of $reps after warm-up; queries/s = B / best."
  echo "Ours: \`bin/hopfield-store bench\` (in-process, default kernel: B <= 8 scanned from the heap with the Vector API, larger batches on the system BLAS). Peers: ../shared/peers/bench_peers.py methods on the same .npy files."
  echo "'max diff' is max |ours - peer| over all states (agreement check)."
  echo
  echo "| M | d | B | rule | ours q/s | peer | peer q/s | ours / peer | max diff |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$out.tmp"
fail=0
rm -f "$work/bandwidth.tmp" "$work/spark.tmp" "$work/gemm.tmp"
for sz in $sizes; do
  m=${sz%%:*}; d=${sz##*:}
  mem="$work/mem-$m-$d.npy"
  [ -f "$mem" ] || bin/hopfield-store generate --count "$m" --dim "$d" --seed 11 --out "$mem" >/dev/null
  for b in $batches; do
    q="$work/q-$m-$d-$b.npy"
    [ -f "$q" ] || bin/hopfield-store make-queries --memories "$mem" --count "$b" \
      --corrupt gaussian:$(awk "BEGIN{print 0.5/sqrt($d)}") --seed 12 --out "$q" >/dev/null
    pdir="$work/peers-$m-$d-$b"; mkdir -p "$pdir"
    methods="np_dense_qblk,torch_dense,torch_sparsemax,torch_topk,faiss_topk"
    "$py" bench/peers_driver.py --peers "$peers" --memories "$mem" --queries "$q" --beta $beta \
      --K $K --methods "$methods" --reps $reps --outdir "$pdir" > "$pdir/peers.jsonl"
    for rule in "softmax:beta=$beta" "sparsemax:beta=$beta" "entmax:alpha=1.5,beta=$beta" "topk:k=$K,beta=$beta"; do
      name=${rule%%:*}
      res=$(bin/hopfield-store bench --memories "$mem" --queries "$q" --spec "$rule" --reps $reps \
        --states "$pdir/ours-$name.npy")
      ours=$("$py" -c "import json,sys; print(json.loads(sys.argv[1])['qps'])" "$res")
      blas=$("$py" -c "import json,sys; j=json.loads(sys.argv[1]); print(j['blas'], '/', j['row_ops'])" "$res")
      if [ "$b" = 256 ] && [ "$name" = topk ]; then # one score GEMM plus selection
        "$py" -c "import json,sys; j=json.loads(sys.argv[1]); print(j['M'], j['d'], j['B'], j['best_s'])" "$res" >> "$work/gemm.tmp"
      fi
      if [ "$b" = 1 ] && [ "$name" = topk ]; then # one pass over the memories: its bandwidth
        "$py" -c "import json,sys; j=json.loads(sys.argv[1]); print('| %s | %s | %.1f | %.1f |' % (j['M'], j['d'], j['best_s'] * 1e3, 4.0 * j['M'] * j['d'] / j['best_s'] / 1e9))" "$res" >> "$work/bandwidth.tmp"
      fi
      case $name in
        softmax) cands="np_dense_qblk torch_dense" ;;
        sparsemax) cands="torch_sparsemax" ;;
        topk) cands="torch_topk faiss_topk" ;;
        *) cands="" ;;
      esac
      if [ -z "$cands" ]; then
        printf '| %s | %s | %s | %s | %.1f | (no peer) | | | |\n' "$m" "$d" "$b" "$name" "$ours" >> "$out.tmp"
        continue
      fi
      for p in $cands; do
        pq=$(grep "\"$p\"" "$pdir/peers.jsonl" | "$py" -c "import json,sys; print(json.loads(sys.stdin.read())['qps'])")
        if diff=$("$py" bench/compare.py "$pdir/ours-$name.npy" "$pdir/$p.npy" 1e-3); then :; else
          echo "vs-peers: $name disagrees with $p at M=$m d=$d B=$b: max diff $diff" >&2; fail=1; fi
        printf '| %s | %s | %s | %s | %.1f | %s | %.1f | %.2f | %s |\n' "$m" "$d" "$b" "$name" \
          "$ours" "$p" "$pq" "$("$py" -c "print($ours/$pq)")" "$diff" >> "$out.tmp"
      done
    done
  done
done
if [ "$quick" = 0 ]; then
  # Spark local mode vs in-process on the same cached memories (B = 256, local[2], 2 partitions)
  for sz in ${HOPFIELD_BENCH_SPARK_SIZES:-100000:784 1000000:784}; do
    m=${sz%%:*}; d=${sz##*:}
    mem="$work/mem-$m-$d.npy"; q="$work/q-$m-$d-256.npy"
    [ -f "$mem" ] && [ -f "$q" ] || continue
    for rule in "softmax:beta=$beta" "sparsemax:beta=$beta" "topk:k=$K,beta=$beta"; do
      inproc=$(bin/hopfield-store bench --memories "$mem" --queries "$q" --spec "$rule" --reps $reps)
      spark=$(bin/hopfield-store bench --memories "$mem" --queries "$q" --spec "$rule" --reps $reps \
        --master 'local[2]' --partitions 2)
      "$py" -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print('| %s | %s | %s | %.3f | %.3f | %.2f |' % (a['M'], a['d'], sys.argv[3], a['best_s'], b['best_s'], b['best_s'] / a['best_s']))" "$inproc" "$spark" "${rule%%:*}" >> "$work/spark.tmp"
    done
  done
  {
    echo
    echo "## B = 1: one pass over the memories (top-K, same run)"
    echo
    echo "Bandwidth = M x d x 4 bytes / best time; compare the machine's read bandwidth below."
    echo
    echo "| M | d | best ms | GB/s |"
    echo "|---|---|---|---|"
    cat "$work/bandwidth.tmp" 2>/dev/null || true
    echo
    echo "## Spark local[2] (2 partitions, cached) vs in-process, B = 256 (same run)"
    echo
    echo "| M | d | rule | in-process s | Spark s | Spark / in-process |"
    echo "|---|---|---|---|---|---|"
    cat "$work/spark.tmp" 2>/dev/null || true
    echo
    echo "Libraries: $blas"
    echo
    echo "## Machine limits (same run)"
    echo
    "$py" -c "
import sys; sys.path.insert(0, '$peers'); import bench_peers as bp; bp.set_threads(2)
print('| measurement | value | unit |'); print('|---|---|---|')
limits = list(bp.machine_limits(quick=True))
for n, v, u in limits: print(f'| {n} | {v:.1f} | {u} |')
# the score GEMM's share of the sgemm peak: a whole top-K step (GEMM plus selection) at B = 256
peak = max(v for n, v, u in limits if n.startswith('numpy sgemm') and '2 thr' in n and 'x' in n.split()[2])
print(); print('## Score GEMM vs the sgemm peak (same run)'); print()
print('A top-K step at B = 256 is one score GEMM (2 B M d flops) plus selection: its rate is a')
print(f'lower bound on the GEMM\'s. Peak: the best numpy sgemm above, {peak:.1f} GFLOP/s.'); print()
print('| M | d | step s | GFLOP/s (whole step) | share of peak |'); print('|---|---|---|---|---|')
for line in open('$work/gemm.tmp') if __import__('os').path.exists('$work/gemm.tmp') else []:
    m, d, b, s = line.split(); rate = 2 * int(b) * int(m) * int(d) / float(s) / 1e9
    print(f'| {m} | {d} | {float(s):.3f} | {rate:.1f} | {rate / peak:.2f} |')"
  } >> "$out.tmp"
fi
mv "$out.tmp" "$out"
cat "$out"
[ "$fail" = 0 ] || { echo "vs-peers: answers disagree (see above)" >&2; exit 1; }
