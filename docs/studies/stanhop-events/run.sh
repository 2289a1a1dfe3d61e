#!/usr/bin/env bash
# STanHop's memory plug-ins and a sudden event (arXiv 2312.17346: the plug-ins "allow
# StanHop-Net to swiftly respond to certain sudden events"): Seattle weather with cold snaps in
# the test part that the training part never shows; the external memory is a year of past
# weather with similar cold snaps (memory-event.csv) or the same year without them
# (memory-plain.csv, the control); the two temperature series are forecast. STanHop-Net as the official code builds it (encoder-decoder,
# 2 heads, + window mean) with GSH and dense layers, without memory, with Plug-and-Play and
# Tune-and-Play plug-ins, and with the output-blending baseline; the error over the test windows
# whose horizon meets a snap is reported apart (forecast --focus). Seeds 1 2 3 by default;
# writes per-run tables, summary.md/summary.tsv (mean and standard deviation over the seeds),
# summary.png, and the wall time and peak memory of every run in time.txt.
#   docs/studies/stanhop-events/run.sh          (SEEDS="1 2 3")
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$here"
study=docs/studies/stanhop-events
source_csv=/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv
seeds=${SEEDS:-1 2 3}
. docs/studies/needs.sh
study_needs "stanhop event study" "$source_csv=python3-vega-datasets" \
  python:matplotlib=python3-matplotlib
python3 "$study/make-data.py" "$source_csv" "$study"
focus=$(cat "$study/focus.txt")
start=$(date +%s)
set -- $seeds
total=$(($# * 2))
done_runs=0
: > "$study/time.txt"
for seed in $seeds; do
  for memory in event plain; do
    left=""
    if [ "$done_runs" -gt 0 ]; then
      per=$(( ($(date +%s) - start) / done_runs ))
      left=", about $(( per * (total - done_runs) / 60 )) min left"
    fi
    echo "== seed $seed, memory-$memory.csv ($((done_runs + 1))/$total$left)"
    /usr/bin/time -f "seed $seed, memory-$memory: %e s wall, %M KiB peak resident" -a \
      -o "$study/time.txt" \
      bin/hopfield-store forecast --data "$study/data.csv" \
      --memory-data "$study/memory-$memory.csv" --columns temp_max,temp_min --lookback 28 \
      --horizon 7 --patch 7 --season 7 --epochs 40 --patience 8 --lr 0.01 \
      --block encoder-decoder --heads 2 --window-mean --memory none,pnp,tnp,blend \
      --plugin-epochs 5 --focus "$focus" --seed "$seed" --out "$study/seed-$seed-$memory" \
      --overwrite --quiet >/dev/null
    done_runs=$((done_runs + 1))
  done
done
echo "total: $(( $(date +%s) - start )) s" >> "$study/time.txt"
/usr/bin/python3 "$study/summarise.py" "$study" $seeds
