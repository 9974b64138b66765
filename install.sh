#!/usr/bin/env bash
# Korobka installer for Debian 12 and Ubuntu 22.04+.
#
#   sudo ./install.sh                 install and start the appliance
#   sudo ./install.sh --no-start      install, do not start
#   ./install.sh --deps-only --with-test-tools
#                                     only system packages, npm ci and build
#                                     (what the test suite needs)
#
# Safe to run again: packages already present are skipped, the data
# directory, database, keys and certificates are kept.
set -euo pipefail

WITH_TEST_TOOLS=0
NO_START=0
DEPS_ONLY=0
PREFIX=/opt/korobka
DATA_DIR=/var/lib/korobka
SERVICE_USER=korobka

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  cat <<USAGE
Options:
  --with-test-tools   also install the test peers: sip-tester (sipp), chromium, tshark
  --no-start          install everything but do not start the appliance
  --deps-only         system packages, npm ci and build only (no user, no data, no service)
  --prefix DIR        where the application is installed (default $PREFIX)
  --data-dir DIR      data directory (default $DATA_DIR)
  -h, --help          this help
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --with-test-tools) WITH_TEST_TOOLS=1 ;;
    --no-start) NO_START=1 ;;
    --deps-only) DEPS_ONLY=1 ;;
    --prefix) PREFIX="$2"; shift ;;
    --data-dir) DATA_DIR="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STEPS=7; [ "$DEPS_ONLY" = 1 ] && STEPS=4
step=0
say() { step=$((step + 1)); printf '\n[%d/%d] %s\n' "$step" "$STEPS" "$*"; }
die() { printf '\ninstall.sh: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if [ "$DEPS_ONLY" = 1 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else die "run as root: sudo ./install.sh"; fi
fi

say "checking the system"
. /etc/os-release 2>/dev/null || die "cannot read /etc/os-release: Debian 12 or Ubuntu 22.04+ is required"
case "${ID:-}:${VERSION_ID:-}" in
  debian:12*|debian:13*) ;;
  ubuntu:22.04|ubuntu:24.04|ubuntu:2[4-9].*) ;;
  *) die "unsupported system ${PRETTY_NAME:-unknown}: Debian 12 or Ubuntu 22.04+ is required" ;;
esac
command -v node >/dev/null 2>&1 || die "Node.js is not installed: install Node 20 or newer (e.g. from NodeSource) and run again"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 20 ] || die "Node $(node --version) is too old: Korobka needs Node 20 or newer"
command -v npm >/dev/null 2>&1 || die "npm is missing: install it with Node.js"
NODE_BIN="$(command -v node)"
echo "    ${PRETTY_NAME}, Node $(node --version), $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GB RAM"

say "system packages"
PKGS=(rtpengine-daemon rtpengine-recording-daemon ffmpeg opus-tools iproute2 procps ca-certificates)
[ "$WITH_TEST_TOOLS" = 1 ] && PKGS+=(sip-tester chromium tshark)
MISSING=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || MISSING+=("$p")
done
if [ "${#MISSING[@]}" -gt 0 ]; then
  echo "    installing: ${MISSING[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${MISSING[@]}"
else
  echo "    all present: ${PKGS[*]}"
fi
# Debian's rtpengine service would take the ng port and media range; Korobka
# starts rtpengine itself with its own arguments.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now rtpengine-daemon.service >/dev/null 2>&1 || true
fi

# SIP over UDP at a few hundred calls per second needs socket buffers larger
# than Linux's default cap (sip-core asks for 8 MB). Best effort: a container
# may not allow it, and then sip-core runs with the kernel's cap.
if [ "$(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo 0)" -lt 8388608 ]; then
  printf 'net.core.rmem_max = 8388608\nnet.core.wmem_max = 4194304\n' | $SUDO tee /etc/sysctl.d/90-korobka.conf >/dev/null || true
  $SUDO sysctl -q -p /etc/sysctl.d/90-korobka.conf >/dev/null 2>&1 || echo "    note: could not raise net.core.rmem_max (container?); SIP over UDP may drop packets at high call rates"
fi

say "node modules (npm ci)"
cd "$SRC"
npm ci --no-audit --no-fund --loglevel=error

