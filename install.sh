#!/usr/bin/env bash
# Korobka installer for Debian 12, Ubuntu 22.04+ and Astra Linux SE 1.8.
# Run it as root (`su -`, or `sudo` where sudo is installed):
#
#   ./install.sh                      install and start the appliance
#   ./install.sh --no-start           install, do not start
#   ./install.sh --deps-only --with-test-tools
#                                     only system packages, npm ci and build
#                                     (what the test suite needs)
#   ./install.sh --check-os [FILE]    only say whether this system (or the
#                                     os-release FILE) is supported
#   ./install.sh --offline [BUNDLE]   install from the offline bundle made by
#                                     scripts/bundle.sh, with no network
#
# Safe to run again: packages already present are skipped, the data
# directory, database, keys and certificates are kept. Over an existing
# installation it upgrades: a backup first, the new code in its own
# directory under PREFIX/releases beside the old one (PREFIX/current links
# the one that runs), migrate, start, health; on any failure the previous
# code and database come back (appliance/system/upgrade.sh). By hand:
# `korobka rollback`.
set -euo pipefail

WITH_TEST_TOOLS=0
NO_START=0
DEPS_ONLY=0
PREFIX=/opt/korobka
DATA_DIR=/var/lib/korobka
SERVICE_USER=korobka
PRINT=""
# The first superadmin's user name: a name other than the well-known
# `admin` gives an attacker one more thing to guess (issue 16, item 12).
ADMIN_NAME=admin
OFFLINE=""
SELFTEST=""

