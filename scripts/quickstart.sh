#!/usr/bin/env bash
# The main job, on a fresh machine: builds and installs the provider (scripts/install-provider.sh),
# starts LocalEmu on loopback (unless you point it at AWS), creates an event data store with
# ingestion stopped, runs `init` and `apply` on examples/quickstart, and shows the store's status
# before and after.
#   To use real AWS instead: export AWS credentials, AWS_REGION and QUICKSTART_STORE_ARN (an
#   existing store); the script then creates nothing.
#   CLIENT=terraform|tofu picks the client (default: tofu from scripts/install-tools.sh).
# Usage: scripts/quickstart.sh [--help]
set -euo pipefail

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
cd "$(dirname "$0")/.."
root=$PWD

# shellcheck source=versions.env
source scripts/versions.env
tools_bin=$(scripts/install-tools.sh)
scripts/install-provider.sh

case "${CLIENT:-tofu}" in
  tofu) client="$tools_bin/tofu-$TOFU_1_12" ;;
  terraform) client=$(command -v terraform || echo "$tools_bin/terraform-$TERRAFORM_1_5") ;;
  *) client=$CLIENT ;;
esac
venv_python="$(dirname "$(readlink -f "$tools_bin/localemu")")/python"

work=$(mktemp -d)
cleanup() {
  [[ -n "${started_emulator:-}" ]] && "$root/scripts/localemu.sh" stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

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
