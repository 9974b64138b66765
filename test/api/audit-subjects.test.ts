// Audit rows reference people, never hold their numbers or names: an admin
// run through the real API (a tenant and its admin, extensions with names,
// caller ids and a forward to a mobile, a DID to an outside number, a CDR
// export filtered by number), then the raw SQLite rows are scanned for every
// number and name used. The references still find the rows about a subject.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import { startApi, type Client, type Harness } from './harness';
import { scrubDetails } from '../../services/store/repos/audit-scrub';

let h: Harness;
let root: Client;
beforeEach(async () => {
  h = await startApi();
  root = (await h.as('superadmin', null, 'root')).client;
}, 30_000);
afterEach(() => h.close());

const MOBILE = '+79161234567';
const CALLER_ID = '+74951234567';
const OUTSIDE = '+79035554433';
const DID = '+74957771122';
const NAMES = ['Иван Петров', 'Пётр Иванов', 'petrova'];

describe('audit details', () => {
  it('hold references, not the numbers and names of an admin run', async () => {
    const t = await root.request('POST', '/api/tenants', { name: 'Банк', sipDomain: 'bank.example.ru', admin: { username: 'petrova' } });
    expect(t.status).toBe(201);
    const tenantId = t.body.tenant.id as number;
    const q = `?tenantId=${tenantId}`;
    const a = await root.request('POST', `/api/extensions${q}`, { extension: '201', displayName: 'Иван Петров', callerIdNumber: CALLER_ID });
    expect(a.status).toBe(201);
    await root.request('POST', `/api/extensions${q}`, { extension: '202' });
    const p = await root.request('PATCH', `/api/extensions/${a.body.extension.id}${q}`, { displayName: 'Пётр Иванов', forward: { busy: '202', noAnswer: MOBILE, noAnswerSeconds: 20 } });
    expect(p.status).toBe(200);
    const d = await root.request('POST', `/api/dids${q}`, { number: DID, destination: { type: 'external', number: OUTSIDE } });
    expect(d.status).toBe(201);
    expect((await root.request('GET', `/api/cdrs.csv${q}&number=${encodeURIComponent(MOBILE)}`)).status).toBe(200);

    // The file itself, as an intruder or a backup would read it.
    const raw = new Database(path.join(h.store.db.name), { readonly: true });
    const rows = raw.prepare('SELECT action, target, details FROM audit_log').all() as { action: string; target: string; details: string }[];
    raw.close();
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['tenant.create', 'extension.create', 'extension.update', 'did.create', 'cdr.export']));
    const text = JSON.stringify(rows);
    for (const n of [MOBILE, CALLER_ID, OUTSIDE, DID]) {
      expect(text).not.toContain(n.slice(1));
      expect(text).not.toContain(n.slice(2)); // without the country code
    }
    for (const name of NAMES) expect(text).not.toContain(name);

    // Whoever holds the key finds the rows about a subject (a subject request).
    expect(h.store.audit.about(h.store.audit.subjectRef('num', MOBILE)).map((r) => r.action).sort()).toEqual(['cdr.export', 'extension.update']);
    expect(h.store.audit.about(h.store.audit.subjectRef('num', '89035554433')).map((r) => r.action)).toEqual(['did.create']);
    expect(h.store.audit.about(h.store.audit.subjectRef('name', 'Пётр Иванов')).map((r) => r.action)).toEqual(['extension.update']);
    expect(h.store.audit.about(h.store.audit.subjectRef('name', 'Petrova')).map((r) => r.action)).toEqual(['tenant.create']);
  });

  it('keeps what is not a person: ids, extensions, dates, addresses, hashes', () => {
    const key = Buffer.alloc(32, 1);
    const kept = { extension: '201', at: '2026-12-06T10:00:00.000Z', ip: '10.100.200.123', sha256: 'a'.repeat(20) + '1234567890', licenceId: 'lic-20261206-0001', bytes: 1048576, callId: '84b4c76e66710@pc33.example.ru', route: '8XXXXXXXXXX' };
    expect(scrubDetails(key, kept)).toEqual(kept);
    const scrubbed = scrubDetails(key, { note: 'перезвонить 8 (916) 123-45-67 или +7 916 123 45 67', displayName: 'Иван' }) as { note: string; displayName: string };
    expect(scrubbed.note).toMatch(/^перезвонить num:[0-9a-f]{16} или num:[0-9a-f]{16}$/);
    const [x, y] = scrubbed.note.match(/num:[0-9a-f]{16}/g)!;
    expect(x).toBe(y); // both spellings of one number give one reference
    expect(scrubbed.displayName).toMatch(/^name:[0-9a-f]{16}$/);
  });
});
