"""summary.png of the U-Hop Stage I study from its means.tsv: squared error and right-memory rate
against M, softmax for each number of Stage-I iterations N, and the distance baselines.
    /usr/bin/python3 docs/studies/uhop-stage-one/plot.py"""
import csv, os
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(here, "means.tsv")), delimiter="\t"))
lines = [("softmax:beta=1,steps=1,tol=0", n, f"softmax, N = {n}" if n != "0" else "softmax, no map")
         for n in ("0", "1", "10", "100", "1000")]
lines += [("sparsemax:beta=1,steps=1,tol=0,solver=exact", "0", "sparsemax, no map"),
          ("softmax:beta=1,steps=1,tol=0,score=euclidean", "0", "-|x - xi|_2 (L2)"),
          ("softmax:beta=1,steps=1,tol=0,score=manhattan", "0", "-|x - xi|_1 (Manhattan)")]
fig, axes = plt.subplots(1, 2, figsize=(13, 5))
for ax, (metric, label) in zip(axes, [("mean_error", "squared error"),
                                      ("right_memory", "right-memory rate")]):
    for rule, n, name in lines:
        sel = [r for r in rows if r["rule"] == rule and r["kernel_epochs"] == n]
        if not sel:
            raise SystemExit(f"{rule} N={n} not in means.tsv")
        ax.errorbar([int(r["M"]) for r in sel], [float(r[metric]) for r in sel],
                    yerr=[float(r[metric + "_se"]) for r in sel], marker="o", markersize=3,
                    capsize=2, linestyle="--" if "score" in rule else "-", label=name)
    ax.set_xscale("log")
    ax.set_xlabel("memories M")
    ax.set_ylabel(label)
axes[1].set_ylim(0, 1.02)
axes[0].legend(fontsize=8)
fig.suptitle("U-Hop Stage I on Fashion-MNIST in [0, 1], dropout 0.5 queries, beta 1, one update "
             "(2 trials; bars: standard error)")
fig.tight_layout()
fig.savefig(os.path.join(here, "summary.png"), dpi=80)
print("wrote", os.path.join(here, "summary.png"))
