// End to end on the real appliance: `korobka start` runs rtpengine and the
// recordings process under the supervisor; the test drives a recorded call
// through the appliance's own rtpengine, the recordings process converts the
// capture from <dataDir>/recordings/spool, and the API plays it back with a
// Range request that returns exactly those bytes of the decrypted file.
// Then `korobka doctor` finds the chain intact, and a file removed by hand
// (one test: each step needs the one before).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { hashPassword } from '../../../services/api/password';
import { openKeyring, Vault } from '../../../services/recordings';
import { openStore } from '../../../services/store';
import { channel, decodeAudio } from '../../recordings/call-builder';
import { goertzel } from '../../recordings/pcap-builder';
import { makeAppliance, waitFor, type Appliance } from '../appliance/appliance';
import { newNgClient, recordCall, type NgClient } from './ng-call';

let app: Appliance;
let ng: NgClient;
const PASSWORD = 'listen carefully to the tones';

beforeAll(async () => {
  app = await makeAppliance('recordings-e2e', { recordings: { format: 'wav', sweepIntervalMs: 300 } });
  // An auditor of the default tenant, made the way `korobka admin` would: straight in the store.
  const store = openStore(path.join(app.dataDir, 'korobka.db'));
  try {
    const tenant = store.tenants.list().find((t) => t.isDefault)!;
    const aud = store.users.create({ tenantId: tenant.id, username: 'aud', role: 'auditor', passwordHash: await hashPassword(PASSWORD) });
    // Hearing calls needs a grant given by two people (issue 16 item 9; test/integration/api/listen-grants.test.ts); here root gives it.
    store.recordings.grantListenDirectly(aud.id, 'test', 1, 'playback test');
  } finally {
    store.close();
  }
  await app.start();
  ng = newNgClient();
}, 120_000);
afterAll(async () => {
  ng?.close();
  await app?.cleanup();
});

function request(method: string, url: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) {
  const ca = readFileSync(path.join(app.dataDir, 'tls', 'ca.crt'));
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: app.ports.api, method, path: url, ca, servername: 'localhost', headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('recordings on the running appliance', () => {
  it('rtpengine records a call, the recordings process stores it, the API plays a Range of it; doctor finds a file removed by hand', async () => {
    const health = await app.get('/api/health');
    expect(health.body.processes.find((p: { name: string }) => p.name === 'recordings')).toMatchObject({ state: 'running' });
    await recordCall(ng, app.ports.ng, 'e2e-call-1', { recordingId: 'e2e-1', caller: '+74951234567', callee: '204' }, 2);

    const login = await request('POST', '/api/auth/login', { body: { username: 'aud', password: PASSWORD } });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']?.[0]).split(';')[0]!;
    let meta: { recordingId: string; durationMs: number; plainBytes: number; mediaType: string } | undefined;
    await waitFor(
      async () => {
        const r = await request('GET', '/api/recordings/e2e-1', { headers: { cookie } });
        if (r.status === 200) meta = JSON.parse(r.body.toString()).recording;
        return r.status === 200;
      },
      30_000,
      'the recordings process to store the call',
    );
    expect(meta).toMatchObject({ recordingId: 'e2e-1', mediaType: 'audio/wav', caller: '+74951234567', callee: '204', channelSource: 'metadata' });
    expect(Math.abs(meta!.durationMs - 2000)).toBeLessThan(150);

    // the reference: the vault file decrypted with the appliance's own keys
    const store = openStore(path.join(app.dataDir, 'korobka.db'), { readonly: true, migrate: false });
    const rec = store.recordings.findRecording('e2e-1')!;
    store.close();
    const plain = await new Vault(openKeyring({ dataDir: app.dataDir })).decryptRange(path.join(app.dataDir, 'recordings', rec.path), 0, rec.plainBytes);
    const pcm = decodeAudio(plain);
    expect(goertzel(channel(pcm, 0, 2000, 14000), 440)).toBeGreaterThan(100 * goertzel(channel(pcm, 0, 2000, 14000), 880));
    expect(goertzel(channel(pcm, 1, 2000, 14000), 880)).toBeGreaterThan(100 * goertzel(channel(pcm, 1, 2000, 14000), 440));

    const part = await request('GET', '/api/recordings/e2e-1/audio', { headers: { cookie, range: 'bytes=10000-19999' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-type']).toBe('audio/wav');
    expect(part.headers['content-range']).toBe(`bytes 10000-19999/${rec.plainBytes}`);
    expect(part.body.equals(plain.subarray(10000, 20000))).toBe(true);

    const trail = await request('GET', '/api/audit?action=recording.played', { headers: { cookie } });
    expect(JSON.parse(trail.body.toString()).rows[0]).toMatchObject({ actor: 'aud', target: 'e2e-1', outcome: 'ok' });
    // the spool is empty again and the process reports no queue
    await waitFor(async () => (await app.get('/api/health')).body.processes.find((p: { name: string }) => p.name === 'recordings')?.health?.queue === 0, 10_000, 'an empty queue');

    // korobka doctor on this data directory: chain intact, then a file removed by hand is a finding
    const before = await app.korobka('doctor');
    expect(before.stdout).toMatch(/OK {3}recordings chain +1 entries, hash chain intact, every file hashed/);
    expect(before.stdout).toMatch(/OK {3}recordings key/);
    expect(before.stdout).toMatch(/recordings disk +[\d.]+% used, 0 capture\(s\) waiting/);
    rmSync(path.join(app.dataDir, 'recordings', rec.path));
    const after = await app.korobka('doctor');
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/FAIL recordings chain +1 finding\(s\): recording e2e-1: file missing/);
  }, 120_000);
});
