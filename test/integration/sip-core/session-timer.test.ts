// RFC 4028 session timers: a refresher that never refreshes loses the call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/processes';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';
import { connectSrf, type SrfApp } from './helpers/srf-app';
import { startSipp } from './helpers/sipp';
import type { Loose } from '../../sip-core/drachtio/loose-srf';

let core: SipCoreProcess;
let app: SrfApp | undefined;

beforeAll(async () => {
  core = await startSipCore('session-timer');
});
afterAll(async () => {
  app?.close();
  await stopAll();
});

describe('session timers (RFC 4028)', () => {
  it('ends the call with a BYE both ways when the refresher (the caller) misses its 90 s refresh', async () => {
    const reasons: string[] = [];
    app = await connectSrf(core, {
      cdr: true,
      before: (srf: Loose) =>
        srf.invite(async (req: Loose, res: Loose) => {
          const dlg = await srf.createUAS(req, res, {
            localSdp: req.body,
            headers: { 'Session-Expires': '90;refresher=uac', Require: 'timer' },
          });
          dlg.on('destroy', (_m: unknown, reason: string) => reasons.push(reason));
        }),
    });
    const started = Date.now();
    const uac = await startSipp({ name: 'session-timer', scenario: 'uac-session-timer.xml', remote: `127.0.0.1:${core.sipPort}`, timeoutS: 110 });
    expect((await uac.done).code).toBe(0);
    // §10: the BYE goes out max(32 s, a third) before the 90 s run out, i.e. at 60 s.
    expect(Date.now() - started).toBeGreaterThan(55_000);
    await expect.poll(() => reasons).toEqual(['Session timer expired']);
    expect(app.cdrs.map((c) => `${c.event}:${c.detail ?? ''}`)).toEqual(['attempt:', 'start:uas', 'stop:session-expired']);
    await core.waitHealth((h) => h.dialogs === 0);
  }, 150_000);

  it('refreshes with an UPDATE at half the interval when it is the refresher', async () => {
    app?.close();
    app = await connectSrf(core, {
      before: (srf: Loose) =>
        srf.invite((req: Loose, res: Loose) =>
          srf.createUAS(req, res, { localSdp: req.body, headers: { 'Session-Expires': '90;refresher=uas', Require: 'timer' } }),
        ),
    });
    const before = Number((await core.waitHealth((h) => h.dialogs === 0)).sessionRefreshes ?? 0);
    const uac = await startSipp({
      name: 'session-refresh', scenario: 'uac-session-refresh.xml', remote: `127.0.0.1:${core.sipPort}`, timeoutS: 90, extra: ['-aa'],
    });
    const { code, stats } = await uac.done;
    expect(code).toBe(0);
    expect(stats.successful).toBe(1);
    const h = await core.waitHealth((x) => x.dialogs === 0);
    expect(Number(h.sessionRefreshes)).toBe(before + 1);
  }, 150_000);
});
