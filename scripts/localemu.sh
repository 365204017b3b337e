#!/usr/bin/env bash
# Runs LocalEmu (a LocalStack-derived AWS emulator) as a plain host process on a loopback port,
# with only the cloudtrail and sts services, no persistence and a private data directory.
# Usage:
#   scripts/localemu.sh start [PORT]  start it in the background (on PORT, or on a free port), wait
#                                     until it answers, print its endpoint (http://127.0.0.1:PORT)
#   scripts/localemu.sh stop          stop it (SIGTERM to its process group, SIGKILL after 3 s)
#   scripts/localemu.sh status        print the endpoint if it is running, else exit 1
#   scripts/localemu.sh --help
# Environment:
#   LOCALEMU_STATE_DIR     pid, port, log and data directory (default /tmp/tpc-localemu)
#   TOOLS_DIR              where scripts/install-tools.sh put the tools
#                          (default ~/.cache/terraform-provider-cloudtrail/tools)
#   LOCALEMU_BIN           the localemu executable (default $TOOLS_DIR/bin/localemu)
#   LOCALEMU_CACHE_DIR     shared cache of LocalEmu's service-catalog index (default $TOOLS_DIR/localemu-cache)
#   LOCALEMU_SERVICES      services to load (default cloudtrail,sts)
#   LOCALEMU_START_TIMEOUT seconds to wait for readiness (default 120)
set -euo pipefail
set +m # background jobs stay in our process group, so `setsid` below does not need to fork

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
log() { printf '[localemu] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck source=SCRIPTDIR/versions.env
source "$(dirname "$0")/versions.env"

STATE_DIR=${LOCALEMU_STATE_DIR:-/tmp/tpc-localemu}
TOOLS_DIR=${TOOLS_DIR:-$HOME/.cache/terraform-provider-cloudtrail/tools}
BIN=${LOCALEMU_BIN:-$TOOLS_DIR/bin/localemu}
CACHE_DIR=${LOCALEMU_CACHE_DIR:-$TOOLS_DIR/localemu-cache}
SERVICES=${LOCALEMU_SERVICES:-cloudtrail,sts}
START_TIMEOUT=${LOCALEMU_START_TIMEOUT:-120}
HEALTH_PATH=/_localemu/health

# True while process $1 exists and is not a zombie.
alive() {
  local stat
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# True while any non-zombie process is in process group $1.
group_alive() {
  local f stat fields
  for f in /proc/[0-9]*/stat; do
    read -r stat 2>/dev/null <"$f" || continue
    stat=${stat##*) }
    read -r -a fields <<<"$stat"
    [[ ${fields[2]} == "$1" && ${fields[0]} != Z ]] && return 0
  done
  return 1
}

# The pid from the state dir, if that process is alive and is LocalEmu.
running_pid() {
  local pid
  pid=$(cat "$STATE_DIR/pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q localemu || return 1
  echo "$pid"
}

# http PORT REQUEST_TEXT: sends a raw HTTP/1.0 request over bash's /dev/tcp, prints the response.
http() {
  timeout "${3:-5}" bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    printf "%b" "$1" >&3
    cat <&3' "$1" "$2" 2>/dev/null
}

health() {
  http "$1" "GET $HEALTH_PATH HTTP/1.0\r\nHost: 127.0.0.1:$1\r\n\r\n"
}

port_in_use() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null
}

pick_port() {
  local port i
  for i in $(seq 1 50); do
    # Below Linux's ephemeral range (32768+), so outgoing connections do not take it meanwhile.
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  die "found no free loopback port"
}

# Copies a cached service-catalog index into the private root (LocalEmu otherwise spends ~3 s
# building it on the first request of every fresh instance).
seed_catalog() {
  local root=$1 f
  mkdir -p "$root/usr/lib/localemu"
  for f in "$CACHE_DIR"/service-catalog-*.dill; do
    [[ -f $f ]] && cp "$f" "$root/usr/lib/localemu/"
  done
  return 0
}

harvest_catalog() {
  local root=$1 f name
  for f in "$root"/var/lib/localemu/cache/service-catalog-*.dill; do
    [[ -f $f ]] || continue
    name=${f##*/}
    [[ -f $CACHE_DIR/$name ]] && continue
    mkdir -p "$CACHE_DIR" 2>/dev/null || return 0
    cp "$f" "$CACHE_DIR/.$name.$$" 2>/dev/null && mv -f "$CACHE_DIR/.$name.$$" "$CACHE_DIR/$name" || rm -f "$CACHE_DIR/.$name.$$"
  done
  return 0
}

cmd_start() {
  local want_port=${1:-} pid port
  if pid=$(running_pid); then
    port=$(cat "$STATE_DIR/port")
    if [[ -n $want_port && $want_port != "$port" ]]; then
      die "already running on port $port (pid $pid); run '$0 stop' first"
    fi
    log "already running (pid $pid)"
    echo "http://127.0.0.1:$port"
    return 0
  fi
  [[ -x $BIN ]] || die "LocalEmu not found at $BIN; run scripts/install-tools.sh first"
  if [[ -n $want_port ]]; then
    [[ $want_port =~ ^[0-9]+$ ]] && ((want_port > 0 && want_port < 65536)) || die "invalid port: $want_port"
    port_in_use "$want_port" && die "port $want_port is already in use"
  fi

  mkdir -p "$STATE_DIR"
  local root=$STATE_DIR/root logf=$STATE_DIR/localemu.log
  for _ in 1 2 3; do # up to three tries: a picked port can be taken before LocalEmu binds it
    port=${want_port:-$(pick_port)}
    rm -rf "$root" "$STATE_DIR/pid" "$STATE_DIR/port"
    mkdir -p "$root/tmp"
    seed_catalog "$root"
    : >"$logf"
    # OVERRIDE_IN_DOCKER=0: this machine has /.dockerenv, and in "docker mode" LocalEmu would use (and wipe
    #   on start) the shared /tmp/localemu and /var/lib/localemu instead of FILESYSTEM_ROOT.
    # GATEWAY_SERVER=hypercorn: the default twisted server ignores the host and binds 0.0.0.0; hypercorn
    #   binds 127.0.0.1 only, and stops in ~0.5 s instead of ~4 s.
    # --port must match GATEWAY_LISTEN: `localemu start` refuses to start if --port (default 4566) is taken.
    # The -u list: settings of a developer's own LocalEmu/LocalStack that would change what this one does.
    env -u CONFIG_PROFILE -u DATA_DIR -u LOCALEMU_HOST -u LOCALEMU_VOLUME_DIR -u IAM_ENFORCEMENT \
      -u SIMULATE_THROTTLING -u SIMULATE_LATENCY -u USE_SSL -u LS_LOG \
      GATEWAY_LISTEN="127.0.0.1:$port" GATEWAY_SERVER=hypercorn SERVICES="$SERVICES" \
      EAGER_SERVICE_LOADING=1 PERSISTENCE=0 OVERRIDE_IN_DOCKER=0 FILESYSTEM_ROOT="$root" \
      TMPDIR="$root/tmp" PYTHONUNBUFFERED=1 DEBUG=0 \
      setsid "$BIN" start --host 127.0.0.1 --port "$port" </dev/null >>"$logf" 2>&1 &
    pid=$!
    echo "$pid" >"$STATE_DIR/pid"
    echo "$port" >"$STATE_DIR/port"

    local deadline=$((SECONDS + START_TIMEOUT)) body=""
    while ((SECONDS < deadline)); do
      if ! alive "$pid"; then
        break
      fi
      body=$(health "$port" || true)
      if [[ $body == "HTTP/1."?" 200"* ]]; then
        if [[ $body =~ \"cloudtrail\":\ \"(running|available)\" ]]; then
          break
        elif [[ $body =~ \"cloudtrail\":\ \"error\" ]]; then
          cmd_stop >/dev/null 2>&1 || true
          die "LocalEmu's cloudtrail service is in state 'error'; see $logf"
        fi
      fi
      sleep 0.1
    done
    if alive "$pid" && [[ $body =~ \"cloudtrail\":\ \"(running|available)\" ]]; then
      if [[ $SERVICES == *sts* && $body =~ \"sts\":\ \"error\" ]]; then
        log "warning: LocalEmu's sts service failed to load (localemu $LOCALEMU needs Python >= 3.12 for it); cloudtrail works"
      fi
      # Warm-up: the first AWS request makes LocalEmu build its service-catalog index (~3 s) unless it
      # was seeded; do it now (unsigned, so it touches no service) and keep the index for next time.
      http "$port" "POST / HTTP/1.0\r\nHost: 127.0.0.1:$port\r\nX-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListEventDataStores\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n\r\n{}" 60 >/dev/null || true
      harvest_catalog "$root"
      log "ready on port $port (pid $pid, log $logf)"
      echo "http://127.0.0.1:$port"
      return 0
    fi
    if ! alive "$pid"; then
      if [[ -z $want_port ]] && grep -q -i -E 'already in use|address in use' "$logf"; then
        log "port $port was taken meanwhile; retrying"
        continue
      fi
      log "LocalEmu exited during start-up; last lines of $logf:"
      tail -n 30 "$logf" >&2
      rm -f "$STATE_DIR/pid" "$STATE_DIR/port"
      exit 1
    fi
    log "LocalEmu did not become ready within ${START_TIMEOUT}s; last lines of $logf:"
    tail -n 30 "$logf" >&2
    cmd_stop >/dev/null 2>&1 || true
    exit 1
  done
  die "could not start LocalEmu on a free port"
}

cmd_stop() {
  local pid
  pid=$(cat "$STATE_DIR/pid" 2>/dev/null || true)
  if [[ ! $pid =~ ^[0-9]+$ ]]; then
    log "not running (no pid in $STATE_DIR)"
    return 0
  fi
  if ! running_pid >/dev/null; then
    log "not running (pid $pid is gone)"
  else
    # It was started with setsid, so its pid is also its process-group id. With the hypercorn
    # server LocalEmu usually exits 0.3-0.5 s after SIGTERM, but now and then its event loop misses
    # the stop request and idles for 4-10 s more; it holds no state worth a clean exit, so SIGKILL.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 30; i++)); do group_alive "$pid" && sleep 0.1 || break; done
    if group_alive "$pid"; then
      log "still running 3 s after SIGTERM; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do group_alive "$pid" && sleep 0.1 || break; done
    fi
    log "stopped (pid $pid)"
  fi
  rm -rf "$STATE_DIR/root" "$STATE_DIR/pid" "$STATE_DIR/port"
}

cmd_status() {
  local pid
  if pid=$(running_pid); then
    echo "http://127.0.0.1:$(cat "$STATE_DIR/port")"
  else
    log "not running"
    return 1
  fi
}

case "${1:-}" in
  start) shift; [[ $# -le 1 ]] || die "usage: $0 start [PORT]"; cmd_start "${1:-}" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
