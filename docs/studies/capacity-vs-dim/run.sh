#!/usr/bin/env bash
# Capacity against dimension: for d in 8, 16, 24, 32, 48, 64, memories uniform on the unit sphere,
# M on a log grid from 10 to 10,000,000 (x sqrt 10), queries = stored memories plus Gaussian noise
# of norm ~0.8 (sigma = 0.8 / sqrt d per coordinate: at d = 64 the stored memory's cosine to its
# query, ~0.78, meets the largest cosine of 10^7 random memories, ~0.71, near the end of the
# grid), one update; the capacity of a model at d is
# the largest grid M up to which it keeps success >= 0.9 (and, separately, a right-memory rate
# >= 0.9), plotted on a log scale against d with the exponential lower bound of the papers,
# M >= sqrt(p) c^((d - 1) / 4) (Ramsauer et al. 2020, Theorem 3; Hu et al. 2023, 2024), drawn
# for p = 0.1 and their example constant c = 3.1546.
# Writes capacity.tsv, capacity.png and per-d study folders (results, means, plots) next to this
# script.   docs/studies/capacity-vs-dim/run.sh   (MASTER='local[2]' runs every set on Spark;
# CAPACITY_OUT=DIR writes there instead; CAPACITY_SUMMARY_DIMS="8 ... 64" also summarises the
# dimensions of DIR that this run did not redo)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$here"
study=${CAPACITY_OUT:-docs/studies/capacity-vs-dim}
mkdir -p "$study"
work=target/capacity-vs-dim
mkdir -p "$work"
py=/usr/bin/python3
. docs/studies/needs.sh
study_needs capacity-vs-dim python:numpy=python3-numpy python:matplotlib=python3-matplotlib
export JAVA_OPTS="${JAVA_OPTS:--Xmx14g}"
dims=${CAPACITY_DIMS:-8 16 24 32 48 64}
top=${CAPACITY_MAX_M:-10000000}
spark=()
[ -z "${MASTER:-}" ] || spark=(--master "$MASTER" --partitions 8)
start=$(date +%s)
for d in $dims; do
  sigma=$("$py" -c "import math; print(round(${CAPACITY_NOISE_NORM:-0.8} / math.sqrt($d), 6))")
  conf="$work/d$d.conf"
  cat > "$conf" <<CONF
name = capacity-d$d
source = sphere
dim = $d
memories = 10..$top x3.1623
rules = softmax:beta=16; softmax:beta=64; sparsemax:beta=16; entmax:alpha=1.5,beta=16; topk:k=16,beta=16
noise = gaussian:$sigma
queries = 100
trials = 2
seed = 2026$d
separation = false
CONF
  echo "== d = $d (noise sigma $sigma per coordinate), $(( $(date +%s) - start )) s elapsed"
  bin/hopfield-store capacity --config "$conf" --out "$study/d$d" --overwrite "${spark[@]}"
done
"$py" - "$study" "$(( $(date +%s) - start ))" ${CAPACITY_SUMMARY_DIMS:-$dims} <<'PY'
import csv, math, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
study, wall, dims = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3:]]
out = []
for d in dims:
    rows = list(csv.DictReader(open(f"{study}/d{d}/means.tsv"), delimiter="\t"))
    for rule in dict.fromkeys(r["rule"] for r in rows):
        sel = sorted((r for r in rows if r["rule"] == rule), key=lambda r: int(r["M"]))
        for metric in ("success", "right_memory"):
            cap = 0
            for r in sel:  # the largest M before the first grid point below 0.9
                if float(r[metric]) < 0.9:
                    break
                cap = int(r["M"])
            out.append((d, rule, metric, cap, int(sel[-1]["M"])))
with open(f"{study}/capacity.tsv", "w") as f:
    f.write(f"# command = docs/studies/capacity-vs-dim/run.sh\n# wall_seconds = {wall}\n")
    f.write("# capacity: the largest grid M up to which the measure stays >= 0.9; grid_top: the "
            "largest M tried (capacity = grid_top: at least that)\n")
    f.write("d\trule\tmeasure\tcapacity\tgrid_top\n")
    for d, rule, metric, cap, topm in out:
        f.write(f"{d}\t{rule}\t{metric}\t{cap}\t{topm}\n")
fig, axes = plt.subplots(1, 2, figsize=(13, 5.2))
for ax, metric in zip(axes, ("success", "right_memory")):
    for rule in dict.fromkeys(r[1] for r in out):
        pts = [(d, cap) for d, r, m, cap, _ in out if r == rule and m == metric]
        name = rule.replace(",steps=1", "").replace(",tol=0", "").replace(",solver=exact", "")
        ax.plot([p[0] for p in pts], [max(p[1], 1) for p in pts], "o-", label=name)
    ds = list(range(min(dims), max(dims) + 1))
    ax.plot(ds, [math.sqrt(0.1) * 3.1546 ** ((d - 1) / 4) for d in ds], "k--",
            label="sqrt(p) c^((d-1)/4), p=0.1, c=3.1546")
    ax.set_yscale("log")
    ax.set_xlabel("dimension d")
    ax.set_ylabel(f"largest M with {metric.replace('_', '-')} >= 0.9")
    ax.set_title(f"capacity by {metric.replace('_', '-')} (grid top {out[0][4]:,})")
    ax.legend(fontsize=7)
fig.tight_layout()
fig.savefig(f"{study}/capacity.png", dpi=90)
print(f"wrote {study}/capacity.tsv and capacity.png ({wall} s)")
PY
