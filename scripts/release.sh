#!/usr/bin/env bash
# Builds and packages the provider in the Terraform Registry's release layout, in DIR (default dist/):
#   terraform-provider-cloudtrail_<ver>_<os>_<arch>.zip       one executable, terraform-provider-cloudtrail_v<ver>[.exe]
#   terraform-provider-cloudtrail_<ver>_<os>_<arch>.cdx.json  its CycloneDX SBOM (cargo-cyclonedx)
#   terraform-provider-cloudtrail_<ver>_manifest.json         {"version":1,"metadata":{"protocol_versions":["6.0"]}}
#   terraform-provider-cloudtrail_<ver>_SHA256SUMS            every <ver> zip and SBOM in DIR, and the manifest
# By default builds every target of RUST_RELEASE_TARGETS (scripts/versions.env) with
# `cargo auditable build --release --locked`, reproducibly (scripts/reproducible.sh checks it).
# SIGN_KEY=<gpg key id> also writes ..._SHA256SUMS.sig (detached), which the registries require.
# Usage: scripts/release.sh [--help] [--out DIR] [--target TRIPLE]... [--profile P] [--sums-only]
#        scripts/release.sh [--out DIR] --binary PATH [--platform OS_ARCH]   (package a given binary)
#   --target     build only this target (repeatable); the macOS targets build on macOS
#   --profile    build with this Cargo profile instead of `release` (tests only: not what ships)
#   --sums-only  only (re)write the manifest, SHA256SUMS and signature over what DIR holds
set -euo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/versions.env
source "$root/scripts/versions.env"
# shellcheck source=cross-env.sh
ROOT=$root TOOLS_DIR=${TOOLS_DIR:-$HOME/.cache/terraform-provider-cloudtrail/tools}
source "$root/scripts/cross-env.sh"
binary="" out="$root/dist" platform="" sums_only="" targets=() profile=release
while [[ $# -gt 0 ]]; do
  case "$1" in
    --help | -h) usage; exit 0 ;;
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --platform) platform=${2:?--platform needs OS_ARCH, e.g. linux_arm64}; shift 2 ;;
    --target) targets+=("${2:?--target needs a target triple}"); shift 2 ;;
    --profile) profile=${2:?--profile needs a Cargo profile}; shift 2 ;;
    --sums-only) sums_only=1; shift ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -z $binary || ${#targets[@]} -eq 0 ]] || { echo "--binary and --target exclude each other" >&2; exit 2; }
[[ -n $binary || -z $platform ]] || { echo "--platform goes with --binary" >&2; exit 2; }
# A signature vouches for what ships: the release profile only.
[[ $profile == release || -z ${SIGN_KEY:-} ]] || { echo "SIGN_KEY with --profile $profile: only the release profile is signed" >&2; exit 2; }
# shellcheck disable=SC2206 # the pin is a space-separated list
[[ ${#targets[@]} -gt 0 ]] || targets=($RUST_RELEASE_TARGETS)

name=terraform-provider-cloudtrail
version=$(cd "$root" && cargo metadata --no-deps --format-version 1 --locked |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == sys.argv[1]))' "$name")
prefix="${name}_${version}"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The registry's <os>_<arch> for a Rust target triple.
platform_of() {
  local arch os
  case "$1" in
    x86_64-*) arch=amd64 ;;
    aarch64-*) arch=arm64 ;;
    i686-*) arch=386 ;;
    arm-*) arch=arm ;;
    *) echo "no registry platform for $1" >&2; return 1 ;;
  esac
  case "$1" in
    *-linux-*) os=linux ;;
    *-freebsd) os=freebsd ;;
    *-windows-*) os=windows ;;
    *-apple-darwin) os=darwin ;;
    *) echo "no registry platform for $1" >&2; return 1 ;;
  esac
  echo "${os}_$arch"
}

