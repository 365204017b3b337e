#!/usr/bin/env bash
# Packages the provider in the Terraform Registry's release layout, in DIR (default dist/):
#   terraform-provider-cloudtrail_<ver>_<os>_<arch>.zip  holding terraform-provider-cloudtrail_v<ver>
#   terraform-provider-cloudtrail_<ver>_manifest.json    {"version":1,"metadata":{"protocol_versions":["6.0"]}}
#   terraform-provider-cloudtrail_<ver>_SHA256SUMS       every <ver> zip in DIR, and the manifest
# <ver> is what the binary reports with --version. Without --binary, builds the release binary.
# Run once per platform (--platform for a cross-built binary); SHA256SUMS then lists every zip.
# SIGN_KEY=<gpg key id> also writes ..._SHA256SUMS.sig (detached), which the registry requires.
# Usage: scripts/release.sh [--help] [--binary PATH] [--out DIR] [--platform OS_ARCH]
set -euo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
root=$(cd "$(dirname "$0")/.." && pwd)
binary="" out="$root/dist" platform=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --help | -h) usage; exit 0 ;;
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --platform) platform=${2:?--platform needs OS_ARCH, e.g. linux_arm64}; shift 2 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ -z $binary ]]; then
  (cd "$root" && cargo build --release --quiet)
  binary="$root/target/release/terraform-provider-cloudtrail"
fi
[[ -x $binary ]] || { echo "not an executable: $binary" >&2; exit 1; }

# "terraform-provider-cloudtrail v0.1.0" -> 0.1.0
reported=$("$binary" --version)
version=${reported##* v}
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  echo "cannot read a version from '$binary --version': $reported" >&2
  exit 1
fi
if [[ -z $platform ]]; then
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  platform="$(uname -s | tr '[:upper:]' '[:lower:]')_$arch"
fi
[[ $platform =~ ^[a-z0-9]+_[a-z0-9]+$ ]] || { echo "bad --platform: $platform" >&2; exit 2; }

name=terraform-provider-cloudtrail
prefix="${name}_${version}"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# A reproducible zip: fixed timestamp, one executable entry named as the registry expects.
python3 - "$binary" "$out/${prefix}_${platform}.zip" "${name}_v${version}" <<'PY'
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

printf '{"version":1,"metadata":{"protocol_versions":["6.0"]}}\n' >"$out/${prefix}_manifest.json"

(
  cd "$out"
  shopt -s nullglob
  sha256sum "${prefix}"_*.zip "${prefix}_manifest.json" >"${prefix}_SHA256SUMS.tmp"
  mv "${prefix}_SHA256SUMS.tmp" "${prefix}_SHA256SUMS"
  rm -f "${prefix}_SHA256SUMS.sig"
  if [[ -n ${SIGN_KEY:-} ]]; then
    gpg --batch --yes --local-user "$SIGN_KEY" --detach-sign --output "${prefix}_SHA256SUMS.sig" "${prefix}_SHA256SUMS"
  fi
)
for f in "$out/${prefix}"_*; do echo "$f"; done
