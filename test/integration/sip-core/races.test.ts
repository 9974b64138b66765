// The hard parts of call signalling through sip-core: CANCEL races, a 2xx
// never ACKed, an app that dies mid-call, re-INVITE glare, PRACK and UPDATE.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/processes';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';
import { connectSrf, type SrfApp } from './helpers/srf-app';
import { startSipp } from './helpers/sipp';
import { counter, sdp } from './helpers/sdp';
import { freePort } from '../../helpers/ports';
import type { Loose } from '../../sip-core/drachtio/loose-srf';

let core: SipCoreProcess;
let app: SrfApp | undefined;
const target = () => `127.0.0.1:${core.sipPort}`;
const idle = (h: Record<string, unknown>) => h.dialogs === 0 && h.pendingInbound === 0 && h.pendingOutbound === 0;

beforeAll(async () => {
  // Hang up a vanished app's calls at once (orphans.test.ts covers the grace period and adoption).
  core = await startSipCore('races', { drachtio: { orphanGraceSeconds: 0 } });
});
afterEach(() => {
  app?.close();
  app = undefined;
});
afterAll(async () => {
  await stopAll();
});

describe.each(['udp', 'tcp'] as const)('over %s', (transport) => {
  const tp = transport === 'tcp' ? ';transport=tcp' : '';

  describe('CANCEL', () => {
    it('a CANCEL while ringing reaches the app; the server answers 200 and 487', async () => {
      const canceled = counter();
      app = await connectSrf(core, {
        cdr: true,
        before: (srf: Loose) =>
          srf.invite((req: Loose, res: Loose) => {
            req.on('cancel', () => canceled.hit());
            res.send(180);
          }),
      });
      const uac = await startSipp({ transport, name: `cancel-ringing-${transport}`, scenario: 'uac-cancel.xml', remote: target(), calls: 2 });
      const { code, stats } = await uac.done;
      expect(code).toBe(0);
      expect(stats.successful).toBe(2);
      await canceled.reached(2);
      await expect.poll(() => app!.cdrs.filter((c) => c.event === 'stop').map((c) => c.detail), { timeout: 5000 }).toEqual([
        'call-canceled',
        'call-canceled',
      ]);
      await core.waitHealth(idle);
    });

    it('a CANCEL before the app answered anything; the late answer is refused', async () => {
      const canceled = counter();
      const lateErrors: unknown[] = [];
      app = await connectSrf(core, {
        before: (srf: Loose) =>
          srf.invite((req: Loose, res: Loose) => {
            req.on('cancel', () => {
              canceled.hit();
              res.send(200, { body: sdp() }, (err: unknown) => lateErrors.push(err));
            });
          }),
      });
      const uac = await startSipp({ transport, name: `cancel-quick-${transport}`, scenario: 'uac-quick-cancel.xml', remote: target(), calls: 1 });
      const { code } = await uac.done;
      expect(code).toBe(0);
      await canceled.reached(1);
      await expect.poll(() => lateErrors.length).toBe(1);
      expect(String(lateErrors[0])).toContain('unknown transaction');
      await core.waitHealth(idle);
    });

    it('a B2BUA passes the caller\'s CANCEL on to the callee', async () => {
      const uas = await startSipp({ transport, name: `cancel-b2b-uas-${transport}`, scenario: 'uas-ring-cancel.xml', calls: 1 });
      const failures: number[] = [];
      app = await connectSrf(core, {
        before: (srf: Loose) =>
          srf.invite((req: Loose, res: Loose) => {
            srf
              .createB2BUA(req, res, `sip:1000@127.0.0.1:${uas.port}${tp}`, { localSdpB: req.body })
              .catch((err: { status?: number }) => failures.push(err.status ?? 0));
          }),
      });
      const uac = await startSipp({ transport, name: `cancel-b2b-uac-${transport}`, scenario: 'uac-cancel.xml', remote: target(), calls: 1 });
      const [u, s] = await Promise.all([uac.done, uas.done]);
      expect(u.code).toBe(0);
      expect(s.code).toBe(0);
      await expect.poll(() => failures).toEqual([487]);
      await core.waitHealth(idle);
    });
  });

  describe('dialog edge cases', () => {
    it('an app that disconnects mid-call gets both legs of its B2BUA hung up', async () => {
      const uas = await startSipp({ transport, name: `app-gone-uas-${transport}`, scenario: 'uas-answer.xml', calls: 1 });
      const connected = counter();
      app = await connectSrf(core, {
        before: (srf: Loose) =>
          srf.invite(async (req: Loose, res: Loose) => {
            await srf.createB2BUA(req, res, `sip:1000@127.0.0.1:${uas.port}${tp}`, { localSdpB: req.body });
            connected.hit();
          }),
      });
      const uac = await startSipp({ transport, name: `app-gone-uac-${transport}`, scenario: 'uac-call-wait-bye.xml', remote: target(), calls: 1 });
      await connected.reached(1);
      await core.waitHealth((h) => h.dialogs === 2);
      app.close();
      app = undefined;
      const [u, s] = await Promise.all([uac.done, uas.done]);
      expect(u.code).toBe(0);
      expect(s.code).toBe(0);
      const h = await core.waitHealth(idle);
      expect(h.appTeardowns).toBeGreaterThanOrEqual(2);
    });

    it('an app that disconnects while its INVITE rings: an answer crossing the CANCEL is ACKed and hung up', async () => {
      const uas = await startSipp({ transport, name: `orphan-2xx-uas-${transport}`, scenario: 'uas-answer-despite-cancel.xml', calls: 1 });
      const before = Number((await core.waitHealth(idle)).appTeardowns ?? 0);
      const ringing = counter();
      app = await connectSrf(core);
      const gone = app;
      gone.srf
        .createUAC(`sip:1000@127.0.0.1:${uas.port}${tp}`, { localSdp: sdp() }, {
          cbProvisional: () => {
            ringing.hit();
            gone.close(); // the app dies while the call rings
          },
        })
        .catch(() => undefined);
      await ringing.reached(1);
      app = undefined;
      // The callee got its ACK and a BYE from sip-core, so its scenario ends well.
      const { code } = await uas.done;
      expect(code).toBe(0);
      const h = await core.waitHealth((x) => idle(x) && Number(x.appTeardowns) > before);
      expect(Number(h.appTeardowns)).toBeGreaterThan(before);
    });

    it('a re-INVITE while another is pending gets 491 (RFC 3261 §14.2)', async () => {
      const modified = counter();
      app = await connectSrf(core, {
        before: (srf: Loose) =>
          srf.invite(async (req: Loose, res: Loose) => {
            const dlg = await srf.createUAS(req, res, { localSdp: sdp() });
            dlg.on('modify', (_r: Loose, mres: Loose) => {
              modified.hit();
              setTimeout(() => mres.send(200, { body: sdp() }), 300);
            });
          }),
      });
      const uac = await startSipp({ transport, name: `glare-${transport}`, scenario: 'uac-reinvite-glare.xml', remote: target(), calls: 1 });
      const { code, stats } = await uac.done;
      expect(code).toBe(0);
      expect(stats.successful).toBe(1);
      expect(modified.value).toBe(1);
      await core.waitHealth(idle);
    });

    it('a reliable 183 is PRACKed (RFC 3262), then answered and UPDATEd (RFC 3311)', async () => {
      const pracks = counter();
      app = await connectSrf(core, {
        before: (srf: Loose) =>
          srf.invite((req: Loose, res: Loose) => {
            res.send(183, { headers: { Require: '100rel' }, body: sdp() }, undefined, () => {
              pracks.hit();
              srf.createUAS(req, res, { localSdp: sdp() });
            });
          }),
      });
      const uac = await startSipp({ transport, name: `prack-${transport}`, scenario: 'uac-prack.xml', remote: target(), calls: 1 });
      const { code, stats } = await uac.done;
      expect(code).toBe(0);
      expect(stats.successful).toBe(1);
      expect(pracks.value).toBe(1);
      await core.waitHealth(idle);
    });

    it('an UPDATE in the early dialog reaches the ringing INVITE (RFC 3311 §5.2)', async () => {
      const updates = counter();
      app = await connectSrf(core, {
        before: (srf: Loose) =>
          srf.invite((req: Loose, res: Loose) => {
            req.on('update', (_u: Loose, ures: Loose) => {
              updates.hit();
              ures.send(200, { body: sdp() }, () => srf.createUAS(req, res, { localSdp: sdp() }));
            });
            res.send(183, { headers: { Require: '100rel' }, body: sdp() });
          }),
      });
      const uac = await startSipp({ transport, name: `early-update-${transport}`, scenario: 'uac-early-update.xml', remote: target(), calls: 1 });
      const { code, stats } = await uac.done;
      expect(code).toBe(0);
      expect(stats.successful).toBe(1);
      expect(updates.value).toBe(1);
      await core.waitHealth(idle);
    });
  });
});

