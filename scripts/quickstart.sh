#!/usr/bin/env bash
# The main job, on a fresh machine: builds and installs the provider (scripts/install-provider.sh
# --profile quickstart), starts LocalEmu on loopback (unless you point it at AWS), creates an event
# data store with ingestion stopped, runs `init` and `apply` on examples/quickstart, and shows the
# store's status before and after. It installs only LocalEmu and, if needed, one client
# (scripts/install-tools.sh localemu [tofu-1.12]), never the test or release tools.
#   The client: a `tofu` (>= 1.6) or `terraform` (>= 1.0) on PATH, in that order, else OpenTofu
#   TOFU_1_12 (scripts/versions.env) built from the Go module proxy. CLIENT=tofu or
#   CLIENT=terraform picks one (the one on PATH, else the pinned tofu-1.12 or terraform-1.5 build);
#   CLIENT=/path/to/binary uses that binary.
#   To use real AWS instead: export AWS credentials, AWS_REGION and QUICKSTART_STORE_ARN (an
#   existing store); the script then creates nothing.
# Usage: scripts/quickstart.sh [--help]
set -euo pipefail

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
cd "$(dirname "$0")/.."
root=$PWD
log() { printf '[quickstart] %s\n' "$*" >&2; }

# shellcheck source=SCRIPTDIR/versions.env
source scripts/versions.env

# client_version BINARY: its version (1.11.4, 1.12.6-dev), from `version -json`, or from the
# version line of plain `version` for clients without -json (Terraform < 0.13). Empty if neither.
client_version() {
  local out
  out=$(CHECKPOINT_DISABLE=1 timeout 60 "$1" version -json 2>/dev/null </dev/null || true)
  if [[ $out =~ \"terraform_version\":\ *\"([0-9][^\"]*)\" ]]; then
    echo "${BASH_REMATCH[1]}"
    return
  fi
  out=$(CHECKPOINT_DISABLE=1 timeout 60 "$1" version 2>/dev/null </dev/null || true)
  # Some clients print warnings (e.g. about the CLI config file) before the version line.
  [[ $out =~ (Terraform|OpenTofu)\ v([0-9][^[:space:]]*) ]] && echo "${BASH_REMATCH[2]}"
  return 0
}

# speaks_protocol_6 VERSION MIN_MINOR: true if VERSION is 1.MIN_MINOR or later (or 2+).
speaks_protocol_6() {
  [[ $1 =~ ^([0-9]+)\.([0-9]+) ]] || return 1
  ((BASH_REMATCH[1] > 1 || (BASH_REMATCH[1] == 1 && BASH_REMATCH[2] >= $2)))
}

# on_path NAME: the path of NAME on PATH if its version speaks plugin protocol 6 (Terraform >= 1.0,
# OpenTofu >= 1.6); says why not otherwise.
on_path() {
  local name=$1 path version
  path=$(command -v "$name") || return 1
  version=$(client_version "$path")
  if speaks_protocol_6 "$version" "$([[ $name == tofu ]] && echo 6 || echo 0)"; then
    echo "$path"
  else
    log "not using $path (version '${version:-unknown}'): plugin protocol 6 needs Terraform >= 1.0 or OpenTofu >= 1.6"
    return 1
  fi
}

# The client, and what scripts/install-tools.sh has to install: LocalEmu always (its virtualenv's
# boto3 also reads the store's status on AWS), a client only if none fits.
tools=(localemu)
client="" build=""
case "${CLIENT:-}" in
  "") client=$(on_path tofu || on_path terraform) || build=tofu-$TOFU_1_12 ;;
  tofu) client=$(on_path tofu) || build=tofu-$TOFU_1_12 ;;
  terraform) client=$(on_path terraform) || build=terraform-$TERRAFORM_1_5 ;;
  *)
    client=$(command -v "$CLIENT") || { log "CLIENT=$CLIENT: no such executable"; exit 1; }
    speaks_protocol_6 "$(client_version "$client")" 0 || log "warning: $client may not speak plugin protocol 6 (Terraform >= 1.0, OpenTofu >= 1.6)"
    ;;
esac
if [[ -n $build ]]; then
  tools+=("${build%.*}") # tofu-1.12.6 -> the tool name tofu-1.12
  log "no suitable client on PATH: using $build from scripts/install-tools.sh (built once, from the Go module proxy)"
fi

work=$(mktemp -d)
cleanup() {
  if [[ -n "${tools_pid:-}" ]]; then kill "$tools_pid" 2>/dev/null || true; fi
  if [[ -n "${started_emulator:-}" ]]; then "$root/scripts/localemu.sh" stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The tools (mostly downloads and Go) and the provider (cargo) install side by side.
scripts/install-tools.sh "${tools[@]}" >"$work/tools_bin" &
tools_pid=$!
scripts/install-provider.sh --profile quickstart
wait "$tools_pid"
tools_pid=""
tools_bin=$(tail -n 1 "$work/tools_bin")
if [[ -n $build ]]; then client="$tools_bin/$build"; fi
log "client: $client ($(client_version "$client"))"
venv_python="$(dirname "$(readlink -f "$tools_bin/localemu")")/python"

if [[ -n "${QUICKSTART_STORE_ARN:-}" ]]; then
  store=$QUICKSTART_STORE_ARN
  endpoint=""
  region=${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}
  echo "Using AWS: store $store in $region"
else
  export LOCALEMU_STATE_DIR="$work/localemu"
  endpoint=$(scripts/localemu.sh start)
  started_emulator=1
  region=us-east-1
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=$region
  store=$("$venv_python" - "$endpoint" <<'PY'
import sys, boto3
ct = boto3.client("cloudtrail", endpoint_url=sys.argv[1], region_name="us-east-1")
resp = ct.create_event_data_store(Name="quickstart", StartIngestion=False)
print(resp["EventDataStoreArn"])
PY
)
  echo "LocalEmu at $endpoint; created store $store with ingestion stopped"
fi

status() {
  "$venv_python" - "$store" "$endpoint" "$region" <<'PY'
import sys, boto3
store, endpoint, region = sys.argv[1], sys.argv[2] or None, sys.argv[3]
ct = boto3.client("cloudtrail", endpoint_url=endpoint, region_name=region)
print(ct.get_event_data_store(EventDataStore=store)["Status"])
PY
}

echo "Status before: $(status)"
cp examples/quickstart/main.tf "$work/"
export TF_VAR_event_data_store=$store TF_VAR_region=$region CHECKPOINT_DISABLE=1
[[ -n "$endpoint" ]] && export TF_VAR_cloudtrail_endpoint=$endpoint
"$client" -chdir="$work" init -input=false -no-color
"$client" -chdir="$work" apply -input=false -auto-approve -no-color
echo "Status after: $(status)"
