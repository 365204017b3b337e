#!/usr/bin/env bash
# The project's test command (README and .ci/run call exactly this):
#   installs the test tools if missing (scripts/install-tools.sh), checks formatting and clippy,
#   then runs every test: unit, protocol (real binary, real socket, mTLS) and end to end
#   (every client pinned in scripts/versions.env: two Terraform and two OpenTofu releases, against LocalEmu).
# Usage: scripts/test.sh [--help] [extra cargo test arguments]
# Skipping a client is only possible by name: TPC_SKIP_CLIENTS=terraform-1.0,tofu-1.6 (or all).
set -euo pipefail

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

cd "$(dirname "$0")/.."
scripts/install-tools.sh >/dev/null
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
# Dependency audit (deny.toml). Advisories need the RustSec database from GitHub, unreachable here: checked only if a copy is on disk.
cargo deny --log-level error check licenses sources bans
if compgen -G "${CARGO_HOME:-$HOME/.cargo}/advisory-dbs/*/crates" >/dev/null; then cargo deny --offline --log-level error check advisories; else echo "cargo deny: advisories NOT checked (no RustSec database on disk; it is fetched from GitHub, which this machine cannot reach)" >&2; fi
cargo test --all-targets "$@"
