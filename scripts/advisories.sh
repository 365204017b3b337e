#!/usr/bin/env bash
# Checks the whole dependency graph (dev-dependencies included) against a RustSec advisory
# snapshot on disk: cargo-deny cannot fetch the database here (it lives on GitHub), so this gives
# it the snapshot as the git repository it expects, then runs it offline. No snapshot is a failure.
# Usage: scripts/advisories.sh [--help] [SNAPSHOT_DIR]
#   SNAPSHOT_DIR defaults to $TPC_ADVISORY_DB, else ../shared/advisory-db beside the checkout.
# cargo-deny reads the database at <db-path>/advisory-db-3157b0e258782691 (db-path in deny.toml:
# $CARGO_HOME/advisory-dbs; the suffix is its hash of the default database URL).
set -euo pipefail

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
cd "$(dirname "$0")/.."
snapshot=${1:-${TPC_ADVISORY_DB:-../shared/advisory-db}}
if [[ ! -d $snapshot/crates ]]; then
  echo "advisories.sh: no RustSec snapshot at $snapshot (a copy of rustsec/advisory-db with its crates/ folder is needed)" >&2
  exit 1
fi
db="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs/advisory-db-3157b0e258782691"
# The copy is remade whenever the snapshot's content differs from what was copied last.
stamp=$(cd "$snapshot" && find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
if [[ ! -f $db.stamp || $(cat "$db.stamp") != "$stamp" ]]; then
  rm -rf "$db"
  mkdir -p "$db"
  (cd "$snapshot" && tar --exclude=./.git -cf - .) | tar -xf - -C "$db"
  chmod -R u+w "$db"
  git -C "$db" init -q
  git -C "$db" add -A
  git -C "$db" -c user.name=snapshot -c user.email=snapshot@localhost commit -qm "RustSec snapshot"
  echo "$stamp" >"$db.stamp"
fi
# --offline keeps cargo-deny from fetching the database, and keeps `cargo metadata` offline too:
# every target's crates are fetched first (a no-op once cached).
cargo fetch --locked --quiet
cargo deny --offline --log-level error check advisories
