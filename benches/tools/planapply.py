#!/usr/bin/env python3
"""Times `tofu plan -refresh=false` and `tofu apply` of N resources for each provider, interleaved,
and counts this provider's AWS calls per created resource. Run by scripts/bench.sh (which says how);
needs boto3 (LocalEmu's venv has it).

Each provider binary runs under ruwrap, which appends its CPU time (utime+stime from wait4) to a
log when the process exits; tofu's own CPU is the rusage of the tofu process tree minus that.

Modes:
  stores   --endpoint URL --count N --enabled 0|1 --prefix P          -> prints N ARNs
  time     --config JSON --out CSV                                     -> one row per command
  calls    --config JSON --out JSON                                    -> AWS calls per resource
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
import uuid

# label -> (source address, type, resource block for count.index)
PROVIDERS = {
    "ours": (
        "cloudtrail-lake/cloudtrail",
        "cloudtrail",
        'resource "cloudtrail_ingestion_state" "r" {\n'
        "  count            = var.n\n"
        "  event_data_store = local.arns[count.index]\n"
        "}\n",
    ),
    "tf-provider-null": ("bench/null", "null", 'resource "null_resource" "r" {\n  count = var.n\n}\n'),
    "go-time": ("hashicorp/time", "time", 'resource "time_static" "r" {\n  count = var.n\n}\n'),
    "go-aws-3.39": (
        "hashicorp/aws",
        "aws",
        'resource "aws_ssm_parameter" "r" {\n'
        "  count = var.n\n"
        '  name  = "/bench/${var.run}/${count.index}"\n'
        '  type  = "String"\n'
        '  value = "v"\n'
        "}\n",
    ),
}
# The same provider with `plan_checks = "off"`: plans make no AWS call.
PROVIDERS["ours-plan-off"] = PROVIDERS["ours"]
# An older build of this provider (scripts/bench.sh --https: the build before issue 15), whose
# block has no `skip_credentials_validation` yet.
PROVIDERS["ours-before"] = PROVIDERS["ours"]


def kind(label):
    """The PROVIDERS entry of a label: any other label starting with "ours" (scripts/bench.sh
    --static: ours-glibc, ours-static, ours-mimalloc, ...) is another build of this provider."""
    if label in PROVIDERS:
        return label
    if label.startswith("ours"):
        return "ours"
    raise SystemExit(f"unknown provider label {label!r}: a build of this provider needs a label starting with 'ours'")


def provider_block(label, endpoint):
    if label == "ours-before":
        return f'provider "cloudtrail" {{\n  region = "us-east-1"\n  endpoints {{\n    cloudtrail = "{endpoint}"\n  }}\n}}\n'
    if label == "ours-plan-off" or kind(label) == "ours":
        checks = '  plan_checks = "off"\n' if label == "ours-plan-off" else ""
        return (
            'provider "cloudtrail" {\n  region = "us-east-1"\n' + checks +
            "  skip_credentials_validation = true\n" +
            f'  endpoints {{\n    cloudtrail = "{endpoint}"\n  }}\n}}\n'
        )
    if label == "go-aws-3.39":
        # No STS/IAM/EC2/metadata calls at configure time (each skip_* below), so only the
        # resource's own SSM calls are made, to its own LocalEmu (the other endpoints point there
        # too, so a call made after all would fail there rather than leave the machine).
        return (
            'provider "aws" {\n  region = "us-east-1"\n  access_key = "test"\n  secret_key = "test"\n'
            "  skip_credentials_validation = true\n  skip_requesting_account_id = true\n"
            "  skip_metadata_api_check = true\n  skip_region_validation = true\n"
            "  skip_get_ec2_platforms = true\n"
            f'  endpoints {{\n    ssm = "{endpoint}"\n    ec2 = "{endpoint}"\n    sts = "{endpoint}"\n'
            f'    iam = "{endpoint}"\n  }}\n}}\n'
        )
    return ""


def make_workdir(root, label, binary, n, cfg, arns, name=None):
    source, ptype, resource = PROVIDERS[kind(label)]
    wd = os.path.join(root, name or f"{label}-{n}")
    shutil.rmtree(wd, ignore_errors=True)
    plug = os.path.join(wd, "plugins")
    os.makedirs(plug)
    wrapper = os.path.join(plug, f"terraform-provider-{ptype}")
    with open(wrapper, "w") as f:
        f.write(f'#!/bin/sh\nexec "{cfg["ruwrap"]}" "{label}" "{binary}" "$@"\n')
    os.chmod(wrapper, 0o755)
    with open(os.path.join(wd, "cli.tfrc"), "w") as f:
        f.write(f'provider_installation {{\n  dev_overrides {{\n    "{source}" = "{plug}"\n  }}\n  direct {{}}\n}}\n')
    tf = (
        f'terraform {{\n  required_providers {{\n    {ptype} = {{ source = "{source}" }}\n  }}\n}}\n'
        f"variable \"n\" {{\n  default = {n}\n}}\nvariable \"run\" {{\n  default = \"x\"\n}}\n"
        + provider_block(label, cfg["aws_endpoint"] if label == "go-aws-3.39" else cfg["endpoint"])
        + resource
    )
    if label.startswith("ours"):
        tf += "locals {\n  arns = " + json.dumps(arns[:n]) + "\n}\n"
    with open(os.path.join(wd, "main.tf"), "w") as f:
        f.write(tf)
    return wd


def env_for(wd, extra=None):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": wd,
        "TF_CLI_CONFIG_FILE": os.path.join(wd, "cli.tfrc"),
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "NO_COLOR": "1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "RUWRAP_LOG": os.path.join(wd, "ruwrap.log"),
    }
    env.update(extra or {})
    return env


def run_tofu(cfg, wd, args, extra_env=None, allow_failure=False):
    """Runs tofu; returns wall seconds, CPU seconds of tofu's whole tree, provider rows."""
    log = os.path.join(wd, "ruwrap.log")
    if os.path.exists(log):
        os.remove(log)
    out = open(os.path.join(wd, "last.log"), "w")
    t0 = time.perf_counter()
    p = subprocess.Popen([cfg["tofu"], *args], cwd=wd, env=env_for(wd, extra_env), stdout=out, stderr=subprocess.STDOUT)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    out.close()
    if p.returncode != 0:
        with open(os.path.join(wd, "last.log")) as f:
            sys.stderr.write(f.read()[-3000:])
        if not allow_failure:
            raise SystemExit(f"{cfg['tofu']} {' '.join(args)} failed in {wd}")
        print(f"warning: {' '.join(args)} failed in {wd}; this repetition is left out", file=sys.stderr)
        return None
    procs = []
    if os.path.exists(log):
        with open(log) as f:
            for line in f:
                _label, pid, ut, st, rss, _st = line.split()
                procs.append((int(ut) + int(st), int(rss)))
    return wall, ru.ru_utime + ru.ru_stime, procs


