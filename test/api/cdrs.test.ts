// Call history over call-control's CDR table (rows written through its own
// CdrsRepo): filters, paging, tenant scope, an employee's own calls only,
// and the CSV export (BOM, `;`, every matching row, formulas defused).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CdrsRepo, type CdrData } from '../../services/store/repos/cdrs';
import { createLogger } from '../../services/common/logger';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let admin: Client;
let tenant: number;
let other: number;
let logLines: string[];
const T0 = Date.parse('2026-11-20T09:00:00.000Z');

function cdr(n: number, over: Partial<CdrData> = {}): CdrData {
  return {
    callId: `call-${n}-${over.tenantId ?? tenant}`,
    tenantId: tenant,
    direction: 'internal',
    caller: { dialled: '201', number: '201' },
    callee: { dialled: '202', number: '202' },
    extension: '202',
    startedAt: T0 + n * 60_000,
    answeredAt: T0 + n * 60_000 + 2000,
    endedAt: T0 + n * 60_000 + 32_000,
    durationSeconds: 30,
    billableSeconds: 30,
    disposition: 'answered',
    hangupSide: 'caller',
    transfers: [],
    status: 'completed',
    lastSeenAt: T0 + n * 60_000 + 32_000,
    ...over,
  };
}

beforeEach(async () => {
  logLines = [];
  h = await startApi({}, { log: createLogger({ level: 'warn', sink: (l) => logLines.push(l) }) });
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
  const repo = new CdrsRepo(h.store.db);
  for (let i = 0; i < 5; i++) repo.close(cdr(i));
  repo.close(cdr(5, { direction: 'inbound', caller: { dialled: '+74951234567', number: '+74951234567' }, callee: { dialled: '203', number: '203' }, extension: '203', disposition: 'no-answer', answeredAt: undefined, billableSeconds: 0 }));
  repo.close(cdr(6, { direction: 'outbound', caller: { dialled: '203', number: '=HYPERLINK("x")' }, callee: { dialled: '89161234567', number: '+79161234567' }, extension: '203', disposition: 'busy' }));
  repo.close(cdr(0, { tenantId: other }));
});
afterEach(() => h.close());

