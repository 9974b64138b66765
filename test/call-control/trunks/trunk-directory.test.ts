// The trunk directory over a real SQLite file: enabled trunks with their
// passwords opened by the same SecretBox the api seals them with, trunks
// found by the source address of a request (IP trunks by their addresses,
// registering trunks by their registrar's resolved address, with the system
// resolver), route references by id or name, and re-reads when the table
// changes.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TrunkDirectory, trunkSecretBox } from '../../../services/call-control/trunks/trunk-directory';
import { SecretBox, TRUNK_PASSWORD } from '../../../services/common/secret-box';
import { createLogger } from '../../../services/common/logger';
import { openDatabase, type Db, type TrunkFields } from '../../../services/store';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { TrunksRepo } from '../../../services/store/repos/trunks';
import { tempDir } from '../../helpers/tmp';

const lines: string[] = [];
const log = createLogger({ level: 'debug', sink: (l) => lines.push(l) });
let cleanup: (() => void) | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  cleanup?.();
  db = undefined;
  lines.length = 0;
});

const box = new SecretBox(randomBytes(32), TRUNK_PASSWORD.purpose);

function world() {
  const t = tempDir('trunk-dir-');
  cleanup = t.cleanup;
  db = openDatabase(path.join(t.dir, 'korobka.db'));
  const tenants = new TenantsRepo(db);
  const bank = tenants.create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
  const insurer = tenants.create({ name: 'Insurer', sipDomain: 'ins.example.ru' });
  const repo = new TrunksRepo(db);
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const directory = (opts: { checkIntervalMs?: number } = {}) => new TrunkDirectory({ trunks: repo, secrets: () => box, now: () => now, log }, { checkIntervalMs: opts.checkIntervalMs ?? 0 });
  return { repo, bank: bank.id, insurer: insurer.id, directory, clock, dataDir: t.dir };
}

const registering = (over: Partial<TrunkFields> = {}): TrunkFields => ({
  name: 'Ростелеком',
  kind: 'register',
  host: 'localhost',
  port: 5070,
  transport: 'udp',
  username: '74951234567',
  registerExpiry: 300,
  addresses: [],
  optionsInterval: 30,
  channelLimit: 2,
  outboundCallerId: '+74951234567',
  enabled: true,
  ...over,
});

const ipTrunk = (over: Partial<TrunkFields> = {}): TrunkFields => ({
  ...registering(),
  name: 'МТС',
  kind: 'ip',
  host: null,
  username: null,
  addresses: ['10.20.30.40', '::ffff:10.20.30.41'],
  channelLimit: 0,
  outboundCallerId: '',
  ...over,
});

