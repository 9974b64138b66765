#!/usr/bin/env bash
# The offline bundle (issue 18): one archive with everything an air-gapped
# Debian 12 amd64 machine (or Astra Linux SE 1.8) needs to install Korobka
# with `./install.sh --offline BUNDLE`:
#   dist/ (the release build), node_modules/ (production only), package.json,
#   install.sh, appliance/system/, node/bin/node (this Node.js, for a machine
#   without Node 20), debs/ (the runtime Debian packages and their whole
#   dependency closure, as apt on Debian 12 resolves it for an empty system),
#   SHA256SUMS (every file), and BUNDLE.sha256 beside the archive.
#
#   scripts/bundle.sh [--out FILE] [--debs-cache DIR]
#
# Run it from a built checkout (npm ci done) on a Debian 12 machine that
# reaches Debian's mirror: it runs the release build into a staging
# directory and `apt-get download`s the packages (into --debs-cache when
# given, so a second bundle downloads only what changed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
VERSION="$(node -p "require('./package.json').version")"
OUT="$ROOT/korobka-bundle-$VERSION-debian12-amd64.tar"
CACHE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$(realpath -m "$2")"; shift ;;
    --debs-cache) CACHE="$(realpath -m "$2")"; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bundle.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# The packages install.sh installs (its PKGS line, without the test tools), and
# what the installer itself uses on a minimal system (useradd, runuser).
# shellcheck disable=SC2207
RUNTIME=($(sed -n 's/^PKGS=(\(.*\))$/\1/p' install.sh) passwd util-linux libstdc++6)
[ "${#RUNTIME[@]}" -gt 3 ] || { echo "bundle.sh: could not read the package list (PKGS=…) from install.sh" >&2; exit 1; }
# The base system too (Priority: required, and apt): the runtime set needs
# their current versions (libc6 from a point release needs the libc-bin of
# that release), and a server installed from older media has older ones.
# shellcheck disable=SC2207
BASE=($(dpkg-query -W -f='${Package} ${Priority}\n' | awk '$2 == "required" {print $1}') apt)

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/korobka-bundle.XXXXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
B="$STAGE/korobka-$VERSION"
mkdir -p "$B/appliance" "$B/node/bin" "$B/debs"

echo "[1/4] release build"
KOROBKA_RELEASE=1 KOROBKA_OUTDIR="$B/dist" node scripts/build.mjs
cp package.json package-lock.json install.sh "$B/"
cp -a appliance/system "$B/appliance/system"
cp "$(command -v node)" "$B/node/bin/node"

echo "[2/4] node_modules without the development packages"
# A real copy (npm rewrites files in place: hard links would change this checkout), pruned offline.
cp -a node_modules "$B/node_modules"
(cd "$B" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >/dev/null)

echo "[3/4] Debian packages: ${RUNTIME[*]} and their dependencies"
# The closure exactly as apt resolves it (first alternatives, Pre-Depends,
# no recommends): an install planned against an empty package database, so
# nothing this machine happens to have is left out. Essential packages are
# on every Debian and are not depended on, so they are not in it.
DL="${CACHE:-$STAGE/dl}"
mkdir -p "$DL"
: > "$STAGE/empty-status"
# and an empty archive cache: apt leaves out of --print-uris what its cache already holds.
mkdir -p "$STAGE/archives/partial"
mapfile -t URIS < <(apt-get install --print-uris -qq --no-install-recommends -o Dir::State::status="$STAGE/empty-status" -o Dir::Cache::archives="$STAGE/archives" -o Debug::NoLocking=1 "${RUNTIME[@]}" "${BASE[@]}" | grep "^'" | tr -d "'")
[ "${#URIS[@]}" -gt 20 ] || { echo "bundle.sh: apt planned only ${#URIS[@]} packages for ${RUNTIME[*]}" >&2; exit 1; }
NEED=()
for line in "${URIS[@]}"; do
  read -r _ file _ sum <<<"$line"
  case "${sum%%:*}" in MD5Sum) tool=md5sum ;; SHA1) tool=sha1sum ;; SHA512) tool=sha512sum ;; *) tool=sha256sum ;; esac
  [ -f "$DL/$file" ] && [ "$($tool "$DL/$file" | cut -d' ' -f1)" = "${sum#*:}" ] && continue
  NEED+=("${file%%_*}")
done
[ "${#NEED[@]}" -gt 0 ] && (cd "$DL" && apt-get download -q "${NEED[@]}" >/dev/null)
for line in "${URIS[@]}"; do
  read -r _ file _ _ <<<"$line"
  [ -f "$DL/$file" ] || { echo "bundle.sh: $file was not downloaded" >&2; exit 1; }
  ln "$DL/$file" "$B/debs/$file" 2>/dev/null || cp "$DL/$file" "$B/debs/$file"
done
# A flat apt repository: install.sh --offline points apt at it and nothing else.
command -v dpkg-scanpackages >/dev/null || { echo "bundle.sh: dpkg-scanpackages is missing: apt-get install dpkg-dev" >&2; exit 1; }
(cd "$B/debs" && dpkg-scanpackages --multiversion . /dev/null > Packages 2>/dev/null)
echo "    ${#URIS[@]} packages, $(du -sm "$B/debs" | cut -f1) MB"

echo "[4/4] checksums and archive"
(cd "$B" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
mkdir -p "$(dirname "$OUT")"
tar -C "$STAGE" -cf "$OUT.part" "korobka-$VERSION"
mv "$OUT.part" "$OUT"
(cd "$(dirname "$OUT")" && sha256sum "$(basename "$OUT")" > "$(basename "$OUT").sha256")
echo "bundle written: $OUT ($(du -sm "$OUT" | cut -f1) MB), $(basename "$OUT").sha256 beside it"
