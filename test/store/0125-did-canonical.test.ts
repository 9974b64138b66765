// Migration 0125 over a database at version 95 with two tenants (issue 16
// item 5): DIDs written in any spelling become E.164, so the UNIQUE index on
// `number` holds over every spelling; a row kept twice is merged; one number
// held by two tenants (or sent two places) is refused, naming the rows and
// changing nothing; later writes in a national spelling are refused by the
// database itself, and the repository writes them canonical.
import { describe, expect, it } from 'vitest';
import { migrate, migrations, schemaVersion, type Db } from '../../services/store';
import { canonicalDid } from '../../services/store/migrations/0125-did-canonical';
import { TrunksRepo } from '../../services/store/repos/trunks';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig125-');

function seedTenants(d: Db): void {
  for (const [name, domain] of [['A', 'a.example.ru'], ['B', 'b.example.ru']])
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES (?, ?, '2026-12-07T00:00:00Z')").run(name, domain);
}
const did = (d: Db, tenant: number, number: string, ext = '201') =>
  d.prepare("INSERT INTO dids (tenant_id, number, trunk_id, destination_type, destination, created_at) VALUES (?, ?, NULL, 'extension', ?, 'x')").run(tenant, number, ext);
const numbers = (d: Db) => d.prepare('SELECT tenant_id AS t, number FROM dids ORDER BY id').all();

describe('migration 0125 did-canonical', () => {
  it('rewrites every national spelling to E.164 and keeps other numbers as they are', () => {
    const d = mig.at(95, 125, (x) => {
      seedTenants(x);
      did(x, 1, '84951234567');
      did(x, 1, '74951234568');
      did(x, 2, '4951234569');
      did(x, 2, '+74951234570');
      did(x, 2, '8800');
      did(x, 2, '81049301234567');
    });
    expect(schemaVersion(d)).toBe(125);
    expect(numbers(d)).toEqual([
      { t: 1, number: '+74951234567' },
      { t: 1, number: '+74951234568' },
      { t: 2, number: '+74951234569' },
      { t: 2, number: '+74951234570' },
      { t: 2, number: '8800' },
      { t: 2, number: '+49301234567' },
    ]);
  });

  it('merges a number a tenant kept twice for the same destination', () => {
    const d = mig.at(95, 125, (x) => {
      seedTenants(x);
      did(x, 1, '+74951234567');
      did(x, 1, '84951234567');
    });
    expect(numbers(d)).toEqual([{ t: 1, number: '+74951234567' }]);
  });

  it('refuses one number held by two tenants, naming the rows, and changes nothing', () => {
    let d: Db | undefined;
    expect(() =>
      mig.at(95, 125, (x) => {
        d = x;
        seedTenants(x);
        did(x, 1, '+74951234567', '201');
        did(x, 2, '84951234567', '301');
      }),
    ).toThrow(/migration 0125-did-canonical: 1 inbound number\(s\) are held more than once.*\+74951234567: dids\.id 1 \(tenant 1, "\+74951234567" → extension 201\) and dids\.id 2 \(tenant 2, "84951234567" → extension 301\)/);
    expect(schemaVersion(d!)).toBe(95);
    expect(numbers(d!)).toEqual([{ t: 1, number: '+74951234567' }, { t: 2, number: '84951234567' }]);
    // The same number to two places of one tenant is a conflict too: only a person knows which is right.
    d!.prepare('DELETE FROM dids WHERE tenant_id = 2').run();
    did(d!, 1, '74951234567', '202');
    expect(() => migrate(d!, migrations, 125)).toThrow(/held more than once/);
  });

  it('refuses a national spelling written later; the repository writes canonical and names another tenant’s number', () => {
    const d = mig.at(95, 125, seedTenants);
    expect(() => did(d, 1, '84951234567')).toThrow(/did-not-canonical/);
    expect(() => did(d, 1, '4951234567')).toThrow(/did-not-canonical/);
    const repo = new TrunksRepo(d);
    const a = repo.createDid(1, { number: '84951234567', trunkId: null, destination: { type: 'extension', extension: '201' } });
    expect(a.number).toBe('+74951234567');
    expect(() => d.prepare("UPDATE dids SET number = '74951234567' WHERE id = ?").run(a.id)).toThrow(/did-not-canonical/);
    for (const spelling of ['84951234567', '74951234567', '+74951234567', '4951234567']) {
      const err = (() => {
        try {
          repo.createDid(2, { number: spelling, trunkId: null, destination: { type: 'extension', extension: '301' } });
        } catch (e) {
          return e as { status: number; code: string; message: string };
        }
        return undefined;
      })();
      expect(err, spelling).toMatchObject({ status: 409, code: 'did-held-by-another-tenant' });
      expect(err!.message).not.toMatch(/tenant 1|A\b/);
    }
    expect(() => repo.createDid(1, { number: '74951234567', trunkId: null, destination: { type: 'extension', extension: '201' } })).toThrow(/already routed/);
    expect(repo.didByNumber('84951234567')?.id).toBe(a.id);
    expect(numbers(d)).toEqual([{ t: 1, number: '+74951234567' }]);
    expect(['89161234567', '79161234567', '9161234567', '+79161234567'].map(canonicalDid)).toEqual(Array(4).fill('+79161234567'));
  });
});
