// A call-control restart must not drop calls (ARCHITECTURE.md): sip-core keeps
// the answered dialogs of an app that vanished for a grace period, parks what
// arrives for them, and hands both to the next app with the same tags that
// routes `invite`. Without such an app the calls are hung up when the grace
// period ends.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/processes';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';
import { connectSrf, type SrfApp } from './helpers/srf-app';
import { startSipp } from './helpers/sipp';
import { counter } from './helpers/sdp';
import type { Loose } from '../../sip-core/drachtio/loose-srf';

let core: SipCoreProcess;
let shortGrace: SipCoreProcess;
const apps: SrfApp[] = [];
const idle = (h: Record<string, unknown>) => h.dialogs === 0 && h.pendingInbound === 0 && h.pendingOutbound === 0 && h.orphanDialogs === 0;

beforeAll(async () => {
  [core, shortGrace] = await Promise.all([
    startSipCore('orphans', { drachtio: { orphanGraceSeconds: 20 } }),
    startSipCore('orphans-short', { drachtio: { orphanGraceSeconds: 1 } }),
  ]);
});
afterEach(() => {
  for (const a of apps.splice(0)) a.close();
});
afterAll(async () => {
  await stopAll();
});

/** A B2BUA that reports its two dialog ids, as call-control persists them at answer. */
async function b2bua(on: SipCoreProcess, target: string, legs: (ids: { a: string; b: string }) => void): Promise<SrfApp> {
  const app = await connectSrf(on, {
    before: (srf: Loose) =>
      srf.invite(async (req: Loose, res: Loose) => {
        const { uas, uac } = await srf.createB2BUA(req, res, target, { localSdpB: req.body });
        legs({ a: uas.id, b: uac.id });
      }),
  });
  apps.push(app);
  return app;
}

describe.each(['udp', 'tcp'] as const)('over %s', (transport) => {
  const tp = transport === 'tcp' ? ';transport=tcp' : '';

  it('a restarted app adopts the calls: the caller’s BYE, parked meanwhile, reaches it and it ends the other leg', async () => {
    const uas = await startSipp({ transport, name: `orphan-uas-${transport}`, scenario: 'uas-answer.xml', calls: 1 });
    let ids: { a: string; b: string } | undefined;
    const answered = counter();
    const first = await b2bua(core, `sip:1000@127.0.0.1:${uas.port}${tp}`, (l) => {
      ids = l;
      answered.hit();
    });
    // The caller talks 3 s, then hangs up: while no app is connected.
    const uac = await startSipp({ transport, name: `orphan-uac-${transport}`, scenario: 'uac-call-long.xml', remote: `127.0.0.1:${core.sipPort}`, calls: 1, extra: ['-d', '3000'] });
    await answered.reached(1);
    first.close();
    apps.splice(apps.indexOf(first), 1);
    // The BYE waits in sip-core: nobody answers it yet, nobody hangs up the callee.
    await core.waitHealth((h) => h.orphanDialogs === 2 && h.orphanRequestsParked === 1);

    const byes = counter();
    const second = await connectSrf(core, {
      before: (srf: Loose) => {
        // What call-control does for a call it knows only from its database: answer, then end the other leg by dialog id.
        srf.use('bye', (req: Loose, res: Loose, next: () => void) => {
          if (req.stackDialogId !== ids!.a && req.stackDialogId !== ids!.b) return next();
          byes.hit();
          res.send(200);
          const other = req.stackDialogId === ids!.a ? ids!.b : ids!.a;
          // srf's own Dialog sends in-dialog requests this way: the dialog id decides, the URI is a placeholder.
          srf.request('sip:placeholder', { method: 'BYE', stackDialogId: other }).catch(() => undefined);
        });
        srf.invite((_req: Loose, res: Loose) => res.send(486));
      },
    });
    apps.push(second);
    const [u, s] = await Promise.all([uac.done, uas.done]);
    expect(u.code).toBe(0);
    expect(s.code).toBe(0);
    expect(byes.value).toBe(1);
    const h = await core.waitHealth(idle);
    expect(Number(h.orphansAdopted)).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('without an app coming back, both legs are hung up when the grace period ends', async () => {
    const uas = await startSipp({ transport, name: `orphan-expire-uas-${transport}`, scenario: 'uas-answer.xml', calls: 1 });
    const connected = counter();
    const app = await b2bua(shortGrace, `sip:1000@127.0.0.1:${uas.port}${tp}`, () => connected.hit());
    const before = Number((await shortGrace.waitHealth(() => true)).orphansExpired ?? 0);
    const uac = await startSipp({ transport, name: `orphan-expire-uac-${transport}`, scenario: 'uac-call-wait-bye.xml', remote: `127.0.0.1:${shortGrace.sipPort}`, calls: 1 });
    await connected.reached(1);
    await shortGrace.waitHealth((h) => h.dialogs === 2);
    app.close();
    apps.splice(apps.indexOf(app), 1);
    const [u, s] = await Promise.all([uac.done, uas.done]);
    expect(u.code).toBe(0);
    expect(s.code).toBe(0);
    const h = await shortGrace.waitHealth(idle);
    expect(Number(h.orphansExpired)).toBe(before + 2);
  }, 60_000);
});