describe('call history', () => {
  it('filters by direction, disposition, number, extension and date, with paging', async () => {
    const all = await admin.request('GET', '/api/cdrs');
    expect(all.body.total).toBe(7);
    expect(all.body.cdrs[0]).toMatchObject({ callId: `call-6-${tenant}`, direction: 'outbound', disposition: 'busy' });
    expect((await admin.request('GET', '/api/cdrs?direction=inbound')).body.cdrs.map((c: { callId: string }) => c.callId)).toEqual([`call-5-${tenant}`]);
    expect((await admin.request('GET', '/api/cdrs?disposition=no-answer')).body.total).toBe(1);
    expect((await admin.request('GET', '/api/cdrs?number=916123')).body.total).toBe(1);
    expect((await admin.request('GET', '/api/cdrs?extension=203')).body.total).toBe(2);
    const window = await admin.request('GET', '/api/cdrs?since=2026-11-20T09:01:00Z&until=2026-11-20T09:03:00Z');
    expect(window.body.total).toBe(2);
    const page = await admin.request('GET', '/api/cdrs?limit=3&offset=6');
    expect(page.body).toMatchObject({ total: 7, limit: 3, offset: 6 });
    expect(page.body.cdrs).toHaveLength(1);
  });

  it('names bad filters', async () => {
    const r = await admin.request('GET', '/api/cdrs?since=yesterday&direction=sideways&extension=1&limit=9999');
    expect(r.status).toBe(400);
    expect(r.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['direction', 'extension', 'limit', 'since']);
  });

  it("keeps tenants apart and shows an employee only their own extensions' calls", async () => {
    const root = (await h.as('superadmin', null, 'root')).client;
    expect((await root.request('GET', '/api/cdrs')).body.total).toBe(8);
    expect((await root.request('GET', `/api/cdrs?tenantId=${other}`)).body.total).toBe(1);
    expect((await admin.request('GET', `/api/cdrs?tenantId=${other}`)).body.total).toBe(7);
    const emp = await h.as('employee', tenant, 'emp');
    expect((await emp.client.request('GET', '/api/cdrs')).body.total).toBe(0);
    await admin.request('POST', '/api/extensions', { extension: '203', userId: emp.userId });
    const mine = await emp.client.request('GET', '/api/cdrs');
    expect(mine.body.cdrs.map((c: { callId: string }) => c.callId)).toEqual([`call-6-${tenant}`, `call-5-${tenant}`]);
    const aud = (await h.as('auditor', tenant)).client;
    expect((await aud.request('GET', '/api/cdrs')).body.total).toBe(7);
  });

  it('exports every matching row as CSV with a BOM and ; separators', async () => {
    const repo = new CdrsRepo(h.store.db);
    h.store.db.transaction(() => {
      for (let i = 10; i < 2510; i++) repo.close(cdr(i, { caller: { dialled: '204', number: '204' } }));
    })();
    const r = await admin.request('GET', '/api/cdrs.csv');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['x-total-count']).toBe('2507');
    const text = r.body as string;
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(2508);
    expect(lines[0]).toBe('started_at;direction;caller;callee;extension;trunk;disposition;duration_seconds;billable_seconds;answered_at;ended_at;hangup_side;hangup_sip_status;hangup_reason;answered_by;path;call_id;forwards;transfers');
    expect(new Set(lines.slice(1).map((l) => l.split(';').at(-3))).size).toBe(2507);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    const filtered = await admin.request('GET', '/api/cdrs.csv?direction=inbound');
    expect((filtered.body as string).trimEnd().split('\r\n')).toHaveLength(2);
    expect(h.store.audit.list({ action: 'cdr.export' }).rows[0]).toMatchObject({ tenantId: tenant, details: { rows: 1 } });
  });
});

