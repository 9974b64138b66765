#!/usr/bin/env node
/* global setTimeout, setInterval, clearInterval */
// The floods of issue 16's attack test, as a bounded generator on loopback:
//   --kind invite    unauthenticated INVITEs (no Proxy-Authorization)
//   --kind register  REGISTERs with a garbage Authorization header
// from --sources N addresses starting at --first (127.x.y.z, one UDP socket
// each), at --rate packets/s in total for --seconds, to --target host:port.
// Only loopback targets are accepted. Prints one JSON line: what was sent.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const [host = '127.0.0.1', portText = '5060'] = String(args.target ?? '').split(':');
const port = Number(portText);
const kind = String(args.kind ?? 'invite');
const sources = Math.max(1, Number(args.sources ?? 1));
const first = String(args.first ?? '127.0.4.2');
const rate = Math.max(1, Number(args.rate ?? 1000));
const seconds = Math.min(120, Math.max(0.1, Number(args.seconds ?? 5)));
const domain = String(args.domain ?? 'korobka.local');

if (!/^127\.\d+\.\d+\.\d+$/.test(host) || !/^127\.\d+\.\d+\.\d+$/.test(first)) {
  process.stderr.write('flood-gen: loopback (127.0.0.0/8) only\n');
  process.exit(2);
}

/** The n-th address after `first` (127.a.b.c counting upward, skipping .0 and .255). */
function addressAt(n) {
  const [, a, b, c] = first.split('.').map(Number);
  let v = a * 65536 + b * 256 + c + n;
  const parts = [];
  for (let i = 0; i < 3; i++) {
    parts.unshift(v % 256);
    v = Math.floor(v / 256);
  }
  if (parts[2] === 0 || parts[2] === 255) parts[2] = 1;
  return `127.${parts.join('.')}`;
}

function message(local, localPort) {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  const tag = randomBytes(4).toString('hex');
  const callId = randomBytes(8).toString('hex');
  if (kind === 'register') {
    return [
      `REGISTER sip:${domain} SIP/2.0`,
      `Via: SIP/2.0/UDP ${local}:${localPort};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <sip:201@${domain}>;tag=${tag}`,
      `To: <sip:201@${domain}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 REGISTER',
      `Contact: <sip:201@${local}:${localPort}>`,
      // Garbage credentials: before issue 16 item 3, ten of these banned the source.
      'Authorization: Digest username="201", realm="x", nonce="garbage", uri="sip:x", response="zz"',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }
  return [
    `INVITE sip:202@${domain} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local}:${localPort};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:201@${domain}>;tag=${tag}`,
    `To: <sip:202@${domain}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:201@${local}:${localPort}>`,
    'Content-Type: application/sdp',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

let sent = 0;
let received = 0;
const socks = [];
for (let i = 0; i < sources; i++) {
  const sock = dgram.createSocket('udp4');
  const local = addressAt(i);
  await new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, local, () => resolve());
  });
  sock.on('error', () => undefined);
  // Answers are read and thrown away (a spoofer would not see them at all).
  sock.on('message', () => {
    received++;
  });
  socks.push({ sock, local, port: sock.address().port });
}

const started = Date.now();
const until = started + seconds * 1000;
const TICK_MS = 5;
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const now = Date.now();
    if (now >= until) {
      clearInterval(timer);
      resolve();
      return;
    }
    // Catch up to the schedule: late ticks send more, so the rate holds on a busy machine.
    const due = Math.floor(((now - started) / 1000) * rate) - sent;
    for (let i = 0; i < due; i++) {
      const s = socks[sent % socks.length];
      s.sock.send(message(s.local, s.port), port, host);
      sent++;
    }
  }, TICK_MS);
});
await new Promise((r) => setTimeout(r, 500));
for (const s of socks) s.sock.close();
process.stdout.write(JSON.stringify({ kind, sources, rate, seconds, sent, received, achievedRate: Math.round(sent / seconds) }) + '\n');
