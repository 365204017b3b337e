#!/usr/bin/env bash
# Proves that release builds are reproducible: builds the release of the current commit twice,
# in two fresh clones at different paths with two different, empty CARGO_HOMEs (crates fetched
# anew from crates.io), and compares every file of the two release directories byte for byte.
# Uncommitted changes are not part of either build. Prints each file's SHA-256; exits 1 on any
# difference. A user verifies a published release the same way: build the tag, compare the
# zips with the SHA256SUMS of the release.
# Usage: scripts/reproducible.sh [--help] [--keep] [--target TRIPLE]...   (default: every release target)
set -euo pipefail

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
root=$(cd "$(dirname "$0")/.." && pwd)
keep="" release_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --target) release_args+=(--target "${2:?--target needs a triple}"); shift 2 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

# Two places whose paths sort on either side of the compiler's own temporary directories
# (TMPDIR/rustc*), so that a build whose output depends on that order shows it.
work=$(mktemp -d "${TMPDIR:-/tmp}/a-reproducible.XXXXXX")
second=$(mktemp -d "${TMPDIR:-/tmp}/z-reproducible.XXXXXX")
[[ -n $keep ]] || trap 'rm -rf "$work" "$second"' EXIT
commit=$(git -C "$root" rev-parse HEAD)
# Cargo's own tools (cargo-auditable, cargo-cyclonedx) stay reachable; rustup's toolchains too.
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

build() {
  local checkout=$1 cargo_home=$2 dist=$3
  git clone --quiet --no-hardlinks "$root" "$checkout"
  git -C "$checkout" checkout --quiet --detach "$commit"
  mkdir -p "$cargo_home"
  echo "building $commit in $checkout (CARGO_HOME=$cargo_home)" >&2
  CARGO_HOME=$cargo_home "$checkout/scripts/release.sh" --out "$dist" "${release_args[@]}" >/dev/null
}

build "$work/one/provider" "$work/one/cargo-home" "$work/one/dist"
build "$second/build/tree/terraform-provider-cloudtrail" "$second/.cargo" "$second/dist"

status=0
(cd "$work/one/dist" && ls) >"$work/one.list"
(cd "$second/dist" && ls) >"$work/second.list"
if ! diff -u "$work/one.list" "$work/second.list"; then
  echo "the two builds made different files" >&2
  status=1
fi
while read -r file; do
  a=$(sha256sum <"$work/one/dist/$file" | cut -d' ' -f1)
  b=$(sha256sum <"$second/dist/$file" | cut -d' ' -f1)
  if [[ $a == "$b" ]]; then
    echo "same      $a  $file"
  else
    echo "DIFFERENT $a $b  $file"
    status=1
  fi
done <"$work/one.list"
[[ -z $keep ]] || echo "builds kept in $work and $second" >&2
if [[ $status -eq 0 ]]; then echo "reproducible: every file of the two builds is identical"; fi
exit "$status"
