#!/usr/bin/env bash
# STanHop's external memory plug-ins inside the blocks (arXiv 2312.17346, Sec. 3.3): STanHop-Net
# (full block, and the official encoder-decoder with 2 heads) and their dense (softmax) variants,
# each without memory, with Plug-and-Play plug-ins, with Tune-and-Play plug-ins, and with the
# earlier output-blending memory as a baseline, on real series of Debian's python3-vega-datasets,
# seeds 1 2 3 by default; writes per-seed tables, summary.md/summary.tsv (mean and standard
# deviation over the seeds), summary.png, and the run's wall time and peak memory in time.txt.
# Three configurations: US employment with the networks as they are (us-employment/), the same
# with each series' lookback mean added to their forecasts, the official code's baseline=True
# (us-employment-window-mean/), and Seattle weather, encoder-decoder + window mean
# (seattle-weather/).
#   docs/studies/stanhop-plugins/run.sh   (SEEDS="1 2 3", CONFIGS="plain window-mean seattle")
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$here"
study=docs/studies/stanhop-plugins
data=/usr/lib/python3/dist-packages/vega_datasets/_data
seeds=${SEEDS:-1 2 3}
configs=${CONFIGS:-plain window-mean seattle}
. docs/studies/needs.sh
study_needs "stanhop plug-in study" "$data/us-employment.csv=python3-vega-datasets" \
  "$data/seattle-weather.csv=python3-vega-datasets" \
  python:matplotlib=python3-matplotlib
start=$(date +%s)
set -- $seeds
n_seeds=$#
set -- $configs
total=$((n_seeds * $#))
done_runs=0
for config in $configs; do
# monthly US employment 2006-2015 by sector: 23 series, 120 months
employment=(--data "$data/us-employment.csv" --lookback 12 --horizon 3 --patch 3 --season 12
  --epochs 100 --patience 10 --block full,encoder-decoder --plugin-epochs 10)
# daily Seattle weather 2012-2015: precipitation, temp_max, temp_min, wind, 1461 days
weather=(--data "$data/seattle-weather.csv" --lookback 28 --horizon 7 --patch 7 --season 7
  --epochs 40 --patience 8 --block encoder-decoder --window-mean --plugin-epochs 5)
case $config in
  plain) out=us-employment; args=("${employment[@]}") ;;
  window-mean) out=us-employment-window-mean; args=("${employment[@]}" --window-mean) ;;
  seattle) out=seattle-weather; args=("${weather[@]}") ;;
  *) echo "stanhop plug-in study: unknown configuration '$config'" >&2; exit 2 ;;
esac
mkdir -p "$study/$out"
: > "$study/$out/time.txt"
for seed in $seeds; do
  left=""
  if [ "$done_runs" -gt 0 ]; then
    per=$(( ($(date +%s) - start) / done_runs ))
    left=", about $(( per * (total - done_runs) / 60 )) min left"
  fi
  echo "== $config, seed $seed: $out ($((done_runs + 1))/$total$left)"
  /usr/bin/time -f "seed $seed: %e s wall, %M KiB peak resident" -a -o "$study/$out/time.txt" \
    bin/hopfield-store forecast --lr 0.01 --memory-gate 0.3 --heads 2 \
    --memory none,pnp,tnp,blend "${args[@]}" --seed "$seed" \
    --out "$study/$out/seed-$seed" --overwrite --quiet >/dev/null
  done_runs=$((done_runs + 1))
done
done
echo "this run ($configs): $(( $(date +%s) - start )) s" >> "$study/time.txt"
/usr/bin/python3 - "$study" $seeds <<'PY'
import csv, statistics, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
study, seeds = sys.argv[1], sys.argv[2:]
import os
runs = {}
for out in ["us-employment", "us-employment-window-mean", "seattle-weather"]:
    for seed in seeds:
        path = f"{study}/{out}/seed-{seed}/results.tsv"
        if not os.path.exists(path):
            continue
        with open(path) as f:
            rows = [l for l in f if not l.startswith("#")]
        for r in csv.DictReader(rows, delimiter="\t"):
            model = r["model"] if out != "seattle-weather" else "Seattle weather: " + r["model"]
            runs.setdefault((model, r["memory"]), []).append((float(r["test_mse"]), float(r["test_mae"])))
summary = []
for (model, memory), v in runs.items():
    mse = [a for a, _ in v]; mae = [b for _, b in v]
    sd = statistics.stdev(mse) if len(mse) > 1 else 0.0
    summary.append((model, memory, statistics.mean(mse), sd, statistics.mean(mae), len(v)))
with open(f"{study}/summary.tsv", "w") as f:
    f.write("model\tmemory\ttest_mse_mean\ttest_mse_sd\ttest_mae_mean\tseeds\n")
    for s in summary:
        f.write("%s\t%s\t%.4f\t%.4f\t%.4f\t%d\n" % s)
with open(f"{study}/summary.md", "w") as f:
    f.write("| model | memory | test MSE (mean +- sd over %d seeds) | test MAE |\n|---|---|---|---|\n" % len(seeds))
    for m, mem, a, sd, b, n in summary:
        f.write(f"| {m} | {mem} | {a:.3f} +- {sd:.3f} | {b:.3f} |\n")
rows = [s for s in summary if "naive" not in s[0]]
models = list(dict.fromkeys(s[0] for s in rows))
mems = list(dict.fromkeys(s[1] for s in rows))
fig, ax = plt.subplots(figsize=(16, 5))
w = 0.8 / len(mems)
for i, mem in enumerate(mems):
    vals = [next(s for s in rows if s[0] == m and s[1] == mem) for m in models]
    ax.bar([k + (i - (len(mems) - 1) / 2) * w for k in range(len(models))], [v[2] for v in vals], w,
           yerr=[v[3] for v in vals], capsize=3, label=mem)
for s, style in zip([s for s in summary if "naive" in s[0] and "Seattle" not in s[0]], ["--", ":"]):
    ax.axhline(s[2], color="gray", ls=style, label="US employment: " + s[0])
ax.set_xticks(range(len(models)))
ax.set_xticklabels([m.replace(" (GSH)", "").replace(" (softmax)", "").replace(", ", "\n") for m in models], fontsize=7)
ax.set_yscale("log")
ax.set_ylabel("test MSE (standardised, log scale), mean +- sd")
ax.set_title("US employment (L 12, H 3) and Seattle weather (L 28, H 7): memory plug-ins inside "
             "the blocks vs output blending")
ax.legend(fontsize=7)
fig.tight_layout(); fig.savefig(f"{study}/summary.png", dpi=80)
print(open(f"{study}/summary.md").read())
PY
