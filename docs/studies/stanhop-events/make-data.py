"""Seattle weather with sudden cold snaps: the series the event study forecasts and its memories.

data.csv:          Debian's seattle-weather.csv (2012-2015, daily), numeric columns, with a cold
                   snap in the test part every 50 days (rows 1180, 1230, ..., 1430)
memory-event.csv:  the last 365 training days (rows 657-1021) with six cold snaps of other depths
memory-plain.csv:  the same 365 days as they are (the control memory)
focus.txt:         the test events' rows as forecast --focus ranges

A cold snap lowers temp_max and temp_min by its depth over 3 days, holds it 4 days and recovers
over 5 days (12 days); the test snaps are 12 C deep, the memory's 10-14 C (seeded).
"""
import csv
import sys

import numpy as np

source, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(20261204)
with open(source) as f:
    rows = list(csv.DictReader(f))
columns = ["precipitation", "temp_max", "temp_min", "wind"]
dates = [r["date"] for r in rows]
values = np.array([[float(r[c]) for c in columns] for r in rows])
shape = np.concatenate([np.linspace(1 / 3, 1, 3), np.ones(4), np.linspace(5 / 6, 0, 6)[:5]])
assert len(shape) == 12


def snap(v, start, depth):
    v[start:start + 12, 1] -= depth * shape
    v[start:start + 12, 2] -= depth * shape


def write(name, d, v):
    with open(f"{out}/{name}", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date"] + columns)
        for day, row in zip(d, v):
            w.writerow([day] + ["%.1f" % x for x in row])


test_starts = list(range(1180, 1431, 50))
data = values.copy()
for s in test_starts:
    snap(data, s, 12.0)
write("data.csv", dates, data)
memory = values[657:1022].copy()
write("memory-plain.csv", dates[657:1022], memory)
for s in range(8, 365 - 12, 60):
    snap(memory, s, float(rng.uniform(10, 14)))
write("memory-event.csv", dates[657:1022], memory)
with open(f"{out}/focus.txt", "w") as f:
    f.write(",".join(f"{s}:{s + 12}" for s in test_starts) + "\n")