# Zips one binary with a fixed timestamp and mode, as one entry named as the registry expects.
package() {
  local bin=$1 plat=$2 entry="${name}_v${version}"
  [[ $plat == windows_* ]] && entry+=.exe
  python3 - "$bin" "$out/${prefix}_${plat}.zip" "$entry" <<'PY'
import os, shutil, sys, zipfile
src, dest, entry = sys.argv[1:4]
info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
info.create_system = 3  # unix, so the mode below is honoured
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
tmp = dest + ".tmp"
with zipfile.ZipFile(tmp, "w") as z, open(src, "rb") as f, z.open(info, "w") as w:
    shutil.copyfileobj(f, w, 1 << 20)
os.replace(tmp, dest)
PY
  echo "$out/${prefix}_${plat}.zip"
}

# Builds targets reproducibly, in one cargo run so that two cores stay busy across the targets'
# serial steps (they must share CROSS_CARGO_ARGS: scripts/cross-env.sh). Paths of this checkout
# and of CARGO_HOME are remapped in Rust and C (aws-lc-sys) alike, and the PE linkers write no
# clock time. Cargo keeps RUSTFLAGS out of symbol hashes, so the remapping itself does not make
# two checkouts differ.
build_targets() {
  local cargo_home base cflags target rustflags upper envs=() args=() cargo_args=()
  cargo_home=$(cd "${CARGO_HOME:-$HOME/.cargo}" && pwd)
  base="--remap-path-prefix=$root=/build --remap-path-prefix=$cargo_home=/cargo"
  # With rust-src installed (rust-toolchain.toml, for the build-std target), rustc writes the real
  # path of the standard library's sources into the panic locations of std code compiled into
  # this crate; mapped back to /rustc/<commit>, as on a machine without rust-src. Both the sysroot
  # rustup reports and its real path (a toolchain may be a link to another).
  local sysroot commit
  sysroot=$(cd "$root" && rustc --print sysroot)
  commit=$(cd "$root" && rustc -vV | sed -n 's/^commit-hash: //p')
  base+=" --remap-path-prefix=$sysroot/lib/rustlib/src/rust=/rustc/$commit"
  if [[ $(cd "$sysroot" && pwd -P) != "$sysroot" ]]; then
    base+=" --remap-path-prefix=$(cd "$sysroot" && pwd -P)/lib/rustlib/src/rust=/rustc/$commit"
  fi
  cflags="-ffile-prefix-map=$root=/build -ffile-prefix-map=$cargo_home=/cargo"
  local tmpdir=${TMPDIR:-/tmp}
  for target in "$@"; do
    cross_env "$target"
    rustflags=$base${CROSS_RUSTFLAGS:+ $CROSS_RUSTFLAGS}
    if [[ $target == *-windows-gnu ]]; then
      rustflags+=" -C link-arg=-Wl,--no-insert-timestamp"
      # GNU ld orders the import table by the paths of the import libraries on its command line
      # (under CARGO_HOME, RUSTUP_HOME, and a fresh directory of TMPDIR for rustc's raw-dylib
      # ones): that directory goes under CARGO_HOME, so TMPDIR plays no part. CARGO_HOME and
      # RUSTUP_HOME side by side (rustup's default) order the same way everywhere (RELEASING.md).
      tmpdir="$cargo_home/tmp-release"
      mkdir -p "$tmpdir"
    fi
    # (tr rather than ${target^^}: macOS ships bash 3.2.)
    upper=$(tr '[:lower:]-' '[:upper:]_' <<<"$target")
    envs+=(${CROSS_ENV[@]+"${CROSS_ENV[@]}"} "CARGO_TARGET_${upper}_RUSTFLAGS=$rustflags"
      "CFLAGS_$(tr '-' '_' <<<"$target")=$cflags")
    args+=(--target "$target")
    cargo_args=(${CROSS_CARGO_ARGS[@]+"${CROSS_CARGO_ARGS[@]}"})
  done
  (
    cd "$root"
    export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}
    TMPDIR=$tmpdir env "${envs[@]}" cargo auditable build --profile "$profile" --locked --quiet \
      "${args[@]}" ${cargo_args[@]+"${cargo_args[@]}"}
  )
}