/**
 * The ACK wait (RFC 3261 §13.3.1.4) and Timer B are 64×T1: on a sip-core with
 * sip.timers.t1Ms = 50 they take 3.2 s instead of 32 s.
 */
describe('64×T1 timeouts with T1 = 50 ms', () => {
  const T1 = 50;
  let fast: SipCoreProcess;
  beforeAll(async () => {
    fast = await startSipCore('races-short-t1', { sip: { timers: { t1Ms: T1, t2Ms: 400 } } });
  });

  describe.each(['udp', 'tcp'] as const)('over %s', (transport) => {
    it('a 200 OK that is never ACKed ends with a BYE both ways after 64*T1', async () => {
      const before = Number((await fast.waitHealth(idle)).ackTimeouts ?? 0);
      const reasons: string[] = [];
      let answeredAt = 0;
      app = await connectSrf(fast, {
        cdr: true,
        before: (srf: Loose) =>
          srf.invite(async (req: Loose, res: Loose) => {
            const dlg = await srf.createUAS(req, res, { localSdp: sdp() });
            answeredAt = Date.now();
            dlg.on('destroy', (_msg: unknown, reason: string) => reasons.push(reason));
          }),
      });
      const uac = await startSipp({ transport, name: `no-ack-${transport}`, scenario: 'uac-no-ack.xml', remote: `127.0.0.1:${fast.sipPort}`, calls: 1, timeoutS: 30 });
      const { code } = await uac.done;
      expect(code).toBe(0);
      // sip-core writes the app's notice out before the BYE leaves, so it is
      // already on its way when the caller exits; the poll only absorbs this
      // test process being descheduled on a busy machine.
      await expect.poll(() => reasons, { timeout: 5000 }).toEqual(['ACK timeout']);
      await expect
        .poll(() => app!.cdrs.map((c) => `${c.event}:${c.detail ?? ''}`), { timeout: 5000 })
        .toEqual(['attempt:', 'start:uas', 'stop:system-initiated-termination']);
      const waited = Date.now() - answeredAt;
      expect(waited).toBeGreaterThanOrEqual(64 * T1 - 100);
      expect(waited).toBeLessThan(64 * T1 + 10_000);
      const h = await fast.waitHealth((x) => idle(x) && Number(x.ackTimeouts) > before);
      expect(Number(h.ackTimeouts)).toBe(before + 1);
    }, 60_000);
  });

  it('an INVITE nobody answers gets 408 from Timer B after 64*T1', async () => {
    const silent = await freePort(); // nothing listens: the INVITE goes unanswered
    app = await connectSrf(fast);
    const started = Date.now();
    const status = await app.srf
      .createUAC(`sip:nobody@127.0.0.1:${silent}`, { localSdp: sdp() })
      .then(() => 200, (err: { status?: number }) => err.status ?? 0);
    const waited = Date.now() - started;
    expect(status).toBe(408);
    expect(waited).toBeGreaterThanOrEqual(64 * T1 - 100);
    expect(waited).toBeLessThan(64 * T1 + 10_000);
    await fast.waitHealth(idle);
  }, 60_000);
});
