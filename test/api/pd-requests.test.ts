// A data subject's requests by phone number (issue 15), as the
// data-protection officer: show everything held (contact, CDRs, recording),
// export it as a ZIP with exactly that subject's data, legal hold refusing
// erasure, erasure that leaves the subject's fields and recording
// undecryptable while another subject is untouched and the calls still
// count, and a copy of the data taken before the erasure shredded again by
// the erasure ledger as `korobka restore` applies it.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDatabaseOnline, openStore } from '../../services/store';
import { applyErasures, ContactBook, PdKeys, PdStore, readErasures } from '../../services/pd-store';
import { openKeyring, Vault } from '../../services/recordings';
import { tempDir } from '../helpers/tmp';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let data: { dir: string; cleanup: () => void };
let dpo: Client;
let tenantAdmin: Client;
let otherDpo: Client;
let tenantId: number;
let vault: Vault;
const IVAN = '+79161234567';
const OLGA = '+79037654321';
const audio = { ivan: Buffer.alloc(150_000, 1), olga: Buffer.alloc(120_000, 2) };
let ivanContact = '';
let olgaContact = '';

async function addRecording(id: string, caller: string, callee: string, plain: Buffer) {
  const dir = path.join(data.dir, 'recordings', String(tenantId));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(data.dir, `${id}.plain`), plain);
  const r = await vault.encryptFile(path.join(data.dir, `${id}.plain`), path.join(dir, `${id}.kvr`), String(tenantId));
  h.store.db
    .prepare(
      `INSERT INTO recordings (id, tenant_id, cdr_id, caller, callee, started_at, duration_ms, size_bytes, plain_bytes, codec, media_type, key_id, sha256, path, channel_source, created_at)
       VALUES (?, ?, NULL, ?, ?, '2026-12-01T10:00:00Z', 9000, ?, ?, 'pcm-s16le', 'audio/wav', ?, ?, ?, 'explicit', '2026-12-01T10:00:10Z')`,
    )
    .run(id, tenantId, caller, callee, r.size, r.plainLength, r.tenantKeyId, r.fileSha256, `${tenantId}/${id}.kvr`);
}

function addCdr(id: number, direction: string, callerDialled: string, caller: string, calleeDialled: string, callee: string) {
  h.store.db
    .prepare(
      `INSERT INTO cdrs (id, call_id, tenant_id, direction, caller_dialled, caller_number, callee_dialled, callee_number, started_at, answered_at, ended_at, duration_seconds, billable_seconds, disposition, hangup_side, status, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2026-12-01T10:00:00Z', '2026-12-01T10:00:05Z', '2026-12-01T10:01:00Z', 60, 55, 'answered', 'caller', 'completed', '2026-12-01T10:01:00Z')`,
    )
    .run(id, `call-${id}`, tenantId, direction, callerDialled, caller, calleeDialled, callee);
}

const plainOf = async (v: Vault, file: string) => {
  const parts: Buffer[] = [];
  for await (const p of v.decrypt(file)) parts.push(p);
  return Buffer.concat(parts);
};

beforeAll(async () => {
  data = tempDir('pd-requests-');
  h = await startApi({ dataDir: data.dir });
  tenantId = h.store.tenants.create({ name: 'Bank', sipDomain: 'pbx.bank.ru' }).id;
  const other = h.store.tenants.create({ name: 'Other', sipDomain: 'other.ru' }).id;
  dpo = (await h.as('dpo', tenantId)).client;
  otherDpo = (await h.as('dpo', other)).client;
  tenantAdmin = (await h.as('tenant-admin', tenantId)).client;
  vault = new Vault(openKeyring({ dataDir: data.dir }));
  ivanContact = (
    await tenantAdmin.request('POST', '/api/contacts', { name: 'Сидоров Иван', numbers: [{ number: '8 916 123-45-67' }], notes: 'должник' })
  ).body.contact.id;
  olgaContact = (await tenantAdmin.request('POST', '/api/contacts', { name: 'Петрова Ольга', numbers: [{ number: OLGA }] })).body.contact
    .id;
  addCdr(1, 'inbound', '79161234567', IVAN, '201', '201');
  addCdr(2, 'inbound', '89037654321', OLGA, '201', '201');
  addCdr(3, 'outbound', '202', '202', '89161234567', IVAN);
  await addRecording('r-ivan', IVAN, '201', audio.ivan);
  await addRecording('r-olga', OLGA, '201', audio.olga);
}, 60_000);
afterAll(async () => {
  await h.close();
  data.cleanup();
});

