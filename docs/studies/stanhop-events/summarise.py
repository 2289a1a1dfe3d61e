"""Summary of the event study's runs: summary.md, summary.tsv, summary.png."""
import csv, os, statistics, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
study, seeds = sys.argv[1], sys.argv[2:]
runs = {}
for memory in ["event", "plain"]:
    for seed in seeds:
        path = f"{study}/seed-{seed}-{memory}/results.tsv"
        if not os.path.exists(path):
            continue
        with open(path) as f:
            rows = [l for l in f if not l.startswith("#")]
        for r in csv.DictReader(rows, delimiter="\t"):
            mem = "none" if r["memory"] == "none" else f'{r["memory"]}, memory-{memory}'
            runs.setdefault((r["model"], mem), {}).setdefault(memory, []).append(
                (float(r["test_mse"]), float(r["focus_mse"]), float(r["focus_mae"])))
summary = []
for (model, mem), by_memory in runs.items():
    # rows without memory come out of both runs of a seed: the same network, so one of them
    v = by_memory.get("event") or by_memory["plain"]
    cols = list(zip(*v))
    sd = lambda x: statistics.stdev(x) if len(x) > 1 else 0.0
    summary.append((model, mem, statistics.mean(cols[0]), sd(cols[0]), statistics.mean(cols[1]),
                    sd(cols[1]), statistics.mean(cols[2]), len(v)))
with open(f"{study}/summary.tsv", "w") as f:
    f.write("model\tmemory\ttest_mse_mean\ttest_mse_sd\tevent_mse_mean\tevent_mse_sd\t"
            "event_mae_mean\tseeds\n")
    for s in summary:
        f.write("%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%d\n" % s)
with open(f"{study}/summary.md", "w") as f:
    f.write("| model | memory | test MSE | MSE on the event windows | MAE on the event windows |\n"
            "|---|---|---|---|---|\n")
    for m, mem, a, asd, e, esd, mae, n in summary:
        f.write(f"| {m} | {mem} | {a:.3f} +- {asd:.3f} | {e:.3f} +- {esd:.3f} | {mae:.3f} |\n")
rows = [s for s in summary if "naive" not in s[0]]
models = list(dict.fromkeys(s[0] for s in rows))
# each memory variant with the event memory, then with the control memory
mems = sorted(dict.fromkeys(s[1] for s in rows), key=lambda m: (m != "none", m.split(", memory-")[0], m))
fig, axes = plt.subplots(1, 2, figsize=(17, 5))
w = 0.8 / len(mems)
for ax, (col, sdcol, what) in zip(axes, [(4, 5, "event windows"), (2, 3, "whole test part")]):
    for i, mem in enumerate(mems):
        vals = [next(s for s in rows if s[0] == m and s[1] == mem) for m in models]
        ax.bar([k + (i - (len(mems) - 1) / 2) * w for k in range(len(models))],
               [v[col] for v in vals], w, yerr=[v[sdcol] for v in vals], capsize=3, label=mem)
    for s, style in zip([s for s in summary if "naive" in s[0]], ["--", ":"]):
        ax.axhline(s[col], color="gray", ls=style, label=s[0])
    ax.set_xticks(range(len(models)))
    ax.set_xticklabels([m.replace(", encoder-decoder, + window mean", "") for m in models])
    ax.set_ylabel(f"MSE on the {what} (standardised), mean +- sd")
    ax.set_title(f"Seattle weather with cold snaps, {what}")
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, fontsize=7, loc="center right")
fig.tight_layout(rect=(0, 0, 0.8, 1)); fig.savefig(f"{study}/summary.png", dpi=80)
print(open(f"{study}/summary.md").read())
