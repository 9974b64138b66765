// /api/number-ranges against a real api and SQLite: the registry's CSV
// replaces the tenant's plan (a dry run writes nothing), a number is looked
// up to its operator, a plan with a bad line is refused whole with the line
// and field named and the old plan kept, the import is audited, a
// supervisor cannot import, and another tenant's plan stays apart.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let admin: Client;
let tenant: number;
let other: number;
beforeEach(async () => {
  h = await startApi();
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
});
afterEach(() => h.close());

const SAMPLE = readFileSync(path.resolve('services/fmc/data/def-sample.csv'), 'utf8');

describe('number ranges', () => {
  it('imports the registry sample, looks a number up, refuses a bad plan whole', async () => {
    const dry = await admin.request('POST', '/api/number-ranges/import', { csv: SAMPLE, dryRun: true });
    expect([dry.status, dry.body.problems]).toEqual([200, []]);
    expect(h.store.numberRanges.count(tenant)).toBe(0);
    const r = await admin.request('POST', '/api/number-ranges/import', { csv: SAMPLE, dryRun: false });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.imported).toBe(h.store.numberRanges.count(tenant));
    const got = await admin.request('GET', `/api/number-ranges?number=${encodeURIComponent('8 (916) 123-45-67')}`);
    expect(got.body.lookup).toMatchObject({ number: '+79161234567', range: { operator: 'mts' } });
    expect(h.store.audit.list({ action: 'number-ranges.import' }).rows).toHaveLength(1);

    const bad = await admin.request('POST', '/api/number-ranges/import', { csv: 'АВС/ DEF;От;До;Емкость;Оператор;Регион\n916;0000000;9999999;1;ПАО "МегаФон";x\n92;0000000;9999999;1;МТС;x\n', dryRun: false });
    expect([bad.status, bad.body.code]).toEqual([400, 'import-has-errors']);
    expect(bad.body.details.problems).toEqual([{ line: 3, field: 'code', message: 'must be a 3-digit ABC/DEF code, first digit 3–9' }]);
    expect(h.store.numberRanges.find(tenant, '+79161234567')?.operator).toBe('mts');
    const wrong = await admin.request('GET', '/api/number-ranges?number=abc');
    expect([wrong.status, wrong.body.code]).toEqual([400, 'validation-failed']);
  });

  it('a supervisor reads but cannot import; tenants stay apart', async () => {
    const sup = (await h.as('supervisor', tenant, 'sup')).client;
    expect((await sup.request('POST', '/api/number-ranges/import', { csv: SAMPLE, dryRun: false })).status).toBe(403);
    expect((await sup.request('GET', '/api/number-ranges')).body.total).toBe(0);
    await admin.request('POST', '/api/number-ranges/import', { csv: SAMPLE, dryRun: false });
    expect(h.store.numberRanges.count(other)).toBe(0);
    const otherAdmin = (await h.as('tenant-admin', other, 'oa')).client;
    expect((await otherAdmin.request('GET', '/api/number-ranges')).body.total).toBe(0);
  });
});
