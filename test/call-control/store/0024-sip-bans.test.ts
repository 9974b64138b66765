// Migration 0024 and SipBansRepo on a real SQLite file, shared by two BanLists
// on two connections: call-control (bans) and the api (lists and lifts).
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrations, openDatabase, schemaVersion } from '../../../services/store';
import { SipBansRepo } from '../../../services/store/repos/sip-bans';
import { OutboundRoutesRepo } from '../../../services/store/repos/outbound-routes';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { BanList, type BanStore } from '../../../services/call-control/registrar/ban-list';
import { createLogger } from '../../../services/common/logger';
import { tempDir } from '../../helpers/tmp';

const t = tempDir();
afterAll(t.cleanup);
const log = createLogger({ sink: () => undefined });
const opts = { maxFailures: 3, windowMs: 60_000, banMs: 600_000, allow: [] };

describe('migration 0024-sip-bans', () => {
  it('migrates N-1 → N keeping routes, and the new table takes bans', () => {
    const db = openDatabase(path.join(t.dir, 'm24.db'), { migrations: migrations.filter((m) => m.version < 24) });
    expect(schemaVersion(db)).toBe(23);
    new TenantsRepo(db).create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
    new OutboundRoutesRepo(db).replaceAll(1, [{ id: 'r', name: '', enabled: true, patterns: ['_X.'], strip: 0, prepend: '', trunks: ['t'] }]);
    migrate(db, migrations, 24);
    expect(schemaVersion(db)).toBe(24);
    expect(new OutboundRoutesRepo(db).list(1)).toHaveLength(1);
    const repo = new SipBansRepo(db);
    repo.save({ ip: '203.0.113.9', since: 1000, until: 2000, reason: 'r', failures: 3, offences: 1 });
    expect(repo.active(1500).map((b) => b.ip)).toEqual(['203.0.113.9']);
    expect(repo.active(2000)).toEqual([]);
    expect(() => repo.save({ ip: '203.0.113.9', since: 2000, until: 1000, reason: 'r', failures: 0, offences: 0 })).toThrow(/CHECK/);
    db.close();
  });
});

describe('BanList on SipBansRepo', () => {
  it('shares bans between processes: call-control bans, the api lists and lifts, call-control syncs', () => {
    const file = path.join(t.dir, 'bans.db');
    let now = Date.UTC(2026, 10, 22, 1, 0, 0);
    const dbCc = openDatabase(file);
    const dbApi = openDatabase(file);
    const callControl = new BanList({ now: () => now, log, store: new SipBansRepo(dbCc) as BanStore }, opts);
    const api = new BanList({ now: () => now, log, store: new SipBansRepo(dbApi) }, opts);

    for (let i = 0; i < 3; i++) callControl.recordFailure('203.0.113.9', { username: '100' });
    expect(callControl.isBanned('203.0.113.9')).toBe(true);
    callControl.flush(); // what its batch timer does a moment later
    expect(api.list()).toEqual([{ ip: '203.0.113.9', since: now, until: now + 600_000, reason: '3 failed authentications in 60 s', failures: 3, offences: 1, lastUsername: '100' }]);

    now += 1000;
    expect(api.lift('203.0.113.9').ip).toBe('203.0.113.9');
    expect(callControl.isBanned('203.0.113.9')).toBe(true); // until its next sync
    callControl.sync();
    expect(callControl.isBanned('203.0.113.9')).toBe(false);
    expect(() => api.lift('203.0.113.9')).toThrowError(expect.objectContaining({ code: 'ban-not-found' }));

    api.ban('2001:db8::66', 3_600_000, 'scanner in the logs');
    callControl.sync();
    expect(callControl.isBanned('2001:DB8::66')).toBe(true);

    // call-control restarts: its bans are back at once; an expired one is not.
    for (let i = 0; i < 3; i++) callControl.recordFailure('198.51.100.5');
    now += 700_000;
    const restarted = new BanList({ now: () => now, log, store: new SipBansRepo(dbCc) }, opts);
    expect(restarted.list().map((b) => b.ip)).toEqual(['2001:db8::66']);
    expect(restarted.isBanned('198.51.100.5')).toBe(false);
    dbCc.close();
    dbApi.close();
  });

  it('keeps an automatic ban when the store write fails, and stores it at a later sync', () => {
    const lines: string[] = [];
    const saved: string[] = [];
    let broken = true;
    const flaky: BanStore = {
      save: (e) => {
        if (broken) throw new Error('disk I/O error');
        saved.push(e.ip);
      },
      remove: () => undefined,
      active: () => [],
    };
    const bans = new BanList({ now: () => 1000, log: createLogger({ sink: (l) => lines.push(l) }), store: flaky }, opts);
    for (let i = 0; i < 3; i++) bans.recordFailure('203.0.113.10');
    bans.flush(); // what the batch timer does a moment later
    expect(lines.some((l) => l.includes('could not store bans'))).toBe(true);
    bans.sync();
    expect(bans.isBanned('203.0.113.10')).toBe(true); // not mistaken for a lift elsewhere
    broken = false;
    bans.sync();
    expect(saved).toEqual(['203.0.113.10']);
    broken = true;
    expect(() => bans.ban('203.0.113.11', 60_000)).toThrow('disk I/O error'); // an admin's ban must not silently stay local
    expect(bans.isBanned('203.0.113.11')).toBe(false);
  });
});

describe('ban writes off the SIP path (issue 16 item 3)', () => {
  it('writes automatic bans in one batch a moment later, purges expired rows and bounds the table', async () => {
    const file = path.join(t.dir, 'batch.db');
    let now = Date.UTC(2026, 10, 22, 1, 0, 0);
    const db = openDatabase(file);
    const repo = new SipBansRepo(db);
    const batches: number[] = [];
    const store: BanStore = {
      save: (e) => repo.save(e),
      saveMany: (es) => {
        batches.push(es.length);
        repo.saveMany(es);
      },
      remove: (ip, n) => repo.remove(ip, n),
      active: (n) => repo.active(n),
      purge: (n, max) => repo.purge(n, max),
    };
    const bans = new BanList({ now: () => now, log, store }, { ...opts, maxFailures: 1, flushDelayMs: 20, maxStoredBans: 3, purgeEveryMs: 0 });
    for (let i = 1; i <= 5; i++) bans.recordFailure(`198.51.100.${i}`);
    // Nothing written on the request's path...
    expect(repo.active(now)).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    // ...then all five in one commit.
    expect(batches).toEqual([5]);
    expect(repo.active(now)).toHaveLength(5);
    // The table keeps at most maxStoredBans rows, the newest; expired rows go at the next sync.
    now += 1;
    bans.sync();
    expect(db.prepare('SELECT COUNT(*) AS n FROM sip_bans').get()).toEqual({ n: 3 });
    now += 700_000;
    bans.sync();
    expect(db.prepare('SELECT COUNT(*) AS n FROM sip_bans').get()).toEqual({ n: 0 });
    db.close();
  });

  it('never bans a trusted source (a trunk address), however often it fails', () => {
    const bans = new BanList({ now: () => 1000, log, trusted: (ip) => ip === '203.0.113.50' }, opts);
    for (let i = 0; i < 20; i++) expect(bans.recordFailure('203.0.113.50').banned).toBe(false);
    for (let i = 0; i < 3; i++) bans.recordFailure('203.0.113.51');
    expect(bans.isBanned('203.0.113.51')).toBe(true);
  });
});
