// Migration 0022 and RegistrationsRepo on a real SQLite file, behind the real LocationService.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrations, openDatabase, schemaVersion } from '../../../services/store';
import { RegistrationsRepo } from '../../../services/store/repos/registrations';
import { CdrsRepo } from '../../../services/store/repos/cdrs';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { LocationService, type LocationStore } from '../../../services/call-control/registrar/location-service';
import { parseAddress } from '../../../services/call-control/registrar/sip-address';
import { registrar } from '../../../services/call-control/registrar/registrar';
import { computeHa1Set, DigestAuthenticator } from '../../../services/call-control/auth/digest';
import { BanList } from '../../../services/call-control/registrar/ban-list';
import { createLogger } from '../../../services/common/logger';
import { tempDir } from '../../helpers/tmp';

const t = tempDir();
afterAll(t.cleanup);
const src = { address: '192.0.2.10', port: 5062, transport: 'udp' };
const contact = (uri: string, expires = 600) => ({ address: parseAddress(uri), expires });

describe('migration 0022-registrations', () => {
  it('migrates N-1 → N keeping CDRs, and the new table takes bindings', () => {
    const db = openDatabase(path.join(t.dir, 'm22.db'), { migrations: migrations.filter((m) => m.version < 22) });
    expect(schemaVersion(db)).toBe(21);
    new TenantsRepo(db).create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
    new CdrsRepo(db).close({ callId: 'c', tenantId: 1, direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '202', number: '202' }, startedAt: 0, endedAt: 1000, durationSeconds: 1, billableSeconds: 0, disposition: 'cancelled', hangupSide: 'caller', transfers: [], status: 'completed', lastSeenAt: 1000 });
    migrate(db, migrations, 22);
    expect(schemaVersion(db)).toBe(22);
    expect(new CdrsRepo(db).get('c')?.disposition).toBe('cancelled');
    const repo = new RegistrationsRepo(db);
    repo.replace('1:201', [{ contact: 'sip:201@10.0.0.5', expiresAt: 5000, callId: 'x', cseq: 1, source: src, registeredAt: 0 }]);
    expect(repo.load(0).get('1:201')).toHaveLength(1);
    db.close();
  });
});

describe('LocationService on RegistrationsRepo', () => {
  it('survives a restart: a new process reads the live bindings back, expired ones are gone', () => {
    const file = path.join(t.dir, 'loc.db');
    let now = Date.UTC(2026, 10, 22, 1, 0, 0);
    const db1 = openDatabase(file);
    const store: LocationStore = new RegistrationsRepo(db1);
    const loc1 = new LocationService(() => now, { maxBindingsPerAor: 5 }, store);
    loc1.apply({ aor: '1:201', callId: 'a', cseq: 1, contacts: [contact('<sip:201@10.0.0.5:5062>;q=0.8;+sip.instance="<urn:uuid:7>"')], source: src, userAgent: 'Yealink T46U' });
    loc1.apply({ aor: '1:202', callId: 'b', cseq: 1, contacts: [contact('<sip:202@10.0.0.6>', 60)], source: { ...src, port: 5070 } });
    const before = loc1.lookup('1:201');
    db1.close();

    now += 120_000; // 202's binding (60 s) has expired meanwhile
    const db2 = openDatabase(file);
    const repo2 = new RegistrationsRepo(db2);
    const loc2 = new LocationService(() => now, { maxBindingsPerAor: 5 }, repo2);
    expect(loc2.lookup('1:201')).toEqual(before);
    expect(before[0]).toMatchObject({ q: 0.8, instance: '<urn:uuid:7>', userAgent: 'Yealink T46U', source: src });
    expect(loc2.lookup('1:202')).toEqual([]);
    expect(repo2.listTenant(1, now).map((r) => [r.extension, r.contact])).toEqual([['201', 'sip:201@10.0.0.5:5062']]);
    expect(repo2.listTenant(2, now)).toEqual([]);
    loc2.sweep();
    expect(db2.prepare('SELECT count(*) AS n FROM registrations').get()).toEqual({ n: 1 });
    // Unregister writes through.
    loc2.apply({ aor: '1:201', callId: 'a', cseq: 2, contacts: '*', source: src });
    expect(repo2.load(now).size).toBe(0);
    db2.close();
  });

  it('keeps memory unchanged when the write fails, and the registrar answers 500', () => {
    const now = Date.UTC(2026, 10, 22, 1, 0, 0);
    const failing: LocationStore = { replace: () => { throw new Error('database is locked'); }, load: () => new Map(), purgeExpired: () => 0 };
    const loc = new LocationService(() => now, { maxBindingsPerAor: 5 }, failing);
    expect(() => loc.apply({ aor: '1:201', callId: 'a', cseq: 1, contacts: [contact('<sip:201@x>')], source: src })).toThrow('database is locked');
    expect(loc.lookup('1:201')).toEqual([]);

    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l) });
    const domain = 'bank.example.ru';
    const mw = registrar({
      auth: new DigestAuthenticator({ now: () => now, algorithms: ['MD5'] }),
      bans: new BanList({ now: () => now, log }),
      tenantFor: () => ({ id: 1, sipDomain: domain }),
      credentials: (_t, u) => (u === '201' ? { extension: '201', ha1: computeHa1Set('201', domain, 'pw') } : undefined),
      location: loc,
      now: () => now,
      log,
    });
    const send = (headers: Record<string, string>) => {
      let answer: { status: number; reason: string; headers: Record<string, string> } | undefined;
      mw({ method: 'REGISTER', get: (n) => headers[n.toLowerCase()], source_address: '192.0.2.10', source_port: 5062, protocol: 'udp' }, { send: (status, reason, o) => (answer = { status, reason, headers: o.headers }) }, () => undefined);
      return answer!;
    };
    const base = { to: `<sip:201@${domain}>`, 'call-id': 'a', contact: '<sip:201@10.0.0.5>' };
    const challenge = send({ ...base, cseq: '1 REGISTER' });
    const nonce = /nonce="([^"]+)"/.exec(challenge.headers['WWW-Authenticate']!)![1]!;
    const md5 = (x: string) => createHash('md5').update(x).digest('hex');
    const response = md5(`${md5(`201:${domain}:pw`)}:${nonce}:00000001:c:auth:${md5(`REGISTER:sip:${domain}`)}`);
    const answer = send({ ...base, cseq: '2 REGISTER', authorization: `Digest username="201", realm="${domain}", nonce="${nonce}", uri="sip:${domain}", response="${response}", qop=auth, nc=00000001, cnonce="c"` });
    expect([answer.status, answer.reason]).toEqual([500, 'Server Internal Error']);
    expect(lines.some((l) => l.includes('"register failed"') && l.includes('database is locked'))).toBe(true);
  });
});
