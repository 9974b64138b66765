#!/usr/bin/env bash
# The offline bundle installs and starts the appliance with no network
# (issue 18). Run as root on Debian 12 with mmdebstrap and iproute2
# (install.sh --with-test-tools installs mmdebstrap):
#   1. scripts/bundle.sh makes the bundle (packages from Debian's mirror);
#   2. mmdebstrap makes a clean Debian 12 minbase root file system (no Node,
#      no rtpengine, no ffmpeg: only the essential packages and apt);
#   3. in a network namespace of its own with only `lo` up (no route: the
#      test first proves that nothing outside is reachable), inside that root
#      (chroot), `install.sh --offline BUNDLE` installs the packages, Node.js
#      and the application, creates the data directory and starts the
#      appliance; then `korobka status` must say every process is up and
#      /api/health must answer 200 on 127.0.0.1.
# Ends with "N passed, N failed" like scripts/ci.sh; exit 0 only when all passed.
# Bounded: every step has a timeout; the whole run took 11 min on the loaded 2-core machine.
#   KOROBKA_OFFLINE_WORK=DIR   work directory (default test-output/offline; kept for its logs)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
W="$(realpath -m "${KOROBKA_OFFLINE_WORK:-test-output/offline}")"
NS="korobka-offline-$$"
RFS="$W/rootfs"
VERSION="$(node -p "require('./package.json').version")"
BUNDLE="korobka-bundle-$VERSION-debian12-amd64.tar"
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
  # Only our own processes: whatever runs in the namespace this script made.
  if ip netns list 2>/dev/null | grep -qw "$NS"; then
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
    for _ in $(seq 1 50); do [ -z "$(ip netns pids "$NS" 2>/dev/null)" ] && break; sleep 0.2; done
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
  fi
  # The mounts lived in the namespace's own mount namespace; remove the root only when none is left here.
  grep -q " $RFS/" /proc/mounts || rm -rf "$RFS"
  echo
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
  exit $?
}
trap finish EXIT
[ "$(id -u)" = 0 ] || { bad "must run as root (network namespace, chroot, mmdebstrap)"; exit 1; }
command -v mmdebstrap >/dev/null || { bad "mmdebstrap is not installed: ./install.sh --deps-only --with-test-tools"; exit 1; }

rm -rf "$RFS" "$W/$BUNDLE" "$W/$BUNDLE.sha256"
mkdir -p "$W"
echo "== bundle and clean Debian 12 root file system (side by side), logs in $W"
T0=$SECONDS
timeout 900 scripts/bundle.sh --out "$W/$BUNDLE" --debs-cache "$W/debs-cache" > "$W/bundle.log" 2>&1 &
BPID=$!
timeout 900 mmdebstrap --variant=minbase --mode=root bookworm "$RFS" http://deb.debian.org/debian > "$W/mmdebstrap.log" 2>&1
MRC=$?
wait "$BPID"; BRC=$?
if [ "$BRC" = 0 ]; then ok "bundle made: $(tail -n 1 "$W/bundle.log")"; else bad "scripts/bundle.sh failed (exit $BRC): $(tail -n 5 "$W/bundle.log")"; exit 1; fi
if [ "$MRC" = 0 ]; then ok "clean Debian 12 minbase root made by mmdebstrap ($((SECONDS - T0)) s so far)"; else bad "mmdebstrap failed (exit $MRC): $(tail -n 5 "$W/mmdebstrap.log")"; exit 1; fi
if chroot "$RFS" sh -c 'command -v node || command -v rtpengine || command -v ffmpeg' >/dev/null 2>&1; then bad "the clean root already has node, rtpengine or ffmpeg"; else ok "the clean root has no node, rtpengine or ffmpeg"; fi
cp "$W/$BUNDLE" "$W/$BUNDLE.sha256" "$RFS/root/"
tar -C "$RFS/root" -xf "$W/$BUNDLE" "korobka-$VERSION/install.sh"

