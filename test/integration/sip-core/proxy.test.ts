// srf.proxyRequest through sip-core (notes A.8): serial and simultaneous
// forking, Record-Route (remainInDialog) and the provisional timeout.
// sipp sends every request of a call to the address it was started with, so
// ACK and BYE always reach the proxy: the calls record-route (remainInDialog),
// as drachtio-srf's own proxy test does.
import dgram from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/processes';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';
import { connectSrf, type SrfApp } from './helpers/srf-app';
import { startSipp } from './helpers/sipp';
import type { Loose } from '../../sip-core/drachtio/loose-srf';

let core: SipCoreProcess;
let app: SrfApp | undefined;
const target = () => `127.0.0.1:${core.sipPort}`;
const idle = (h: Record<string, unknown>) => h.pendingInbound === 0 && h.pendingOutbound === 0;

beforeAll(async () => {
  core = await startSipCore('proxy');
});
afterEach(() => {
  app?.close();
  app = undefined;
});
afterAll(async () => {
  await stopAll();
});

/** Starts an app that proxies every INVITE and records srf's proxy results. */
async function proxyApp(destinations: () => string[], opts: Record<string, unknown>) {
  const results: Array<{ connected: boolean; finalStatus: number; responses: Array<{ msgs: Array<{ status: number }> }> }> = [];
  app = await connectSrf(core, {
    cdr: true,
    before: (srf: Loose) =>
      srf.invite((req: Loose) => {
        srf.proxyRequest(req, destinations(), opts).then((r: (typeof results)[number]) => results.push(r));
      }),
  });
  return results;
}

describe('proxy', () => {
  it('serial forking: a busy target, then one that answers', async () => {
    const busy = await startSipp({ name: 'proxy-busy', scenario: 'uas-busy.xml', calls: 1 });
    const answer = await startSipp({ name: 'proxy-answer', scenario: 'uas-answer.xml', calls: 1 });
    const results = await proxyApp(() => [`sip:1000@127.0.0.1:${busy.port}`, `sip:1000@127.0.0.1:${answer.port}`], { remainInDialog: true });
    const uac = await startSipp({ name: 'proxy-serial-uac', scenario: 'uac-call.xml', remote: target(), calls: 1 });
    const [u, b, a] = await Promise.all([uac.done, busy.done, answer.done]);
    expect([u.code, b.code, a.code]).toEqual([0, 0, 0]);
    await expect.poll(() => results.length).toBe(1);
    expect(results[0]!.connected).toBe(true);
    expect(results[0]!.finalStatus).toBe(200);
    expect(results[0]!.responses.flatMap((r) => r.msgs.map((m) => m.status))).toEqual([486, 200]);
    // The caller's INVITE, one attempt per branch, a start for each half, the BYE's stop.
    await expect.poll(() => app!.cdrs.map((c) => `${c.event}:${c.source}:${c.detail ?? ''}`), { timeout: 5000 }).toEqual([
      'attempt:network:',
      'attempt:application:',
      'attempt:application:',
      'start:network:proxy-uac',
      'start:application:proxy-uas',
      'stop:network:normal-release',
    ]);
    await core.waitHealth(idle);
  });

  it('simultaneous forking: the answer wins and the ringing target is CANCELed', async () => {
    const ringing = await startSipp({ name: 'proxy-ringing', scenario: 'uas-ring-cancel.xml', calls: 1 });
    const answer = await startSipp({ name: 'proxy-answer-sim', scenario: 'uas-answer.xml', calls: 1 });
    const results = await proxyApp(() => [`sip:1000@127.0.0.1:${ringing.port}`, `sip:1000@127.0.0.1:${answer.port}`], {
      forking: 'simultaneous',
      remainInDialog: true,
    });
    const uac = await startSipp({ name: 'proxy-sim-uac', scenario: 'uac-call.xml', remote: target(), calls: 1 });
    const [u, r, a] = await Promise.all([uac.done, ringing.done, answer.done]);
    expect([u.code, r.code, a.code]).toEqual([0, 0, 0]);
    await expect.poll(() => results.length).toBe(1);
    expect(results[0]!.connected).toBe(true);
    await core.waitHealth(idle);
  });

  it('remainInDialog: Record-Route keeps the BYE on the proxy', async () => {
    const before = Number((await core.waitHealth(idle)).proxiedInDialog ?? 0);
    const answer = await startSipp({ name: 'proxy-rr-answer', scenario: 'uas-answer.xml', calls: 1 });
    const results = await proxyApp(() => [`sip:1000@127.0.0.1:${answer.port}`], { remainInDialog: true });
    const uac = await startSipp({ name: 'proxy-rr-uac', scenario: 'uac-call.xml', remote: target(), calls: 1 });
    const [u, a] = await Promise.all([uac.done, answer.done]);
    expect([u.code, a.code]).toEqual([0, 0]);
    await expect.poll(() => results.length).toBe(1);
    // The ACK and the BYE were loose-routed through sip-core (RFC 3261 §16.4).
    const h = await core.waitHealth((x) => idle(x) && Number(x.proxiedInDialog) >= before + 2);
    expect(Number(h.proxiedInDialog)).toBeGreaterThanOrEqual(2);
  });

  it('provisionalTimeout moves on from a silent target', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    const silentPort = (silent.address() as { port: number }).port;
    const answer = await startSipp({ name: 'proxy-timeout-answer', scenario: 'uas-answer.xml', calls: 1 });
    const results = await proxyApp(() => [`sip:1000@127.0.0.1:${silentPort}`, `sip:1000@127.0.0.1:${answer.port}`], {
      provisionalTimeout: '1s',
      remainInDialog: true,
    });
    const uac = await startSipp({ name: 'proxy-timeout-uac', scenario: 'uac-call.xml', remote: target(), calls: 1 });
    const [u, a] = await Promise.all([uac.done, answer.done]);
    silent.close();
    expect([u.code, a.code]).toEqual([0, 0]);
    await expect.poll(() => results.length).toBe(1);
    expect(results[0]!.responses.flatMap((r) => r.msgs.map((m) => m.status))).toEqual([408, 200]);
  });
});
