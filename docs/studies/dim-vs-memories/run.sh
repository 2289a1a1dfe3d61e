#!/usr/bin/env bash
# Feature dimension against the number of memories (Hu, Wu and Liu 2024, arXiv 2410.23126: the
# feature dimension U-Hop+ needs grows like log M): for M = 1,000, 10,000 and 100,000 memories
# uniform on the unit sphere in d = 32, a U-Hop+-style map (spherical loss tau 0.1, Adam lr 0.01,
# Kaiming init with a bias, 16 sampled negatives per memory and epoch, 30 epochs) is learned for
# each D in 4, 8, 16, 32; per (M, D) the minimal angle of the normalised images (exact up to
# 20,000 memories, else on the first 20,000) and the retrieval success and right-memory rate of
# 256 noisy memories (N(0, 0.1^2) per coordinate, noise norm ~0.57) through the normalised map at
# beta 16. The smallest D reaching a target is read off results.tsv.
# Writes results.tsv and dim.png next to this script.
#   docs/studies/dim-vs-memories/run.sh      (MASTER='local[2]' learns on Spark; DIM_MS, DIM_DS;
#   rows of memory counts not in DIM_MS are kept, a `where` column names in-process or the master)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$here"
study=docs/studies/dim-vs-memories
work=target/dim-vs-memories
mkdir -p "$work"
py=/usr/bin/python3
. docs/studies/needs.sh
study_needs dim-vs-memories python:numpy=python3-numpy python:matplotlib=python3-matplotlib
ms=${DIM_MS:-1000 10000 100000}
ds=${DIM_DS:-4 8 16 32}
spark=()
[ -z "${MASTER:-}" ] || spark=(--master "$MASTER")
tsv="$work/results.tsv"
where=${MASTER:-in-process}
printf 'M\tD\tmin_angle_plain\tmin_angle_learned\tsuccess_plain\tsuccess_normalised\tright_plain\tright_normalised\tseconds\twhere\n' > "$tsv"
start=$(date +%s)
total=$(( $(echo $ms | wc -w) * $(echo $ds | wc -w) ))
n=0
for m in $ms; do
  bin/hopfield-store generate --count "$m" --dim 32 --seed 7 --out "$work/mem-$m.npy" \
    --overwrite >/dev/null
  for d in $ds; do
    log=$(bin/hopfield-store arrange --memories "$work/mem-$m.npy" --dim "$d" --epochs 30 \
      --loss spherical:0.1 --lr 0.01 --init kaiming --bias true --negatives 16 --beta 16 \
      --noise gaussian:0.1 --seed 3 --out "$work/W-$m-$d.npy" --overwrite --quiet "${spark[@]}")
    "$py" - "$m" "$d" "$log" "$where" >> "$tsv" <<'PY'
import re, sys
m, d, log, where = sys.argv[1:]
head = re.search(r"\(([0-9.]+) s\); minimal angle ([0-9.]+) -> ([0-9.]+)", log)
r = re.search(r"success ([0-9.]+) -> [0-9.]+ linear, ([0-9.]+) normalised; right memory "
              r"([0-9.]+) -> [0-9.]+ linear, ([0-9.]+) normalised", log)
if not head or not r:
    sys.exit("could not read arrange's report:\n" + log)
print("\t".join([m, d, head.group(2), head.group(3), r.group(1), r.group(2), r.group(3),
                 r.group(4), head.group(1), where]))
PY
    n=$((n + 1))
    now=$(( $(date +%s) - start ))
    echo "M=$m D=$d: $(tail -1 "$tsv" | cut -f4,6,8 | tr '\t' ' ') [$n/$total, ${now} s elapsed]"
  done
done
# rows of the memory counts not rerun stay (a run of DIM_MS=1000000 adds to the committed ones)
"$py" - "$tsv" "$study/results.tsv" <<'PY'
import csv, os, sys
new_path, kept_path = sys.argv[1:]
new = list(csv.DictReader(open(new_path), delimiter="\t"))
header = list(new[0].keys())
rerun = {r["M"] for r in new}
kept = list(csv.DictReader(open(kept_path), delimiter="\t")) if os.path.exists(kept_path) else []
rows = [r for r in kept if r["M"] not in rerun] + new
rows.sort(key=lambda r: (int(r["M"]), int(r["D"])))
with open(kept_path + ".tmp", "w", newline="") as out:
    w = csv.DictWriter(out, header, delimiter="\t", lineterminator="\n", restval="in-process")
    w.writeheader()
    w.writerows(rows)
os.replace(kept_path + ".tmp", kept_path)
PY
"$py" - "$study" "$(( $(date +%s) - start ))" <<'PY'
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
study, wall = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{study}/results.tsv"), delimiter="\t"))
fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
for m in dict.fromkeys(r["M"] for r in rows):
    sel = [r for r in rows if r["M"] == m]
    ds = [int(r["D"]) for r in sel]
    axes[0].plot(ds, [float(r["min_angle_learned"]) for r in sel], "o-", label=f"M = {int(m):,}")
    axes[1].plot(ds, [float(r["right_normalised"]) for r in sel], "o-", label=f"M = {int(m):,}")
for ax, label in zip(axes, ["minimal angle of the images (degrees)", "right-memory rate"]):
    ax.set_xscale("log", base=2)
    ax.set_xlabel("feature dimension D")
    ax.set_ylabel(label)
    ax.legend()
fig.suptitle(f"learned map, d = 32 unit-sphere memories ({wall} s)")
fig.tight_layout()
fig.savefig(f"{study}/dim.png", dpi=90)
print(f"wrote {study}/results.tsv and dim.png ({wall} s)")
PY
