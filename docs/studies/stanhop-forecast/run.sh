#!/usr/bin/env bash
# STanHop-Net (compact and full block) vs its dense (softmax) variants vs seasonal naive, each
# without memory, with the Plug-and-Play and with the Tune-and-Play memory, on two real
# multivariate series shipped by Debian's python3-vega-datasets (installed with apt-get when
# missing and run as root), three seeds each; writes per-seed tables and summary.md/summary.tsv
# (mean and standard deviation over the seeds) and summary.png.
#   docs/studies/stanhop-forecast/run.sh          (SEEDS="1 2 3" by default)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$here"
study=docs/studies/stanhop-forecast
data=/usr/lib/python3/dist-packages/vega_datasets/_data
seeds=${SEEDS:-1 2 3}
. docs/studies/needs.sh
study_needs "stanhop study" "$data/seattle-weather.csv=python3-vega-datasets" \
  python:matplotlib=python3-matplotlib
for seed in $seeds; do
  echo "== seed $seed: Seattle weather"
  # daily Seattle weather 2012-2015: precipitation, temp_max, temp_min, wind (1461 days)
  bin/hopfield-store forecast --data "$data/seattle-weather.csv" --lookback 32 --horizon 8 \
    --season 7 --epochs 100 --patience 10 --lr 0.01 --memory-gate 0.3 --block both \
    --memory none,blend --seed "$seed" --out "$study/seattle-weather/seed-$seed" --overwrite \
    --quiet >/dev/null
  echo "== seed $seed: US employment"
  # monthly US employment 2006-2015 by sector: 22 series, 120 months
  bin/hopfield-store forecast --data "$data/us-employment.csv" --lookback 12 --horizon 3 \
    --patch 3 --season 12 --epochs 100 --patience 10 --lr 0.01 --memory-gate 0.3 \
    --block both --memory none,blend --seed "$seed" --out "$study/us-employment/seed-$seed" --overwrite \
    --quiet >/dev/null
done
/usr/bin/python3 - "$study" $seeds <<'PY'
import csv, statistics, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
study, seeds = sys.argv[1], sys.argv[2:]
sets = [("seattle-weather", "Seattle weather (L 32, H 8)"), ("us-employment", "US employment (L 12, H 3)")]
summary = []
for key, title in sets:
    runs = {}
    for seed in seeds:
        with open(f"{study}/{key}/seed-{seed}/results.tsv") as f:
            rows = [l for l in f if not l.startswith("#")]
        for r in csv.DictReader(rows, delimiter="\t"):
            runs.setdefault((r["model"], r["memory"]), []).append((float(r["test_mse"]), float(r["test_mae"])))
    for (model, memory), v in runs.items():
        mse = [a for a, _ in v]; mae = [b for _, b in v]
        sd = statistics.stdev(mse) if len(mse) > 1 else 0.0
        summary.append((title, model, memory, statistics.mean(mse), sd, statistics.mean(mae), len(v)))
with open(f"{study}/summary.tsv", "w") as f:
    f.write("data\tmodel\tmemory\ttest_mse_mean\ttest_mse_sd\ttest_mae_mean\tseeds\n")
    for s in summary:
        f.write("%s\t%s\t%s\t%.4f\t%.4f\t%.4f\t%d\n" % s)
with open(f"{study}/summary.md", "w") as f:
    f.write("| data | model | memory | test MSE (mean +- sd over %d seeds) | test MAE |\n|---|---|---|---|---|\n" % len(seeds))
    for t, m, mem, a, sd, b, n in summary:
        f.write(f"| {t} | {m} | {mem} | {a:.3f} +- {sd:.3f} | {b:.3f} |\n")
fig, axes = plt.subplots(1, 2, figsize=(14, 5))
for ax, (key, title) in zip(axes, sets):
    rows = [s for s in summary if s[0] == title and "naive" not in s[1]]
    naive = [s for s in summary if s[0] == title and s[1].startswith("seasonal")][0]
    last = [s for s in summary if s[0] == title and s[1].startswith("last-value")][0]
    models = list(dict.fromkeys(s[1] for s in rows))
    mems = list(dict.fromkeys(s[2] for s in rows))
    w = 0.27
    for i, mem in enumerate(mems):
        vals = [next(s for s in rows if s[1] == m and s[2] == mem) for m in models]
        ax.bar([k + (i - 1) * w for k in range(len(models))], [v[3] for v in vals], w,
               yerr=[v[4] for v in vals], capsize=3, label=mem)
    ax.axhline(naive[3], color="gray", ls="--", label="seasonal naive")
    ax.axhline(last[3], color="black", ls=":", label="last value")
    ax.set_xticks(range(len(models)))
    ax.set_xticklabels([m.replace(" (GSH)", "").replace(" (softmax)", "").replace(", ", "\n") for m in models], fontsize=8)
    ax.set_ylabel("test MSE (standardised), mean +- sd"); ax.set_title(title); ax.legend(fontsize=8)
fig.tight_layout(); fig.savefig(f"{study}/summary.png", dpi=80)
print(open(f"{study}/summary.md").read())
PY
