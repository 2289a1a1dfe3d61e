#!/usr/bin/env bash
# The persistent store's benchmarks (never part of CI), local[2], one run each:
#   store create from M x D float32 memories (.npy): wall time, bytes on disk against the raw
#     float32 bytes, peak RSS;
#   retrieve --store against retrieve --memories file.npy on the same memories, B = 256
#     (sparsemax): load and retrieve seconds from summary.json;
#   append of 1% new rows to a store with a PRF summary, against building that summary over
#     the whole store (retrieve --memories ... --spec prf, whose load includes the build).
#   HOPFIELD_STORE_M=1000000 HOPFIELD_STORE_D=128 bench/store.sh     (the defaults)
# HOPFIELD_STORE_RUN picks parts (default create,retrieve,append), HOPFIELD_STORE_PARTITIONS the
# partition count (default 4), JAVA_OPTS the heap (default -Xmx6g).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
m=${HOPFIELD_STORE_M:-1000000}
d=${HOPFIELD_STORE_D:-128}
work=${HOPFIELD_STORE_DIR:-$here/target/store-bench}
prf=prf:features=256,beta=1,seed=7
run=${HOPFIELD_STORE_RUN:-create,retrieve,append}
parts=${HOPFIELD_STORE_PARTITIONS:-4}
wants() { [[ ",$run," == *",$1,"* ]]; }
mkdir -p "$work"
hs=bin/hopfield-store
export JAVA_OPTS=${JAVA_OPTS:--Xmx6g}
[ -f "$work/m.npy" ] || $hs generate --count "$m" --dim "$d" --seed 21 --out "$work/m.npy"
extra=$((m / 100))
[ -f "$work/extra.npy" ] || $hs generate --count "$extra" --dim "$d" --seed 22 --out "$work/extra.npy"
[ -f "$work/q.npy" ] || $hs generate --count 256 --dim "$d" --seed 23 --out "$work/q.npy"
timed() { # label, command...: prints "label: S s, RSS MB"
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }
  t1=$(date +%s.%N)
  printf '%s: %.1f s wall, peak RSS %.0f MB\n' "$label" "$(echo "$t1 - $t0" | bc)" \
    "$(echo "$(cat "$work/rss") / 1024" | bc)"
}
if wants create || [ ! -d "$work/store" ]; then
rm -rf "$work/store"
timed "store create $m x $d" $hs store create --from "$work/m.npy" --out "$work/store" \
  --master 'local[2]' --partitions "$parts"
raw=$((m * d * 4))
disk=$(du -sb "$work/store" | cut -f1)
data=$(find "$work/store" -name '*.parquet' -printf '%s\n' | awk '{s+=$1} END {printf "%d", s}')
echo "bytes: raw float32 $raw, data files $data ($(echo "scale=3; $data / $raw" | bc)x), directory $disk ($(echo "scale=3; $disk / $raw" | bc)x)"
fi
wants retrieve && for src in store npy; do
  rm -rf "$work/r-$src"
  if [ $src = store ]; then arg=(--store "$work/store"); else arg=(--memories "$work/m.npy"); fi
  timed "retrieve --$src B=256 sparsemax" $hs retrieve "${arg[@]}" --queries "$work/q.npy" \
    --spec sparsemax:beta=16,steps=3 --out "$work/r-$src" --master 'local[2]' --partitions "$parts" --quiet
  python3 -c "import json; s=json.load(open('$work/r-$src/summary.json')); w=s['wall_seconds']; print('  load %.1f s, retrieve %.2f s (%.1f queries/s)' % (w['load'], w['retrieve'], s['queries_per_second']))"
done
wants append || exit 0
rm -rf "$work/store-prf"
timed "store create $m x $d with $prf" $hs store create --from "$work/m.npy" \
  --out "$work/store-prf" --master 'local[2]' --partitions "$parts" --summary "$prf"
timed "store append $extra rows (1%), summary updated" $hs store append --store "$work/store-prf" \
  --from "$work/extra.npy" --master 'local[2]'
rm -rf "$work/r-prf"
timed "$prf summary built over $m rows (retrieve --memories, B=256)" $hs retrieve \
  --memories "$work/m.npy" --queries "$work/q.npy" --spec "$prf" --out "$work/r-prf" \
  --master 'local[2]' --partitions "$parts" --quiet
python3 -c "import json; s=json.load(open('$work/r-prf/summary.json')); w=s['wall_seconds']; print('  load %.1f s, retrieve (includes the summary build) %.2f s' % (w['load'], w['retrieve']))"
