#!/usr/bin/env python3
"""bench/report.py RESULTS.tsv -- markdown table of medians and ratios (used by run.sh).

Input lines: workload <TAB> metric <TAB> mode <TAB> rep <TAB> value.
Ratios are softdelete/limit and softdelete/peer of the medians, in the metric's own
unit: for TPS and rows/s higher is better, for ms and MB lower is better.
"""
import re
import statistics
import sys
from collections import OrderedDict

# (workload prefix, metric prefix) -> (goal text, predicate on softdelete/limit ratio)
GOALS = [
    ("1.", "TPS", ">= 0.95x limit", lambda r: r >= 0.95),
    ("2.", "ms", "<= 1.15x limit", lambda r: r <= 1.15),
    ("3", "ms", "<= 1.3x limit", lambda r: r <= 1.3),
    ("4.", "rows/s", ">= 0.9x limit", lambda r: r >= 0.9),
    ("5c", "TPS", ">= 0.97x limit", lambda r: r >= 0.97),
    ("5d", "ms", "<= 1.03x limit", lambda r: r <= 1.03),
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

    summaries(data)


def medians(data, wl_prefix, metric):
    """{label: {mode: median}} of every workload label starting with wl_prefix."""
    out = OrderedDict()
    for (wl, m), modes in data.items():
        if wl.startswith(wl_prefix) and m == metric:
            out[wl] = {mode: statistics.median(v) for mode, v in modes.items() if v}
    return out


def summaries(data):
    """Derived goals: p99 during purge vs baseline (4b); linear scaling (6a, 6b) and
    purge time independent of the active rows (6c)."""
    base = medians(data, "4b. concurrent UPDATE p99 latency, no purge", "ms")
    during = medians(data, "4b. concurrent UPDATE p99 latency, during", "ms")
    if base and during:
        b, d = next(iter(base.values())), next(iter(during.values()))
        print()
        print("**4b. p99 latency of concurrent UPDATEs during the purge / without it** "
              "(goal: softdelete within +20 %)")
        print()
        print("| mode | baseline p99 (ms) | during purge p99 (ms) | during/baseline | goal |")
        print("|---|--:|--:|--:|---|")
        for mode in ("limit", "peer", "softdelete"):
            if mode in b and mode in d and b[mode] > 0:
                r = d[mode] / b[mode]
                goal = ("met" if r <= 1.2 else "**missed**") if mode == "softdelete" else ""
                print(f"| {mode} | {b[mode]:.2f} | {d[mode]:.2f} | {r:.2f} | {goal} |")

    factor = re.compile(r" at ([0-9.]+)x")
    for title, one_x, scaled in (("6a. bulk DELETE", "2.", "6a."), ("6b. purge", "4.", "6b.")):
        rows = OrderedDict()
        for wl, meds in medians(data, one_x, "us/row").items():
            rows[1.0] = meds
        for wl, meds in medians(data, scaled, "us/row").items():
            m = factor.search(wl)
            if m:
                rows[float(m.group(1))] = meds
        if len(rows) < 2:
            continue
        print()
        print(f"**{title}: time per row (us) by size** (goal: linear, i.e. us/row flat; "
              "ratio = us/row at that size / at 1x)")
        print()
        print("| size | limit us/row | peer us/row | softdelete us/row | softdelete vs 1x | softdelete/limit |")
        print("|---|--:|--:|--:|--:|--:|")
        ref = rows.get(1.0, {}).get("softdelete")
        for f in sorted(rows):
            meds = rows[f]
            sd, lim, peer = meds.get("softdelete"), meds.get("limit"), meds.get("peer")
            vs = f"{sd / ref:.2f}" if sd and ref else "n/a"
            rl = f"{sd / lim:.2f}" if sd and lim else "n/a"
            print(f"| {f:g}x | {lim or 0:.2f} | {peer or 0:.2f} | {sd or 0:.2f} | {vs} | {rl} |")

    active = re.compile(r"beside ([0-9]+) active")
    rows = OrderedDict()
    for wl, meds in medians(data, "6c.", "ms").items():
        m = active.search(wl)
        if m:
            rows[int(m.group(1))] = meds
    if rows:
        print()
        print("**6c. purge of the same due rows beside more and more active rows** "
              "(goal: time does not grow with the active rows)")
        print()
        print("| active rows | limit ms | peer ms | softdelete ms | softdelete vs fewest active |")
        print("|--:|--:|--:|--:|--:|")
        ref = rows[min(rows)].get("softdelete")
        for n in sorted(rows):
            meds = rows[n]
            sd = meds.get("softdelete")
            vs = f"{sd / ref:.2f}" if sd and ref else "n/a"
            print(f"| {n:,} | {meds.get('limit', 0):,.0f} | {meds.get('peer', 0):,.0f} | {sd or 0:,.0f} | {vs} |")


if __name__ == "__main__":
    main(sys.argv[1])
