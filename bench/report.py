#!/usr/bin/env python3
"""bench/report.py RESULTS.tsv -- markdown table of medians and ratios (used by run.sh).

Input lines: workload <TAB> metric <TAB> mode <TAB> rep <TAB> value.
Ratios are softdelete/limit and softdelete/peer of the medians, in the metric's own
unit: for TPS and rows/s higher is better, for ms and MB lower is better.
"""
import statistics
import sys
from collections import OrderedDict

# (workload prefix, metric prefix) -> (goal text, predicate on softdelete/limit ratio)
GOALS = [
    ("1.", "TPS", ">= 0.95x limit", lambda r: r >= 0.95),
    ("2.", "ms", "<= 1.15x limit", lambda r: r <= 1.15),
    ("3", "ms", "<= 1.3x limit", lambda r: r <= 1.3),
    ("4.", "rows/s", ">= 0.9x limit", lambda r: r >= 0.9),
    ("5", "", "1.00x limit", lambda r: 0.97 <= r <= 1.03),
]


def main(path):
    data = OrderedDict()
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                continue
            wl, metric, mode, _rep, value = parts
            try:
                v = float(value)
            except ValueError:
                continue
            data.setdefault((wl, metric), {}).setdefault(mode, []).append(v)

    def fmt(v):
        if v is None:
            return "n/a"
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}"

    print("| workload | metric | limit: median (min–max) | peer | softdelete | sd/limit | sd/peer | goal |")
    print("|---|---|--:|--:|--:|--:|--:|---|")
    for (wl, metric), modes in data.items():
        med = {m: statistics.median(v) if v else None for m, v in modes.items()}
        lim, peer, sd = med.get("limit"), med.get("peer"), med.get("softdelete")
        r_l = sd / lim if sd is not None and lim else None
        r_p = sd / peer if sd is not None and peer else None
        goal = ""
        if metric.startswith("MB"):
            if sd is not None:
                goal = "<= 64 MB above idle" if "private" in metric else "(informational)"
                if "private" in metric:
                    goal += " — " + ("met" if sd <= 64 else "**missed**")
        else:
            for wp, mp, text, ok in GOALS:
                if wl.startswith(wp) and metric.startswith(mp) and r_l is not None:
                    goal = f"{text} — " + ("met" if ok(r_l) else "**missed**")
                    break
        def cell(m):
            vs = modes.get(m, [])
            if len(vs) > 1:
                return f"{fmt(med.get(m))} ({fmt(min(vs))}–{fmt(max(vs))})"
            return fmt(med.get(m))
        print(f"| {wl} | {metric} | {cell('limit')} | {cell('peer')} | {cell('softdelete')} | "
              f"{'n/a' if r_l is None else f'{r_l:.2f}'} | {'n/a' if r_p is None else f'{r_p:.2f}'} | {goal} |")


if __name__ == "__main__":
    main(sys.argv[1])
