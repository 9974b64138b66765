#!/usr/bin/env bash
# Upgrade with rollback, and rollback by hand (issue 18).
#
#   upgrade.sh upgrade  --prefix P --data-dir D --release P/releases/NEW [options]
#   upgrade.sh rollback --prefix P --data-dir D [options]
#
# Code lives in versioned directories P/releases/<version>-<time>/ (dist/,
# node_modules/, package.json, appliance/system/) and P/current is a symlink
# to the one that runs; the systemd unit and /usr/local/bin/korobka go
# through P/current. An upgrade: backs up (a full `korobka backup` when the
# box has a backup passphrase, and always a copy of the database taken with
# the appliance stopped), switches P/current to the new release, migrates
# (`korobka init` keeps what exists and migrates the database), starts and
# waits for every process to be healthy. On any failure it stops the new
# code, switches P/current back, puts the database copy back (the failed one
# is kept aside) and starts the previous code again, and says so.
# P/upgrade.state remembers the previous release and the database copy, so
# `korobka rollback` can do the same later by hand (the data written since
# the upgrade is then lost: the database is the one from before it).
#
# Options:
#   --user NAME             run korobka as NAME (when run as root; install.sh passes the service user)
#   --node PATH             the node binary (default: node on PATH)
#   --systemd               stop/start through `systemctl … korobka` instead of korobka stop/start --daemon
#   --no-start              migrate only; do not start (a rollback then also only switches back)
#   --health-timeout SEC    how long the new code may take to be healthy (default 120)
#   --backup-passphrase-file FILE
#                           passphrase for the full backup (default: the box's keys/backup.passphrase)
set -euo pipefail

VERB="${1:-}"; [ $# -gt 0 ] && shift
PREFIX="" DATA_DIR="" RELEASE="" RUN_AS="" NODE="${NODE:-node}" SYSTEMD=0 NO_START=0 HEALTH_TIMEOUT=120 PASSFILE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift ;;
    --data-dir) DATA_DIR="$2"; shift ;;
    --release) RELEASE="$2"; shift ;;
    --user) RUN_AS="$2"; shift ;;
    --node) NODE="$2"; shift ;;
    --systemd) SYSTEMD=1 ;;
    --no-start) NO_START=1 ;;
    --health-timeout) HEALTH_TIMEOUT="$2"; shift ;;
    --backup-passphrase-file) PASSFILE="$2"; shift ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "upgrade.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
case "$VERB" in upgrade|rollback) ;; *) echo "usage: upgrade.sh upgrade|rollback --prefix DIR --data-dir DIR [--release DIR]" >&2; exit 2 ;; esac
[ -n "$PREFIX" ] && [ -n "$DATA_DIR" ] || { echo "upgrade.sh: --prefix and --data-dir are required" >&2; exit 2; }
PREFIX="$(cd "$PREFIX" && pwd)"
STATE="$PREFIX/upgrade.state"
DB="$DATA_DIR/korobka.db"

say() { printf '    %s\n' "$*"; }
die() { printf 'korobka %s: %s\n' "$VERB" "$*" >&2; exit 1; }
stamp() { date -u +%Y%m%dT%H%M%SZ; }
# The release P/current points at (its directory name), or nothing.
current_release() { [ -L "$PREFIX/current" ] && basename "$(readlink "$PREFIX/current")" || true; }
version_of() { "$NODE" -p "require('$PREFIX/releases/$1/package.json').version" 2>/dev/null || echo "$1"; }

# korobka from a given release, as the service user when we are root.
korobka_in() {
  local rel="$1"; shift
  local cmd=("$NODE" "$PREFIX/releases/$rel/dist/appliance/cli/main.js" "$@" --data-dir "$DATA_DIR")
  if [ -n "$RUN_AS" ] && [ "$(id -u)" = 0 ]; then runuser -u "$RUN_AS" -- "${cmd[@]}"; else "${cmd[@]}"; fi
}

# P/current → releases/REL, atomically (rename over the old link).
switch_to() {
  ln -sfn "releases/$1" "$PREFIX/.current.new"
  mv -T "$PREFIX/.current.new" "$PREFIX/current"
}

stop_app() {
  local rel="$1"
  if [ "$SYSTEMD" = 1 ]; then systemctl stop korobka.service; else korobka_in "$rel" stop >/dev/null 2>&1 || true; fi
  # Whatever the supervisor's pid file says, nothing may still hold the database.
  local n=0
  while korobka_in "$rel" status >/dev/null 2>&1; [ $? -ne 3 ]; do
    n=$((n + 1)); [ "$n" -gt 300 ] && return 1
    sleep 0.1
  done
}