def cmd_time(cfg, out_path):
    arns = open(cfg["arns_file"]).read().split()
    root = cfg["workroot"]
    rows = []
    labels = list(cfg["binaries"])
    writer = csv.writer(open(out_path, "w", newline=""))
    writer.writerow(["label", "n", "phase", "rep", "wall_s", "tree_cpu_s", "provider_cpu_s", "tofu_cpu_s", "provider_procs", "provider_max_rss_kib"])
    dirs = {}
    failures = []
    for n in cfg["ns"]:
        for label in labels:
            dirs[(label, n)] = make_workdir(root, label, cfg["binaries"][label], n, cfg, arns)
    step = 0
    for n in cfg["ns"]:
        reps = cfg["reps"].get(str(n), 3)
        # One unrecorded warm-up round (page cache, LocalEmu's first requests) before the first N
        # ("warmup": "each": before every N).
        warmup = cfg.get("warmup", True) and (n == cfg["ns"][0] or cfg.get("warmup") == "each")
        for rep in range(-1 if warmup else 0, reps):
            # Rotate the order every repetition so no provider always runs first or last.
            order = labels[step % len(labels):] + labels[: step % len(labels)]
            step += 1
            for label in order:
                wd = dirs[(label, n)]
                for f in ("terraform.tfstate", "terraform.tfstate.backup"):
                    if os.path.exists(os.path.join(wd, f)):
                        os.remove(os.path.join(wd, f))
                run_var = f"-var=run={uuid.uuid4().hex[:12]}"
                phases = [
                    (phase, args)
                    for phase, args in (
                        ("plan", ["plan", "-refresh=false", "-input=false", run_var]),
                        ("apply", ["apply", "-auto-approve", "-input=false", run_var]),
                    )
                    # "phases_by_n" ({"100": ["plan"], "10": ["apply"]}) overrides "phases" per N.
                    if phase in cfg.get("phases_by_n", {}).get(str(n), cfg.get("phases", ["plan", "apply"]))
                ]
                for phase, args in phases:
                    # LocalEmu's SSM now and then answers 500 under concurrency (the AWS provider
                    # retries); a repetition that still fails is reported and left out.
                    ran = run_tofu(cfg, wd, args, extra_env=cfg.get("env"), allow_failure=True)
                    if ran is None:
                        failures.append((label, n, phase, rep))
                        break
                    wall, tree, procs = ran
                    pcpu = sum(p[0] for p in procs) / 1e6
                    row = [label, n, phase, rep, f"{wall:.4f}", f"{tree:.4f}", f"{pcpu:.4f}", f"{tree - pcpu:.4f}", len(procs), max((p[1] for p in procs), default=0)]
                    print(",".join(map(str, row)), file=sys.stderr, flush=True)
                    if rep >= 0:
                        writer.writerow(row)
                        rows.append(row)
    if failures:
        print(f"left out after failures: {failures}", file=sys.stderr)
    return rows