# The SBOM of one target: cargo-cyclonedx's, with the two fields that change on every run (a
# random serial number and the clock) fixed, so that a release build stays reproducible.
sbom() {
  local target=$1 plat=$2
  local dest="$out/${prefix}_${plat}.cdx.json"
  # cargo-cyclonedx writes <name>.json beside Cargo.toml: a name of this run's own.
  local made_name="sbom-$plat-$$"
  local made="$root/$made_name.json"
  # Build-time dependencies (protox, tonic-prost-build, ...) are not in the binary: left out.
  # It writes one per workspace crate; the provider's lists the framework crates among its
  # components, and the others are dropped.
  (cd "$root" && cargo cyclonedx --quiet --format json --spec-version 1.5 --target "$target" \
    --no-build-deps --override-filename "$made_name" >/dev/null)
  rm -f "$root"/crates/*/"$made_name.json"
  python3 - "$made" "$dest.tmp" "$root" "$name" <<'PY'
import hashlib, json, os, re, sys, uuid
made, dest, root, name = sys.argv[1:5]
doc = json.load(open(made))
os.remove(made)
doc.pop("serialNumber", None)
doc.get("metadata", {}).pop("timestamp", None)
# The checkout's path, and Cargo's package ID of this package, which leaves the name out when
# the checkout's directory has the package's name.
text = json.dumps(doc, sort_keys=True, indent=2).replace(root, "/build")
text = re.sub(r"/build#(?!" + re.escape(name) + "@)", "/build#" + name + "@", text)
doc = json.loads(text)
# The serial number is derived from the content instead (a name-based UUID): same content, same number.
doc["serialNumber"] = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, hashlib.sha256(text.encode()).hexdigest()))
text = json.dumps(doc, sort_keys=True, indent=2)
open(dest, "w").write(text + "\n")
PY
  mv "$dest.tmp" "$dest"
  echo "$dest"
}

if [[ -n $binary ]]; then
  [[ -x $binary ]] || { echo "not an executable: $binary" >&2; exit 1; }
  if [[ -z $platform ]]; then
    case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
    platform="$(uname -s | tr '[:upper:]' '[:lower:]')_$arch"
  fi
  [[ $platform =~ ^[a-z0-9]+_[a-z0-9]+$ ]] || { echo "bad --platform: $platform" >&2; exit 2; }
  package "$binary" "$platform"
elif [[ -z $sums_only ]]; then
  # Targets that build their standard library (-Zbuild-std) build alone; the others together.
  together=()
  for target in "${targets[@]}"; do
    plat=$(platform_of "$target")
    cross_env "$target"
    if [[ ${#CROSS_CARGO_ARGS[@]} -gt 0 ]]; then
      echo "building $target ($plat)" >&2
      build_targets "$target"
    else
      together+=("$target")
    fi
  done
  if [[ ${#together[@]} -gt 0 ]]; then
    echo "building ${together[*]}" >&2
    build_targets "${together[@]}"
  fi
  for target in "${targets[@]}"; do
    plat=$(platform_of "$target")
    exe="${CARGO_TARGET_DIR:-$root/target}/$target/$profile/$name"
    [[ $target == *-windows-* ]] && exe+=.exe
    package "$exe" "$plat"
    sbom "$target" "$plat"
  done
fi

printf '{"version":1,"metadata":{"protocol_versions":["6.0"]}}\n' >"$out/${prefix}_manifest.json"
(
  cd "$out"
  shopt -s nullglob
  sha256=(sha256sum)
  command -v sha256sum >/dev/null || sha256=(shasum -a 256) # macOS
  "${sha256[@]}" "${prefix}"_*.zip "${prefix}"_*.cdx.json "${prefix}_manifest.json" >"${prefix}_SHA256SUMS.tmp"
  mv "${prefix}_SHA256SUMS.tmp" "${prefix}_SHA256SUMS"
  rm -f "${prefix}_SHA256SUMS.sig"
  if [[ -n ${SIGN_KEY:-} ]]; then
    gpg --batch --yes --local-user "$SIGN_KEY" --detach-sign --output "${prefix}_SHA256SUMS.sig" "${prefix}_SHA256SUMS"
  fi
)
echo "$out/${prefix}_SHA256SUMS"
