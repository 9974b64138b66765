// The two call loads of `korobka selftest`, sipp against the private stack
// (private-stack.ts), counted from outside: sipp's own final counts, the
// B2BUA's, and rtpengine's counters.
//  - set-up rate: calls answered and hung up at once, media anchored in
//    rtpengine (offer, answer, delete), at a rate above what the box can take
//    for the length of the run; calls per second = calls sipp completed per
//    second of the run.
//  - held calls: N calls up at once, each caller streaming G.711 for the whole
//    hold and each callee echoing it back (sipp -rtp_echo), so rtpengine
//    relays both ways; a call counts as held when rtpengine counted ≥ 90 % of
//    a 20 ms phone's packets each way over a window while every call is up
//    (relay-check.ts) and sipp completed it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeG711 } from '../../services/recordings';
import { freeLowUdpPorts, freePort } from './loopback-ports';
import { startProcess, type Started } from './processes';
import { CpuSampler, sippCounts } from './load-stats';
import type { PrivateStack } from './private-stack';
import { relayed, snapshot, WINDOW_MS, type RelayCheck } from './relay-check';

export interface SetupResult {
  offeredRate: number;
  calls: number;
  /** Completed and failed as sipp counted them. */
  successful: number;
  failed: number;
  /** Calls the B2BUA bridged with media anchored in rtpengine. */
  bridged: number;
  seconds: number;
  callsPerSecond: number;
  cpuPercent: Record<string, number>;
}

export interface HeldResult {
  offered: number;
  holdMs: number;
  successful: number;
  failed: number;
  peakActive: number;
  media: RelayCheck | null;
  /** Calls both up and relayed both ways (the figure the verdict uses). */
  held: number;
  cpuPercent: Record<string, number>;
}

const SIPP_BUFFERS = ['-buff_size', '4194304'];

async function sipp(dir: string, tag: string, args: string[], timeoutMs: number): Promise<Started & { port: number }> {
  const port = await freePort();
  const media = await freeLowUdpPorts();
  const p = startProcess('sipp', [...args, '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(media), '-t', 'u1', '-nostdin', ...SIPP_BUFFERS, '-trace_err', '-error_file', path.join(dir, `${tag}-errors.log`)], {
    cwd: dir,
    logFile: path.join(dir, `${tag}.log`),
    timeoutMs,
  });
  return Object.assign(p, { port });
}

const pidsOf = (stack: PrivateStack, sipps: Started[]) => () => ({ 'sip-core': [stack.pids['sip-core']], rtpengine: [stack.pids.rtpengine], b2bua: [process.pid], sipp: sipps.map((s) => s.pid) });

export async function setupRate(stack: PrivateStack, dir: string, o: { rate: number; calls: number }): Promise<SetupResult> {
  const uas = await sipp(dir, 'setup-uas', ['-sn', 'uas', '-m', String(o.calls), '-timeout', '600s'], 660_000);
  stack.setCallee(uas.port);
  const bridged0 = stack.counters.answered;
  const uac = await sipp(dir, 'setup-uac', ['-sn', 'uac', '-s', 'callee', '-r', String(o.rate), '-m', String(o.calls), '-l', String(Math.max(50, o.rate * 2)), '-d', '0', '-timeout', '600s', `127.0.0.1:${stack.sipPort}`], 660_000);
  const sampler = new CpuSampler(pidsOf(stack, [uac, uas]));
  await uac.exited;
  const { seconds, cpuPercent } = sampler.stop();
  await uas.stop('SIGTERM', 2000);
  const c = sippCounts(uac.output());
  return { offeredRate: o.rate, calls: o.calls, ...c, bridged: stack.counters.answered - bridged0, seconds: round(seconds, 2), callsPerSecond: round(c.successful / seconds, 1), cpuPercent };
}

/** A caller that streams A-law (a 440 Hz tone, looped) from the answer until its BYE. */
function heldCallerScenario(dir: string): string {
  const tone = encodeG711('alaw', Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000))));
  const raw = path.join(dir, 'tone.alaw');
  writeFileSync(raw, tone);
  const from = 'From: <sip:selftest@[local_ip]:[local_port]>;tag=[pid]ST[call_number]';
  const xml = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="korobka selftest held call">
<send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
${from}
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:selftest@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8
a=rtpmap:8 PCMA/8000
a=ptime:20
]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="200" rrs="true"/>
<send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${from}
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
<nop><action><exec rtp_stream="${raw},-1,8"/></action></nop>
<pause/>
<nop><action><exec rtp_stream="pause"/></action></nop>
<send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${from}
[last_To:]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200" crlf="true"/>
</scenario>
`;
  const file = path.join(dir, 'held-uac.xml');
  writeFileSync(file, xml);
  return file;
}

export async function heldCalls(stack: PrivateStack, dir: string, o: { calls: number; holdMs: number; rate: number }): Promise<HeldResult> {
  const timeoutMs = o.holdMs + (o.calls / o.rate) * 1000 + 120_000;
  const uas = await sipp(dir, `held-uas-${o.calls}`, ['-sn', 'uas', '-rtp_echo', '-m', String(o.calls), '-timeout', `${Math.ceil(timeoutMs / 1000)}s`], timeoutMs + 10_000);
  stack.setCallee(uas.port);
  const since = Date.now();
  const uac = await sipp(dir, `held-uac-${o.calls}`, ['-sf', heldCallerScenario(dir), '-s', 'callee', '-r', String(o.rate), '-m', String(o.calls), '-l', String(o.calls), '-d', String(o.holdMs), '-rtp_threadtasks', '64', '-timeout', `${Math.ceil(timeoutMs / 1000)}s`, `127.0.0.1:${stack.sipPort}`], timeoutMs + 10_000);
  const sampler = new CpuSampler(pidsOf(stack, [uac, uas]));
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, stack.active.size)), 100);
  // Measure once every call is up, leaving room for two snapshots before the first BYE.
  const upBy = since + Math.max(o.holdMs / 2, o.holdMs - WINDOW_MS - 3000);
  while (stack.active.size < o.calls && Date.now() < upBy && uac.child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  let media: RelayCheck | null = null;
  const ids = [...stack.active];
  if (ids.length > 0) {
    const first = await snapshot(stack.media, ids);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    media = relayed(first, await snapshot(stack.media, ids), WINDOW_MS);
  }
  await uac.exited;
  clearInterval(poll);
  const { cpuPercent } = sampler.stop();
  await uas.stop('SIGTERM', 2000);
  const c = sippCounts(uac.output());
  const held = Math.min(c.successful, media?.callsRelayedBothWays ?? 0);
  return { offered: o.calls, holdMs: o.holdMs, ...c, peakActive: Math.max(peak, ids.length), media, held, cpuPercent };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
