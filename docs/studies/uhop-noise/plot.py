"""summary.png of the U-Hop noise-robustness study from its means.tsv: squared error and
right-memory rate against the noise norm R, each rule with and without the learned map (N = 800)
and the distance baselines.
    /usr/bin/python3 docs/studies/uhop-noise/plot.py"""
import csv, os
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(here, "means.tsv")), delimiter="\t"))
rules = [("softmax:beta=1,steps=1,tol=0", "softmax"),
         ("sparsemax:beta=1,steps=1,tol=0,solver=exact", "sparsemax"),
         ("entmax:alpha=1.5,beta=1,steps=1,tol=0,solver=exact", "entmax 1.5")]
lines = [(rule, n, name + (" + U-Hop map (N = 800)" if n != "0" else ", no map"))
         for rule, name in rules for n in ("0", "800")]
lines += [("softmax:beta=1,steps=1,tol=0,score=euclidean", "0", "-|x - xi|_2 (L2)"),
          ("softmax:beta=1,steps=1,tol=0,score=manhattan", "0", "-|x - xi|_1 (Manhattan)")]


def level(r):
    return float(r["noise"].split(":")[1])


fig, axes = plt.subplots(1, 2, figsize=(13, 5))
for ax, (metric, label) in zip(axes, [("mean_error", "squared error"),
                                      ("right_memory", "right-memory rate")]):
    for rule, n, name in lines:
        sel = sorted([r for r in rows if r["rule"] == rule and r["kernel_epochs"] == n], key=level)
        if not sel:
            raise SystemExit(f"{rule} N={n} not in means.tsv")
        ax.errorbar([level(r) for r in sel], [float(r[metric]) for r in sel],
                    yerr=[float(r[metric + "_se"]) for r in sel], marker="o", markersize=3,
                    capsize=2, linestyle="--" if "score" in rule else "-", label=name)
    if metric == "mean_error":
        ax.set_yscale("symlog", linthresh=0.01)
    ax.set_xlabel("noise norm R (sphere-clamp:R)")
    ax.set_ylabel(label)
axes[1].set_ylim(0, 1.02)
axes[0].legend(fontsize=8)
fig.suptitle("U-Hop noise robustness on Fashion-MNIST in [0, 1], M = 100, beta 1, one update "
             "(10 trials; bars: standard error)")
fig.tight_layout()
fig.savefig(os.path.join(here, "summary.png"), dpi=80)
print("wrote", os.path.join(here, "summary.png"))
