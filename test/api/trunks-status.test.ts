// GET /api/trunks carries each trunk's signalling status from
// call-control's health (relayed by the supervisor); a report that does not
// fit the schema, or call-control not running, gives status null.
import { afterEach, describe, expect, it } from 'vitest';
import type { SupervisorStatus } from '../../appliance/supervisor/types';
import { startApi, type Harness } from './harness';

let h: Harness | undefined;
afterEach(() => h?.close());

const now = () => new Date().toISOString();
const supervisor = (state: 'running' | 'backoff', trunks: unknown): SupervisorStatus => ({
  pid: 1,
  updatedAt: now(),
  processes: [{ name: 'call-control', state, pid: 2, restarts: 0, since: now(), lastExit: null, health: { ok: true, trunks } }],
});

describe('trunk status in the trunks list', () => {
  it('shows registration and reachability per trunk while call-control reports them, null otherwise', async () => {
    let current: SupervisorStatus | null = null;
    h = await startApi({}, { supervisorStatus: () => current });
    const tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
    const admin = (await h.as('tenant-admin', tenant, 'ta')).client;
    const a = (await admin.request('POST', '/api/trunks', { name: 'A', kind: 'ip', addresses: ['192.0.2.1'] })).body.trunk;
    const b = (await admin.request('POST', '/api/trunks', { name: 'B', kind: 'register', host: 'sip.op.example', username: 'u', password: 'Secret-Operator-1' })).body.trunk;
    const reported = {
      registration: 'failed',
      reachability: 'reachable',
      lastError: '403 Forbidden',
      changedAt: now(),
      registeredUntil: null,
      usable: false,
    };
    current = supervisor('running', [{ id: b.id, tenantId: tenant, name: 'B', ...reported }]);
    const list = (await admin.request('GET', '/api/trunks')).body.trunks as { id: number; status: unknown }[];
    expect(list.find((t) => t.id === b.id)!.status).toEqual(reported);
    expect(list.find((t) => t.id === a.id)!.status).toBeNull();
    expect((await admin.request('GET', `/api/trunks/${b.id}`)).body.trunk.status).toEqual(reported);

    current = supervisor('running', [{ id: b.id, registration: 'bogus' }]);
    expect((await admin.request('GET', `/api/trunks/${b.id}`)).body.trunk.status).toBeNull();
    current = supervisor('backoff', [{ id: b.id, ...reported }]);
    expect((await admin.request('GET', `/api/trunks/${b.id}`)).body.trunk.status).toBeNull();
  });
});
