// /api/recordings over a real API, SQLite file and vault files made by the
// real pipeline: roles getting or being refused playback, every playback and
// download audited, tenant isolation, Range playback, tampered files, legal
// hold, policy, listen grants, alarms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../appliance/config/schema';
import { silentLogger } from '../../services/common/logger';
import { buildRecordings, type Recordings } from '../../services/recordings';
import { spoolDirOf } from '../../services/recordings/spool';
import { defaultFeatures, type Role } from '../../services/store';
import { decodeAudio } from '../recordings/call-builder';
import { writeCapture } from '../recordings/spool-writer';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let rec: Recordings;
let dataDir: string;
let tenantA: number;
let tenantB: number;
const as = new Map<Role, { client: Client; userId: number }>();

beforeAll(async () => {
  h = await startApi();
  dataDir = path.dirname(h.store.db.name);
  tenantA = h.store.tenants.create({ name: 'A', sipDomain: 'a.example.ru' }).id;
  tenantB = h.store.tenants.create({ name: 'B', sipDomain: 'b.example.ru' }).id;
  for (const role of ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'] as const) as.set(role, await h.as(role, role === 'superadmin' ? null : tenantA));
  // Supervisors and auditors hear calls with a grant given by two people
  // (the four-eyes flow is tested below and in test/integration/api/listen-grants.test.ts).
  for (const role of ['supervisor', 'auditor'] as const) h.store.recordings.grantListenDirectly(as.get(role)!.userId, 'test', 30, 'quality control');
  // the employee is extension 201 (caller of a1; b1's 201 is another tenant's extension)
  const ha1 = { MD5: '0'.repeat(32), 'SHA-256': '0'.repeat(64) };
  const ext = h.store.extensions.create({ tenantId: tenantA, extension: '201', ha1 });
  h.store.extensionFeatures.set(ext.id, { ...defaultFeatures(), userId: as.get('employee')!.userId });
  const config = configSchema.parse({ dataDir, recordings: { format: 'wav' } });
  rec = buildRecordings(config, { store: h.store, log: silentLogger });
  const spool = spoolDirOf(dataDir);
  writeCapture(spool, 'a1', { recordingId: 'a1', tenantId: String(tenantA), caller: '201', callee: '+74951234567' }, { startMs: Date.parse('2026-11-20T10:00:00Z'), seconds: 2 });
  writeCapture(spool, 'a2', { recordingId: 'a2', tenantId: String(tenantA), caller: '202', callee: '203' }, { startMs: Date.parse('2026-11-21T10:00:00Z') });
  writeCapture(spool, 'a3', { recordingId: 'a3', tenantId: String(tenantA), caller: '204', callee: '205' }, { startMs: Date.parse('2026-11-22T10:00:00Z') });
  writeCapture(spool, 'b1', { recordingId: 'b1', tenantId: String(tenantB), caller: '201', callee: '202' });
  const r = await rec.service.sweep();
  if (r.stored !== 4) throw new Error(`setup: ${JSON.stringify(r.failed)}`);
}, 60_000);
afterAll(() => h.close());

const c = (role: Role) => as.get(role)!.client;
const plain = async (id: string) => {
  const r = h.store.recordings.findRecording(id)!;
  return rec.vault.decryptRange(path.join(dataDir, 'recordings', r.path), 0, r.plainBytes);
};
const audits = (action: string, target: string) => h.store.audit.list({ action, limit: 1000 }).rows.filter((r) => r.target === target);

describe('listing and metadata', () => {
  it('a supervisor lists their tenant\'s recordings, newest first, with filters and paging', async () => {
    const all = await c('supervisor').request('GET', '/api/recordings');
    expect(all.status).toBe(200);
    expect(all.body.recordings.map((r: { recordingId: string }) => r.recordingId)).toEqual(['a3', 'a2', 'a1']);
    expect(all.body.recordings[0]).not.toHaveProperty('path');
    expect(all.body.recordings[0]).not.toHaveProperty('keyId');
    expect(all.body.recordings[0]).toMatchObject({ tenantId: tenantA, mediaType: 'audio/wav', legalHold: false, pausedSpans: [] });
    const byNumber = await c('supervisor').request('GET', '/api/recordings?number=%2B74951234567');
    expect(byNumber.body.recordings.map((r: { recordingId: string }) => r.recordingId)).toEqual(['a1']);
    const range = await c('supervisor').request('GET', '/api/recordings?since=2026-11-21T00:00:00Z&until=2026-11-22T00:00:00Z');
    expect(range.body.recordings.map((r: { recordingId: string }) => r.recordingId)).toEqual(['a2']);
    const page = await c('supervisor').request('GET', '/api/recordings?limit=1&offset=1');
    expect(page.body).toMatchObject({ total: 3, recordings: [{ recordingId: 'a2' }] });
    // a tenant user cannot widen their scope by naming another tenant
    const other = await c('supervisor').request('GET', `/api/recordings?tenantId=${tenantB}`);
    expect(other.body.total).toBe(3);
  });

  it('a superadmin sees every tenant, or the one they name', async () => {
    expect((await c('superadmin').request('GET', '/api/recordings')).body.total).toBe(4);
    expect((await c('superadmin').request('GET', `/api/recordings?tenantId=${tenantB}`)).body.recordings.map((r: { recordingId: string }) => r.recordingId)).toEqual(['b1']);
  });

  it('an employee sees only calls of the extensions linked to their user; unlinked, nothing', async () => {
    const list = await c('employee').request('GET', '/api/recordings');
    expect(list.body.recordings.map((r: { recordingId: string }) => r.recordingId)).toEqual(['a1']);
    expect((await c('employee').request('GET', '/api/recordings/a1')).status).toBe(200);
    expect((await c('employee').request('GET', '/api/recordings/a2')).status).toBe(404);
    const loner = await h.as('employee', tenantA);
    expect((await loner.client.request('GET', '/api/recordings')).body).toEqual({ recordings: [], total: 0 });
    expect((await loner.client.request('GET', '/api/recordings/a1')).status).toBe(404);
  });

  it('names the bad filter', async () => {
    const r = await c('supervisor').request('GET', '/api/recordings?since=yesterday&limit=0');
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation-failed');
    expect(r.body.details.fields.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'since']);
  });

  it('another tenant\'s recording looks missing; so does an unknown id', async () => {
    for (const url of ['/api/recordings/b1', '/api/recordings/b1/audio', '/api/recordings/b1/download', '/api/recordings/nope']) {
      const r = await c('supervisor').request('GET', url);
      expect(r.status, url).toBe(404);
      expect(r.body.code).toBe('recording-not-found');
    }
    expect(audits('recording.played', 'b1')).toEqual([]);
    expect((await c('supervisor').request('GET', '/api/recordings/a1')).body.recording).toMatchObject({ recordingId: 'a1', caller: '201' });
  });
});

