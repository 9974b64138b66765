// Contacts API over the personal-data store: create, read, search by a number
// in any spelling, by its last four digits and by name prefix; edit, delete;
// CSV import with broken rows named and the rest imported; bad input named;
// tenant isolation; every decrypted answer audited by contact and subject id
// with no number or name in the audit log; nothing personal in plain text in
// the database file.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let data: { dir: string; cleanup: () => void };
let tenantAdmin: Client;
let otherAdmin: Client;
let employee: Client;
let admin: Client;
let tenantId: number;

beforeAll(async () => {
  data = tempDir('contacts-');
  h = await startApi({ dataDir: data.dir });
  tenantId = h.store.tenants.create({ name: 'Bank', sipDomain: 'pbx.bank.ru' }).id;
  const other = h.store.tenants.create({ name: 'Other', sipDomain: 'other.ru' }).id;
  admin = (await h.as('superadmin', null)).client;
  tenantAdmin = (await h.as('tenant-admin', tenantId)).client;
  otherAdmin = (await h.as('tenant-admin', other)).client;
  employee = (await h.as('employee', tenantId)).client;
}, 60_000);
afterAll(async () => {
  await h.close();
  data.cleanup();
});

const auditText = () => JSON.stringify(h.store.audit.list({ limit: 10_000 }).rows);

