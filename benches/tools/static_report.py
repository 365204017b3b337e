#!/usr/bin/env python3
"""Summarises one `scripts/bench.sh --static` run (issue 22) as markdown on stdout: the builds, the
handshake (spawn -> line, peak RSS at the line) and `tofu plan` of 100 / `tofu apply` of 10 over
https, with medians [p25-p75] and ratios of medians to ours-glibc and, for the handshake, to
tf-provider-null; then every other build of this provider against ours-glibc, measure by measure,
with the issue's 5 % bar. Usage: static_report.py RUN_DIR"""
import csv
import os
import statistics
import sys

from stats import quantile

BASE, ANCHOR = "ours-glibc", "tf-provider-null"
BAR = 1.05


def spread(xs, fmt):
    return f"{fmt.format(statistics.median(xs))} [{fmt.format(quantile(xs, .25))}–{fmt.format(quantile(xs, .75))}]"


def ratio(a, b):
    return f"{a / b:.3f}" if b else "–"


def main():
    run = sys.argv[1]
    machine = open(os.path.join(run, "machine.txt")).read().strip()
    print(f"Run `{os.path.basename(run)}` (mode: static).\n")
    print("```\n" + machine + "\n```\n")

    print("Builds (copied into the run before it started; `file -b` of each):\n")
    print("| build | bytes | sha256 (16) | from | file |")
    print("|---|---|---|---|---|")
    for line in open(os.path.join(run, "binaries.txt")):
        head, _, desc = line.rstrip("\n").partition(": ")
        label, size, sha, path = head.split(" ", 3)
        print(f"| {label} | {int(size):,} | `{sha}` | `{path}` | {desc} |")
    for line in open(os.path.join(run, "sizes.txt")):
        label, size = line.split()
        print(f"| {label} | {int(size):,} | | | |")
    print()

    hs, hwm, anon, rfile = {}, {}, {}, {}
    for row in csv.DictReader(open(os.path.join(run, "handshake.csv"))):
        label = row["label"]
        hs.setdefault(label, []).append(float(row["handshake_us"]) / 1000)
        hwm.setdefault(label, []).append(float(row["vmhwm_kib"]) / 1024)
        anon.setdefault(label, []).append(float(row["rssanon_kib"]) / 1024)
        rfile.setdefault(label, []).append(float(row["rssfile_kib"]) / 1024)
    med = {k: statistics.median(v) for k, v in hs.items()}
    medm = {k: statistics.median(v) for k, v in hwm.items()}
    rounds = len(hs[BASE])
    print(f"Spawn → handshake line (AutoMTLS on, P-521 client cert) and peak RSS at the line, {rounds} interleaved rounds:\n")
    print(f"| provider | handshake ms, median [p25–p75] | min–max ms | ÷ {BASE} | ÷ {ANCHOR} | peak RSS MiB (VmHWM), median [p25–p75] | ÷ {BASE} | ÷ {ANCHOR} | RssAnon MiB | RssFile MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label in hs:
        print(
            f"| {label} | {spread(hs[label], '{:.2f}')} | {min(hs[label]):.2f}–{max(hs[label]):.2f} | "
            f"{ratio(med[label], med[BASE])} | {ratio(med[label], med[ANCHOR])} | {spread(hwm[label], '{:.2f}')} | "
            f"{ratio(medm[label], medm[BASE])} | {ratio(medm[label], medm[ANCHOR])} | "
            f"{statistics.median(anon[label]):.2f} | {statistics.median(rfile[label]):.2f} |"
        )
    print()

    rows = list(csv.DictReader(open(os.path.join(run, "planapply.csv"))))
    keys = list(dict.fromkeys((r["phase"], int(r["n"]), r["label"]) for r in rows))
    pa = {}
    for k in keys:
        mine = [r for r in rows if (r["phase"], int(r["n"]), r["label"]) == k]
        pa[k] = {
            "reps": len(mine),
            "wall": [float(r["wall_s"]) for r in mine],
            "cpu": [float(r["provider_cpu_s"]) for r in mine],
            "rss": [float(r["provider_max_rss_kib"]) / 1024 for r in mine],
            "tofu": [float(r["tofu_cpu_s"]) for r in mine],
        }
    pm = {k: {m: statistics.median(v[m]) for m in ("wall", "cpu", "rss")} for k, v in pa.items()}
    print("`tofu plan -refresh=false` of 100 and `tofu apply` of 10 over https (TLS relay, CA trusted through SSL_CERT_FILE), empty state each time, interleaved; provider CPU and peak RSS from wait4 of every provider process of the command (peak RSS: the largest):\n")
    print(f"| command | provider | reps | wall s, median [p25–p75] | ÷ {BASE} | provider CPU s, median [p25–p75] | ÷ {BASE} | provider peak RSS MiB, median [p25–p75] | ÷ {BASE} | tofu CPU s, median |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    order = {label: i for i, label in enumerate(hs)}
    for phase, n, label in sorted(keys, key=lambda k: (k[0] != "plan", k[1], order.get(k[2], len(order)))):
        v, m, b = pa[(phase, n, label)], pm[(phase, n, label)], pm.get((phase, n, BASE))
        print(
            f"| `tofu {phase}` of {n} | {label} | {v['reps']} | {spread(v['wall'], '{:.3f}')} | {ratio(m['wall'], b['wall'])} | "
            f"{spread(v['cpu'], '{:.3f}')} | {ratio(m['cpu'], b['cpu'])} | {spread(v['rss'], '{:.1f}')} | "
            f"{ratio(m['rss'], b['rss'])} | {statistics.median(v['tofu']):.2f} |"
        )
    print()

    variants = [label for label in hs if label.startswith("ours") and label != BASE]
    measures = [("handshake ms", lambda lb: med[lb]), ("peak RSS at the line", lambda lb: medm[lb])]
    for phase, n in sorted({(k[0], k[1]) for k in keys}, key=lambda k: (k[0] != "plan", k[1])):
        for m, name in (("wall", "wall"), ("cpu", "provider CPU"), ("rss", "provider peak RSS")):
            measures.append((f"{phase} {n} {name}", lambda lb, k=(phase, n), m=m: pm[(k[0], k[1], lb)][m]))
    print(f"Each build ÷ {BASE} (median ÷ median; the issue's bar: ≤ {BAR:.2f}, i.e. no more than 5 % slower or larger):\n")
    print("| build | " + " | ".join(name for name, _ in measures) + " | over the bar |")
    print("|---|" + "---|" * (len(measures) + 1))
    for label in variants:
        rs = [(name, f(label) / f(BASE)) for name, f in measures]
        over = [name for name, r in rs if r > BAR]
        print(f"| {label} | " + " | ".join(f"{r:.3f}" for _, r in rs) + f" | {', '.join(over) or 'none'} |")


if __name__ == "__main__":
    main()
