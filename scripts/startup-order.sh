#!/usr/bin/env bash
# Regenerates link/startup-order.txt: the functions of the release build that run before the
# handshake line. build.rs hands the file to LLD (--symbol-ordering-file), which places them
# together at the start of the code, so the kernel maps a few 64 KiB windows of the binary at
# start-up instead of ~60 (BENCHMARKS.md has the figures).
# Run it after updating dependencies or the toolchain, or changing what runs before the line:
# symbol names change with them, and names that no longer exist are skipped silently, so a stale
# file only shows as a larger peak RSS in scripts/bench.sh.
# Usage: scripts/startup-order.sh [--help]
# Needs valgrind and openssl (installed with apt-get when missing and running as root).
set -euo pipefail

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
log() { printf '[startup-order] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
case ${1:-} in
  -h | --help) usage; exit 0 ;;
  '') ;;
  *) usage >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/link/startup-order.txt
need=()
command -v valgrind >/dev/null || need+=(valgrind)
command -v openssl >/dev/null || need+=(openssl)
if ((${#need[@]})); then
  [[ $(id -u) == 0 ]] || die "please install: ${need[*]}"
  log "apt-get install ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
fi

work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The release build with its symbol table (stripping removes the table, not the names in it).
log "cargo rustc --release -- -C strip=none"
(cd "$ROOT" && cargo rustc --release --quiet -p terraform-provider-cloudtrail --bin terraform-provider-cloudtrail -- -C strip=none)
cp "$ROOT/target/release/terraform-provider-cloudtrail" "$work/provider"

# A client certificate like Terraform's (ECDSA P-521, self-signed), so the AutoMTLS path runs.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp521r1 -nodes -days 1 \
  -subj /CN=localhost -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

# Callgrind writes its first dump when print_handshake returns: that dump lists exactly the
# functions run up to and including the line.
log "profiling start-up to the handshake line under callgrind"
TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 \
  PLUGIN_PROTOCOL_VERSIONS=5,6 PLUGIN_MIN_PORT=10000 PLUGIN_MAX_PORT=25000 \
  PLUGIN_CLIENT_CERT="$(cat "$work/cert.pem")" TF_LOG='' TF_LOG_PROVIDER='' \
  valgrind --tool=callgrind --demangle=no --dump-instr=no --dump-after='*print_handshake*' \
  --callgrind-out-file="$work/cg.out" "$work/provider" >"$work/line" 2>"$work/valgrind.log" &
pid=$!
# The dump is complete once its closing `totals:` line is written.
dumped() { grep -q '^totals:' "$work/cg.out.1" 2>/dev/null; }
for _ in $(seq 600); do
  dumped && break
  kill -0 "$pid" 2>/dev/null || die "the provider exited early: $(tail -5 "$work/valgrind.log")"
  sleep 0.1
done
dumped || die "no complete callgrind dump after 60 s: $(tail -5 "$work/valgrind.log")"
grep -q '^1|6|unix|' "$work/line" || die "no handshake line: $(cat "$work/line")"
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=

# The profiled functions that are symbols of the binary (callgrind also lists libc's, and
# addresses it could not name), sorted so that the file diffs well.
nm --defined-only "$work/provider" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u >"$work/symbols"
sed -nE 's/^c?fn=\([0-9]+\) (.+)$/\1/p' "$work/cg.out.1" | sort -u >"$work/profiled"
mkdir -p "$(dirname "$OUT")"
comm -12 "$work/profiled" "$work/symbols" >"$OUT"
log "wrote $(wc -l <"$OUT") symbols to ${OUT#"$ROOT"/} ($(wc -l <"$work/profiled") functions profiled)"
log "rebuild with 'cargo build --release' to link with it"