describe('playback', () => {
  it('a supervisor hears the whole file: 200, audio/wav, no caching, the decrypted bytes', async () => {
    const { raw: r } = await rawGet(c('supervisor'), '/api/recordings/a1/audio');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('audio/wav');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['accept-ranges']).toBe('bytes');
    const expected = await plain('a1');
    expect(Number(r.headers['content-length'])).toBe(expected.length);
    expect(r.body.equals(expected)).toBe(true);
    expect(r.body.subarray(0, 4).toString()).toBe('RIFF');
  });

  it('answers a Range with 206 and exactly those bytes, an impossible one with 416', async () => {
    const { raw } = await rawGet(c('auditor'), '/api/recordings/a1/audio', { range: 'bytes=1000-1999' });
    expect(raw.status).toBe(206);
    expect(raw.headers['content-range']).toBe(`bytes 1000-1999/${(await plain('a1')).length}`);
    expect(raw.body.equals((await plain('a1')).subarray(1000, 2000))).toBe(true);
    const bad = await rawGet(c('auditor'), '/api/recordings/a1/audio', { range: 'bytes=99999999-' });
    expect(bad.raw.status).toBe(416);
  });

  it('writes an audit row for every playback and download: who, which, when, from where', async () => {
    const before = audits('recording.played', 'a2').length;
    await rawGet(c('supervisor'), '/api/recordings/a2/audio', { range: 'bytes=0-99' });
    const d = await rawGet(c('supervisor'), '/api/recordings/a2/download');
    expect(d.raw.status).toBe(200);
    expect(d.raw.headers['content-disposition']).toBe('attachment; filename="a2.wav"');
    expect(d.raw.body.equals(await plain('a2'))).toBe(true);
    const played = audits('recording.played', 'a2');
    expect(played).toHaveLength(before + 1);
    expect(played[0]).toMatchObject({ actorId: as.get('supervisor')!.userId, tenantId: tenantA, outcome: 'ok', details: { range: 'bytes=0-99', status: 206 } });
    expect(played[0]?.ip).toMatch(/127\.0\.0\.1/);
    expect(played[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(audits('recording.downloaded', 'a2')[0]).toMatchObject({ actorId: as.get('supervisor')!.userId, outcome: 'ok' });
  });

  it('an auditor hears their tenant\'s calls', async () => {
    expect((await rawGet(c('auditor'), '/api/recordings/a3/audio')).raw.status).toBe(200);
  });

  it('serves an Opus recording as audio/ogg that decodes to the call', async () => {
    const opus = buildRecordings(configSchema.parse({ dataDir, recordings: { format: 'opus' } }), { store: h.store, log: silentLogger });
    writeCapture(spoolDirOf(dataDir), 'o1', { recordingId: 'o1', tenantId: String(tenantA), caller: '301', callee: '302' }, { seconds: 2 });
    expect((await opus.service.sweep()).stored).toBe(1);
    const r = await rawGet(c('auditor'), '/api/recordings/o1/audio');
    expect(r.raw.status).toBe(200);
    expect(r.raw.headers['content-type']).toBe('audio/ogg');
    expect(r.raw.body.subarray(0, 4).toString()).toBe('OggS');
    const pcm = decodeAudio(r.raw.body);
    expect(Math.abs(pcm.length / 2 / 8 - 2000)).toBeLessThan(80); // ms of stereo 8 kHz
    const d = await rawGet(c('auditor'), '/api/recordings/o1/download');
    expect(d.raw.headers['content-disposition']).toBe('attachment; filename="o1.ogg"');
  });

  it('a tenant admin is refused until a grant is asked for and approved by two people, and again after revoking', async () => {
    const admin = as.get('tenant-admin')!;
    const refused = await admin.client.request('GET', '/api/recordings/a3/audio');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('recordings-listen-not-granted');
    expect(audits('recording.played', 'a3').some((r) => r.actorId === admin.userId && r.outcome === 'denied')).toBe(true);
    // metadata is fine: they configure recording
    expect((await admin.client.request('GET', '/api/recordings/a3')).status).toBe(200);
    const asked = await c('superadmin').request('PUT', `/api/recordings/listen-grants/${admin.userId}`, { granted: true, reason: 'audit of calls' });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ userId: admin.userId, granted: false, pending: { days: 90 } });
    expect((await admin.client.request('GET', '/api/recordings/a3/audio')).status).toBe(403);
    const second = await h.as('superadmin', null);
    const grant = await second.client.request('PUT', `/api/recordings/listen-grants/${admin.userId}`, { granted: true });
    expect(grant.body).toMatchObject({ userId: admin.userId, granted: true, pending: null });
    expect((await rawGet(admin.client, '/api/recordings/a3/audio')).raw.status).toBe(200);
    await c('superadmin').request('PUT', `/api/recordings/listen-grants/${admin.userId}`, { granted: false });
    expect((await admin.client.request('GET', '/api/recordings/a3/audio')).status).toBe(403);
  });

  it('a superadmin needs a grant too, and cannot grant one to themselves', async () => {
    const su = as.get('superadmin')!;
    expect((await su.client.request('GET', '/api/recordings/a3/audio')).body.code).toBe('recordings-listen-not-granted');
    const self = await su.client.request('PUT', `/api/recordings/listen-grants/${su.userId}`, { granted: true, reason: 'myself' });
    expect(self.status).toBe(400);
    expect(self.body.code).toBe('recordings-grant-self');
    const emp = await su.client.request('PUT', `/api/recordings/listen-grants/${as.get('employee')!.userId}`, { granted: true, reason: 'why not' });
    expect(emp.body.code).toBe('recordings-grant-not-needed');
    expect((await su.client.request('PUT', '/api/recordings/listen-grants/999999', { granted: true })).body.code).toBe('user-not-found');
    expect((await su.client.request('PUT', `/api/recordings/listen-grants/${as.get('tenant-admin')!.userId}`, { granted: 'yes' })).body.code).toBe('validation-failed');
    expect((await su.client.request('PUT', `/api/recordings/listen-grants/${as.get('tenant-admin')!.userId}`, { granted: true, days: 400, reason: 'a year and more' })).body.code).toBe('validation-failed');
  });

  it('an employee hears their own call, audited, and is refused another\'s (it looks missing, no playback row)', async () => {
    const employee = as.get('employee')!;
    const own = await rawGet(employee.client, '/api/recordings/a1/audio', { range: 'bytes=0-43' });
    expect(own.raw.status).toBe(206);
    expect(own.raw.body.equals((await plain('a1')).subarray(0, 44))).toBe(true);
    expect(audits('recording.played', 'a1').some((x) => x.actorId === employee.userId && x.outcome === 'ok')).toBe(true);
    const r = await employee.client.request('GET', '/api/recordings/a2/audio');
    expect(r.status).toBe(404);
    expect(audits('recording.played', 'a2').some((x) => x.actorId === employee.userId)).toBe(false);
  });

  it('a flipped byte answers a clear error, not garbage; a missing file too', async () => {
    const file = path.join(dataDir, 'recordings', h.store.recordings.findRecording('a3')!.path);
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad[bad.length - 100]! ^= 0x01;
    writeFileSync(file, bad);
    try {
      const r = await c('auditor').request('GET', '/api/recordings/a3/audio', undefined, { range: 'bytes=0-99' });
      expect(r.status).toBe(500);
      expect(r.body.code).toBe('recording-file-changed');
      expect(r.headers['content-type']).toMatch(/json/);
      expect(audits('recording.played', 'a3')[0]).toMatchObject({ outcome: 'failed' });
    } finally {
      writeFileSync(file, good);
    }
    renameSync(file, `${file}.away`);
    try {
      expect((await c('auditor').request('GET', '/api/recordings/a3/download')).body.code).toBe('recording-file-missing');
    } finally {
      renameSync(`${file}.away`, file);
    }
    expect((await rawGet(c('auditor'), '/api/recordings/a3/audio')).raw.status).toBe(200);
  });
});

