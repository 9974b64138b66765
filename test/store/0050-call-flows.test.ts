// Migration 0050: call-flow tables over a database at version 43 with a
// tenant and an extension DID. The DID keeps its destination through the
// table rebuild; new DIDs take any destination or the main one; flow objects
// store their config, lists their entries as rows; names are unique per
// tenant; a tenant takes everything with it.
import { describe, expect, it } from 'vitest';
import { migrate, migrations, schemaVersion, type Db } from '../../services/store';
import { CallFlowsRepo } from '../../services/store/repos/call-flows';
import { TrunksRepo } from '../../services/store/repos/trunks';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig50-');

function at50(): Db {
  return mig.at(43, 50, (d) => {
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', '2026-11-22T00:00:00Z')").run();
    d.prepare("INSERT INTO dids (tenant_id, number, trunk_id, destination_type, destination, created_at) VALUES (1, '+74951234567', NULL, 'extension', '201', '2026-11-22T00:00:00Z')").run();
  });
}

describe('migration 0050 call flows', () => {
  it('keeps the extension DID and stores DIDs to any destination or the main one', () => {
    const d = at50();
    expect(schemaVersion(d)).toBe(50);
    const trunks = new TrunksRepo(d);
    expect(trunks.didByNumber('+74951234567')).toMatchObject({ tenantId: 1, destination: { type: 'extension', extension: '201' } });
    const ivr = trunks.createDid(1, { number: '+74951234568', trunkId: null, destination: { type: 'feature', feature: 'ivr', id: 3 } });
    expect(trunks.getDid(ivr.id)?.destination).toEqual({ type: 'feature', feature: 'ivr', id: 3 });
    const main = trunks.createDid(1, { number: '+74951234569', trunkId: null, destination: null });
    expect(trunks.getDid(main.id)?.destination).toBeNull();
    expect(trunks.updateDid(main.id, { trunkId: null, destination: { type: 'hangup', status: 486, reason: 'Busy Here' } })?.destination).toEqual({ type: 'hangup', status: 486, reason: 'Busy Here' });
    expect(() => d.prepare("INSERT INTO dids (tenant_id, number, destination_type, destination, created_at) VALUES (1, '+74950000000', 'feature', 'not json', 'x')").run()).toThrow(/CHECK/);
  });

  it('stores flow objects and list entries; names are unique per tenant; the tenant takes them along', () => {
    // Today's repository reads tables of later migrations too (queues in version()): run it on today's schema.
    const d = at50();
    migrate(d, migrations);
    const repo = new CallFlowsRepo(d);
    const g = repo.create('ring-group', 1, { name: 'Продажи', members: [{ extension: '201' }] } as { name: string });
    expect(repo.get('ring-group', g.id)).toMatchObject({ tenantId: 1, name: 'Продажи', config: { members: [{ extension: '201' }] } });
    expect(() => repo.create('ring-group', 1, { name: 'Продажи' })).toThrow(expect.objectContaining({ status: 409, code: 'ring-group-exists' }));
    const before = repo.version(1);
    const l = repo.create('list', 1, { name: 'Спам', kind: 'block', entries: [{ match: 'prefix', value: '+7800', note: '' }, { match: 'anonymous', value: '', note: 'скрытые' }] } as { name: string });
    expect(repo.get('list', l.id)?.config).toMatchObject({ kind: 'block', entries: [{ match: 'prefix', value: '+7800' }, { match: 'anonymous', note: 'скрытые' }] });
    expect(d.prepare('SELECT count(*) AS n FROM call_list_entries').get()).toEqual({ n: 2 });
    expect(repo.version(1)).not.toBe(before);
    repo.update('list', l.id, { name: 'Спам', kind: 'block', entries: [] } as { name: string });
    expect(d.prepare('SELECT count(*) AS n FROM call_list_entries').get()).toEqual({ n: 0 });
    repo.setMainDestination(1, { type: 'feature', feature: 'ring-group', id: g.id });
    expect(repo.mainDestination(1)).toEqual({ type: 'feature', feature: 'ring-group', id: g.id });
    repo.rememberMember(g.id, '201');
    expect(repo.lastMember(g.id)).toBe('201');
    repo.setNotice(1, 'did', '+74951234567', { enabled: true, prompt: null, toCalled: false });
    expect(repo.notices(1)).toMatchObject([{ scope: 'did', ref: '+74951234567', config: { enabled: true } }]);
    d.prepare('DELETE FROM tenants WHERE id = 1').run();
    for (const table of ['ring_groups', 'call_lists', 'call_list_entries', 'ring_group_memory', 'recording_notices', 'dids'])
      expect(d.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
  });
});