describe('subject requests', () => {
  it('show everything held about a number, and nobody else', async () => {
    const r = await dpo.request('POST', '/api/pd/subject/find', { number: '8 (916) 123-45-67' });
    expect(r.status).toBe(200);
    expect(r.body.contacts.map((c: { id: string }) => c.id)).toEqual([ivanContact]);
    expect(r.body.cdrs.map((c: { id: number }) => c.id)).toEqual([1, 3]);
    expect(r.body.recordings.map((c: { id: string }) => c.id)).toEqual(['r-ivan']);
    expect(JSON.stringify(r.body)).not.toContain('Петрова');
    expect((await tenantAdmin.request('POST', '/api/pd/subject/find', { number: IVAN })).status).toBe(403);
    const bad = await dpo.request('POST', '/api/pd/subject/find', { number: '12' });
    expect(bad.body).toMatchObject({
      status: 400,
      code: 'validation-failed',
      message: 'number: is not a full number: give it with the country code (+7 916 123-45-67)',
    });
    // another tenant's subject: nothing held there
    const other = await otherDpo.request('POST', '/api/pd/subject/find', { number: IVAN });
    expect(other.body).toMatchObject({ subject: null, contacts: [], cdrs: [], recordings: [] });
  });

  it('export: a ZIP with a manifest and exactly the subject’s data, the recording decrypted', async () => {
    const r = await dpo.request('POST', '/api/pd/subject/export', {
      number: IVAN,
      reason: 'запрос №12 от 01.12.2026',
      requester: 'subject',
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/zip');
    const files = unzipSync(new Uint8Array(r.raw));
    expect(Object.keys(files).sort()).toEqual(['cdrs.json', 'contacts.json', 'manifest.json', 'recordings.json', 'recordings/r-ivan.wav']);
    const manifest = JSON.parse(strFromU8(files['manifest.json']!));
    expect(manifest).toMatchObject({
      format: 'korobka-pd-export/1',
      number: IVAN,
      counts: { contacts: 1, cdrs: 2, recordings: 1 },
      requester: 'subject',
    });
    expect(Buffer.from(files['recordings/r-ivan.wav']!).equals(audio.ivan)).toBe(true);
    const contacts = JSON.parse(strFromU8(files['contacts.json']!));
    expect(contacts).toEqual([expect.objectContaining({ id: ivanContact, name: 'Сидоров Иван', notes: 'должник' })]);
    const all = Buffer.from(r.raw).toString('utf8');
    for (const other of ['Петрова', OLGA, '9037654321', 'r-olga', 'call-2']) expect(all).not.toContain(other);
  });

  it('legal hold refuses erasure with the reason, and changes nothing', async () => {
    expect((await dpo.request('PUT', '/api/pd/subject/legal-hold', { number: IVAN, reason: 'судебный запрос А40-1/2026' })).status).toBe(
      200,
    );
    const r = await dpo.request('POST', '/api/pd/subject/erase', { number: IVAN, reason: 'отзыв согласия', requester: 'subject' });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('pd-legal-hold');
    expect(r.body.message).toMatch(/under legal hold \(судебный запрос А40-1\/2026\): erasure refused, nothing was changed$/);
    expect((await tenantAdmin.request('GET', `/api/contacts/${ivanContact}`)).body.contact.name).toBe('Сидоров Иван');
    expect((await plainOf(vault, path.join(data.dir, 'recordings', String(tenantId), 'r-ivan.kvr'))).equals(audio.ivan)).toBe(true);
    expect((await dpo.request('PUT', '/api/pd/subject/legal-hold', { number: IVAN, reason: null })).body.subject.legalHold).toBeNull();
  });

  it('erasure: the subject’s fields and recording no longer decrypt, here and in a copy taken before; others are untouched; calls still count', async () => {
    // "Backup" before the erasure: the database (online copy) and the recordings.
    const backup = tempDir('pd-backup-');
    await copyDatabaseOnline(h.store.db.name, path.join(backup.dir, 'korobka.db'));
    cpSync(path.join(data.dir, 'recordings'), path.join(backup.dir, 'recordings'), { recursive: true });
    const sealedIvan = h.store.pdContacts.get(tenantId, ivanContact)!;
    const subjectId = sealedIvan.subjectId;

    const r = await dpo.request('POST', '/api/pd/subject/erase', {
      number: IVAN,
      reason: 'отзыв согласия, запрос №13',
      requester: 'subject',
    });
    expect(r.status).toBe(200);
    expect(r.body.erased).toEqual({ subjectId, contacts: 1, cdrs: 2, recordings: 1 });

    const pd = new PdStore(h.store, PdKeys.open({ dataDir: data.dir }));
    expect(() => new ContactBook(pd).open(sealedIvan)).toThrow(expect.objectContaining({ code: 'pd-subject-erased' }));
    expect((await tenantAdmin.request('GET', `/api/contacts/${ivanContact}`)).status).toBe(404);
    expect((await tenantAdmin.request('GET', `/api/contacts/${olgaContact}`)).body.contact.name).toBe('Петрова Ольга');
    await expect(plainOf(vault, path.join(data.dir, 'recordings', String(tenantId), 'r-ivan.kvr'))).rejects.toMatchObject({
      code: 'key-unwrap-failed',
    });
    expect((await plainOf(vault, path.join(data.dir, 'recordings', String(tenantId), 'r-olga.kvr'))).equals(audio.olga)).toBe(true);
    const cdrs = h.store.db
      .prepare('SELECT id, caller_number, callee_number, duration_seconds FROM cdrs WHERE tenant_id = ? ORDER BY id')
      .all(tenantId);
    expect(cdrs).toEqual([
      { id: 1, caller_number: 'erased', callee_number: '201', duration_seconds: 60 },
      { id: 2, caller_number: OLGA, callee_number: '201', duration_seconds: 60 },
      { id: 3, caller_number: '202', callee_number: 'erased', duration_seconds: 60 },
    ]);
    const found = await dpo.request('POST', '/api/pd/subject/find', { number: IVAN });
    expect(found.body).toMatchObject({ subject: null, contacts: [], cdrs: [], recordings: [] });

    // The copy taken before: it still holds the wrapped key until the ledger is applied, as `korobka restore` does.
    const copy = openStore(path.join(backup.dir, 'korobka.db'));
    try {
      expect(copy.pdSubjects.get(tenantId, subjectId)?.wrappedKey).not.toBeNull();
      const ledger = readErasures(data.dir);
      expect(ledger).toEqual([expect.objectContaining({ tenantId, subjectId, recordingIds: ['r-ivan'] })]);
      expect(JSON.stringify(ledger)).not.toContain('916');
      const bvault = new Vault(openKeyring({ dataDir: data.dir }));
      await applyErasures(
        ledger,
        backup.dir,
        copy,
        (f) => bvault.destroyDataKey(f),
        (t, id) => copy.pdRequests.recordingPath(t, id),
      );
      const bpd = new PdStore(copy, PdKeys.open({ dataDir: data.dir }));
      expect(() => new ContactBook(bpd).open(sealedIvan)).toThrow(expect.objectContaining({ code: 'pd-subject-erased' }));
      expect(new ContactBook(bpd).get(tenantId, olgaContact).name).toBe('Петрова Ольга');
      await expect(plainOf(bvault, path.join(backup.dir, 'recordings', String(tenantId), 'r-ivan.kvr'))).rejects.toMatchObject({
        code: 'key-unwrap-failed',
      });
      expect((await plainOf(bvault, path.join(backup.dir, 'recordings', String(tenantId), 'r-olga.kvr'))).equals(audio.olga)).toBe(true);
      expect(readFileSync(path.join(backup.dir, 'korobka.db')).includes(Buffer.from('Сидоров'))).toBe(false);
    } finally {
      copy.close();
      backup.cleanup();
    }
  });

  it('audits each request by subject id, never the number', async () => {
    const rows = h.store.audit.list({ limit: 1000 }).rows.filter((r) => r.action.startsWith('pd.subject'));
    expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual(
      expect.arrayContaining([
        'pd.subject.view:ok',
        'pd.subject.export:ok',
        'pd.subject.legal-hold:ok',
        'pd.subject.erase:failed',
        'pd.subject.erase:ok',
      ]),
    );
    const text = JSON.stringify(h.store.audit.list({ limit: 10_000 }).rows);
    for (const n of ['9161234567', '9037654321', 'Сидоров']) expect(text).not.toContain(n);
  });
});
