// Migration 0020 and ExtensionsRepo on a real SQLite file.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrations, openDatabase, schemaVersion } from '../../../services/store';
import { ExtensionsRepo } from '../../../services/store/repos/extensions';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { computeHa1Set, DigestAuthenticator } from '../../../services/call-control/auth/digest';
import { tempDir } from '../../helpers/tmp';

const t = tempDir();
afterAll(t.cleanup);
const before = (v: number) => migrations.filter((m) => m.version < v);

function freshDb(name: string) {
  const db = openDatabase(path.join(t.dir, name));
  const tenant = new TenantsRepo(db).create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
  return { db, tenant, repo: new ExtensionsRepo(db) };
}

describe('migration 0020-extensions', () => {
  it('migrates N-1 → N keeping tenants, and the new table takes extensions', () => {
    const db = openDatabase(path.join(t.dir, 'm20.db'), { migrations: before(20) });
    const prev = schemaVersion(db);
    expect(prev).toBeLessThan(20);
    new TenantsRepo(db).create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
    new TenantsRepo(db).create({ name: 'Insurer', sipDomain: 'ins.example.ru' });
    migrate(db, migrations, 20);
    expect(schemaVersion(db)).toBe(20);
    expect(new TenantsRepo(db).list().map((x) => x.sipDomain)).toEqual(['bank.example.ru', 'ins.example.ru']);
    const ext = new ExtensionsRepo(db).create({ tenantId: 1, extension: '201', ha1: computeHa1Set('201', 'bank.example.ru', 'pw') });
    expect(ext).toMatchObject({ tenantId: 1, extension: '201', sipUsername: '201', outboundPermission: 'internal', enabled: true });
    db.close();
  });
});

describe('ExtensionsRepo', () => {
  it('creates, reads, updates, lists and deletes, never returning HA1 except as credentials', () => {
    const { db, tenant, repo } = freshDb('repo.db');
    const ha1 = computeHa1Set('alice', tenant.sipDomain, 's3cret');
    const e = repo.create({ tenantId: tenant.id, extension: '2001', sipUsername: 'alice', displayName: 'Алиса', ha1, outboundPermission: 'national' }, new Date('2026-11-22T01:00:00Z'));
    expect(e).toEqual({ id: e.id, tenantId: tenant.id, extension: '2001', displayName: 'Алиса', sipUsername: 'alice', outboundPermission: 'national', enabled: true, createdAt: '2026-11-22T01:00:00.000Z', updatedAt: '2026-11-22T01:00:00.000Z' });
    expect(JSON.stringify(repo.list(tenant.id))).not.toContain(ha1.MD5);
    expect(repo.credentials(tenant.id, 'alice')?.ha1).toEqual(ha1);
    expect(repo.update(tenant.id, '2001', { outboundPermission: 'international', enabled: false })).toMatchObject({ outboundPermission: 'international', enabled: false });
    expect(repo.credentials(tenant.id, 'alice')).toBeUndefined(); // disabled extensions cannot register
    expect(repo.update(tenant.id, '999', { enabled: true })).toBeUndefined();
    expect(repo.setHa1(tenant.id, '2001', computeHa1Set('alice', tenant.sipDomain, 'new'))).toBe(true);
    expect(repo.countAll()).toBe(1);
    expect(repo.delete(tenant.id, '2001')).toBe(true);
    expect(repo.delete(tenant.id, '2001')).toBe(false);
    db.close();
  });

  it('refuses duplicates, emergency numbers, bad numbers and bad HA1 with clear errors, writing nothing', () => {
    const { db, tenant, repo } = freshDb('bad.db');
    const ha1 = computeHa1Set('201', tenant.sipDomain, 'pw');
    repo.create({ tenantId: tenant.id, extension: '201', ha1 });
    expect(() => repo.create({ tenantId: tenant.id, extension: '201', sipUsername: 'other', ha1 })).toThrowError(expect.objectContaining({ status: 409, code: 'extension-exists' }));
    expect(() => repo.create({ tenantId: tenant.id, extension: '202', sipUsername: '201', ha1 })).toThrowError(expect.objectContaining({ code: 'extension-exists' }));
    for (const extension of ['112', '103', '1', '1234567', '20a', '']) {
      expect(() => repo.create({ tenantId: tenant.id, extension, sipUsername: 'u' + extension, ha1 })).toThrowError(expect.objectContaining({ status: 400, code: 'invalid-extension' }));
    }
    expect(() => repo.create({ tenantId: tenant.id, extension: '203', ha1: { MD5: 'XYZ', 'SHA-256': ha1['SHA-256'] } })).toThrowError(expect.objectContaining({ code: 'invalid-extension' }));
    expect(() => repo.create({ tenantId: 999, extension: '204', ha1 })).toThrowError(expect.objectContaining({ status: 404, code: 'tenant-not-found' }));
    expect(() => repo.update(tenant.id, '201', { outboundPermission: 'galactic' as 'local' })).toThrowError(expect.objectContaining({ code: 'invalid-extension' }));
    expect(repo.list(tenant.id).map((e) => [e.extension, e.outboundPermission])).toEqual([['201', 'internal']]);
    db.close();
  });

  it('feeds digest verification: a phone registers with the stored HA1 of its tenant', () => {
    const { db, tenant, repo } = freshDb('digest.db');
    repo.create({ tenantId: tenant.id, extension: '201', ha1: computeHa1Set('201', tenant.sipDomain, 'Tr0ub4dor') });
    const auth = new DigestAuthenticator();
    const nonce = /nonce="([^"]+)"/.exec(auth.challenge(tenant.sipDomain).values[0]!)![1]!;
    const h = (s: string) => createHash('sha256').update(s).digest('hex');
    const uri = `sip:${tenant.sipDomain}`;
    const response = h(`${h(`201:${tenant.sipDomain}:Tr0ub4dor`)}:${nonce}:00000001:abc:auth:${h(`REGISTER:${uri}`)}`);
    const header = `Digest username="201", realm="${tenant.sipDomain}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="abc"`;
    const lookup = (u: string) => repo.credentials(tenant.id, u)?.ha1;
    expect(auth.verify({ method: 'REGISTER', authorization: header, realm: tenant.sipDomain, lookup })).toEqual({ ok: true, username: '201', algorithm: 'SHA-256' });
    db.close();
  });
});
