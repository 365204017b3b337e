#!/usr/bin/env bash
# Builds the release binary and installs it into the filesystem-mirror layout that
# `terraform init` and `tofu init` search by default, for both registries' host names:
#   ~/.terraform.d/plugins/<host>/cloudtrail-lake/cloudtrail/<version>/<os>_<arch>/
# After this, an ordinary required_providers block (source = "cloudtrail-lake/cloudtrail")
# initialises offline. Usage: scripts/install-provider.sh [--help] [--debug-build]
set -euo pipefail

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
cd "$(dirname "$0")/.."

profile=release
[[ "${1:-}" == "--debug-build" ]] && profile=debug
if [[ $profile == release ]]; then cargo build --release --quiet; else cargo build --quiet; fi

version=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])')
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')
plugins=${TF_PLUGINS_DIR:-$HOME/.terraform.d/plugins}
for host in registry.terraform.io registry.opentofu.org; do
  dir="$plugins/$host/cloudtrail-lake/cloudtrail/$version/${os}_${arch}"
  mkdir -p "$dir"
  install -m 0755 "target/$profile/terraform-provider-cloudtrail" "$dir/terraform-provider-cloudtrail_v$version"
  echo "installed $dir/terraform-provider-cloudtrail_v$version" >&2
done
