// Calls through the real sip-core process, driven by unmodified drachtio-srf
// apps, with sipp as the phones, over UDP and over TCP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/processes';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';
import { connectSrf, type SrfApp } from './helpers/srf-app';
import { startSipp } from './helpers/sipp';
import { counter, sdp } from './helpers/sdp';
import type { Loose } from '../../sip-core/drachtio/loose-srf';

describe.each(['udp', 'tcp'] as const)('calls over %s', (transport) => {
  let core: SipCoreProcess;
  let app: SrfApp | undefined;
  const target = () => `127.0.0.1:${core.sipPort}`;
  const tp = transport === 'tcp' ? ';transport=tcp' : '';

  beforeAll(async () => {
    core = await startSipCore(`calls-${transport}`);
  });
  afterEach(() => {
    app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await stopAll();
  });

  it('a UAS app answers a sipp UAC; the caller hangs up', async () => {
    const destroyed = counter();
    app = await connectSrf(core, {
      cdr: true,
      before: (srf: Loose) =>
        srf.invite(async (req: Loose, res: Loose) => {
          const dlg = await srf.createUAS(req, res, { localSdp: sdp() });
          dlg.on('destroy', () => destroyed.hit());
        }),
    });
    const uac = await startSipp({ name: `uas-app-${transport}`, scenario: 'uac-call.xml', remote: target(), transport, calls: 3 });
    const { code, stats } = await uac.done;
    expect(code).toBe(0);
    expect(stats.successful).toBe(3);
    expect(stats.failed).toBe(0);
    await destroyed.reached(3);
    await expect.poll(() => app!.cdrs.length, { timeout: 5000 }).toBe(9);
    expect(app.cdrs.filter((c) => c.event === 'attempt').every((c) => c.source === 'network')).toBe(true);
    expect(app.cdrs.filter((c) => c.event === 'start').map((c) => c.detail)).toEqual(['uas', 'uas', 'uas']);
    expect(app.cdrs.filter((c) => c.event === 'stop').map((c) => c.detail)).toEqual(['normal-release', 'normal-release', 'normal-release']);
    await core.waitHealth((h) => h.dialogs === 0 && h.pendingInbound === 0);
  });

  it('a UAC app calls a sipp UAS and hangs up', async () => {
    const uas = await startSipp({ name: `uac-app-${transport}`, scenario: 'uas-answer.xml', transport, calls: 1 });
    app = await connectSrf(core, { cdr: true });
    const dlg = await app.srf.createUAC(`sip:1000@127.0.0.1:${uas.port}${tp}`, { localSdp: sdp() });
    expect(dlg.sip.callId).toBeTruthy();
    expect(dlg.remote.sdp).toContain('m=audio');
    await dlg.destroy();
    const { code, stats } = await uas.done;
    expect(code).toBe(0);
    expect(stats.successful).toBe(1);
    await expect.poll(() => app!.cdrs.map((c) => `${c.event}:${c.source}:${c.detail ?? ''}`), { timeout: 5000 }).toEqual([
      'attempt:application:',
      'start:network:uac',
      'stop:application:normal-release',
    ]);
    await core.waitHealth((h) => h.dialogs === 0 && h.pendingOutbound === 0);
  });

  it('a UAC app whose INVITE two forks answer keeps the first and hangs up the second (RFC 3261 §13.2.2.4)', async () => {
    const uas = await startSipp({ name: `two-answers-${transport}`, scenario: 'uas-two-answers.xml', transport, calls: 1 });
    app = await connectSrf(core);
    const before = Number((await core.waitHealth((h) => h.dialogs === 0)).extraForksEnded ?? 0);
    const dlg = await app.srf.createUAC(`sip:1000@127.0.0.1:${uas.port}${tp}`, { localSdp: sdp() });
    await core.waitHealth((h) => Number(h.extraForksEnded) === before + 1);
    expect(dlg.connected).toBe(true);
    await dlg.destroy();
    const { code } = await uas.done;
    expect(code).toBe(0);
    await core.waitHealth((h) => h.dialogs === 0 && h.pendingOutbound === 0);
  });

  it('a UAC app sends through an outbound proxy: the Request-URI stays, the next hop is the proxy', async () => {
    const uas = await startSipp({ name: `outbound-proxy-${transport}`, scenario: 'uas-answer.xml', transport, calls: 1 });
    app = await connectSrf(core);
    const dlg = await app.srf.createUAC('sip:1000@pbx.invalid', { localSdp: sdp(), proxy: `sip:127.0.0.1:${uas.port}${tp}` });
    expect(dlg.req.uri).toBe('sip:1000@pbx.invalid');
    await dlg.destroy();
    expect((await uas.done).code).toBe(0);
  });

  it.each([
    ['the caller', 'uac-call.xml', 'uas-answer.xml'],
    ['the callee', 'uac-call-wait-bye.xml', 'uas-answer-then-bye.xml'],
  ])('a B2BUA connects a sipp UAC to a sipp UAS; %s hangs up', async (_who, uacScenario, uasScenario) => {
    const calls = 2;
    const uas = await startSipp({ name: `b2b-uas-${transport}`, scenario: uasScenario, transport, calls });
    const ended = counter();
    app = await connectSrf(core, {
      before: (srf: Loose) =>
        srf.invite(async (req: Loose, res: Loose) => {
          const { uas: a, uac: b } = await srf.createB2BUA(req, res, `sip:1000@127.0.0.1:${uas.port}${tp}`, { localSdpB: req.body });
          a.on('destroy', () => (b.destroy(), ended.hit()));
          b.on('destroy', () => (a.destroy(), ended.hit()));
        }),
    });
    const uac = await startSipp({ name: `b2b-uac-${transport}`, scenario: uacScenario, remote: target(), transport, calls });
    const [u, s] = await Promise.all([uac.done, uas.done]);
    expect(u.code).toBe(0);
    expect(s.code).toBe(0);
    expect(u.stats.successful).toBe(calls);
    expect(s.stats.successful).toBe(calls);
    await ended.reached(calls);
    await core.waitHealth((h) => h.dialogs === 0 && h.pendingInbound === 0 && h.pendingOutbound === 0);
  });
});
