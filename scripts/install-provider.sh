#!/usr/bin/env bash
# Builds the provider and installs it into the filesystem-mirror layout that `terraform init` and
# `tofu init` search by default, for both registries' host names:
#   ~/.terraform.d/plugins/<host>/cloudtrail-lake/cloudtrail/<version>/<os>_<arch>/
# After this, an ordinary required_providers block (source = "cloudtrail-lake/cloudtrail")
# initialises offline. Usage: scripts/install-provider.sh [--help] [--debug-build | --profile NAME]
#   default: the release build (cargo's `release` profile: fat LTO, one codegen unit)
#   --profile quickstart: the release profile unoptimised and without LTO, the same program
#     (panic=abort, no debug assertions) in half the build time, for scripts/quickstart.sh
#   --debug-build: cargo's `dev` profile (target/debug)
set -euo pipefail

profile=release
while [[ $# -gt 0 ]]; do
  case $1 in
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --debug-build) profile=dev ;;
    --profile) [[ $# -ge 2 ]] || { echo "install-provider.sh: --profile needs a name" >&2; exit 2; }; profile=$2; shift ;;
    --profile=*) profile=${1#--profile=} ;;
    *) echo "install-provider.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
cd "$(dirname "$0")/.."

cargo build --profile "$profile" --quiet -p terraform-provider-cloudtrail

# The package version and the target directory (CARGO_TARGET_DIR or `target`), from cargo itself.
read -r version target_dir < <(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; m=json.load(sys.stdin); p=next(p for p in m["packages"] if p["name"]=="terraform-provider-cloudtrail"); print(p["version"], m["target_directory"])')
# cargo's `dev` profile writes to target/debug; every other profile to target/<profile>.
binary="$target_dir/$([[ $profile == dev ]] && echo debug || echo "$profile")/terraform-provider-cloudtrail"
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')
plugins=${TF_PLUGINS_DIR:-$HOME/.terraform.d/plugins}
for host in registry.terraform.io registry.opentofu.org; do
  dir="$plugins/$host/cloudtrail-lake/cloudtrail/$version/${os}_${arch}"
  mkdir -p "$dir"
  install -m 0755 "$binary" "$dir/terraform-provider-cloudtrail_v$version"
  echo "installed $dir/terraform-provider-cloudtrail_v$version" >&2
done
