// The UAC half of drachtio-srf's own tests (test/uac.js), with srf's own sipp
// UAS scenarios (node_modules/drachtio-srf/test/scenarios/uas-*.xml) run by a
// local sipp instead of the docker containers upstream dials by name. The app
// side repeats uac.js's calls with the container name replaced by the local
// sipp address; each title is the upstream assertion.
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/processes';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';
import { connectSrf, type SrfApp } from './helpers/srf-app';
import { startSipp } from './helpers/sipp';

const require = createRequire(import.meta.url);
const scenarios = path.join(path.dirname(require.resolve('drachtio-srf/package.json')), 'test', 'scenarios');
const headers = { To: 'sip:dhorton@sip.drachtio.org', From: 'sip:dhorton@sip.drachtio.org' };

let core: SipCoreProcess;
let app: SrfApp | undefined;

beforeAll(async () => {
  core = await startSipCore('srf-uac-suite');
});
afterEach(() => {
  app?.close();
  app = undefined;
});
afterAll(async () => {
  await stopAll();
});

async function uas(name: string) {
  return startSipp({ name: `srf-${name}`, scenario: path.join(scenarios, name), calls: 1, timeoutS: 30 });
}

describe('drachtio-srf uac.js cases against sip-core', () => {
  it('Srf#createUAC sends PRACK when received RSeq (uas-prack.xml)', async () => {
    const sipp = await uas('uas-prack.xml');
    app = await connectSrf(core);
    const dlg = await app.srf.createUAC(`sip:127.0.0.1:${sipp.port}`, { method: 'INVITE', headers });
    await dlg.destroy();
    expect((await sipp.done).code).toBe(0);
  });

  it('Srf#createUAC can handle digest authentication, sending to same server (uas-auth.xml)', async () => {
    const sipp = await uas('uas-auth.xml');
    app = await connectSrf(core);
    const dlg = await app.srf.createUAC(`sip:127.0.0.1:${sipp.port}`, { method: 'INVITE', headers, auth: { username: 'foo', password: 'bar' } });
    expect(dlg.sip.callId).toBeTruthy();
    await dlg.destroy();
    expect((await sipp.done).code).toBe(0);
  });

  it('Srf#createUAC cannot handle digest without authentication (uas-407-no-auth-header.xml)', async () => {
    const sipp = await uas('uas-407-no-auth-header.xml');
    app = await connectSrf(core);
    await expect(
      app.srf.createUAC(`sip:127.0.0.1:${sipp.port}`, { method: 'INVITE', headers, auth: { username: 'foo', password: 'bar' } }),
    ).rejects.toMatchObject({ status: 407 });
    // The scenario then waits for a credentialed INVITE that srf rightly never sends.
    await sipp.proc.stop();
  });

  it('Srf#createUAC can handle bye with digest authentication (uas-bye-with-auth.xml)', async () => {
    const sipp = await uas('uas-bye-with-auth.xml');
    app = await connectSrf(core);
    const dlg = await app.srf.createUAC(`sip:127.0.0.1:${sipp.port}`, { method: 'INVITE', headers, auth: { username: 'foo', password: 'bar' } });
    await dlg.destroy();
    expect((await sipp.done).code).toBe(0);
    await core.waitHealth((h) => h.dialogs === 0);
  });

  it('Srf#request can be canceled (uas-cancel.xml)', async () => {
    const sipp = await uas('uas-cancel.xml');
    app = await connectSrf(core);
    const status = await new Promise<number | undefined>((resolve) => {
      let inviteSent: { cancel(o: unknown): void } | undefined;
      app!.srf.createUAC(
        `sip:127.0.0.1:${sipp.port}`,
        { headers },
        {
          cbRequest: (_e: unknown, req: { cancel(o: unknown): void }) => (inviteSent = req),
          cbProvisional: (res: { status: number }) => {
            if (res.status < 200) inviteSent?.cancel({ headers: { Reason: 'SIP;cause=200;text="Call completed elsewhere"' } });
          },
        },
        (err: { status?: number } | null) => resolve(err?.status),
      );
    });
    expect(status).toBe(487);
    expect((await sipp.done).code).toBe(0);
  });
});
