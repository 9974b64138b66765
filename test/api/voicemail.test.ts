// Voicemail API: boxes (admins create with the fields checked and named;
// an employee sees and sets the PIN of only their own box), messages saved
// by the real MessageStore (encrypted) listed with caller, time, duration,
// played and downloaded as WAV (each audited), marked read, deleted;
// administrators hear only with the recordings listen grant; another
// tenant's box looks missing; a box a DID routes to cannot be deleted.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../services/common/logger';
import { defaultFeatures, type Role } from '../../services/store';
import { MessageStore, openVoicemailVault, verifyPin, wavFromG711 } from '../../services/voicemail';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let tenantA: number;
let tenantB: number;
let store: MessageStore;
const as = new Map<Role, { client: Client; userId: number }>();
const c = (r: Role) => as.get(r)!.client;
const audits = (action: string, target: string) => h.store.audit.list({ action, limit: 1000 }).rows.filter((r) => r.target === target);
const payload = Buffer.from(Array.from({ length: 24000 }, (_, i) => (i * 13) & 0xff));

beforeAll(async () => {
  h = await startApi();
  const dataDir = path.dirname(h.store.db.name);
  tenantA = h.store.tenants.create({ name: 'A', sipDomain: 'a.example.ru' }).id;
  tenantB = h.store.tenants.create({ name: 'B', sipDomain: 'b.example.ru' }).id;
  for (const role of ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'] as const) as.set(role, await h.as(role, role === 'superadmin' ? null : tenantA));
  // A supervisor hears other people's messages with a listen grant given by two people (test/integration/api/listen-grants.test.ts).
  h.store.recordings.grantListenDirectly(as.get('supervisor')!.userId, 'test', 30, 'group boxes');
  const ha1 = { MD5: '0'.repeat(32), 'SHA-256': '0'.repeat(64) };
  const ext = h.store.extensions.create({ tenantId: tenantA, extension: '201', ha1 });
  h.store.extensions.create({ tenantId: tenantA, extension: '202', ha1 });
  h.store.extensionFeatures.set(ext.id, { ...defaultFeatures(), userId: as.get('employee')!.userId });
  store = new MessageStore({ store: h.store, vault: openVoicemailVault({ dataDir }), dataDir, log: silentLogger });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('voicemail boxes', () => {
  let own: number;
  let other: number;

  it('an admin creates boxes: the owner extension, limits and PIN (hashed, never shown); bad input names every field and creates nothing', async () => {
    const r = await c('tenant-admin').request('POST', '/api/voicemail/boxes', { number: '201', name: 'Иванов', extension: '201', maxMessageSeconds: 120, pin: '2580' });
    expect(r.status).toBe(201);
    expect(r.body.box).toMatchObject({ number: '201', extension: '201', maxMessageSeconds: 120, maxMessages: 50, pinSet: true, locked: false, messages: { new: 0, saved: 0 } });
    expect(JSON.stringify(r.body)).not.toContain('scrypt');
    own = r.body.box.id;
    expect(await verifyPin('2580', h.store.voicemail.box(own)!.pinHash!)).toBe(true);
    other = (await c('tenant-admin').request('POST', '/api/voicemail/boxes', { number: '300', name: 'Отдел продаж' })).body.box.id;
    const bad = await c('tenant-admin').request('POST', '/api/voicemail/boxes', { number: '201', name: 'x', extension: '999', pin: '12', greetings: { unavailable: 777 } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['pin']);
    const refs = await c('tenant-admin').request('POST', '/api/voicemail/boxes', { number: '201', name: 'x', extension: '999', greetings: { unavailable: 777 } });
    expect(refs.status).toBe(400);
    expect(refs.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['extension', 'greetings.unavailable', 'number']);
    expect(h.store.voicemail.boxes(tenantA)).toHaveLength(2);
    expect(audits('voicemail.box-create', `voicemail-box:${own}`)).toHaveLength(1);
  });

  it('an employee lists and reads only their own box; another tenant\'s admin sees none of them', async () => {
    expect((await c('employee').request('GET', '/api/voicemail/boxes')).body.boxes.map((b: { number: string }) => b.number)).toEqual(['201']);
    expect((await c('employee').request('GET', `/api/voicemail/boxes/${other}`)).body.code).toBe('voicemail-box-not-found');
    expect((await c('supervisor').request('GET', '/api/voicemail/boxes')).body.boxes).toHaveLength(2);
    const b = await h.as('tenant-admin', tenantB);
    expect((await b.client.request('GET', '/api/voicemail/boxes')).body.boxes).toEqual([]);
    expect((await b.client.request('GET', `/api/voicemail/boxes/${own}`)).status).toBe(404);
  });

  it('the employee changes their own PIN (audited); not another box\'s', async () => {
    expect((await c('employee').request('PUT', `/api/voicemail/boxes/${own}/pin`, { pin: '13579' })).status).toBe(200);
    expect(await verifyPin('13579', h.store.voicemail.box(own)!.pinHash!)).toBe(true);
    expect((await c('employee').request('PUT', `/api/voicemail/boxes/${other}/pin`, { pin: '13579' })).status).toBe(404);
    expect((await c('employee').request('PUT', `/api/voicemail/boxes/${own}/pin`, { pin: 'abcd' })).body.code).toBe('validation-failed');
    expect(audits('voicemail.pin-set', `voicemail-box:${own}`)).toHaveLength(1);
  });

  it('messages: listed with caller, time and duration; the employee plays and downloads the WAV (audited each time), marks it read, deletes it with its file', async () => {
    const m = await store.save({ tenantId: tenantA, boxId: own, callId: 'c1', caller: '+74951234567', receivedAt: new Date('2026-12-07T09:00:00Z'), audio: { law: 'alaw', payload } });
    const list = await c('employee').request('GET', `/api/voicemail/boxes/${own}/messages`);
    expect(list.body.messages).toEqual([expect.objectContaining({ id: m.id, caller: '+74951234567', receivedAt: '2026-12-07T09:00:00.000Z', durationMs: 3000, folder: 'new', readAt: null })]);
    expect(JSON.stringify(list.body)).not.toContain('.vm');
    const played = await c('employee').request('GET', `/api/voicemail/messages/${m.id}/audio`);
    expect(played.status).toBe(200);
    expect(played.headers['content-type']).toBe('audio/wav');
    expect(played.raw.equals(wavFromG711('alaw', payload))).toBe(true);
    const dl = await c('employee').request('GET', `/api/voicemail/messages/${m.id}/download`);
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="voicemail-${m.id}.wav"`);
    expect(audits('voicemail.played', `voicemail-message:${m.id}`)[0]).toMatchObject({ actorId: as.get('employee')!.userId, outcome: 'ok' });
    expect(audits('voicemail.downloaded', `voicemail-message:${m.id}`)).toHaveLength(1);
    const read = await c('employee').request('PUT', `/api/voicemail/messages/${m.id}/read`);
    expect(read.body.message).toMatchObject({ folder: 'saved', readAt: expect.any(String) });
    // Administrators hear only with a grant; an auditor not at all; each refusal audited.
    expect((await c('tenant-admin').request('GET', `/api/voicemail/messages/${m.id}/audio`)).body.code).toBe('recordings-listen-not-granted');
    expect(audits('voicemail.played', `voicemail-message:${m.id}`).some((r) => r.actorId === as.get('tenant-admin')!.userId && r.outcome === 'denied')).toBe(true);
    expect((await c('auditor').request('GET', `/api/voicemail/messages/${m.id}/audio`)).status).toBe(403);
    expect((await c('supervisor').request('GET', `/api/voicemail/messages/${m.id}/audio`)).status).toBe(200);
    h.store.recordings.revokeListenGrant(as.get('supervisor')!.userId);
    expect((await c('supervisor').request('GET', `/api/voicemail/messages/${m.id}/audio`)).body.code).toBe('recordings-listen-not-granted');
    const file = store.absolute(m);
    expect(existsSync(file)).toBe(true);
    expect((await c('employee').request('DELETE', `/api/voicemail/messages/${m.id}`)).status).toBe(204);
    expect(existsSync(file)).toBe(false);
    expect(h.store.voicemail.messages(own)).toEqual([]);
    expect(audits('voicemail.message-delete', `voicemail-message:${m.id}`)).toHaveLength(1);
  });

  it('a message in another tenant\'s or another employee\'s box looks missing', async () => {
    const m = await store.save({ tenantId: tenantA, boxId: other, callId: 'c2', caller: '202', receivedAt: new Date(), audio: { law: 'ulaw', payload } });
    expect((await c('employee').request('GET', `/api/voicemail/messages/${m.id}/audio`)).body.code).toBe('voicemail-message-not-found');
    expect((await c('employee').request('DELETE', `/api/voicemail/messages/${m.id}`)).status).toBe(404);
    expect(h.store.voicemail.message(m.id)).toBeDefined();
  });

  it('a box an inbound number routes to cannot be deleted (named); once free it goes with its messages\' files', async () => {
    const m = await store.save({ tenantId: tenantA, boxId: own, callId: 'c3', caller: '202', receivedAt: new Date(), audio: { law: 'alaw', payload } });
    h.store.callFlows.setMainDestination(tenantA, { type: 'feature', feature: 'voicemail', id: own });
    const refused = await c('tenant-admin').request('DELETE', `/api/voicemail/boxes/${own}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'voicemail-box-in-use', details: { users: ['the main destination'] } });
    h.store.callFlows.setMainDestination(tenantA, null);
    expect((await c('tenant-admin').request('DELETE', `/api/voicemail/boxes/${own}`)).status).toBe(204);
    expect(existsSync(store.absolute(m))).toBe(false);
    expect(h.store.voicemail.box(own)).toBeUndefined();
  });
});
