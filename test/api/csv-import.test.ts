// POST /api/extensions/import: the preview names each bad row's field,
// duplicates within the file and against the tenant, the licence counted for
// the whole file; a real run with a bad row writes nothing, a good one runs as
// a job with progress and hands the passwords out once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeHa1Set } from '../../services/call-control';
import { parseCsv, csvLine } from '../../services/api/commands/csv';
import { ExtensionsRepo } from '../../services/store/repos/extensions';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let admin: Client;
let tenant: number;
beforeEach(async () => {
  h = await startApi();
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
});
afterEach(() => h.close());

const RU_EXCEL = '\uFEFFextension;display_name;outbound_permission;caller_id_number;forward_busy\r\n201;Иванов; Иван;national;+74951234567;202\r\n202;"Петрова; Анна";local;;\r\n';

async function finish(id: string) {
  for (let i = 0; i < 200; i++) {
    const r = await admin.request('GET', `/api/extensions/import/${id}`);
    if (r.body.job.state !== 'running') return r;
    await new Promise((res) => setImmediate(res));
  }
  throw new Error('import job did not finish');
}

describe('CSV parsing', () => {
  it('reads ; or , separators, quotes, a BOM and CRLF', () => {
    const p = parseCsv('\uFEFFa;b\r\n"x;""y""";2\r\n\r\n"multi\nline";3');
    expect(p.separator).toBe(';');
    expect(p.records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x;"y"', '2'] },
      { line: 4, fields: ['multi\nline', '3'] },
    ]);
    expect(parseCsv('a,b\n1,2').records[1]!.fields).toEqual(['1', '2']);
    expect(csvLine(['=cmd()', '+7495', 'a;b'])).toBe("'=cmd();+7495;\"a;b\"\r\n");
  });
});

describe('extension import', () => {
  it('previews a Russian Excel file with a bad row and writes nothing', async () => {
    const csv = RU_EXCEL.replace('201;Иванов; Иван', '201;Иванов Иван') + '2x;Плохой;galactic;;\r\n202;Дубль;;;\r\n';
    const r = await admin.request('POST', '/api/extensions/import', { csv, dryRun: true });
    expect(r.status).toBe(200);
    expect(r.body.summary).toEqual({ total: 4, valid: 2, invalid: 2 });
    expect(r.body.rows[0].values).toMatchObject({ extension: '201', display_name: 'Иванов Иван' });
    expect(r.body.rows[1].values.display_name).toBe('Петрова; Анна');
    expect(r.body.errors).toEqual([
      'rows[2].extension: must be 2–6 digits',
      'rows[2].outbound_permission: must be one of internal, local, national, international',
      'rows[3].extension: duplicate of row 2 in this file',
      'rows[3].sip_username: duplicate of row 2 in this file',
    ]);
    expect(r.body.licence).toEqual({ limit: 10, existing: 0, adding: 2, ok: true });
    const real = await admin.request('POST', '/api/extensions/import', { csv, dryRun: false });
    expect(real.status).toBe(400);
    expect(real.body.code).toBe('import-has-errors');
    expect(real.body.details.rows[2].errors[0]).toEqual({ field: 'extension', message: 'must be 2–6 digits' });
    expect(new ExtensionsRepo(h.store.db).countAll()).toBe(0);
  });

  it('names a row that has more cells than the header, and unknown columns', async () => {
    const extra = await admin.request('POST', '/api/extensions/import', { csv: RU_EXCEL, dryRun: true });
    expect(extra.body.errors[0]).toBe('rows[0].row: 6 cells, the header has 5');
    const unknown = await admin.request('POST', '/api/extensions/import', { csv: 'extension,colour\n201,red\n', dryRun: true });
    expect(unknown.body.fileErrors[0]).toMatchObject({ field: 'header[1]' });
    const none = await admin.request('POST', '/api/extensions/import', { csv: 'display_name\nX\n', dryRun: true });
    expect(none.body.errors).toEqual(['header: the extension column is required']);
    const body = await admin.request('POST', '/api/extensions/import', { csv: '' });
    expect(body.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['csv', 'dryRun']);
  });

  it('finds duplicates against the database and counts the licence for the whole file', async () => {
    await admin.request('POST', '/api/extensions', { extension: '201' });
    const rows = Array.from({ length: 10 }, (_, i) => `${300 + i},User ${i}`).join('\n');
    const r = await admin.request('POST', '/api/extensions/import', { csv: `extension,display_name\n201,Again\n${rows}\n`, dryRun: true });
    expect(r.body.errors).toEqual(['rows[0].extension: extension 201 already exists in this tenant', 'rows[0].sip_username: SIP user name 201 is taken in this tenant']);
    expect(r.body.licence).toEqual({ limit: 10, existing: 1, adding: 10, ok: false });
    const real = await admin.request('POST', '/api/extensions/import', { csv: `extension,display_name\n${rows}\n`, dryRun: false });
    expect(real.status).toBe(403);
    expect(real.body).toMatchObject({ code: 'licence-extension-limit', details: { limit: 10, count: 1, adding: 10 } });
    expect(new ExtensionsRepo(h.store.db).countAll()).toBe(1);
  });

  it('imports a good file as a job, with forward targets inside the file, and gives the passwords once', async () => {
    const csv = 'extension;display_name;forward_busy;dnd;no_answer_seconds\n201;Иванов;202;да;30\n202;Петрова;;нет;\n';
    const start = await admin.request('POST', '/api/extensions/import', { csv, dryRun: false });
    expect(start.status).toBe(202);
    expect(start.body.job).toMatchObject({ state: expect.stringMatching(/running|done/), total: 2 });
    const done = await finish(start.body.job.id);
    expect(done.body.job).toMatchObject({ state: 'done', done: 2, total: 2 });
    const pw = done.body.job.passwords as Array<{ extension: string; sipUsername: string; password: string }>;
    expect(pw.map((p) => p.extension)).toEqual(['201', '202']);
    expect(new ExtensionsRepo(h.store.db).credentials(tenant, '201')!.ha1).toEqual(computeHa1Set('201', 't.example.ru', pw[0]!.password));
    const list = await admin.request('GET', '/api/extensions');
    expect(list.body.extensions[0]).toMatchObject({ extension: '201', displayName: 'Иванов', dnd: true, forward: { busy: '202', noAnswerSeconds: 30 } });
    const again = await admin.request('GET', `/api/extensions/import/${start.body.job.id}`);
    expect(again.body.job).toMatchObject({ state: 'done', passwordsDelivered: true });
    expect(again.body.job.passwords).toBeUndefined();
    const other = (await h.as('tenant-admin', tenant)).client;
    expect((await other.request('GET', `/api/extensions/import/${start.body.job.id}`)).status).toBe(404);
    expect(h.store.audit.list({ action: 'extension.import' }).rows[0]).toMatchObject({ outcome: 'ok', details: { rows: 2 } });
  });

  it('previews 10,000 rows and refuses 10,001', async () => {
    const many = (n: number) => 'extension\n' + Array.from({ length: n }, (_, i) => String(100000 + i)).join('\n');
    const ok = await admin.request('POST', '/api/extensions/import', { csv: many(10_000), dryRun: true });
    expect(ok.body.summary).toEqual({ total: 10_000, valid: 10_000, invalid: 0 });
    expect(ok.body.licence.ok).toBe(false);
    const tooMany = await admin.request('POST', '/api/extensions/import', { csv: many(10_001), dryRun: true });
    expect(tooMany.body.fileErrors).toEqual([{ field: 'csv', message: 'at most 10000 rows per file, this one has 10001' }]);
  });
});
