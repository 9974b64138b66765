// Migration 0041: trunks and DIDs over a database at version 40 with a
// tenant and an extension; the checks refuse a registering trunk without
// credentials, an IP trunk without addresses and a DID of letters; a trunk's
// DIDs survive its removal without a trunk; a tenant takes both with it.
import { describe, expect, it } from 'vitest';
import { schemaVersion, type Db, type TrunkFields } from '../../services/store';
import { TrunksRepo } from '../../services/store/repos/trunks';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig41-');

function at41(): Db {
  return mig.at(40, 41, (d) => {
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', '2026-11-22T00:00:00Z')").run();
  });
}

const sip: TrunkFields = {
  name: 'Ростелеком',
  kind: 'register',
  host: 'sip.operator.example',
  port: 5060,
  transport: 'udp',
  username: '74951234567',
  registerExpiry: 300,
  addresses: [],
  optionsInterval: 30,
  channelLimit: 10,
  outboundCallerId: '+74951234567',
  enabled: true,
};

describe('migration 0041 trunks', () => {
  it('stores trunks and DIDs and keeps the tenant data', () => {
    const d = at41();
    expect(schemaVersion(d)).toBe(41);
    const repo = new TrunksRepo(d);
    const t = repo.create(1, sip, 'v1:sealed');
    expect(t).toMatchObject({ ...sip, tenantId: 1, hasPassword: true });
    expect(JSON.stringify(t)).not.toContain('sealed');
    expect(repo.sealedPassword(t.id)).toBe('v1:sealed');
    const did = repo.createDid(1, { number: '+74951234500', trunkId: t.id, destination: { type: 'extension', extension: '201' } });
    expect(repo.didByNumber('+74951234500')).toEqual(did);
    repo.delete(t.id);
    expect(repo.getDid(did.id)!.trunkId).toBeNull();
    d.prepare('DELETE FROM tenants WHERE id = 1').run();
    expect(repo.listDids()).toEqual([]);
  });

  it('refuses a registering trunk without a password, an IP trunk without addresses, and a bad DID', () => {
    const d = at41();
    const repo = new TrunksRepo(d);
    expect(() => repo.create(1, sip, null)).toThrow(/trunk rejected/);
    expect(() => repo.create(1, { ...sip, kind: 'ip', host: null, username: null }, null)).toThrow(/trunk rejected/);
    expect(repo.create(1, { ...sip, kind: 'ip', addresses: ['192.0.2.10'] }, null).kind).toBe('ip');
    expect(() => repo.create(1, { ...sip, kind: 'ip', addresses: ['192.0.2.10'] }, null)).toThrow(/name exists/);
    expect(() => repo.createDid(1, { number: 'abc', trunkId: null, destination: { type: 'extension', extension: '201' } })).toThrow(/did rejected/);
    expect(() => d.prepare("INSERT INTO dids (tenant_id, number, destination_type, destination, created_at) VALUES (1, '1234', 'queue', 'x', 'now')").run()).toThrow(/CHECK/);
  });
});