say "build"
# A release build trusts only the licence keys built into it; the test
# suite (--deps-only) needs a development build that can trust test keys.
if [ "$DEPS_ONLY" = 1 ]; then npm run --silent build; else KOROBKA_RELEASE=1 npm run --silent build; fi

if [ "$DEPS_ONLY" = 1 ]; then
  echo; echo "dependencies installed and built in $SRC"
  exit 0
fi

say "application in $PREFIX"
id "$SERVICE_USER" >/dev/null 2>&1 || useradd --system --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
mkdir -p "$PREFIX"
# Replace the code, never the data: the data directory is elsewhere.
rm -rf "$PREFIX/dist.new" && cp -a "$SRC/dist" "$PREFIX/dist.new" && rm -rf "$PREFIX/dist" && mv "$PREFIX/dist.new" "$PREFIX/dist"
cp "$SRC/package.json" "$SRC/package-lock.json" "$PREFIX/"
rm -rf "$PREFIX/node_modules" && cp -a "$SRC/node_modules" "$PREFIX/node_modules"
chown -R root:root "$PREFIX"
cat > /usr/local/bin/korobka <<WRAP
#!/bin/sh
# Korobka command; runs as the $SERVICE_USER user so files stay its own.
export KOROBKA_DATA_DIR="\${KOROBKA_DATA_DIR:-$DATA_DIR}"
if [ "\$(id -u)" = 0 ]; then
  exec runuser -u $SERVICE_USER -- env KOROBKA_DATA_DIR="\$KOROBKA_DATA_DIR" "$NODE_BIN" "$PREFIX/dist/appliance/cli/main.js" "\$@"
fi
exec "$NODE_BIN" "$PREFIX/dist/appliance/cli/main.js" "\$@"
WRAP
chmod 0755 /usr/local/bin/korobka
echo "    /usr/local/bin/korobka → $PREFIX"

say "data directory, first admin, TLS certificate"
mkdir -p "$DATA_DIR"
chown "$SERVICE_USER:$SERVICE_USER" "$DATA_DIR"
chmod 0750 "$DATA_DIR"
# The one-time password goes through a private file, so it is printed once,
# at the end, and never lands in a log.
PASSFILE="$(mktemp -u /tmp/korobka-pw.XXXXXXXX)"
INIT_OUT="$(korobka init --password-file "$PASSFILE" 2>&1)" || { echo "$INIT_OUT"; die "korobka init failed"; }
echo "$INIT_OUT" | grep -v '^      [A-Za-z0-9]\{18\}$' | sed 's/^/    /'
ADMIN_PASSWORD=""
if [ -f "$PASSFILE" ]; then ADMIN_PASSWORD="$(cat "$PASSFILE")"; rm -f "$PASSFILE"; fi

say "starting"
if [ "$NO_START" = 1 ]; then
  echo "    not started (--no-start); start with: systemctl start korobka, or korobka start --daemon"
elif command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  cat > /etc/systemd/system/korobka.service <<UNIT
[Unit]
Description=Korobka PBX appliance
After=network-online.target
Wants=network-online.target

[Service]
User=$SERVICE_USER
Group=$SERVICE_USER
Environment=KOROBKA_DATA_DIR=$DATA_DIR
ExecStart=$NODE_BIN $PREFIX/dist/appliance/cli/main.js start
KillMode=mixed
TimeoutStopSec=30
Restart=on-failure
RestartSec=2
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  systemctl enable korobka.service >/dev/null
  systemctl restart korobka.service
  echo "    systemd service korobka enabled and started"
else
  korobka stop >/dev/null 2>&1 || true
  korobka start --daemon | sed 's/^/    /'
fi

if [ "$NO_START" != 1 ]; then
  for _ in $(seq 1 60); do
    korobka status >/dev/null 2>&1 && break
    sleep 1
  done
  korobka status | sed 's/^/    /' || echo "    not every process is up yet: see korobka status and korobka doctor"
fi

echo
echo "Korobka is installed."
echo "  Admin URL:  $(korobka url)"
if [ -n "$ADMIN_PASSWORD" ]; then
  echo "  User:       admin"
  echo "  One-time password (shown once, change it at first sign-in): $ADMIN_PASSWORD"
else
  echo "  The admin account existed already; lost its password? korobka admin reset-password admin"
fi
echo "  The browser will warn about the certificate until you trust $DATA_DIR/tls/ca.crt."