# Starts REL and waits until `korobka status` says every process is up.
start_app() {
  local rel="$1"
  if [ "$SYSTEMD" = 1 ]; then systemctl start korobka.service || return 1
  else korobka_in "$rel" start --daemon >/dev/null || return 1; fi
  local deadline=$((SECONDS + HEALTH_TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    korobka_in "$rel" status >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

# Copies the database with its WAL (the appliance is stopped: the three files are consistent).
copy_db() {
  mkdir -p "$2"
  for f in "$1" "$1-wal" "$1-shm"; do [ -e "$f" ] && cp -a "$f" "$2/"; done
  return 0
}

# Switches back to PREV with the database copy in DBCOPY; REASON says why.
roll_back() {
  local prev="$1" dbcopy="$2" reason="$3" failed
  failed="$(current_release)"
  say "rolling back to $(version_of "$prev") ($prev): $reason"
  stop_app "$failed" || say "warning: $failed did not stop cleanly"
  switch_to "$prev"
  if [ -n "$dbcopy" ] && [ -e "$dbcopy/korobka.db" ]; then
    local aside="$DATA_DIR/backups/rolled-back-$(stamp)"
    mkdir -p "$aside"
    for f in "$DB" "$DB-wal" "$DB-shm"; do [ -e "$f" ] && mv "$f" "$aside/"; done
    copy_db "$dbcopy/korobka.db" "$DATA_DIR"
    for f in "$dbcopy/korobka.db-wal" "$dbcopy/korobka.db-shm"; do [ -e "$f" ] && cp -a "$f" "$DATA_DIR/"; done
    say "database from before the upgrade put back; the one it replaced is in $aside"
  fi
  if [ "$NO_START" = 1 ]; then say "switched back to $prev (not started: --no-start)"; return 0; fi
  if start_app "$prev"; then
    say "$(version_of "$prev") is running again"
    return 0
  fi
  say "the previous release did not start either: see korobka status and korobka doctor"
  return 2
}

if [ "$VERB" = rollback ]; then
  [ -r "$STATE" ] || die "nothing to roll back to: no upgrade recorded in $STATE"
  PREVIOUS="" DB_COPY="" TO=""
  # shellcheck disable=SC1090
  . "$STATE"
  [ -d "$PREFIX/releases/$PREVIOUS" ] || die "the previous release $PREVIOUS is no longer in $PREFIX/releases"
  [ "$(current_release)" = "$TO" ] || die "$PREFIX/current is $(current_release), not $TO that the recorded upgrade installed; nothing changed"
  echo "korobka rollback: from $(version_of "$TO") ($TO) to $(version_of "$PREVIOUS") ($PREVIOUS)"
  set +e; roll_back "$PREVIOUS" "$DB_COPY" "asked by hand"; rc=$?; set -e
  [ "$rc" = 0 ] && rm -f "$STATE"
  exit "$rc"
fi

# ---- upgrade ----
[ -n "$RELEASE" ] || die "--release DIR is required"
NEW="$(basename "$RELEASE")"
[ -f "$PREFIX/releases/$NEW/dist/appliance/cli/main.js" ] || die "$PREFIX/releases/$NEW has no dist/appliance/cli/main.js"
OLD="$(current_release)"
[ -n "$OLD" ] && [ -d "$PREFIX/releases/$OLD" ] || die "no installed release: $PREFIX/current is not a link into $PREFIX/releases"
[ "$OLD" != "$NEW" ] || die "$NEW is already the current release"
[ -e "$DB" ] || die "no database at $DB: nothing to upgrade (run install.sh for a first installation)"
echo "korobka upgrade: from $(version_of "$OLD") ($OLD) to $(version_of "$NEW") ($NEW)"

# 1. A full backup when the box has a passphrase: the one thing to restore on new hardware.
[ -z "$PASSFILE" ] && [ -r "$DATA_DIR/keys/backup.passphrase" ] && PASSFILE="$DATA_DIR/keys/backup.passphrase"
if [ -n "$PASSFILE" ]; then
  say "full backup with the current release"
  korobka_in "$OLD" backup --passphrase-file "$PASSFILE" | tail -n 2 | sed 's/^/    /' || die "the backup before the upgrade failed; nothing changed"
else
  say "no backup passphrase on the box (keys/backup.passphrase): only the database is copied for the rollback"
fi

# 2. Stop, and copy the database for the rollback while nothing writes to it.
WAS_RUNNING=0
set +e; korobka_in "$OLD" status >/dev/null 2>&1; st=$?; set -e
[ "$st" != 3 ] && WAS_RUNNING=1
stop_app "$OLD" || die "the current release did not stop; nothing changed"
DB_COPY="$DATA_DIR/backups/before-upgrade-$(stamp)"
copy_db "$DB" "$DB_COPY"
say "database copied to $DB_COPY"

# 3. Switch, and remember how to go back.
switch_to "$NEW"
printf 'PREVIOUS=%q\nTO=%q\nDB_COPY=%q\n' "$OLD" "$NEW" "$DB_COPY" > "$STATE.new" && mv "$STATE.new" "$STATE"

fail() {
  echo "korobka upgrade: the upgrade to $(version_of "$NEW") failed: $1" >&2
  set +e; roll_back "$OLD" "$DB_COPY" "$1" >&2; rc=$?; set -e
  rm -f "$STATE"
  [ "$rc" = 0 ] && echo "korobka upgrade: rolled back to $(version_of "$OLD") ($OLD)" >&2
  exit 1
}

# 4. Migrate (init keeps the data, keys and admin; it migrates the database).
say "migrating the database"
if ! out="$(korobka_in "$NEW" init 2>&1)"; then
  printf '%s\n' "$out" | sed 's/^/      /' >&2
  fail "the database migration failed"
fi

# 5. Start and check health.
if [ "$NO_START" = 1 ]; then
  say "migrated; not started (--no-start)"
else
  say "starting $(version_of "$NEW")"
  start_app "$NEW" || fail "the new release did not become healthy within ${HEALTH_TIMEOUT} s"
  say "every process is up"
  [ "$WAS_RUNNING" = 1 ] || say "(the appliance was stopped before the upgrade; it runs now)"
fi
# Keep the three newest releases besides the current and the previous one.
ls -1t "$PREFIX/releases" | grep -vx -e "$NEW" -e "$OLD" | tail -n +4 | while read -r r; do rm -rf "${PREFIX:?}/releases/$r"; done || true
echo "korobka upgrade: now at $(version_of "$NEW") ($NEW); \`korobka rollback\` goes back to $(version_of "$OLD") and its database"