def count_calls(logf):
    ops = {}
    with open(logf) as f:
        for line in f:
            if "AWS call" not in line:
                continue
            i = line.find("operation=")
            op = line[i + 10:].split()[0] if i >= 0 else "?"
            ops[op] = ops.get(op, 0) + 1
    return ops


def cmd_calls(cfg, out_path):
    """AWS calls per created resource, counted from the provider's own debug log ('AWS call ...'
    lines, one per request with its operation), for stores already ENABLED and for stores that
    are STOPPED_INGESTION when apply starts (LocalEmu starts ingestion at once). `tofu plan` alone
    is counted first, then the `tofu apply` that creates the resources, which calls
    PlanResourceChange twice per resource (plan walk and apply walk) before ApplyResourceChange; so
    apply minus twice plan is what ApplyResourceChange itself costs."""
    result = {}
    n = cfg["calls_n"]
    for case, file_key in (("already_enabled", "arns_file"), ("stopped", "stopped_arns_file")):
        arns = open(cfg[file_key]).read().split()[:n]
        wd = make_workdir(cfg["workroot"], "ours", cfg["binaries"]["ours"], n, cfg, arns, f"calls-{case}")
        counts = {}
        for phase, args in (("plan", ["plan", "-refresh=false", "-input=false"]), ("apply", ["apply", "-auto-approve", "-input=false"])):
            logf = os.path.join(wd, f"tf-{phase}.log")
            run_tofu(cfg, wd, args, {"TF_LOG_PROVIDER": "debug", "TF_LOG_PATH": logf})
            counts[phase] = count_calls(logf)
        latencies = []
        for phase in ("plan", "apply"):
            with open(os.path.join(wd, f"tf-{phase}.log")) as f:
                for line in f:
                    i = line.find("elapsed_ms=")
                    if "AWS call" in line and i >= 0:
                        latencies.append(float(line[i + 11:].split()[0]))
        plan_total = sum(counts["plan"].values())
        apply_total = sum(counts["apply"].values())
        result[case] = {
            "resources": n,
            "calls": apply_total,
            "per_resource": apply_total / n,
            "by_operation": counts["apply"],
            "plan_calls_per_resource": plan_total / n,
            # tofu apply plans every resource twice (plan walk, apply walk) before it applies it.
            "apply_rpc_calls_per_resource": (apply_total - 2 * plan_total) / n,
            "localemu_call_ms_median": sorted(latencies)[len(latencies) // 2] if latencies else None,
        }
        print(case, result[case], file=sys.stderr)
    json.dump(result, open(out_path, "w"), indent=2)


def cmd_stores(endpoint, count, enabled, prefix):
    import boto3  # noqa: PLC0415 (only this mode needs it)

    c = boto3.client("cloudtrail", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    for i in range(count):
        r = c.create_event_data_store(
            Name=f"{prefix}-{i:04d}",
            TerminationProtectionEnabled=False,
            StartIngestion=bool(enabled),
            AdvancedEventSelectors=[{"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}],
        )
        print(r["EventDataStoreArn"], flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["stores", "time", "calls"])
    ap.add_argument("--config")
    ap.add_argument("--out")
    ap.add_argument("--endpoint")
    ap.add_argument("--count", type=int)
    ap.add_argument("--enabled", type=int, default=1)
    ap.add_argument("--prefix", default="bench")
    a = ap.parse_args()
    if a.mode == "stores":
        cmd_stores(a.endpoint, a.count, a.enabled, a.prefix)
        return
    cfg = json.load(open(a.config))
    if a.mode == "time":
        cmd_time(cfg, a.out)
    else:
        cmd_calls(cfg, a.out)


if __name__ == "__main__":
    main()