describe('contacts API', () => {
  let ivanId = '';

  it('creates a contact, normalising its numbers, and reads it back', async () => {
    const r = await tenantAdmin.request('POST', '/api/contacts', {
      name: 'Сидоров Иван Петрович',
      company: 'ООО Ромашка',
      numbers: [{ number: '8 (916) 555-12-34', label: 'мобильный' }, { number: '+7 495 555 00 11' }],
      emails: ['sidorov@example.ru'],
      notes: 'перезвонить после 15:00',
    });
    expect(r.status).toBe(201);
    expect(r.body.contact).toMatchObject({
      kind: 'person',
      name: 'Сидоров Иван Петрович',
      numbers: [{ number: '+79165551234', label: 'мобильный' }, { number: '+74955550011' }],
      emails: ['sidorov@example.ru'],
    });
    expect(r.body.contact.subjectId).toMatch(/^ps-/);
    ivanId = r.body.contact.id;
    const got = await employee.request('GET', `/api/contacts/${ivanId}`);
    expect(got.status).toBe(200);
    expect(got.body.contact.company).toBe('ООО Ромашка');
  });

  it('finds the contact by number in any spelling, by the last four digits and by name prefix', async () => {
    await tenantAdmin.request('POST', '/api/contacts', { name: 'Петрова Анна', numbers: [{ number: '+79035551234' }] });
    const q = async (s: string) => (await employee.request('GET', `/api/contacts?q=${encodeURIComponent(s)}`)).body;
    expect((await q('+7 916 555-12-34')).contacts.map((c: { id: string }) => c.id)).toEqual([ivanId]);
    expect((await q('89165551234')).search).toBe('number');
    expect((await q('84955550011')).contacts).toHaveLength(1);
    const last4 = await q('1234');
    expect(last4.search).toBe('last4');
    expect(last4.contacts.map((c: { name: string }) => c.name).sort()).toEqual(['Петрова Анна', 'Сидоров Иван Петрович']);
    expect((await q('сидо')).contacts.map((c: { id: string }) => c.id)).toEqual([ivanId]);
    expect((await q('Иван Сид')).contacts).toHaveLength(1);
    expect((await q('ромаш')).contacts).toHaveLength(1);
    expect((await q('Иванова')).contacts).toEqual([]);
    expect((await q('+79990000000')).contacts).toEqual([]);
  });

  it('names bad input and changes nothing', async () => {
    const before = h.store.pdContacts.list(tenantId, 100, 0).total;
    const bad = await tenantAdmin.request('POST', '/api/contacts', { name: 'X', numbers: [{ number: '12345' }] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: 'validation-failed',
      message: 'numbers[0].number: is not a full number: give it with the country code (+7 916 123-45-67)',
    });
    const noName = await tenantAdmin.request('POST', '/api/contacts', { numbers: [] });
    expect(noName.body.message).toBe('name: required');
    const shortQ = await employee.request('GET', `/api/contacts?q=${encodeURIComponent('си')}`);
    expect(shortQ.body).toMatchObject({
      status: 400,
      code: 'validation-failed',
      message: 'q: each word of a name search needs at least 3 letters',
    });
    const partial = await employee.request('GET', '/api/contacts?q=91655');
    expect(partial.body.message).toMatch(/^q: a number search needs the whole number or its last 4 digits/);
    expect(h.store.pdContacts.list(tenantId, 100, 0).total).toBe(before);
  });

  it('edits and deletes; another tenant sees a missing contact; an employee may not write', async () => {
    const e = await tenantAdmin.request('PATCH', `/api/contacts/${ivanId}`, {
      notes: 'VIP',
      numbers: [{ number: '+79165551234' }, { number: '+79267770000' }],
    });
    expect(e.status).toBe(200);
    expect(e.body.contact).toMatchObject({ name: 'Сидоров Иван Петрович', notes: 'VIP' });
    expect((await employee.request('GET', '/api/contacts?q=%2B79267770000')).body.contacts).toHaveLength(1);
    expect((await employee.request('GET', '/api/contacts?q=%2B74955550011')).body.contacts).toEqual([]);
    expect((await otherAdmin.request('GET', `/api/contacts/${ivanId}`)).body).toMatchObject({ status: 404, code: 'contact-not-found' });
    expect((await otherAdmin.request('DELETE', `/api/contacts/${ivanId}`)).status).toBe(404);
    expect((await employee.request('DELETE', `/api/contacts/${ivanId}`)).status).toBe(403);
    expect((await admin.request('GET', '/api/contacts')).body).toMatchObject({
      status: 400,
      message: 'tenantId: required: choose the organisation',
    });
    expect((await admin.request('GET', `/api/contacts?tenantId=${tenantId}`)).body.total).toBe(2);
    const d = await tenantAdmin.request('DELETE', `/api/contacts/${ivanId}`);
    expect(d.status).toBe(204);
    expect((await employee.request('GET', `/api/contacts/${ivanId}`)).status).toBe(404);
  });

  it('imports a CSV: broken rows named, the rest imported', async () => {
    const csv = [
      'ФИО;Телефон;Телефон 2;E-mail;Компания;Договор',
      'Кузнецов Олег;+7 916 100-00-01;;oleg@example.ru;;Д-1',
      'Без номера;;;;;',
      'Плохой Номер;123;;;;',
      'Смирнова Ольга;8 903 200 00 02;+7 495 200-00-03;не почта;;',
      ';+79161000004;;;;',
      '"Орлов; Пётр";+79161000005;;;ИП Орлов;Д-5',
    ].join('\r\n');
    const r = await tenantAdmin.request('POST', '/api/contacts/import', { csv });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ imported: 3, failed: 3 });
    expect(r.body.errors).toEqual([
      { line: 4, field: 'Телефон', message: 'is not a full number: give it with the country code (+7 916 123-45-67)' },
      { line: 5, field: 'email', message: 'is not an e-mail address' },
      { line: 6, field: 'name', message: 'required' },
    ]);
    const orlov = (await employee.request('GET', `/api/contacts?q=${encodeURIComponent('орлов')}`)).body.contacts;
    expect(orlov).toEqual([expect.objectContaining({ name: 'Орлов; Пётр', company: 'ИП Орлов', custom: { Договор: 'Д-5' } })]);
    expect((await employee.request('GET', '/api/contacts?q=89161000001')).body.contacts[0].custom).toEqual({ Договор: 'Д-1' });
    const noHeader = await tenantAdmin.request('POST', '/api/contacts/import', { csv: 'Телефон\r\n+79161000009' });
    expect(noHeader.body).toMatchObject({ status: 400, code: 'import-no-name-column' });
  });

  it('audits every decrypted read by id and keeps numbers and names out of the audit log and the database file', async () => {
    const reads = h.store.audit.list({ action: 'pd.read', limit: 1000 }).rows;
    expect(reads.length).toBeGreaterThan(10);
    expect(reads.every((r) => Array.isArray(r.details.subjectIds) && Array.isArray(r.details.contactIds))).toBe(true);
    const text = auditText();
    for (const secret of ['9165551234', '+79165551234', 'Сидоров', 'Кузнецов', 'сидо', '1234']) expect(text).not.toContain(secret);
    h.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(h.store.db.name);
    for (const secret of ['9165551234', '9161000001', 'Сидоров', 'Кузнецов', 'oleg@example.ru', 'Ромашка'])
      expect(file.includes(Buffer.from(secret)), secret).toBe(false);
  });
});
