"""summary.png of the sparse Hopfield retrieval study from its means.tsv: success and squared
error against M, one column per query noise, for a readable subset of the 20 models.
    /usr/bin/python3 docs/studies/sparse-hopfield-retrieval/plot.py"""
import csv, os
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(here, "means.tsv")), delimiter="\t"))
noises = list(dict.fromkeys(r["noise"] for r in rows))
shown = {
    "softmax:beta=0.1,steps=1,tol=0": ("softmax b=0.1", "C0", "-"),
    "sparsemax:beta=0.1,steps=1,tol=0,solver=exact": ("sparsemax b=0.1", "C1", "-"),
    "entmax:alpha=1.5,beta=0.1,steps=1,tol=0,solver=exact": ("entmax 1.5 b=0.1", "C2", "-"),
    "softmax:beta=0.01,steps=1,tol=0": ("softmax b=0.01", "C0", ":"),
    "sparsemax:beta=0.01,steps=1,tol=0,solver=exact": ("sparsemax b=0.01", "C1", ":"),
    "topk:k=20%,beta=0.1,steps=1,tol=0": ("top-K 20% b=0.1", "C3", "-"),
    "masked:keep=0.5,beta=0.1,steps=1,tol=0,seed=0,mask=query": ("masked 50% b=0.1", "C4", "-"),
    "linear:beta=0.1,steps=1,tol=0": ("linear b=0.1", "C5", "-"),
    "prf:features=256,beta=0.1,steps=1,tol=0,seed=0,projection=orthogonal": ("PRF 256 b=0.1", "C6", "-"),
    "sparsemax:beta=0.1,steps=5,tol=0,solver=exact": ("sparsemax b=0.1, 5 updates", "C1", "--"),
    "softmax:beta=0.1,steps=5,tol=0": ("softmax b=0.1, 5 updates", "C0", "--"),
}
fig, axes = plt.subplots(2, len(noises), figsize=(5 * len(noises), 8.5), squeeze=False)
for col, noise in enumerate(noises):
    for row, (metric, label) in enumerate([("success", "success (cosine distance <= 0.2)"),
                                           ("mean_error", "squared error")]):
        ax = axes[row][col]
        for rule, (name, colour, style) in shown.items():
            sel = [r for r in rows if r["noise"] == noise and r["rule"] == rule]
            if not sel:
                raise SystemExit(f"{rule} not in means.tsv")
            ax.errorbar([int(r["M"]) for r in sel], [float(r[metric]) for r in sel],
                        yerr=[float(r[metric + "_se"]) for r in sel], color=colour,
                        linestyle=style, marker="o", markersize=3, capsize=2, label=name)
        ax.set_xscale("log")
        ax.set_title(noise)
        ax.set_xlabel("memories M")
        ax.set_ylabel(label)
        if metric == "success":
            ax.set_ylim(0, 1)
axes[0][0].legend(fontsize=7)
fig.suptitle("Fashion-MNIST in [0, 1], one update unless noted (3 trials, 100 queries; bars: "
             "standard error over trials)")
fig.tight_layout()
fig.savefig(os.path.join(here, "summary.png"), dpi=80)
print("wrote", os.path.join(here, "summary.png"))
