// Call history over call-control's CDR table (rows written through its own
// CdrsRepo): filters, paging, tenant scope, an employee's own calls only,
// and the CSV export (BOM, `;`, every matching row, formulas defused).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CdrsRepo, type CdrData } from '../../services/store/repos/cdrs';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let admin: Client;
let tenant: number;
let other: number;
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
  h = await startApi();
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
    expect(lines[0]).toBe('started_at;direction;caller;callee;extension;trunk;disposition;duration_seconds;billable_seconds;answered_at;ended_at;hangup_side;hangup_sip_status;hangup_reason;call_id');
    expect(new Set(lines.slice(1).map((l) => l.split(';').at(-1))).size).toBe(2507);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    const filtered = await admin.request('GET', '/api/cdrs.csv?direction=inbound');
    expect((filtered.body as string).trimEnd().split('\r\n')).toHaveLength(2);
    expect(h.store.audit.list({ action: 'cdr.export' }).rows[0]).toMatchObject({ tenantId: tenant, details: { rows: 1 } });
  });
});
