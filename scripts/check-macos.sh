#!/usr/bin/env bash
# Compile check of the macOS targets on Linux ($RUST_CHECK_TARGETS in scripts/versions.env):
#   `cargo check --locked --target T` for each (the workspace's libraries and the provider binary:
#   what ships; the tests run on Linux only), warnings denied. Nothing is linked
#   (no macOS SDK here), but build scripts run, and aws-lc-sys compiles its C for the target: zig
#   (`zig-$ZIGLANG` in the tools dir, from scripts/install-tools.sh) is that C compiler.
# Usage: scripts/check-macos.sh [--help] [extra cargo check arguments, e.g. --quiet]
# Checks every target, then fails if any failed. Artifacts go to target/<triple>/ as usual.
set -euo pipefail

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

cd "$(dirname "$0")/.."
# shellcheck source=SCRIPTDIR/versions.env
source scripts/versions.env
TOOLS_DIR=${TOOLS_DIR:-$HOME/.cache/terraform-provider-cloudtrail/tools}
zig="$TOOLS_DIR/bin/zig-$ZIGLANG"
[[ -x $zig ]] || { echo "check-macos: $zig is missing: run scripts/install-tools.sh" >&2; exit 1; }

# zig cc for one target. cc (the crate) tells clang the target as --target=arm64-apple-macosx,
# which zig refuses (it knows no arm64 architecture): dropped, zig's own -target says it; the
# -mmacosx-version-min cc adds (rustc's default) stays. zig reads -march as a CPU name, so
# aws-lc-sys's probe flag -march=armv8.4-a+sha3 becomes -mcpu=generic+v8_4a+sha3 (else the probe
# fails and the build leaves out the NEON SHA3 code that a build on macOS has).
cc_wrapper() {
  local target=$1 zig_target=$2
  cat <<SH
#!/bin/sh
# zig cc for $target, written by scripts/check-macos.sh.
for arg in "\$@"; do
  shift
  case \$arg in
    --target=*) ;;
    -march=armv*) set -- "\$@" "\$(printf '%s' "\$arg" | sed 's/^-march=armv\\([0-9]*\\)\\.\\([0-9]*\\)-a/-mcpu=generic+v\\1_\\2a/')" ;;
    *) set -- "\$@" "\$arg" ;;
  esac
done
exec '$zig' cc -target $zig_target "\$@"
SH
}
ar_wrapper() {
  printf '#!/bin/sh\n# zig'"'"'s llvm-ar, written by scripts/check-macos.sh.\nexec '"'%s'"' ar "$@"\n' "$zig"
}

declare -A zig_targets=([aarch64-apple-darwin]=aarch64-macos [x86_64-apple-darwin]=x86_64-macos)
for target in $RUST_CHECK_TARGETS; do
  [[ -n ${zig_targets[$target]:-} ]] || { echo "check-macos: no zig target for $target (scripts/versions.env RUST_CHECK_TARGETS)" >&2; exit 2; }
done

# The wrappers live under the target dir in a folder named by a hash of their content: aws-lc-sys
# and cc rebuild when CC_<target> changes, not when the file it names does, so a changed wrapper
# gets a new path and an unchanged one keeps its path (and the built aws-lc) between runs.
all_wrappers=$(ar_wrapper; for target in $RUST_CHECK_TARGETS; do cc_wrapper "$target" "${zig_targets[$target]}"; done)
hash=$(printf '%s' "$all_wrappers" | sha256sum | cut -c1-16)
wrappers="${CARGO_TARGET_DIR:-target}/check-macos/$hash"
mkdir -p "$wrappers"
wrappers=$(cd "$wrappers" && pwd)
install_wrapper() { # NAME CONTENT
  [[ -x $wrappers/$1 ]] && return
  printf '%s\n' "$2" >"$wrappers/$1.tmp"
  chmod +x "$wrappers/$1.tmp"
  mv "$wrappers/$1.tmp" "$wrappers/$1"
}
install_wrapper ar "$(ar_wrapper)"

failed=()
for target in $RUST_CHECK_TARGETS; do
  install_wrapper "cc-$target" "$(cc_wrapper "$target" "${zig_targets[$target]}")"
  under=${target//-/_}
  upper=${under^^}
  start=$SECONDS
  # CoreServices.h (aws-lc's CPU jitter entropy source on macOS) comes with the macOS SDK, not with
  # zig's libc headers: aws-lc-sys would find that out with a probe and leave it out; said here.
  if env "CC_$under=$wrappers/cc-$target" "AR_$under=$wrappers/ar" \
    "AWS_LC_SYS_NO_JITTER_ENTROPY_$under=1" \
    "CARGO_TARGET_${upper}_RUSTFLAGS=-D warnings" \
    cargo check --locked --target "$target" "$@"; then
    echo "check-macos: $target ok ($((SECONDS - start)) s)" >&2
  else
    echo "check-macos: $target FAILED ($((SECONDS - start)) s)" >&2
    failed+=("$target")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "check-macos: FAILED for ${failed[*]}" >&2
  exit 1
fi
