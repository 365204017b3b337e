# shellcheck shell=bash disable=SC2034 # sourced by scripts/release.sh, which reads the CROSS_ variables
# The C compiler, linker and flags of each release target, for scripts/release.sh (sourced, not run).
#   cross_env TARGET   sets, for TARGET, CROSS_ENV (NAME=VALUE words for `env`), CROSS_RUSTFLAGS
#                      (added to the target's RUSTFLAGS) and CROSS_CARGO_ARGS (added to cargo's).
# Static Linux (musl) and Windows on arm64 compile aws-lc's C with zig through cargo-zigbuild's
# `zig cc` (it fixes the flags cc and rustc pass that zig reads differently); ARCHITECTURE.md says why.
# Needs ROOT (the checkout), TOOLS_DIR and the pins of scripts/versions.env.

# A shell wrapper per compiler, in a folder named by a hash of its content: cc-rs rebuilds aws-lc when
# CC_<target> changes, not when the file it names does, so a changed wrapper gets a new path.
# zig turns on UBSan at -O0 (the quickstart profile), whose runtime nothing links: off.
cross_wrapper() { # NAME ZIG_TARGET [ZIG FLAGS...] -> path of the wrapper
  local name=$1 zig_target=$2
  shift 2
  local zigbuild="$TOOLS_DIR/bin/cargo-zigbuild-$CARGO_ZIGBUILD" zig="$TOOLS_DIR/bin/zig-$ZIGLANG"
  [[ -x $zigbuild && -x $zig ]] || { echo "cross-env: $zigbuild or $zig is missing: run scripts/install-tools.sh zig" >&2; return 1; }
  local body
  # CARGO_ZIGBUILD_PYTHON_PATH=false: it would otherwise ask `python3 -m ziglang` for a zig on every
  # call, which through pyenv's shims costs more than the compile of a small file.
  body=$(printf '#!/bin/sh\n# zig cc for %s, written by scripts/cross-env.sh.\nCARGO_ZIGBUILD_PYTHON_PATH=false CARGO_ZIGBUILD_ZIG_PATH=%q exec %q zig cc -- -target %s -fno-sanitize=all %s "$@"\n' \
    "$zig_target" "$zig" "$zigbuild" "$zig_target" "$*")
  local dir
  dir="${CARGO_TARGET_DIR:-$ROOT/target}/cross/$(printf '%s' "$body" | sha256sum | cut -c1-16)"
  if [[ ! -x $dir/$name ]]; then
    mkdir -p "$dir"
    printf '%s\n' "$body" >"$dir/$name.tmp"
    chmod +x "$dir/$name.tmp"
    mv "$dir/$name.tmp" "$dir/$name"
  fi
  (cd "$dir" && printf '%s/%s\n' "$PWD" "$name")
}

cross_env() {
  local target=$1 under upper cc
  under=$(tr '-' '_' <<<"$target")
  upper=$(tr '[:lower:]' '[:upper:]' <<<"$under")
  CROSS_ENV=() CROSS_RUSTFLAGS="" CROSS_CARGO_ARGS=()
  case $target in
    x86_64-unknown-linux-musl | aarch64-unknown-linux-musl | i686-unknown-linux-musl)
      # zig compiles the C; rustc links with its own LLD and the static musl (crt objects and libc.a)
      # that rustup ships for these targets. LLD takes --symbol-ordering-file (build.rs); zig's
      # linker does not.
      local zig_target=${target%%-*}-linux-musl flags=()
      [[ $target == i686-* ]] && zig_target=x86-linux-musl flags=(-mcpu=pentium4)
      cc=$(cross_wrapper "cc-$target" "$zig_target" "${flags[@]}") || return 1
      CROSS_ENV=("CC_$under=$cc" "CARGO_TARGET_${upper}_LINKER=rust-lld")
      CROSS_RUSTFLAGS="-C linker-flavor=ld.lld"
      ;;
    arm-unknown-linux-musleabihf)
      # ARMv6 with VFPv2, hard-float: goreleaser's default GOARM=6 (Raspberry Pi 1 and Zero on).
      # rustup's standard library for this target is not served to this machine, so std is built
      # from the pinned toolchain's rust-src (-Zbuild-std; RUSTC_BOOTSTRAP=1 lets the stable
      # compiler take the flag). That std brings no musl of its own: zig links its musl, crt
      # objects and libunwind.
      cc=$(cross_wrapper "cc-$target" arm-linux-musleabihf -mcpu=generic+v6+strict_align+vfp2-d32) || return 1
      CROSS_ENV=("CC_$under=$cc" "CARGO_TARGET_${upper}_LINKER=$cc" RUSTC_BOOTSTRAP=1)
      CROSS_RUSTFLAGS="-C link-self-contained=no"
      CROSS_CARGO_ARGS=('-Zbuild-std=std,panic_abort')
      ;;
    aarch64-pc-windows-gnullvm)
      # zig carries mingw-w64's headers and import libraries for arm64 Windows, and links with LLD.
      # /Brepro: a hash of the content in the PE timestamp field instead of the clock (reproducible.sh).
      cc=$(cross_wrapper "cc-$target" aarch64-windows-gnu) || return 1
      CROSS_ENV=("CC_$under=$cc" "CARGO_TARGET_${upper}_LINKER=$cc")
      CROSS_RUSTFLAGS="-C link-arg=-Wl,/Brepro"
      ;;
    # Debian's mingw-w64 (gcc and GNU ld), the toolchain rustup's windows-gnu std is built for:
    # the linkers are in .cargo/config.toml, and cc-rs finds the compilers by their triple.
    x86_64-pc-windows-gnu) ;;
    i686-pc-windows-gnu)
      # cargo-auditable 0.7.7 keeps its section with `-u AUDITABLE_VERSION_INFO`, but the object
      # it links names the symbol with 32-bit Windows' leading underscore, so GNU ld dropped the
      # dependency list (tests/release.rs saw no .dep-v0): keep the decorated name too.
      CROSS_RUSTFLAGS="-C link-arg=-Wl,-u,_AUDITABLE_VERSION_INFO"
      ;;
    x86_64-unknown-freebsd)
      # zig carries FreeBSD's libc (14.0) to compile and link against; the binary is dynamic, as
      # every FreeBSD program is (libc.so.7 keeps its ABI). Nothing here runs it.
      cc=$(cross_wrapper "cc-$target" x86_64-freebsd) || return 1
      CROSS_ENV=("CC_$under=$cc" "CARGO_TARGET_${upper}_LINKER=$cc")
      ;;
    *-apple-darwin) ;; # built on macOS, with its SDK (the release workflow)
    *) echo "cross-env: no toolchain for $target" >&2; return 1 ;;
  esac
}