describe('call history: forwards and transfers', () => {
  const FWD = [
    { at: T0 + 7 * 60_000 + 5000, from: '201', to: '305', reason: 'no-answer' as const },
    { at: T0 + 7 * 60_000 + 11_000, from: '305', to: '+74951234567', reason: 'busy' as const },
  ];
  beforeEach(() => {
    const repo = new CdrsRepo(h.store.db);
    repo.close(cdr(7, { forwards: FWD, callee: { dialled: '201', number: '201' } }));
    repo.close(cdr(8, { callee: { dialled: '201', number: '201' }, forwards: [{ at: T0 + 8 * 60_000 + 5000, from: '201', to: '305', reason: 'always' }], transfers: [{ at: T0 + 8 * 60_000 + 20_000, kind: 'blind', to: '=cmd|x', by: 'callee' }, { at: T0 + 8 * 60_000 + 40_000, kind: 'attended', to: '207', by: 'callee' }] }));
    repo.close(cdr(9, { transfers: [{ at: T0 + 9 * 60_000 + 20_000, kind: 'attended', to: '204', by: 'caller' }] }));
  });

  it('lists each call with its forwards and transfers, typed, and filters on them', async () => {
    const r = await admin.request('GET', '/api/cdrs?limit=4');
    expect(r.body.cdrs.map((c: { callId: string }) => c.callId)).toEqual([`call-9-${tenant}`, `call-8-${tenant}`, `call-7-${tenant}`, `call-6-${tenant}`]);
    expect(r.body.cdrs[2].forwards).toEqual([
      { at: '2026-11-20T09:07:05.000Z', from: '201', to: '305', reason: 'no-answer' },
      { at: '2026-11-20T09:07:11.000Z', from: '305', to: '+74951234567', reason: 'busy' },
    ]);
    expect(r.body.cdrs[0]).toMatchObject({ forwards: [], transfers: [{ at: '2026-11-20T09:09:20.000Z', kind: 'attended', to: '204', by: 'caller' }] });
    expect(r.body.cdrs[3]).toMatchObject({ forwards: [], transfers: [] });
    expect((await admin.request('GET', '/api/cdrs?forwarded=1')).body.cdrs.map((c: { callId: string }) => c.callId)).toEqual([`call-8-${tenant}`, `call-7-${tenant}`]);
    expect((await admin.request('GET', '/api/cdrs?transferred=1')).body.total).toBe(2);
    expect((await admin.request('GET', '/api/cdrs?forwarded=1&transferred=1')).body.total).toBe(1);
    expect((await admin.request('GET', '/api/cdrs?forwarded=0')).body.total).toBe(8);
    expect((await admin.request('GET', '/api/cdrs?forwarded=0&transferred=1')).body.cdrs.map((c: { callId: string }) => c.callId)).toEqual([`call-9-${tenant}`]);
    const bad = await admin.request('GET', '/api/cdrs?forwarded=yes&transferred=2');
    expect(bad.status).toBe(400);
    expect(bad.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['forwarded', 'transferred']);
  });

  it('still lists a call whose stored hops are damaged, without them', async () => {
    h.store.db.prepare(`UPDATE cdrs SET forwards = '[{"at":"2026-11-20T09:07:05Z","from":"201","to":"305","reason":"no-answer"},{"from":"305"}]', transfers = '"oops"' WHERE call_id = ?`).run(`call-7-${tenant}`);
    const r = await admin.request('GET', '/api/cdrs?forwarded=1');
    expect(r.status).toBe(200);
    expect(r.body.cdrs.find((c: { callId: string }) => c.callId === `call-7-${tenant}`)).toMatchObject({ forwards: [{ from: '201', to: '305', reason: 'no-answer' }], transfers: [] });
    const csv = await admin.request('GET', '/api/cdrs.csv?forwarded=1');
    expect(csv.status).toBe(200);
    expect(csv.body as string).toContain(`call-7-${tenant};201→305 (no answer);\r\n`);
    const warned = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'cdr hop not valid, left out');
    // Each read (the list, then the export) logs the forward hop and the transfers column left out.
    expect(warned.map(({ callId, column, index }) => ({ callId, column, index }))).toEqual(
      Array(2).fill([{ callId: `call-7-${tenant}`, column: 'forwards', index: 1 }, { callId: `call-7-${tenant}`, column: 'transfers', index: null }]).flat(),
    );
  });

  it('sums them up in two CSV columns, formulas defused', async () => {
    const r = await admin.request('GET', '/api/cdrs.csv?forwarded=1');
    const lines = (r.body as string).slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    // Quoted for the `;` between hops; a `=` inside a cell is no formula, only a leading one (call 10).
    expect(lines[1]!.endsWith(`;call-8-${tenant};201→305 (unconditional);"305→=cmd|x (blind transfer); =cmd|x→207 (attended transfer)"`)).toBe(true);
    expect(lines[2]!.endsWith(`;call-7-${tenant};"201→305 (no answer); 305→+74951234567 (busy)";`)).toBe(true);
    const t = await admin.request('GET', '/api/cdrs.csv?transferred=1&forwarded=0');
    expect((t.body as string).trimEnd().split('\r\n').at(-1)!.endsWith(`;call-9-${tenant};;201→204 (attended transfer)`)).toBe(true);
    new CdrsRepo(h.store.db).close(cdr(10, { caller: { dialled: '203', number: '=HYPERLINK("x")' }, transfers: [{ at: T0 + 10 * 60_000 + 9000, kind: 'blind', to: '204', by: 'caller' }] }));
    const f = await admin.request('GET', '/api/cdrs.csv?transferred=1&limit=1');
    expect((f.body as string).split('\r\n')[1]!.endsWith(`;call-10-${tenant};;"'=HYPERLINK(""x"")→204 (blind transfer)"`)).toBe(true);
  });
});
