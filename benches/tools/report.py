#!/usr/bin/env python3
"""Summarises one scripts/bench.sh run: medians, spreads and ratios to each anchor; draws the
plan/apply scaling plot; rewrites the block between the results markers in BENCHMARKS.md."""
import argparse
import csv
import json
import os
import re
import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
from stats import quantile  # noqa: E402


def pinned(key):
    """A version from scripts/versions.env, the one pin file of the tools."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "versions.env")
    with open(path) as f:
        for line in f:
            k, sep, v = line.strip().partition("=")
            if sep and k == key:
                return v
    raise KeyError(key)


TOFU = pinned("TOFU_1_12")
LABELS = ["ours", "ours-plan-off", "tf-provider-null", "go-time", "go-aws-3.39"]
ANCHORS = LABELS[2:]
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def spread(xs, fmt):
    """median [p25–p75] (min–max, n)"""
    return f"{fmt(statistics.median(xs))} [{fmt(quantile(xs, .25))}–{fmt(quantile(xs, .75))}]"


def ratios(med, label):
    return " / ".join(f"{med[label] / med[a]:.2f}" if med.get(a) else "–" for a in ANCHORS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--markdown", required=True)
    ap.add_argument("--plot", required=True)
    a = ap.parse_args()
    run = a.run
    out = []
    machine = open(os.path.join(run, "machine.txt")).read().strip()
    out.append(f"Run `{os.path.basename(run)}` ({machine.splitlines()[-1]}).\n")
    out.append("```\n" + machine + "\n```\n")
    ratio_head = "ratio to " + " / ".join(ANCHORS)

    # 1 handshake
    hs = {label: [] for label in LABELS}
    hwm = {label: [] for label in LABELS}
    anon = {}
    for row in csv.DictReader(open(os.path.join(run, "handshake.csv"))):
        # Labels beyond the four (BENCH_EXTRA_BINARIES, e.g. an older build) go last.
        hs.setdefault(row["label"], []).append(float(row["handshake_us"]) / 1000)
        hwm.setdefault(row["label"], []).append(float(row["vmhwm_kib"]) / 1024)
        anon.setdefault(row["label"], []).append(float(row["rssanon_kib"]) / 1024)
    rounds = len(hs["ours"])
    med_hs = {k: statistics.median(v) for k, v in hs.items() if v}
    med_hwm = {k: statistics.median(v) for k, v in hwm.items() if v}
    out.append(f"### 1. Spawn → handshake line (AutoMTLS on, P-521 client cert), {rounds} interleaved rounds\n")
    out.append(f"| provider | handshake ms, median [p25–p75] | min–max ms | {ratio_head} | peak RSS MiB (VmHWM at the line), median [p25–p75] | RSS {ratio_head} | of which anonymous MiB (RssAnon) |")
    out.append("|---|---|---|---|---|---|---|")
    for label in hs:
        if not hs[label]:
            continue
        out.append(
            f"| {label} | {spread(hs[label], lambda x: f'{x:.2f}')} | {min(hs[label]):.2f}–{max(hs[label]):.2f} | "
            f"{ratios(med_hs, label)} | {spread(hwm[label], lambda x: f'{x:.1f}')} | {ratios(med_hwm, label)} | {statistics.median(anon[label]):.1f} |"
        )
    out.append("")

    # 2 plan/apply
    pa = {}
    for row in csv.DictReader(open(os.path.join(run, "planapply.csv"))):
        key = (row["label"], int(row["n"]), row["phase"])
        pa.setdefault(key, []).append(row)
    ns = sorted({k[1] for k in pa})
    out.append("### 2. `tofu plan -refresh=false` and `tofu apply` of N resources (tofu " + TOFU + ", empty state each time)\n")
    out.append("Wall seconds and CPU seconds (the provider processes' own, and tofu's), median [p25–p75]; "
               "ratios are of medians, to " + " / ".join(ANCHORS) + ".\n")
    out.append("| N | phase | provider | reps | wall s | wall " + ratio_head + " | provider CPU s | CPU " + ratio_head + " | tofu CPU s | provider CPU ÷ tofu CPU | provider starts |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    med = {}
    for n in ns:
        for phase in ("plan", "apply"):
            mw, mc = {}, {}
            for label in LABELS:
                rows = pa.get((label, n, phase))
                if rows:
                    mw[label] = statistics.median(float(r["wall_s"]) for r in rows)
                    mc[label] = statistics.median(float(r["provider_cpu_s"]) for r in rows)
            for label in LABELS:
                rows = pa.get((label, n, phase))
                if not rows:
                    continue
                walls = [float(r["wall_s"]) for r in rows]
                pcpu = [float(r["provider_cpu_s"]) for r in rows]
                tcpu = [float(r["tofu_cpu_s"]) for r in rows]
                med[(label, n, phase)] = mw[label]
                frac = statistics.median(p / t for p, t in zip(pcpu, tcpu) if t > 0)
                out.append(
                    f"| {n} | {phase} | {label} | {len(rows)} | {spread(walls, lambda x: f'{x:.2f}')} | {ratios(mw, label)} | "
                    f"{spread(pcpu, lambda x: f'{x:.3f}')} | {ratios(mc, label)} | {spread(tcpu, lambda x: f'{x:.2f}')} | {frac:.3f} | {rows[0]['provider_procs']} |"
                )
    out.append("")
    out.append(f"![plan/apply scaling]({os.path.relpath(a.plot, os.path.dirname(a.markdown))})\n")

    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    for row, (column, ylabel) in enumerate((("wall_s", "wall time, s"), ("provider_cpu_s", "provider processes' CPU, s"))):
        for ax, phase in zip(axes[row], ("plan", "apply")):
            for label in LABELS:
                xs = [n for n in ns if (label, n, phase) in pa]
                if not xs:
                    continue
                vals = [[float(r[column]) for r in pa[(label, n, phase)]] for n in xs]
                ys = [statistics.median(v) for v in vals]
                lo = [y - quantile(v, .25) for y, v in zip(ys, vals)]
                hi = [quantile(v, .75) - y for y, v in zip(ys, vals)]
                ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=3, label=label)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xticks(ns, [str(n) for n in ns])
            ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
            ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.grid(True, which="both", alpha=.3)
            if row == 0:
                ax.set_title(f"tofu {'plan -refresh=false' if phase == 'plan' else 'apply'}")
            else:
                ax.set_xlabel("resources (N)")
        axes[row][0].set_ylabel(ylabel + " (median, p25–p75)")
    axes[0][0].legend()
    fig.suptitle("Plan/apply scaling, tofu " + TOFU + ", interleaved runs (" + os.path.basename(run.rstrip("/")) + ")")
    fig.tight_layout()
    fig.savefig(a.plot, dpi=110)

    # 3 AWS calls
    calls_path = os.path.join(run, "calls.json")
    if os.path.exists(calls_path):
        calls = json.load(open(calls_path))
        out.append("### 3. AWS calls per created resource (this provider, counted from its debug log)\n")
        out.append("A `tofu apply` from an empty state calls PlanResourceChange twice per resource (plan walk, then "
                   "the apply walk's final plan) and ApplyResourceChange once; a separate `tofu plan` of the same "
                   "configuration gives the calls of one PlanResourceChange, so ApplyResourceChange's own calls are "
                   "the apply total minus twice that.\n")
        out.append("| store at apply start | resources | calls in `tofu apply` | per resource | by operation | one PlanResourceChange, per resource | ApplyResourceChange, per resource | LocalEmu latency per call, median ms |")
        out.append("|---|---|---|---|---|---|---|---|")
        for case, c in calls.items():
            ops = ", ".join(f"{k} {v}" for k, v in sorted(c["by_operation"].items()))
            plan = c.get("plan_calls_per_resource")
            applied = None if plan is None else c["per_resource"] - 2 * plan
            fmt = lambda x: "–" if x is None else f"{x:.2f}"  # noqa: E731
            out.append(f"| {case.replace('_', ' ')} | {c['resources']} | {c['calls']} | {c['per_resource']:.2f} | {ops} | {fmt(plan)} | {fmt(applied)} | {fmt(c.get('localemu_call_ms_median'))} |")
        out.append("")

    # 4 sizes
    out.append("### 4. Binary size\n")
    out.append("| provider | bytes | MiB |")
    out.append("|---|---|---|")
    for line in open(os.path.join(run, "sizes.txt")):
        label, size = line.split()
        out.append(f"| {label} | {int(size):,} | {int(size) / 2**20:.1f} |")
    out.append("")

    # 5 criterion
    cb = os.path.join(run, "cargo-bench.txt")
    if os.path.exists(cb):
        out.append("### 5. `cargo bench --bench codec` (criterion; time per call, [low estimate, median, high estimate])\n")
        out.append("| benchmark | time |")
        out.append("|---|---|")
        name = None
        for line in open(cb):
            m = re.match(r"^(\S+/\S+)\s*(time:.*)?$", line.rstrip())
            if m and not line.startswith(" "):
                name = m.group(1)
                if m.group(2):
                    out.append(f"| {name} | {m.group(2)[5:].strip()} |")
                    name = None
                continue
            m = re.match(r"^\s+time:\s+(.*)$", line)
            if m and name:
                out.append(f"| {name} | {m.group(1).strip()} |")
                name = None
        out.append("")

    text = "\n".join(out)
    with open(os.path.join(run, "summary.md"), "w") as f:
        f.write(text)
    md = open(a.markdown).read() if os.path.exists(a.markdown) else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in md:
        md += f"\n{BEGIN}\n{END}\n"
    head, rest = md.split(BEGIN, 1)
    tail = rest.split(END, 1)[1] if END in rest else ""
    with open(a.markdown, "w") as f:
        f.write(head + BEGIN + "\n" + text + "\n" + END + tail)
    print(text)


if __name__ == "__main__":
    main()
