#!/usr/bin/env bash
# The project's test command (README and .ci/run call exactly this):
#   installs the test tools if missing (scripts/install-tools.sh), checks formatting and clippy,
#   cargo deny (advisories against the RustSec snapshot: scripts/advisories.sh), the macOS compile
#   check and actionlint, builds the release of every target (scripts/release.sh, into target/dist
#   unless TPC_DIST_DIR names one), then runs every test:
#   unit, protocol (real binary, real socket, mTLS), end to end (every client pinned in
#   scripts/versions.env, against LocalEmu), the release zips under qemu and wine, and a registry.
# Usage: scripts/test.sh [--help] [extra cargo test arguments]
# Skipping a client is only possible by name: TPC_SKIP_CLIENTS=terraform-1.0,tofu-1.6 (or all).
set -euo pipefail

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

cd "$(dirname "$0")/.."
scripts/install-tools.sh >/dev/null
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
# Dependency audit (deny.toml): licenses, sources and bans from Cargo.lock; advisories against the
# RustSec snapshot beside the checkout (../shared/advisory-db, or TPC_ADVISORY_DB), every run.
cargo deny --log-level error check licenses sources bans
scripts/advisories.sh
# The macOS targets compile (no SDK here, so nothing is linked; zig compiles aws-lc's C), and the
# release workflow passes actionlint, with shellcheck (installed with the tools) on its run: blocks.
command -v shellcheck >/dev/null || { echo "shellcheck is missing: run scripts/install-tools.sh debian-test" >&2; exit 1; }
scripts/check-macos.sh --quiet
# shellcheck source=SCRIPTDIR/versions.env
(source scripts/versions.env && "${TOOLS_DIR:-$HOME/.cache/terraform-provider-cloudtrail/tools}/bin/actionlint-$ACTIONLINT")
# The Windows code paths (TCP transport, Ctrl-C) are linted too.
cargo clippy --target x86_64-pc-windows-gnu --lib --bins --quiet -- -D warnings
# The release of every target (scripts/release.sh: cargo auditable, static Linux), for
# tests/release.rs, tests/registry.rs and tests/foreign.rs to check, install and run: linux_amd64
# as shipped (LTO), the others with the quickstart profile, the same program unoptimised, which
# builds in half the time (the shipped profile of every target is what scripts/reproducible.sh
# builds). A TPC_DIST_DIR set by the caller is used as it is.
if [[ -z ${TPC_DIST_DIR:-} ]]; then
  export TPC_DIST_DIR=$PWD/target/dist
  rm -rf "$TPC_DIST_DIR"
  # shellcheck source=SCRIPTDIR/versions.env
  read -r -a targets <<<"$(source scripts/versions.env && echo "$RUST_RELEASE_TARGETS")"
  scripts/release.sh --out "$TPC_DIST_DIR" --target "${targets[0]}" >/dev/null
  cross=()
  for target in "${targets[@]:1}"; do cross+=(--target "$target"); done
  scripts/release.sh --out "$TPC_DIST_DIR" --profile quickstart "${cross[@]}" >/dev/null
fi
cargo test --all-targets "$@"
