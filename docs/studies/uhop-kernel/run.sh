#!/usr/bin/env bash
# U-Hop kernel study: retrieval with the plain model and with a learned kernel W
# (bin/hopfield-store arrange), linear (<W xi, W x>) and normalised (cosine of the images), against
# the number of memories M, on Fashion-MNIST and on a clustered synthetic set: success (cosine
# distance <= 0.2) and right-memory rate (largest weight on the stored memory).
# Writes results.tsv and success.png next to this script.
#   docs/studies/uhop-kernel/run.sh            (about 5 minutes on 2 cores)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$here"
study=docs/studies/uhop-kernel
work=target/uhop-study
mkdir -p "$work"
py=/usr/bin/python3
fm=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
. docs/studies/needs.sh
study_needs "uhop study" "$fm=dataset-fashion-mnist" python:numpy=python3-numpy \
  python:matplotlib=python3-matplotlib
# W: D = d, U-Hop's loss (t = 2), Adam (1e-4 for the 784 x 784 W of the images, 1e-3 for the
# 64 x 64 W of the clustered set), 30 epochs over all pairs, norm penalty 1
epochs=30; betas=8,32
[ -f "$work/fm.npy" ] || bin/hopfield-store prepare --memories "$fm" --normalize center-unit \
  --out "$work/fm.npy" >/dev/null
tsv="$work/results.tsv"
printf 'source\tM\td\tlr\tnoise\tbeta\tmin_angle_before\tmin_angle_after\tsuccess_plain\tsuccess_linear\tsuccess_normalized\tright_plain\tright_linear\tright_normalized\tseconds\n' > "$tsv"
run() { # source M d file noises lr
  local src=$1 m=$2 d=$3 file=$4 noises=$5 lr=$6
  local log
  log=$(bin/hopfield-store arrange --memories "$file" --dim "$d" --epochs $epochs --lr $lr \
    --loss uhop --norm-penalty 1 --beta $betas --noise "$noises" --seed 1 --out "$work/W-$src-$m.npy" \
    --overwrite --quiet)
  echo "$log" | sed "s/^/  /"
  "$py" - "$src" "$m" "$d" "$lr" "$log" >> "$tsv" <<'PY'
import re, sys
src, m, d, lr, log = sys.argv[1:]
head = re.search(r"in [0-9]+ epochs \(([0-9.]+) s\); minimal angle ([0-9.]+) -> ([0-9.]+)", log)
num = r"([0-9.]+)"
pat = (r"retrieval \(softmax beta=([0-9.]+), ([^,]+), [0-9]+ queries\): success " + num + " -> " + num
       + " linear, " + num + " normalised; right memory " + num + " -> " + num + " linear, " + num
       + " normalised")
for beta, n, *v in re.findall(pat, log):
    print("\t".join([src, m, d, lr, n, "%g" % float(beta), head.group(2), head.group(3), *v, head.group(1)]))
PY
}
for m in 500 1000 2000 4000; do
  echo "== Fashion-MNIST, M=$m"
  "$py" -c "import numpy as np, sys; x=np.load('$work/fm.npy', mmap_mode='r'); np.save('$work/fm-$m.npy', np.ascontiguousarray(x[:$m]))"
  run fashion-mnist $m 784 "$work/fm-$m.npy" "dropout:0.7,mask-bottom" 0.0001
  echo "== clustered (16 clusters, intrinsic 4, spread 0.3, d 64), M=$m"
  bin/hopfield-store generate --kind clustered:clusters=16,intrinsic=4,spread=0.3 --count $m \
    --dim 64 --seed 11 --out "$work/cl-$m.npy" --overwrite >/dev/null
  run clustered $m 64 "$work/cl-$m.npy" "gaussian:0.02,gaussian:0.15,dropout:0.7" 0.001
done
"$py" - "$tsv" "$work/success.png" <<'PY'
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
betas = list(dict.fromkeys(r["beta"] for r in rows))
fig, axes = plt.subplots(2, 2 * len(betas), figsize=(6 * len(betas) * 2, 8.4), squeeze=False)
for bi, beta in enumerate(betas):
    for si, src in enumerate(["fashion-mnist", "clustered"]):
        col = 2 * bi + si
        for row, (metric, label) in enumerate([("success", "success rate"), ("right", "right-memory rate")]):
            ax = axes[row][col]
            for noise in dict.fromkeys(r["noise"] for r in rows if r["source"] == src):
                sel = [r for r in rows if r["source"] == src and r["noise"] == noise and r["beta"] == beta]
                ms = [int(r["M"]) for r in sel]
                line, = ax.plot(ms, [float(r[metric + "_plain"]) for r in sel], "o:", label=noise + ", plain")
                ax.plot(ms, [float(r[metric + "_linear"]) for r in sel], "s--", color=line.get_color(), label=noise + ", W linear")
                ax.plot(ms, [float(r[metric + "_normalized"]) for r in sel], "^-", color=line.get_color(), label=noise + ", W normalised")
            ax.set_xscale("log"); ax.set_ylim(-0.02, 1.02); ax.set_xlabel("memories M"); ax.set_ylabel(label)
            ax.set_title("%s, softmax beta %s" % (src, beta)); ax.grid(alpha=0.3); ax.legend(fontsize=6)
fig.tight_layout(); fig.savefig(sys.argv[2], dpi=80)
PY
cp "$tsv" "$work/success.png" "$study/"
echo "wrote $study/results.tsv and $study/success.png"