describe('legal hold, policy, alarms', () => {
  it('an auditor puts a recording under legal hold and lifts it; a supervisor may not; bad input changes nothing', async () => {
    const on = await c('auditor').request('PUT', '/api/recordings/a2/legal-hold', { hold: true });
    expect(on.status).toBe(200);
    expect(on.body.recording.legalHold).toBe(true);
    expect(h.store.recordings.findRecording('a2')?.legalHold).toBe(true);
    expect(audits('recording.legal-hold', 'a2')[0]).toMatchObject({ details: { hold: true } });
    const bad = await c('auditor').request('PUT', '/api/recordings/a2/legal-hold', { hold: 'please' });
    expect(bad.status).toBe(400);
    expect(h.store.recordings.findRecording('a2')?.legalHold).toBe(true);
    expect((await c('supervisor').request('PUT', '/api/recordings/a2/legal-hold', { hold: false })).status).toBe(403);
    expect((await c('auditor').request('PUT', '/api/recordings/b1/legal-hold', { hold: true })).status).toBe(404);
    expect((await c('auditor').request('PUT', '/api/recordings/a2/legal-hold', { hold: false })).body.recording.legalHold).toBe(false);
  });

  it('a tenant admin sets the policy, retention and quota of their tenant; invalid input names the field', async () => {
    const body = { policy: { tenant: 'on-demand', extensions: { '204': 'always' }, trunks: { mts: 'never' } }, retentionDays: 90, quotaBytes: 5e9 };
    const put = await c('tenant-admin').request('PUT', '/api/recordings/policy', body);
    expect(put.status).toBe(200);
    // Without a pause policy of its own the tenant has the default (issue 16 item 11).
    const pauseDefault = { who: 'employee', maxSeconds: 120 };
    expect(put.body).toEqual({ tenantId: tenantA, ...body, pause: pauseDefault });
    expect((await c('tenant-admin').request('GET', '/api/recordings/policy')).body).toEqual({ tenantId: tenantA, ...body, pause: pauseDefault });
    const strict = { ...body, pause: { who: 'supervisor', maxSeconds: 60 } };
    expect((await c('tenant-admin').request('PUT', '/api/recordings/policy', strict)).body).toEqual({ tenantId: tenantA, ...strict });
    // A PUT without `pause` keeps the stored one.
    expect((await c('tenant-admin').request('PUT', '/api/recordings/policy', body)).body.pause).toEqual(strict.pause);
    const badPause = await c('tenant-admin').request('PUT', '/api/recordings/policy', { ...body, pause: { who: 'anyone', maxSeconds: 0 } });
    expect(badPause.body.details.fields.map((d: { field: string }) => d.field).sort()).toEqual(['pause.maxSeconds', 'pause.who']);
    expect((await c('tenant-admin').request('GET', '/api/recordings/policy')).body.pause).toEqual(strict.pause);
    const bad = await c('tenant-admin').request('PUT', '/api/recordings/policy', { policy: { tenant: 'sometimes' }, retentionDays: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.details.fields.map((d: { field: string }) => d.field).sort()).toEqual(['policy.tenant', 'retentionDays']);
    expect(h.store.recordings.tenantSettings(tenantA).retentionDays).toBe(90);
    expect((await c('supervisor').request('GET', '/api/recordings/policy')).status).toBe(403);
    const su = await c('superadmin').request('GET', '/api/recordings/policy');
    expect(su.status).toBe(400);
    expect((await c('superadmin').request('GET', `/api/recordings/policy?tenantId=${tenantB}`)).body).toMatchObject({ tenantId: tenantB, retentionDays: null });
  });

  it('lists alarms: a tenant user sees theirs and the appliance-wide ones', async () => {
    h.store.alarms.raise({ code: 'recordings-disk-high', severity: 'warning', tenantId: null, source: 'recordings', message: 'disk 85% used' });
    h.store.alarms.raise({ code: 'recordings-quota-exceeded', severity: 'warning', tenantId: tenantB, source: 'recordings', message: 'B over quota' });
    const r = await c('supervisor').request('GET', '/api/alarms?active=true');
    expect(r.status).toBe(200);
    expect(r.body.alarms.map((a: { code: string }) => a.code)).toEqual(['recordings-disk-high']);
    const all = await c('superadmin').request('GET', '/api/alarms?active=true');
    expect(all.body.alarms.map((a: { code: string }) => a.code)).toEqual(['recordings-quota-exceeded', 'recordings-disk-high']);
    expect((await c('employee').request('GET', '/api/alarms')).status).toBe(403);
    expect((await c('supervisor').request('GET', '/api/alarms?active=maybe')).body.code).toBe('validation-failed');
  });
});

/** GET with the body as raw bytes (audio), through the harness client's session. */
async function rawGet(client: Client, url: string, headers: Record<string, string> = {}) {
  const https = await import('node:https');
  // The harness client keeps cookie and CA privately; read them the way the client would send them.
  const priv = client as unknown as { cookie: string; port: number; ca: Buffer };
  const raw = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: priv.port, path: url, method: 'GET', ca: priv.ca, servername: 'localhost', headers: { cookie: priv.cookie, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
  return { raw };
}