ip netns add "$NS" || { bad "ip netns add $NS"; exit 1; }
ip -n "$NS" link set lo up
if [ -z "$(ip -n "$NS" route show)" ] && [ -z "$(ip -n "$NS" -6 route show | grep -v '^::1 \|^fe80' || true)" ]; then ok "namespace $NS: only lo, no route"; else bad "namespace $NS has a route: $(ip -n "$NS" route show)"; fi
# Everything below runs in the namespace, inside the clean root, in one mount namespace of its own
# (ip netns exec makes it): /proc, /sys and /dev for the appliance, gone when the namespace's processes end.
in_ns() {
  timeout "$1" ip netns exec "$NS" bash -c "mount -t proc proc '$RFS/proc' && mount -t sysfs sysfs '$RFS/sys' && mount --rbind /dev '$RFS/dev' && chroot '$RFS' /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/var/tmp bash -c \"\$0\"" "$2"
}
# Asked of the kernel's routing table, so not a packet is sent anywhere.
if ip -n "$NS" route get 192.0.2.1 >/dev/null 2>&1; then bad "the namespace routes to 192.0.2.1"; else ok "no network inside: no route to any address outside (ip route get: unreachable)"; fi

# Bad input changes nothing: one byte changed in a copy of the bundle is refused before anything is installed.
cp "$W/$BUNDLE" "$RFS/root/damaged.tar" && printf 'X' | dd of="$RFS/root/damaged.tar" bs=1 seek=200000 conv=notrunc status=none
sed "s/$BUNDLE/damaged.tar/" "$W/$BUNDLE.sha256" > "$RFS/root/damaged.tar.sha256"
DMG="$(in_ns 120 "cd /root && ./korobka-$VERSION/install.sh --offline /root/damaged.tar" 2>&1)"; DRC=$?
if [ "$DRC" = 1 ] && grep -q "damaged.tar does not match /root/damaged.tar.sha256" <<<"$DMG" && [ ! -e "$RFS/opt/korobka" ] && [ ! -e "$RFS/usr/local/bin/korobka" ]; then
  ok "a damaged bundle is refused (exit 1, named) and nothing is installed"
else
  bad "damaged bundle: exit $DRC, $(tail -n 3 <<<"$DMG")"
fi
rm -f "$RFS/root/damaged.tar" "$RFS/root/damaged.tar.sha256"

echo "== install.sh --offline in the namespace (log: $W/install.log)"
T1=$SECONDS
in_ns 1500 "cd /root && ./korobka-$VERSION/install.sh --offline /root/$BUNDLE" > "$W/install.log" 2>&1
IRC=$?
if [ "$IRC" = 0 ]; then ok "install.sh --offline installed and started the appliance ($((SECONDS - T1)) s)"; else bad "install.sh --offline failed (exit $IRC): $(tail -n 15 "$W/install.log")"; fi
grep -q "Korobka is installed." "$W/install.log" && ok "install.sh says: Korobka is installed." || bad "install.sh did not finish with 'Korobka is installed.'"
if in_ns 60 "korobka status" > "$W/status.log" 2>&1; then ok "korobka status: every process up"; else bad "korobka status: $(cat "$W/status.log")"; fi
URL="$(in_ns 30 "korobka url" 2>/dev/null | tail -n 1)"
# The appliance's own CA signs its certificate: trust it, as a browser told to would.
GET="require('https').get(process.argv[1],{ca:require('fs').readFileSync('/var/lib/korobka/tls/ca.crt'),servername:'localhost'},r=>{console.log(r.statusCode);process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})"
HEALTH="$(in_ns 90 "for i in \$(seq 1 60); do c=\$(/opt/korobka/node/bin/node -e \"$GET\" '${URL}api/health'); [ \"\$c\" = 200 ] && break; sleep 1; done; echo \$c" 2>&1 | tail -n 1)"
[ "$HEALTH" = 200 ] && ok "GET ${URL}api/health inside the namespace: 200" || bad "GET ${URL}api/health inside the namespace: ${HEALTH:-no answer}"
in_ns 60 "korobka stop" >/dev/null 2>&1
echo "offline install test: $((SECONDS - T0)) s in all"