usage() {
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
  cat <<USAGE
Options:
  --with-test-tools   also install the test peers: chromium, tshark, mmdebstrap, dpkg-dev, openssh-server (the SFTP backup test), baresip-core and linphone-cli (the softphone interop tests)
  --selftest          after starting, run \`korobka selftest\` (loads the box for a few minutes:
                      what it can carry and which licence profile it honours)
  --no-start          install everything but do not start the appliance
  --deps-only         system packages, npm ci and build only (no user, no data, no service)
  --prefix DIR        where the application is installed (default $PREFIX)
  --data-dir DIR      data directory (default $DATA_DIR)
  --user NAME         system user the service runs as (default $SERVICE_USER)
  --print-unit        print the systemd unit this install would write, and exit
  --print-logrotate   print the logrotate config this install would write, and exit
  --check-os [FILE]   check /etc/os-release (or FILE) and exit: 0 supported, 1 not
  --admin-name NAME   user name of the first superadmin (default $ADMIN_NAME)
  --offline [BUNDLE]  no network: Debian packages, node_modules, the build and Node.js
                      from the bundle (the archive, or without BUNDLE the unpacked
                      bundle this install.sh is in); checks its SHA-256 sums first
  -h, --help          this help
USAGE
}

# Whether the system described by an os-release file (default
# /etc/os-release) can run Korobka. Prints its name and returns 0, or prints
# why not and returns 1. Runs in a subshell: sourcing the file must not
# change the installer's own variables.
check_os() (
  file="${1:-/etc/os-release}"
  ID="" VERSION_ID="" ID_LIKE="" PRETTY_NAME=""
  # shellcheck disable=SC1090
  [ -r "$file" ] && . "$file" || { echo "cannot read $file: Debian 12, Ubuntu 22.04+ or Astra Linux SE 1.8 is required"; return 1; }
  name="${PRETTY_NAME:-${ID:-unknown} ${VERSION_ID:-}}"
  case "${ID:-}:${VERSION_ID:-}" in
    debian:12*|debian:13*) echo "$name" ;;
    ubuntu:22.04|ubuntu:24.04|ubuntu:2[4-9].*) echo "$name" ;;
    # Astra Linux SE 1.8 is built on Debian 12 (bookworm); VERSION_ID reads
    # "1.8_x86-64" on the releases seen, plain "1.8" is accepted too.
    astra:1.8|astra:1.8[._]*)
      case " ${ID_LIKE:-debian} " in
        *" debian "*) echo "$name (Astra Linux SE ${VERSION_ID%%_*}, Debian 12 based)" ;;
        *) echo "unsupported system $name: Astra Linux with ID_LIKE=\"${ID_LIKE}\" is not the Debian-based Special Edition"; return 1 ;;
      esac ;;
    astra:1.7|astra:1.7[._]*)
      echo "unsupported system $name: Astra Linux SE 1.7 is built on Debian 10 (buster), which has no rtpengine package and too old a base for Node 20; upgrade to Astra Linux SE 1.8 (Debian 12 based)"
      return 1 ;;
    *) echo "unsupported system $name: Debian 12, Ubuntu 22.04+ or Astra Linux SE 1.8 is required"; return 1 ;;
  esac
)

while [ $# -gt 0 ]; do
  case "$1" in
    --print-unit|--print-logrotate) PRINT="${1#--print-}" ;;
    --check-os)
      if [ $# -gt 1 ] && [ "${2#-}" = "$2" ]; then check_os "$2"; else check_os; fi
      exit $? ;;
    --with-test-tools) WITH_TEST_TOOLS=1 ;;
    --no-start) NO_START=1 ;;
    --selftest) SELFTEST=1 ;;
    --deps-only) DEPS_ONLY=1 ;;
    --prefix) PREFIX="$2"; shift ;;
    --data-dir) DATA_DIR="$2"; shift ;;
    --user) SERVICE_USER="$2"; shift ;;
    --admin-name) ADMIN_NAME="$2"; shift ;;
    --offline)
      if [ $# -gt 1 ] && [ "${2#-}" = "$2" ]; then OFFLINE="$2"; shift; else OFFLINE=.; fi ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The systemd unit and logrotate config from appliance/system/, for this install.
render() {
  sed -e "s|@USER@|$SERVICE_USER|g" -e "s|@NODE@|${NODE_BIN:-$(command -v node || echo /usr/bin/node)}|g" \
      -e "s|@PREFIX@|$PREFIX|g" -e "s|@DATA_DIR@|$DATA_DIR|g" "$SRC/appliance/system/$1"
}
case "$PRINT" in
  unit) render korobka.service.in; exit 0 ;;
  logrotate) render korobka.logrotate.in; exit 0 ;;
esac
STEPS=7; [ "$DEPS_ONLY" = 1 ] && STEPS=4
# Over an existing installation: an upgrade with rollback instead of the first-install steps.
[ "$DEPS_ONLY" != 1 ] && [ -e "$DATA_DIR/korobka.db" ] && STEPS=6
# Offline: the bundle is unpacked and checked instead of npm ci and the build.
[ -n "$OFFLINE" ] && STEPS=$((STEPS - 1))
step=0
say() { step=$((step + 1)); printf '\n[%d/%d] %s\n' "$step" "$STEPS" "$*"; }
die() { printf '\ninstall.sh: %s\n' "$*" >&2; exit 1; }

# As root (a Debian installed with only a root account has no sudo) or under
# sudo; a user with sudo may run --deps-only directly.
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if [ "$DEPS_ONLY" = 1 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"
  else die "run as root: log in as root (or \`su -\`) and run ./install.sh, or sudo ./install.sh where sudo is installed"; fi
fi

if [ -n "$OFFLINE" ]; then
  [ "$DEPS_ONLY" = 1 ] || [ "$WITH_TEST_TOOLS" = 1 ] && die "--offline installs the appliance; --deps-only and --with-test-tools need the network"
  say "the offline bundle"
  if [ "$OFFLINE" = . ]; then
    [ -f "$SRC/SHA256SUMS" ] && [ -d "$SRC/debs" ] || die "$SRC is not an unpacked offline bundle (no SHA256SUMS, debs/): give the bundle, --offline korobka-bundle-….tar"
  else
    [ -r "$OFFLINE" ] || die "cannot read the bundle $OFFLINE"
    if [ -r "$OFFLINE.sha256" ]; then
      (cd "$(dirname "$OFFLINE")" && sha256sum -c --quiet "$(basename "$OFFLINE").sha256") || die "$OFFLINE does not match $OFFLINE.sha256: the file is damaged, copy it again"
    fi
    UNPACK="$(mktemp -d "${TMPDIR:-/var/tmp}/korobka-bundle.XXXXXXXX")"
    trap 'rm -rf "$UNPACK"' EXIT
    tar -C "$UNPACK" -xf "$OFFLINE" || die "$OFFLINE is not a readable tar archive"
    SRC="$(find "$UNPACK" -mindepth 1 -maxdepth 1 -type d -name 'korobka-*' | head -n 1)"
    [ -n "$SRC" ] && [ -f "$SRC/SHA256SUMS" ] || die "$OFFLINE is not a Korobka offline bundle (no korobka-*/SHA256SUMS)"
  fi
  (cd "$SRC" && sha256sum -c --quiet SHA256SUMS) || die "a file of the bundle does not match its SHA-256 in SHA256SUMS (named above): the bundle is damaged"
  echo "    $(wc -l < "$SRC/SHA256SUMS") files checked (SHA-256), $(find "$SRC/debs" -name '*.deb' | wc -l) Debian packages"
fi

say "checking the system"
OS_NAME="$(check_os)" || die "$OS_NAME"
# sudo resets PATH to its secure_path: a node installed for one user (nvm) is not on it.
# Offline, the bundle's Node.js serves when this machine has none (or too old a one).
if [ -n "$OFFLINE" ] && { ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; }; then
  mkdir -p "$PREFIX/node/bin"
  cp "$SRC/node/bin/node" "$PREFIX/node/bin/node.new" && mv "$PREFIX/node/bin/node.new" "$PREFIX/node/bin/node"
  chmod 0755 "$PREFIX/node/bin/node"
  export PATH="$PREFIX/node/bin:$PATH"
fi
command -v node >/dev/null 2>&1 || die "Node.js is not installed${SUDO_USER:+ on the PATH of root (sudo resets PATH)}: install Node 20 or newer (e.g. from NodeSource) and run again"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 20 ] || die "Node $(node --version) is too old: Korobka needs Node 20 or newer"
[ -n "$OFFLINE" ] || command -v npm >/dev/null 2>&1 || die "npm is missing: install it with Node.js"
NODE_BIN="$(command -v node)"
echo "    ${OS_NAME}, Node $(node --version), $(nproc) cores, $(free -g 2>/dev/null | awk '/^Mem:/{print $2}') GB RAM"

say "system packages"
# sip-tester (sipp): `korobka selftest` loads the box with it.
PKGS=(rtpengine-daemon rtpengine-recording-daemon ffmpeg espeak-ng opus-tools sip-tester iproute2 procps ca-certificates logrotate)
# mmdebstrap and dpkg-dev: the offline-install test builds a clean Debian 12 root and a bundle (its Packages index).
# baresip-core and linphone-cli: Debian's softphones for test/integration/interop, headless (baresip-core, not
# baresip, which pulls GTK and a desktop's sound stack).
[ "$WITH_TEST_TOOLS" = 1 ] && PKGS+=(chromium tshark mmdebstrap dpkg-dev openssh-server baresip-core linphone-cli)
MISSING=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || MISSING+=("$p")
done
if [ -n "$OFFLINE" ]; then
  # The bundle's debs/ is a flat apt repository (its Packages index made by
  # scripts/bundle.sh) and the only source apt sees: it installs what is
  # missing and upgrades what the runtime set needs newer, never downgrades,
  # never reaches the network. [trusted=yes]: every file's SHA-256 was checked above.
  APT_DIR="$(mktemp -d /var/tmp/korobka-apt.XXXXXXXX)"
  mkdir -p "$APT_DIR/lists/partial"
  chmod -R a+rX "$SRC/debs" "$APT_DIR" && chmod a+x "$(dirname "$SRC")"
  echo "deb [trusted=yes] file:$SRC/debs ./" > "$APT_DIR/sources.list"
  APT_OPTS=(-o Dir::Etc::SourceList="$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$APT_DIR/lists")
  export DEBIAN_FRONTEND=noninteractive
  echo "    installing from the bundle's $(grep -c '^Package: ' "$SRC/debs/Packages") Debian packages (no network): ${PKGS[*]}"
  if ! { apt-get "${APT_OPTS[@]}" update -q && apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends "${PKGS[@]}"; } > "$APT_DIR/apt.log" 2>&1; then
    tail -n 40 "$APT_DIR/apt.log" | sed 's/^/    /'
    die "installing the bundle's Debian packages failed (apt's words above, all of them in $APT_DIR/apt.log): is this Debian 12 (bookworm) amd64?"
  fi
  rm -rf "$APT_DIR"
elif [ "${#MISSING[@]}" -gt 0 ]; then
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
# The SFTP backup test starts its own sshd on 127.0.0.1; the package's
# service would listen on every interface. Stopped only when this script
# installed it just now, so a box reached over SSH keeps its own.
if [[ " ${MISSING[*]} " == *" openssh-server "* ]]; then
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/ssh ]; then
    $SUDO /etc/init.d/ssh stop >/dev/null 2>&1 || true
    $SUDO update-rc.d ssh disable >/dev/null 2>&1 || true
  fi
  echo "    openssh-server installed for the SFTP backup test only: its system service is stopped and disabled"
fi

# SIP over UDP at a few hundred calls per second needs socket buffers larger
# than Linux's default cap (sip-core asks for 8 MB). Best effort: a container
# may not allow it, and then sip-core runs with the kernel's cap.
if [ "$(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo 0)" -lt 8388608 ]; then
  printf 'net.core.rmem_max = 8388608\nnet.core.wmem_max = 4194304\n' | $SUDO tee /etc/sysctl.d/90-korobka.conf >/dev/null || true
  $SUDO sysctl -q -p /etc/sysctl.d/90-korobka.conf >/dev/null 2>&1 || echo "    note: could not raise net.core.rmem_max (container?); SIP over UDP may drop packets at high call rates"
fi

if [ -z "$OFFLINE" ]; then
  say "node modules (npm ci)"
  cd "$SRC"
  npm ci --no-audit --no-fund --loglevel=error

  say "build"
  # A release build trusts only the licence keys built into it; the test
  # suite (--deps-only) needs a development build that can trust test keys.
  if [ "$DEPS_ONLY" = 1 ]; then npm run --silent build; else KOROBKA_RELEASE=1 npm run --silent build; fi
fi

if [ "$DEPS_ONLY" = 1 ]; then
  echo; echo "dependencies installed and built in $SRC"
  exit 0
fi

say "application in $PREFIX"
id "$SERVICE_USER" >/dev/null 2>&1 || useradd --system --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
mkdir -p "$PREFIX/releases"
# Each version in its own directory beside the others, $PREFIX/current the
# one that runs: an upgrade switches the link and can switch it back.
VERSION="$("$NODE_BIN" -p "require('$SRC/package.json').version")"
RELEASE="$VERSION-$(date -u +%Y%m%dT%H%M%SZ)"
REL_DIR="$PREFIX/releases/$RELEASE"
rm -rf "$REL_DIR.new" && mkdir -p "$REL_DIR.new/appliance"
cp -a "$SRC/dist" "$REL_DIR.new/dist"
cp -a "$SRC/node_modules" "$REL_DIR.new/node_modules"
cp -a "$SRC/appliance/system" "$REL_DIR.new/appliance/system"
cp "$SRC/package.json" "$SRC/package-lock.json" "$REL_DIR.new/"
mv "$REL_DIR.new" "$REL_DIR"
# An installation made before versioned directories: its code becomes a release too.
if [ -d "$PREFIX/dist" ] && [ ! -L "$PREFIX/current" ]; then
  LEGACY="$PREFIX/releases/$("$NODE_BIN" -p "require('$PREFIX/package.json').version" 2>/dev/null || echo 0)-before-releases"
  mkdir -p "$LEGACY"
  for f in dist node_modules package.json package-lock.json; do [ -e "$PREFIX/$f" ] && mv "$PREFIX/$f" "$LEGACY/"; done
  ln -sfn "releases/$(basename "$LEGACY")" "$PREFIX/current"
fi
UPGRADE=0
if [ -L "$PREFIX/current" ] && [ -e "$DATA_DIR/korobka.db" ]; then UPGRADE=1; else ln -sfn "releases/$RELEASE" "$PREFIX/current"; fi
chown -R root:root "$PREFIX"
SYSTEMD=0
command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] && SYSTEMD=1
cat > /usr/local/bin/korobka <<WRAP
#!/bin/sh
# Korobka command; runs as the $SERVICE_USER user so files stay its own.
export KOROBKA_DATA_DIR="\${KOROBKA_DATA_DIR:-$DATA_DIR}"
if [ "\$(id -u)" = 0 ]; then
  # rollback switches $PREFIX/current (root's) and runs korobka as the service user itself.
  if [ "\$1" = rollback ]; then
    shift
    exec "$PREFIX/current/appliance/system/upgrade.sh" rollback --prefix "$PREFIX" --data-dir "\$KOROBKA_DATA_DIR" --user $SERVICE_USER --node "$NODE_BIN" $([ "$SYSTEMD" = 1 ] && echo --systemd) "\$@"
  fi
  exec runuser -u $SERVICE_USER -- env KOROBKA_DATA_DIR="\$KOROBKA_DATA_DIR" "$NODE_BIN" "$PREFIX/current/dist/appliance/cli/main.js" "\$@"
fi
exec "$NODE_BIN" "$PREFIX/current/dist/appliance/cli/main.js" "\$@"
WRAP
chmod 0755 /usr/local/bin/korobka
echo "    /usr/local/bin/korobka → $PREFIX"
# Without systemd the daemon logs to <data>/logs/korobka.log; keep it bounded.
if [ -d /etc/logrotate.d ]; then render korobka.logrotate.in > /etc/logrotate.d/korobka; fi

if [ "$UPGRADE" = 1 ]; then
  say "upgrade: backup, switch to $RELEASE, migrate, start, health (the previous release comes back on any failure)"
  if [ "$SYSTEMD" = 1 ]; then
    render korobka.service.in > /etc/systemd/system/korobka.service
    systemctl daemon-reload
    systemctl enable korobka.service >/dev/null
  fi
  UP_ARGS=(upgrade --prefix "$PREFIX" --data-dir "$DATA_DIR" --release "$REL_DIR" --user "$SERVICE_USER" --node "$NODE_BIN")
  [ "$SYSTEMD" = 1 ] && UP_ARGS+=(--systemd)
  [ "$NO_START" = 1 ] && UP_ARGS+=(--no-start)
  "$REL_DIR/appliance/system/upgrade.sh" "${UP_ARGS[@]}" || die "the upgrade to $RELEASE failed (see above); the previous release and its database are back"
  echo
  echo "Korobka is upgraded to $VERSION ($RELEASE); korobka rollback goes back."
  echo "  Admin URL:  $(/usr/local/bin/korobka url)"
  exit 0
fi

say "data directory, first admin, TLS certificate"
mkdir -p "$DATA_DIR"
chown "$SERVICE_USER:$SERVICE_USER" "$DATA_DIR"
chmod 0750 "$DATA_DIR"
# The one-time password goes through a private file, so it is printed once,
# at the end, and never lands in a log.
# mktemp makes it (mode 0600, no race on the name); the service user writes it.
PASSFILE="$(mktemp /tmp/korobka-pw.XXXXXXXX)"
trap 'rm -f "$PASSFILE"; [ -z "${UNPACK:-}" ] || rm -rf "$UNPACK"' EXIT
chown "$SERVICE_USER:$SERVICE_USER" "$PASSFILE"
INIT_OUT="$(/usr/local/bin/korobka init --admin-name "$ADMIN_NAME" --password-file "$PASSFILE" 2>&1)" || { echo "$INIT_OUT"; die "korobka init failed"; }
echo "$INIT_OUT" | grep -v '^      [A-Za-z0-9]\{18\}$' | sed 's/^/    /'
ADMIN_PASSWORD=""
ADMIN_PASSWORD="$(tr -d '[:space:]' < "$PASSFILE")"; rm -f "$PASSFILE"

say "starting"
if [ "$NO_START" = 1 ]; then
  echo "    not started (--no-start); start with: systemctl start korobka, or korobka start --daemon"
elif command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  render korobka.service.in > /etc/systemd/system/korobka.service
  systemctl daemon-reload
  systemctl enable korobka.service >/dev/null
  systemctl restart korobka.service
  echo "    systemd service korobka enabled and started"
else
  /usr/local/bin/korobka stop >/dev/null 2>&1 || true
  /usr/local/bin/korobka start --daemon | sed 's/^/    /'
fi

if [ "$NO_START" != 1 ]; then
  for _ in $(seq 1 60); do
    /usr/local/bin/korobka status >/dev/null 2>&1 && break
    sleep 1
  done
  /usr/local/bin/korobka status | sed 's/^/    /' || echo "    not every process is up yet: see korobka status and korobka doctor"
fi

echo
echo "Korobka is installed."
echo "  Admin URL:  $(/usr/local/bin/korobka url)"
if [ -n "$ADMIN_PASSWORD" ]; then
  echo "  User:       $ADMIN_NAME"
  echo "  One-time password (shown once, change it at first sign-in): $ADMIN_PASSWORD"
else
  echo "  The admin account existed already; lost its password? korobka admin reset-password $ADMIN_NAME"
fi
echo "  The browser will warn about the certificate until you trust $DATA_DIR/tls/ca.crt."
if [ "$SELFTEST" = 1 ] && [ "$NO_START" != 1 ]; then
  echo; echo "Capacity self-test (korobka selftest):"
  /usr/local/bin/korobka selftest || echo "    the self-test did not finish: run korobka selftest again when the box is quiet"
else
  echo "  Capacity:   korobka selftest measures what this server can carry and which licence"
  echo "              profile it honours (loads it for a few minutes; --quick: about 30 s)."
fi
