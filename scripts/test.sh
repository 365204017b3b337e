#!/usr/bin/env bash
# The project's test command (README and .ci/run call exactly this):
#   installs the test tools if missing (scripts/install-tools.sh), checks formatting and clippy,
#   cargo deny (advisories against the RustSec snapshot: scripts/advisories.sh), the macOS compile
#   check and actionlint, builds the release of every target (scripts/release.sh, into target/dist
#   unless TPC_DIST_DIR names one), then runs every test:
#   unit, protocol (real binary, real socket, mTLS), end to end (every client pinned in
#   scripts/versions.env, against LocalEmu), the release zips under qemu and wine, and a registry.
# Usage: scripts/test.sh [--help] [--quick | extra cargo test arguments]
#   --quick  the tier for a change under way: fmt, clippy, unit, AWS mock and protocol tests, and
#            the end-to-end suite on the newest pinned OpenTofu only (installs LocalEmu and it).
# Skipping a client is only possible by name: TPC_SKIP_CLIENTS=terraform-1.0,tofu-1.6 (or all).
set -euo pipefail

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

cd "$(dirname "$0")/.."
# Each step says how long it took (stderr), so a slow run shows where its time went.
step() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  printf '[test.sh] %s: %d s (%d s so far)\n' "$name" "$((SECONDS - start))" "$SECONDS" >&2
}

if [[ "${1:-}" == "--quick" ]]; then
  [[ $# -eq 1 ]] || { echo "scripts/test.sh --quick takes no other argument" >&2; exit 2; }
  # The newest OpenTofu: versions.env pins it first (TOFU_1_12 is the label tofu-1.12 and the
  # test name tofu_1_12).
  key=$(grep -m1 '^TOFU_' scripts/versions.env | cut -d= -f1)
  test_name=${key,,}
  label=${test_name/_/-}
  label=${label//_/.}
  step install-tools scripts/install-tools.sh localemu "$label" >/dev/null
  step fmt cargo fmt --check
  step clippy cargo clippy --all-targets --quiet -- -D warnings
  quick=(--lib --bins --test aws_mocks --test call_log --test protocol)
  step test-build cargo test "${quick[@]}" --test e2e --no-run --quiet
  step test cargo test "${quick[@]}"
  step "test-e2e-$label" cargo test --test e2e -- "$test_name"
  exit 0
fi

step install-tools scripts/install-tools.sh >/dev/null

# The release of every target (scripts/release.sh: cargo auditable, static Linux), for
# tests/release.rs, tests/registry.rs and tests/foreign.rs to check, install and run: linux_amd64
# as shipped (LTO), the others with the quickstart profile, the same program unoptimised, which
# builds in half the time (the shipped profile of every target is what scripts/reproducible.sh
# builds). A TPC_DIST_DIR set by the caller is used as it is.
# It builds in the background, beside the checks and the test build below: its outputs live in
# target/<triple>/ and target/{release,quickstart}/, so no cargo waits for another's lock, and each
# fills the cores the other leaves idle (a fat-LTO link runs on one core). Its output is printed
# if it fails.
release_pid=""
if [[ -z ${TPC_DIST_DIR:-} ]]; then
  export TPC_DIST_DIR=$PWD/target/dist
  rm -rf "$TPC_DIST_DIR"
  mkdir -p target
  # shellcheck source=SCRIPTDIR/versions.env
  read -r -a targets <<<"$(source scripts/versions.env && echo "$RUST_RELEASE_TARGETS")"
  cross=()
  for target in "${targets[@]:1}"; do cross+=(--target "$target"); done
  release_log=target/test-release.log
  # Its own process group (set -m), so that an early exit stops every cargo and linker in it.
  set -m
  (
    step release-"${targets[0]}" scripts/release.sh --out "$TPC_DIST_DIR" --target "${targets[0]}" >/dev/null
    step release-quickstart scripts/release.sh --out "$TPC_DIST_DIR" --profile quickstart "${cross[@]}" >/dev/null
  ) >"$release_log" 2>&1 &
  release_pid=$!
  set +m
  trap '[[ -z $release_pid ]] || kill -- -"$release_pid" 2>/dev/null || true' EXIT
fi

step fmt cargo fmt --check
# Dependency audit (deny.toml): licenses, sources and bans from Cargo.lock; advisories against the
# RustSec snapshot beside the checkout (../shared/advisory-db, or TPC_ADVISORY_DB), every run.
step deny cargo deny --log-level error check licenses sources bans
step advisories scripts/advisories.sh
# The macOS targets compile (no SDK here, so nothing is linked; zig compiles aws-lc's C), and the
# release workflow passes actionlint, with shellcheck (installed with the tools) on its run: blocks.
command -v shellcheck >/dev/null || { echo "shellcheck is missing: run scripts/install-tools.sh debian-test" >&2; exit 1; }
step check-macos scripts/check-macos.sh --quiet
# shellcheck source=SCRIPTDIR/versions.env
step actionlint "${TOOLS_DIR:-$HOME/.cache/terraform-provider-cloudtrail/tools}/bin/actionlint-$(source scripts/versions.env && echo "$ACTIONLINT")"
# The Windows code paths (TCP transport, Ctrl-C) are linted too.
step clippy-windows cargo clippy --target x86_64-pc-windows-gnu --lib --bins --quiet -- -D warnings
# clippy (warnings denied) and the test build in one compile: clippy's driver is the rustc of the
# workspace's crates, as `cargo clippy` makes it, while it builds the tests. `cargo clippy` would
# first check every dependency on its own, which cost about 4 minutes of the two cores on a new
# machine. The same variables on the test run below keep cargo from rebuilding.
clippy_driver="$(rustc --print sysroot)/bin/clippy-driver"
[[ -x $clippy_driver ]] || { echo "clippy is missing: rustup component add clippy" >&2; exit 1; }
with_clippy=(env "RUSTC_WORKSPACE_WRAPPER=$clippy_driver" "CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__")
step clippy-and-test-build "${with_clippy[@]}" cargo test --all-targets --no-run --quiet "$@"
if [[ -n $release_pid ]]; then
  start=$SECONDS
  if ! wait "$release_pid"; then
    release_pid=""
    cat "$release_log" >&2
    echo "[test.sh] the release build failed (its output is above)" >&2
    exit 1
  fi
  release_pid=""
  cat "$release_log" >&2
  printf '[test.sh] waited %d s for the release build\n' "$((SECONDS - start))" >&2
fi
step test "${with_clippy[@]}" cargo test --all-targets "$@"
