// Concurrent calls with media: `concurrent` calls from 201 to the callees,
// one sipp caller/callee pair per callee extension, each phone sending
// G.711 speech for the whole hold (speech.ts). While every call is up,
// rtpengine is asked twice, `WINDOW_MS` apart, for each call's counters: a
// call whose either side grew by less than 90 % of the packets a 20 ms phone
// sends in that window is counted as not relayed. Then every call must have
// been answered and ended by the caller's BYE (sipp's counts on both sides
// and the CDRs).
import type { RtpengineMedia } from '../../services/call-control/media/rtpengine-media';
import { uacScenario, uasScenario } from '../../test/integration/call-control/call-scenarios';
import { registerPhone, startCallee, startCaller, type Pbx, type SippRun } from '../../test/integration/call-control/pbx';
import { udpDrops } from '../../appliance/selftest/proc-stats';
import { relayed, snapshot, WINDOW_MS, type RelayCheck } from '../../appliance/selftest/relay-check';
import { CpuSampler, sippCounts } from '../../appliance/selftest/load-stats';
import { speechForWholeHold, speechStream } from './speech';

export interface HeldOptions {
  pbx: Pbx;
  pids: Record<string, number>;
  media: RtpengineMedia;
  callees: string[];
  concurrent: number;
  holdMs: number;
  rate: number;
  dir: string;
  sippBuffers: string[];
  /** How sipp sends the speech: rtp_stream (a few threads) or play_pcap_audio (a thread per call). */
  rtp?: 'stream' | 'pcap';
}

export interface HeldResult {
  offered: number;
  pairs: number;
  holdMs: number;
  answered: number;
  failed: number;
  /** Calls the callees saw end with the caller's BYE. */
  endedByCallerBye: number;
  peakActiveCalls: number;
  cdrs: { answered: number; hungUpByCaller: number; inProgress: number };
  media: RelayCheck | null;
  seconds: number;
  cpuPercent: Record<string, number>;
  udpDrops: Record<string, number>;
}

async function activeMediaIds(pbx: Pbx, since: number): Promise<string[]> {
  const tenantId = pbx.store.tenants.defaultTenant()!.id;
  const rows = pbx.store.cdrs.list({ tenantId, limit: 1000 });
  return rows.filter((c) => c.status === 'in-progress' && (c.answeredAt ?? 0) >= since).map((c) => c.callId);
}

export async function heldCalls(o: HeldOptions): Promise<HeldResult> {
  const pairs = o.callees.length;
  const per = Array.from({ length: pairs }, (_, i) => Math.floor(o.concurrent / pairs) + (i < o.concurrent % pairs ? 1 : 0));
  const stream = (o.rtp ?? 'stream') === 'stream';
  const uasFile = stream ? speechStream(uasScenario('answer-play'), 'uas', o.dir) : speechForWholeHold(uasScenario('answer-play'), 'uas', o.dir, o.holdMs);
  const uacFile = stream ? speechStream(uacScenario('bench-held', { answer: true, play: true }), 'uac', o.dir) : speechForWholeHold(uacScenario('bench-held', { answer: true, play: true }), 'uac', o.dir, o.holdMs);
  const sippArgs = [...o.sippBuffers, ...(stream ? ['-rtp_threadtasks', '64'] : [])];
  const uases: SippRun[] = [];
  for (const [i, ext] of o.callees.entries()) {
    const uas = await startCallee(uasFile, per[i]!, sippArgs);
    await registerPhone(o.pbx, ext, uas.port);
    uases.push(uas);
  }
  const drops0 = Object.fromEntries(Object.entries(o.pids).map(([n, pid]) => [n, udpDrops(pid)]));
  const since = Date.now();
  const uacs: SippRun[] = [];
  for (const [i, ext] of o.callees.entries()) {
    uacs.push(await startCaller(o.pbx, uacFile, '201', ext, { calls: per[i]!, rate: o.rate / pairs, limit: per[i]!, holdMs: o.holdMs, extra: sippArgs }));
  }
  const sampler = new CpuSampler(() => ({ ...Object.fromEntries(Object.entries(o.pids).map(([n, pid]) => [n, [pid]])), sipp: [...uacs, ...uases].map((s) => s.pid) }));
  let peak = 0;
  const poll = setInterval(() => void o.pbx.health().then((h) => (peak = Math.max(peak, h.activeCalls)), () => undefined), 1000);
  // Measure media once every call is up, before the first BYE.
  // On a busy machine the ramp runs late: wait for every call, but leave time for two snapshots before the first BYE.
  const upBy = since + Math.max(o.holdMs / 2, o.holdMs - WINDOW_MS - 12_000);
  let ids = await activeMediaIds(o.pbx, since);
  while (ids.length < o.concurrent && Date.now() < upBy) {
    await new Promise((r) => setTimeout(r, 250));
    ids = await activeMediaIds(o.pbx, since);
  }
  let mediaCheck: HeldResult['media'] = null;
  if (ids.length > 0) {
    const first = await snapshot(o.media, ids);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    mediaCheck = relayed(first, await snapshot(o.media, ids), WINDOW_MS);
  }
  await Promise.all(uacs.map((u) => u.exited));
  clearInterval(poll);
  const { seconds, cpuPercent } = sampler.stop();
  await Promise.all(uases.map((u) => Promise.race([u.exited, new Promise((r) => setTimeout(r, 5000))])));
  await Promise.all(uases.map((u) => u.stop('SIGTERM', 2000)));
  const caller = uacs.map((u) => sippCounts(u.output())).reduce((a, b) => ({ successful: a.successful + b.successful, failed: a.failed + b.failed }));
  const callee = uases.map((u) => sippCounts(u.output())).reduce((a, b) => a + b.successful, 0);
  const heldCdrs = () => o.pbx.store.cdrs.list({ tenantId: o.pbx.store.tenants.defaultTenant()!.id, limit: 1000 }).filter((c) => c.startedAt >= since);
  // call-control may still be working through the last BYEs on a busy machine: give its CDRs 10 s to close.
  for (const end = Date.now() + 10_000; Date.now() < end && heldCdrs().some((c) => c.status === 'in-progress'); ) await new Promise((r) => setTimeout(r, 250));
  const cdrs = heldCdrs();
  return {
    offered: o.concurrent,
    pairs,
    holdMs: o.holdMs,
    answered: caller.successful,
    failed: caller.failed,
    endedByCallerBye: callee,
    peakActiveCalls: peak,
    cdrs: { answered: cdrs.filter((c) => c.disposition === 'answered').length, hungUpByCaller: cdrs.filter((c) => c.hangupSide === 'caller').length, inProgress: cdrs.filter((c) => c.status === 'in-progress').length },
    media: mediaCheck,
    seconds: Math.round(seconds * 100) / 100,
    cpuPercent,
    udpDrops: Object.fromEntries(Object.entries(o.pids).map(([n, pid]) => [n, udpDrops(pid) - drops0[n]!])),
  };
}