describe('TrunkDirectory', () => {
  it('loads the enabled trunks with the password opened, and never the disabled ones', async () => {
    const w = world();
    const rt = w.repo.create(w.bank, registering(), box.seal('s3cret-пароль', TRUNK_PASSWORD.aad(w.bank)));
    w.repo.create(w.bank, ipTrunk({ name: 'off', enabled: false }), null);
    const mts = w.repo.create(w.bank, ipTrunk(), null);
    const d = w.directory();
    const list = await d.ready();
    expect(list.map((t) => t.name)).toEqual(['МТС', 'Ростелеком']);
    expect(d.get(rt.id)).toMatchObject({ kind: 'register', username: '74951234567', password: 's3cret-пароль', host: 'localhost', port: 5070, channelLimit: 2, outboundCallerId: '+74951234567' });
    // An IP trunk without a host sends to its first address; the ::ffff: form is normalised.
    expect(d.get(mts.id)).toMatchObject({ host: '10.20.30.40', sources: ['10.20.30.40', '10.20.30.41'] });
    expect(d.get(mts.id)).not.toHaveProperty('password');
    expect(Object.isFrozen(d.get(mts.id))).toBe(true);
  });

  it('keeps a trunk whose password does not open (another master key, or moved to another tenant), says so, logs no secret', async () => {
    const w = world();
    const other = new SecretBox(randomBytes(32), TRUNK_PASSWORD.purpose);
    const a = w.repo.create(w.bank, registering({ name: 'a' }), other.seal('nope', TRUNK_PASSWORD.aad(w.bank)));
    const b = w.repo.create(w.bank, registering({ name: 'b' }), box.seal('tenant-bound', TRUNK_PASSWORD.aad(w.insurer)));
    const d = w.directory();
    expect(d.get(a.id)).toMatchObject({ passwordError: 'secret-unreadable' });
    expect(d.get(a.id)?.password).toBeUndefined();
    expect(d.get(b.id)).toMatchObject({ passwordError: 'secret-unreadable' });
    expect(lines.filter((l) => l.includes('trunk password does not open'))).toHaveLength(2);
    expect(lines.join('\n')).not.toContain('nope');
    expect(lines.join('\n')).not.toContain('tenant-bound');
  });

  it('finds an IP trunk by any of its addresses and a registering trunk by its registrar host resolved through DNS', async () => {
    const w = world();
    const rt = w.repo.create(w.bank, registering(), box.seal('pw', TRUNK_PASSWORD.aad(w.bank)));
    const mts = w.repo.create(w.bank, ipTrunk(), null);
    const d = w.directory();
    await d.ready();
    expect(d.fromSource('10.20.30.41')?.id).toBe(mts.id);
    expect(d.fromSource('::ffff:10.20.30.40', 5060)?.id).toBe(mts.id);
    // localhost resolves (getaddrinfo) to 127.0.0.1 and/or ::1.
    expect(d.get(rt.id)!.sources.some((s) => s === '127.0.0.1' || s === '::1')).toBe(true);
    expect(d.fromSource(d.get(rt.id)!.sources[0]!)?.id).toBe(rt.id);
    expect(d.fromSource('192.0.2.1')).toBeUndefined();
    expect(d.fromSource('not an address')).toBeUndefined();
  });

  it('prefers the trunk whose own host and port sent the request when several share an address', async () => {
    const w = world();
    const first = w.repo.create(w.bank, ipTrunk({ name: 'first', host: '127.0.0.1', port: 5091, addresses: ['127.0.0.1'] }), null);
    const second = w.repo.create(w.bank, ipTrunk({ name: 'second', host: '127.0.0.1', port: 5092, addresses: ['127.0.0.1'] }), null);
    const other = w.repo.create(w.insurer, ipTrunk({ name: 'theirs', host: '127.0.0.1', port: 5093, addresses: ['127.0.0.1'] }), null);
    const d = w.directory();
    expect(d.fromSource('127.0.0.1', 5092)?.id).toBe(second.id);
    expect(d.fromSource('127.0.0.1', 5093)?.id).toBe(other.id);
    // From an unknown port: every candidate, lowest id first; the caller picks by tenant.
    expect(d.candidates('127.0.0.1', 40000).map((t) => t.id)).toEqual([first.id, second.id, other.id]);
    expect(d.list(w.insurer).map((t) => t.id)).toEqual([other.id]);
  });

  it('resolves a route reference by id (in decimal) or by name, only within the tenant', () => {
    const w = world();
    const rt = w.repo.create(w.bank, registering(), box.seal('pw', TRUNK_PASSWORD.aad(w.bank)));
    const theirs = w.repo.create(w.insurer, ipTrunk({ name: 'theirs' }), null);
    const d = w.directory();
    expect(d.byRef(w.bank, String(rt.id))?.id).toBe(rt.id);
    expect(d.byRef(w.bank, 'Ростелеком')?.id).toBe(rt.id);
    expect(d.byRef(w.bank, String(theirs.id))).toBeUndefined();
    expect(d.byRef(w.bank, 'theirs')).toBeUndefined();
    expect(d.byRef(w.bank, '0')).toBeUndefined();
  });

  it('re-reads the table when it changes (add, edit, disable, delete) and tells its listeners', () => {
    const w = world();
    const d = w.directory({ checkIntervalMs: 1000 });
    const heard: string[][] = [];
    d.onChange((list) => heard.push(list.map((t) => `${t.name}:${t.channelLimit}`)));
    expect(d.list()).toEqual([]);
    const mts = w.repo.create(w.bank, ipTrunk(), null);
    // Within the check interval the directory does not look at the table.
    expect(d.list()).toEqual([]);
    w.clock.advance(1000);
    expect(d.list().map((t) => t.name)).toEqual(['МТС']);
    w.repo.update(mts.id, ipTrunk({ channelLimit: 7 }), undefined, new Date(Date.now() + 1000));
    w.clock.advance(1000);
    expect(d.get(mts.id)?.channelLimit).toBe(7);
    w.repo.update(mts.id, ipTrunk({ channelLimit: 7, enabled: false }), undefined, new Date(Date.now() + 2000));
    expect(d.check()).toBe(true);
    expect(d.list()).toEqual([]);
    expect(d.check()).toBe(false);
    w.repo.delete(mts.id);
    expect(d.check()).toBe(true);
    expect(heard).toEqual([[], ['МТС:0'], ['МТС:7'], [], []]);
  });

  it('keeps the addresses it knew when a host stops resolving, and a listener that throws does not stop the others', async () => {
    const w = world();
    let answer: string[] | Error = ['192.0.2.10'];
    const d = new TrunkDirectory({ trunks: w.repo, secrets: () => box, now: () => Date.now(), log, resolve: async () => (answer instanceof Error ? Promise.reject(answer) : answer) }, { checkIntervalMs: 0, dnsRefreshMs: 0 });
    const rt = w.repo.create(w.bank, registering({ host: 'sip.operator.example' }), box.seal('pw', TRUNK_PASSWORD.aad(w.bank)));
    let calls = 0;
    d.onChange(() => {
      throw new Error('listener bug');
    });
    d.onChange(() => calls++);
    await d.ready();
    expect(d.fromSource('192.0.2.10')?.id).toBe(rt.id);
    answer = new Error('SERVFAIL');
    await d.refresh();
    expect(d.fromSource('192.0.2.10')?.id).toBe(rt.id);
    expect(lines.some((l) => l.includes('trunk host does not resolve'))).toBe(true);
    expect(lines.some((l) => l.includes('trunk directory listener failed'))).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('opens passwords the api sealed with the appliance master key (trunkSecretBox)', () => {
    const w = world();
    const secrets = trunkSecretBox({ dataDir: w.dataDir });
    const rt = w.repo.create(w.bank, registering(), secrets().seal('from-the-api', TRUNK_PASSWORD.aad(w.bank)));
    const d = new TrunkDirectory({ trunks: w.repo, secrets: trunkSecretBox({ dataDir: w.dataDir }), log }, { checkIntervalMs: 0 });
    expect(d.get(rt.id)?.password).toBe('from-the-api');
  });
});
