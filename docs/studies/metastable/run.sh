#!/usr/bin/env bash
# Metastable states with and without U-Hop+, as the spherical-code paper measures them (Hu, Wu and
# Liu 2024, arXiv 2410.23126; official code MAGICS-LAB/Optimal-Hopfield-Memory, MNIST_metastable.py
# and synthetic_metastable.py): the size of a query's metastable state is the number of memories
# whose weight in the last of the updates exceeds eps (1e-2 for softmax, 0 for the sparse rules).
#   Fashion-MNIST: the 60,000 training images as memories, the first Q test images as queries
#     (Q = 500 by default; the code takes all 10,000),
#     pixels scaled to [-1, 1] (the code's Normalize(0.5, 0.5)), 5 updates, beta 0.1 (the code's)
#     and 1; U-Hop+: D = 200, one epoch of Adam (lr 0.1, tau 0.1) over mini-batches of 16 memories,
#     Kaiming init (arrange --preset uhop-plus).
#   synthetic: 10 memories and 10 queries uniform on the sphere in d = 5, D = 5, 20 full-batch
#     Adam steps at lr 1, 20 updates, beta 1; repeated over 20 seeds (the code runs one).
# Writes results.tsv and metastable.png next to this script.
#   docs/studies/metastable/run.sh   (about 15 minutes on 2 cores; METASTABLE_QUERIES=Q,
#                                     METASTABLE_SEEDS=S)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$here"
study=docs/studies/metastable
work=target/metastable-study
queries=${METASTABLE_QUERIES:-500}
seeds=${METASTABLE_SEEDS:-20}
mkdir -p "$work"
py=/usr/bin/python3
fm=/usr/share/datasets/fashion-mnist
. docs/studies/needs.sh
study_needs "metastable study" "$fm/train-images-idx3-ubyte.gz=dataset-fashion-mnist" \
  python:numpy=python3-numpy python:matplotlib=python3-matplotlib
start=$(date +%s)
left() { # done total: prints the elapsed time and an estimate of the time left
  local now=$(( $(date +%s) - start ))
  echo "   [$1/$2 runs, ${now} s elapsed, ~$(( now * ($2 - $1) / ($1 > 0 ? $1 : 1) )) s left]"
}
"$py" - "$fm" "$work" "$queries" <<'PY'
import gzip, sys
import numpy as np
src, work, q = sys.argv[1], sys.argv[2], int(sys.argv[3])
def images(name):
    with gzip.open(f"{src}/{name}", "rb") as f:
        raw = f.read()
    n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    x = np.frombuffer(raw, np.uint8, offset=16).reshape(n, rows * cols)
    return (x.astype(np.float32) / 255.0 - 0.5) / 0.5
np.save(f"{work}/train.npy", images("train-images-idx3-ubyte.gz"))
np.save(f"{work}/test.npy", np.ascontiguousarray(images("t10k-images-idx3-ubyte.gz")[:q]))
PY
rules=("softmax" "entmax:alpha=1.5" "sparsemax")
sep() { case $1 in *:*) echo ,;; *) echo :;; esac; } # the spec's keys follow ':' or ','
fm_retrieve() { # SPEC OUT: the test images from the 60,000 training images, 32 weights each
  echo "== Fashion-MNIST $1"
  bin/hopfield-store retrieve --memories "$work/train.npy" --queries "$work/test.npy" \
    --spec "$1" --report 32 --no-energy --quiet --out "$2" --overwrite
  n=$((n + 1)); left $n $total
}

