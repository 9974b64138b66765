// Out-of-dialog requests other than INVITE, and what happens when no app
// (or a departed app) owns a request (notes A.6.1 step 6, A.6.5).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/processes';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';
import { connectSrf, type SrfApp } from './helpers/srf-app';
import { startSipp } from './helpers/sipp';
import { counter } from './helpers/sdp';
import type { Loose } from '../../sip-core/drachtio/loose-srf';

let core: SipCoreProcess;
let app: SrfApp | undefined;
const target = () => `127.0.0.1:${core.sipPort}`;
const idle = (h: Record<string, unknown>) => h.dialogs === 0 && h.pendingInbound === 0 && h.pendingOutbound === 0;

beforeAll(async () => {
  core = await startSipCore('non-invite');
});
afterEach(() => {
  app?.close();
  app = undefined;
});
afterAll(async () => {
  await stopAll();
});

describe('requests without an owner', () => {
  it('an OPTIONS with no app routed for it gets 503', async () => {
    await core.waitHealth((h) => h.apps === 0);
    const before = Number(core.health().noApp ?? 0);
    const uac = await startSipp({ name: 'options-503', scenario: 'uac-options-503.xml', remote: target() });
    expect((await uac.done).code).toBe(0);
    await core.waitHealth((h) => Number(h.noApp) > before);
  });

  it('an OPTIONS routed to an app is answered by it, with its headers', async () => {
    const seen = counter();
    app = await connectSrf(core, {
      before: (srf: Loose) =>
        srf.options((req: Loose, res: Loose) => {
          expect(req.get('Call-ID')).toBeTruthy();
          expect(req.source_address).toBe('127.0.0.1');
          seen.hit();
          res.send(200, { headers: { Allow: 'INVITE, ACK, BYE, CANCEL, OPTIONS', 'X-Korobka': 'yes' } });
        }),
    });
    await core.waitHealth((h) => ((h.routes as Record<string, number> | undefined)?.options ?? 0) === 1);
    const uac = await startSipp({ name: 'options-200', scenario: 'uac-options-200.xml', remote: target(), calls: 3 });
    const { code, stats } = await uac.done;
    expect(code).toBe(0);
    expect(stats.successful).toBe(3);
    expect(seen.value).toBe(3);
    await core.waitHealth(idle);
  });

  it('refuses to send a request to itself and to an unknown dialog (NOK reasons srf shows)', async () => {
    app = await connectSrf(core);
    await expect(app.srf.request(`sip:x@127.0.0.1:${core.sipPort}`, { method: 'OPTIONS' })).rejects.toThrow('can not send request to myself');
    await expect(app.srf.request({ uri: 'sip:x@192.0.2.1', method: 'INFO', stackDialogId: 'nope;from-tag=x' })).rejects.toMatchObject({
      code: 'ENODIALOG',
    });
  });

  it('spreads new INVITEs round robin over two apps that routed them', async () => {
    const answered = [counter(), counter()];
    const apps = await Promise.all(
      answered.map((n) =>
        connectSrf(core, {
          before: (srf: Loose) =>
            srf.invite(async (req: Loose, res: Loose) => {
              n.hit();
              await srf.createUAS(req, res, { localSdp: req.body });
            }),
        }),
      ),
    );
    try {
      await core.waitHealth((h) => ((h.routes as Record<string, number> | undefined)?.invite ?? 0) === 2);
      const uac = await startSipp({ name: 'round-robin', scenario: 'uac-call.xml', remote: target(), calls: 4 });
      const { code, stats } = await uac.done;
      expect(code).toBe(0);
      expect(stats.successful).toBe(4);
      expect(answered.map((n) => n.value)).toEqual([2, 2]);
    } finally {
      for (const a of apps) a.close();
    }
    await core.waitHealth((h) => idle(h) && h.apps === 0);
  });

  it('an app that disconnects while an INVITE rings leaves the caller a 503', async () => {
    const ringing = counter();
    app = await connectSrf(core, {
      before: (srf: Loose) =>
        srf.invite((_req: Loose, res: Loose) => {
          res.send(180);
          ringing.hit();
        }),
    });
    await core.waitHealth((h) => ((h.routes as Record<string, number> | undefined)?.invite ?? 0) === 1);
    const uac = await startSipp({ name: 'app-gone-ringing', scenario: 'uac-ring-expect-503.xml', remote: target() });
    await ringing.reached(1);
    await core.waitHealth((h) => h.pendingInbound === 1);
    app.close();
    app = undefined;
    expect((await uac.done).code).toBe(0);
    await core.waitHealth(idle);
  });
});
