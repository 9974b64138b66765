// RFC 4028 session timers: a refresher that never refreshes loses the call,
// and sip-core refreshes when it is the refresher. The protocol floor (Min-SE)
// is 90 s; this sip-core runs with sip.timers.testOnlyMinSessionExpiresS so a
// 10 s interval is accepted and the tests take seconds, not minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/processes';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';
import { connectSrf, type SrfApp } from './helpers/srf-app';
import { startSipp } from './helpers/sipp';
import type { Loose } from '../../sip-core/drachtio/loose-srf';

/** Session-Expires of both tests, seconds. */
const SE = 10;
let core: SipCoreProcess;
let app: SrfApp | undefined;

beforeAll(async () => {
  core = await startSipCore('session-timer', { sip: { timers: { testOnlyMinSessionExpiresS: SE } } });
});
afterAll(async () => {
  app?.close();
  await stopAll();
});

describe('session timers (RFC 4028)', () => {
  it(`ends the call with a BYE both ways when the refresher (the caller) misses its ${SE} s refresh`, async () => {
    const reasons: string[] = [];
    app = await connectSrf(core, {
      cdr: true,
      before: (srf: Loose) =>
        srf.invite(async (req: Loose, res: Loose) => {
          const dlg = await srf.createUAS(req, res, {
            localSdp: req.body,
            headers: { 'Session-Expires': `${SE};refresher=uac`, Require: 'timer' },
          });
          dlg.on('destroy', (_m: unknown, reason: string) => reasons.push(reason));
        }),
    });
    const started = Date.now();
    const uac = await startSipp({
      name: 'session-timer', scenario: 'uac-session-timer.xml', remote: `127.0.0.1:${core.sipPort}`, timeoutS: 40, extra: ['-key', 'se', String(SE)],
    });
    expect((await uac.done).code).toBe(0);
    // §10: the BYE goes out max(32 s, a third) before the interval runs out: at 2/3 of 10 s.
    const expectedMs = (SE - SE / 3) * 1000;
    expect(Date.now() - started).toBeGreaterThan(expectedMs - 500);
    expect(Date.now() - started).toBeLessThan(expectedMs + 15_000);
    await expect.poll(() => reasons, { timeout: 5000 }).toEqual(['Session timer expired']);
    await expect
      .poll(() => app!.cdrs.map((c) => `${c.event}:${c.detail ?? ''}`), { timeout: 5000 })
      .toEqual(['attempt:', 'start:uas', 'stop:session-expired']);
    await core.waitHealth((h) => h.dialogs === 0);
  }, 60_000);

  it('refreshes with an UPDATE at half the interval when it is the refresher', async () => {
    app?.close();
    app = await connectSrf(core, {
      before: (srf: Loose) =>
        srf.invite((req: Loose, res: Loose) =>
          srf.createUAS(req, res, { localSdp: req.body, headers: { 'Session-Expires': `${SE};refresher=uas`, Require: 'timer' } }),
        ),
    });
    const before = Number((await core.waitHealth((h) => h.dialogs === 0)).sessionRefreshes ?? 0);
    // The call lasts 3/4 of the interval: one refresh at 1/2, none at 1 (the next half after it).
    const uac = await startSipp({
      name: 'session-refresh',
      scenario: 'uac-session-refresh.xml',
      remote: `127.0.0.1:${core.sipPort}`,
      timeoutS: 40,
      extra: ['-aa', '-key', 'se', String(SE), '-d', String((SE * 1000 * 3) / 4)],
    });
    const { code, stats } = await uac.done;
    expect(code).toBe(0);
    expect(stats.successful).toBe(1);
    const h = await core.waitHealth((x) => x.dialogs === 0);
    expect(Number(h.sessionRefreshes)).toBe(before + 1);
  }, 60_000);
});