total=$(( 2 * 3 * ${#rules[@]} + seeds * (1 + 2 * ${#rules[@]}) + 1 ))
n=0
echo "== U-Hop+ map for the 60,000 Fashion-MNIST images (D = 200, one epoch)"
bin/hopfield-store arrange --memories "$work/train.npy" --preset uhop-plus --dim 200 --epochs 1 \
  --seed 42 --out "$work/W-fm.npy" --overwrite | tail -4 | sed 's/^/  /'
n=$((n + 1)); left $n $total
for beta in 0.1 1; do
  for rule in "${rules[@]}"; do
    for map in plain uhop-plus; do
      spec="$rule$(sep "$rule")beta=$beta,steps=5"
      [ $map = plain ] || spec="$spec,kernel=$work/W-fm.npy"
      fm_retrieve "$spec" "$work/fm-${rule%%:*}-$beta-$map"
    done
  done
done
# U-Hop+'s loss sees only the normalised images W u / |W u|, so Adam is free to grow |W| (here
# ~115x in one epoch), which by itself sharpens every rule like a larger beta. The same map,
# rescaled so that the mean |Phi xi|^2 equals the plain model's mean |xi|^2, keeps its geometry
# at the plain model's temperature.
"$py" - "$work" <<'PY'
import sys
import numpy as np
work = sys.argv[1]
z = np.load(f"{work}/W-fm.npy")
w, b = (z["weight"], z["bias"]) if hasattr(z, "files") else (z, np.zeros(z.shape[0], z.dtype))
x = np.load(f"{work}/train.npy").astype(np.float64)
images = x @ w.T.astype(np.float64) + b
scale = np.sqrt((x * x).sum(1).mean() / (images * images).sum(1).mean())
np.savez(f"{work}/W-fm-scaled.npz", weight=(w * scale).astype(w.dtype),
         bias=(b * scale).astype(b.dtype))
print(f"   U-Hop+ map rescaled by {scale:.6g} (mean |Phi xi|^2 = mean |xi|^2)")
PY
for beta in 0.1 1; do
  for rule in "${rules[@]}"; do
    spec="$rule$(sep "$rule")beta=$beta,steps=5,kernel=$work/W-fm-scaled.npz"
    fm_retrieve "$spec" "$work/fm-${rule%%:*}-$beta-uhop-plus-scaled"
  done
done
for s in $(seq 1 "$seeds"); do
  bin/hopfield-store generate --count 10 --dim 5 --seed "$s" --out "$work/syn-mem-$s.npy" \
    --overwrite >/dev/null
  bin/hopfield-store generate --count 10 --dim 5 --seed $((s + 100000)) \
    --out "$work/syn-q-$s.npy" --overwrite >/dev/null
  bin/hopfield-store arrange --memories "$work/syn-mem-$s.npy" --preset uhop-plus --dim 5 \
    --epochs 20 --batch 0 --lr 1 --seed "$s" --out "$work/W-syn-$s.npy" --overwrite --quiet
  n=$((n + 1))
  for rule in "${rules[@]}"; do
    for map in plain uhop-plus; do
      spec="$rule$(sep "$rule")beta=1,steps=20"
      [ $map = plain ] || spec="$spec,kernel=$work/W-syn-$s.npy"
      bin/hopfield-store retrieve --memories "$work/syn-mem-$s.npy" --queries "$work/syn-q-$s.npy" \
        --spec "$spec" --report 10 --no-energy --quiet \
        --out "$work/syn-${rule%%:*}-$map-$s" --overwrite
      n=$((n + 1))
    done
  done
  [ $((s % 10)) -ne 0 ] || { echo "== synthetic: seed $s of $seeds"; left $n $total; }
done
"$py" - "$work" "$study" "$seeds" "$(( $(date +%s) - start ))" <<'PY'
import glob, json, sys
import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
work, study, seeds, wall = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rules = ["softmax", "entmax", "sparsemax"]
def sizes(dirs, rule):
    out = []
    for d in dirs:
        w = np.load(f"{d}/top_weights.npy")
        eps = 1e-2 if rule == "softmax" else 0.0
        out.extend((w > eps).sum(axis=1).tolist())
    return np.array(out)
rows = []
for data, betas in (("fashion-mnist", ["0.1", "1"]), ("synthetic", ["1"])):
    for beta in betas:
        for rule in rules:
            maps = ("plain", "uhop-plus") + (("uhop-plus-scaled",) if data != "synthetic" else ())
            for m in maps:
                if data == "synthetic":
                    dirs = [f"{work}/syn-{rule}-{m}-{s}" for s in range(1, seeds + 1)]
                    cap = 10
                else:
                    dirs = [f"{work}/fm-{rule}-{beta}-{m}"]
                    cap = 32
                s = sizes(dirs, rule)
                share = [float(np.mean(s == k)) for k in range(0, 11)] + [float(np.mean(s > 10))]
                rows.append((data, beta, rule, m, len(s), float(np.mean(s)), cap, share))
with open(f"{study}/results.tsv", "w") as f:
    f.write("# command = docs/studies/metastable/run.sh\n# wall_seconds = %d\n" % wall)
    f.write("data\tbeta\trule\tmap\tqueries\tmean_size\treport_cap\t"
            + "\t".join(f"share_{k}" for k in range(0, 11)) + "\tshare_over_10\n")
    for data, beta, rule, m, q, mean, cap, share in rows:
        f.write(f"{data}\t{beta}\t{rule}\t{m}\t{q}\t{mean:.4f}\t{cap}\t"
                + "\t".join(f"{v:.4f}" for v in share) + "\n")
panels = [(d, b) for d, b in (("fashion-mnist", "0.1"), ("fashion-mnist", "1"), ("synthetic", "1"))]
fig, axes = plt.subplots(len(panels), 3, figsize=(15, 3.6 * len(panels)), squeeze=False)
for pi, (data, beta) in enumerate(panels):
    for ri, rule in enumerate(rules):
        ax = axes[pi][ri]
        names = {"plain": "plain", "uhop-plus": "U-Hop+", "uhop-plus-scaled": "U-Hop+ rescaled"}
        mine = [x for x in rows if x[0] == data and x[1] == beta and x[2] == rule]
        width = 0.8 / len(mine)
        for i, r in enumerate(mine):
            ax.bar(np.arange(12) + (i - (len(mine) - 1) / 2) * width, np.array(r[7]) * 100,
                   width=width, label=names[r[3]] + f" (mean {r[5]:.1f})")
        ax.set_xticks(range(12), [str(k) for k in range(11)] + [">10"])
        ax.set_title(f"{data}, {rule}, beta {beta}")
        ax.set_xlabel("metastable-state size")
        ax.set_ylabel("% of queries")
        ax.legend()
fig.tight_layout()
fig.savefig(f"{study}/metastable.png", dpi=90)
print(f"wrote {study}/results.tsv and {study}/metastable.png ({wall} s)")
PY
