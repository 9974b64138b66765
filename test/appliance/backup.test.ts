// korobka backup / restore as modules: a real data directory (SQLite file,
// master key, TLS material, licence, branding, encrypted recordings) backed up
// online, verified, restored elsewhere; and every bad input refused with
// nothing changed.
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../appliance/config/load';
import { ensureDrachtioSecret, ensureLayout } from '../../appliance/data-dir';
import { createBackup } from '../../appliance/backup/create-backup';
import { BackupError } from '../../appliance/backup/errors';
import { finishInterruptedRestore, restoreBackup } from '../../appliance/backup/restore-backup';
import { verifyBackup } from '../../appliance/backup/verify-backup';
import { codeSchemaVersion, migrations, openStore } from '../../services/store';
import { loadMasterKey } from '../../services/recordings';
import { ensureTls } from '../../provisioning/tls';
import { tempDir } from '../helpers/tmp';

const PASS = 'correct horse battery staple';
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

// One CA and server certificate for every data directory here: RSA key generation takes seconds.
let tlsTemplate: { dir: string; cleanup: () => void };
beforeAll(() => {
  tlsTemplate = tempDir('korobka-backup-tls-');
  ensureTls(tlsTemplate.dir);
});
afterAll(() => tlsTemplate.cleanup());

function dir(): string {
  const t = tempDir('korobka-backup-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A data directory as `korobka init` and a few days of calls leave it. */
function makeDataDir(o: { schema?: number } = {}): { dataDir: string; config: ReturnType<typeof loadConfig> } {
  const dataDir = dir();
  ensureLayout(dataDir);
  ensureDrachtioSecret(dataDir);
  const store = openStore(path.join(dataDir, 'korobka.db'), o.schema ? { migrations: migrations.filter((m) => m.version <= o.schema!) } : {});
  const t = store.tenants.create({ name: 'Bank', sipDomain: 'bank.example', isDefault: true });
  store.users.create({ tenantId: null, username: 'admin', role: 'superadmin', passwordHash: 'scrypt$x' });
  store.settings.set('branding.title', 'Банк');
  store.audit.append({ actorId: null, actor: 'test', tenantId: t.id, action: 'tenant.create', target: `tenant:${t.id}`, details: {} });
  store.close();
  loadMasterKey({ dataDir });
  cpSync(path.join(tlsTemplate.dir, 'tls'), path.join(dataDir, 'tls'), { recursive: true });
  writeFileSync(path.join(dataDir, 'license', 'korobka.lic'), 'licence-body');
  writeFileSync(path.join(dataDir, 'branding', 'logo.png'), randomBytes(2000));
  mkdirSync(path.join(dataDir, 'recordings', 'tenant-1', '2026', '12'), { recursive: true });
  for (let i = 0; i < 4; i++) writeFileSync(path.join(dataDir, 'recordings', 'tenant-1', '2026', '12', `rec-${i}.kvault`), randomBytes(200_000 + i));
  writeFileSync(path.join(dataDir, 'recordings', 'spool', 'call-in-progress.pcap'), randomBytes(100));
  writeFileSync(path.join(dataDir, 'korobka.json'), JSON.stringify({ api: { port: 9443 } }));
  return { dataDir, config: loadConfig({ env: {}, flags: { dataDir } }) };
}

async function refused(p: Promise<unknown>): Promise<BackupError> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof BackupError)) throw new Error(`expected a BackupError, got ${String(e)}`);
  return e;
}

const noStop = async () => true;

describe('korobka backup', () => {
  it('writes one named archive with a manifest of every file, the keys sealed, spool and backups left out', async () => {
    const { dataDir, config } = makeDataDir();
    const progress: string[] = [];
    const r = await createBackup({ config, passphrase: PASS, onProgress: (p) => progress.push(p.phase) });
    expect(path.basename(r.file)).toMatch(/^korobka-backup-\d+\.\d+\.\d+-\d{8}T\d{6}Z\.tar$/);
    expect(path.dirname(r.file)).toBe(path.join(dataDir, 'backups'));
    expect(readFileSync(`${r.file}.sha256`, 'utf8')).toBe(`${r.sha256}  ${path.basename(r.file)}\n`);
    expect(progress[0]).toBe('database');
    expect(progress.at(-1)).toBe('done');
    const paths = r.manifest.files.map((f) => f.path).sort();
    expect(paths).toEqual([
      'data/branding/logo.png',
      'data/license/korobka.lic',
      'data/recordings/tenant-1/2026/12/rec-0.kvault',
      'data/recordings/tenant-1/2026/12/rec-1.kvault',
      'data/recordings/tenant-1/2026/12/rec-2.kvault',
      'data/recordings/tenant-1/2026/12/rec-3.kvault',
      'data/tls/ca.crt',
      // Who issued server.crt (the appliance or the bank's CA): a restore must not replace a bank's certificate.
      'data/tls/issuer',
      'data/tls/server.crt',
      'db/korobka.db',
      'secrets.sealed',
    ]);
    expect(r.manifest.files.find((f) => f.path.endsWith('rec-2.kvault'))!.sha256).toBe(sha(path.join(dataDir, 'recordings/tenant-1/2026/12/rec-2.kvault')));
    expect(r.manifest.schemaVersion).toBe(codeSchemaVersion());
    // Never the bare master key, nor a TLS private key, anywhere in the archive.
    const archive = readFileSync(r.file);
    expect(archive.includes(readFileSync(path.join(dataDir, 'keys', 'master.key')))).toBe(false);
    expect(archive.includes(readFileSync(path.join(dataDir, 'tls', 'server.key')))).toBe(false);
    expect(archive.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    const v = await verifyBackup(r.file, { passphrase: PASS });
    expect(v.secrets!.map((s) => s.path).sort()).toEqual(['keys/drachtio.secret', 'keys/master.key', 'korobka.json', 'tls/ca.key', 'tls/server.key']);
    expect(v.secrets!.find((s) => s.path === 'keys/master.key')!.data.equals(readFileSync(path.join(dataDir, 'keys', 'master.key')))).toBe(true);
    // A second backup in the same second gets its own name.
    const again = await createBackup({ config, passphrase: PASS });
    expect(again.file).not.toBe(r.file);
  });

  it('refuses a target it cannot write and an uninitialised data directory, writing nothing', async () => {
    const { config } = makeDataDir();
    const file = path.join(dir(), 'a-file');
    writeFileSync(file, '');
    expect((await refused(createBackup({ config, passphrase: PASS, targetDir: path.join(file, 'sub') }))).code).toBe('target-not-writable');
    const empty = loadConfig({ env: {}, flags: { dataDir: dir() } });
    expect((await refused(createBackup({ config: empty, passphrase: PASS }))).message).toMatch(/has no korobka\.db: nothing to back up/);
  });

  it('removes the leftovers of a backup that was killed', async () => {
    const { dataDir, config } = makeDataDir();
    const backups = path.join(dataDir, 'backups');
    // pid 2^22+1 is above Linux's pid_max: never a live process.
    writeFileSync(path.join(backups, '.korobka-backup-0.1.0-20260101T000000Z.tar.4194305.partial'), 'half');
    mkdirSync(path.join(backups, '.korobka-backup-0.1.0-20260101T000000Z.tar.4194305.staging'));
    await createBackup({ config, passphrase: PASS });
    expect(readdirSync(backups).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('korobka backup --verify', () => {
  async function backup() {
    const { dataDir, config } = makeDataDir();
    const r = await createBackup({ config, passphrase: PASS });
    return { dataDir, config, file: r.file, bytes: readFileSync(r.file) };
  }

  it('finds one changed byte anywhere: in a recording, in a tar header, in the padding', async () => {
    const { file, bytes } = await backup();
    const at = (needle: string) => bytes.indexOf(Buffer.from(needle));
    const spots = {
      body: at('data/recordings/tenant-1/2026/12/rec-1.kvault') + 512 + 1000,
      header: at('data/license/korobka.lic') + 3,
      padding: bytes.length - 100,
    };
    for (const [where, offset] of Object.entries(spots)) {
      const copy = Buffer.from(bytes);
      copy[offset] = copy[offset]! ^ 0x01;
      writeFileSync(file, copy);
      const e = await refused(verifyBackup(file));
      expect(e.code, where).toBe('archive-damaged');
      expect(e.message).toMatch(/is damaged: .*nothing was changed$/);
    }
    // Without the .sha256 beside it, a changed recording is still caught by the manifest.
    const copy = Buffer.from(bytes);
    copy[spots.body] = copy[spots.body]! ^ 0x01;
    writeFileSync(file, copy);
    rmSync(`${file}.sha256`);
    expect((await refused(verifyBackup(file))).message).toMatch(/data\/recordings\/tenant-1\/2026\/12\/rec-1\.kvault does not match its SHA-256 in the manifest/);
  });

  it('refuses a wrong passphrase, a truncated archive and a file that is not a backup', async () => {
    const { file, bytes } = await backup();
    expect((await refused(verifyBackup(file, { passphrase: 'not the passphrase' }))).code).toBe('passphrase-wrong');
    rmSync(`${file}.sha256`);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await refused(verifyBackup(file))).code).toBe('archive-damaged');
    writeFileSync(file, 'hello, this is not a tar file at all'.repeat(40));
    expect((await refused(verifyBackup(file))).code).toBe('archive-damaged');
    expect((await refused(verifyBackup(path.join(dir(), 'none.tar')))).code).toBe('archive-not-found');
  });
});

describe('korobka restore', () => {
  it('restores onto a second data directory: same rows, same recordings, same keys', async () => {
    const { dataDir, config } = makeDataDir();
    const r = await createBackup({ config, passphrase: PASS });
    const target = dir();
    const phases: string[] = [];
    const res = await restoreBackup({ config: loadConfig({ env: {}, flags: { dataDir: target } }), archive: r.file, passphrase: PASS, stop: noStop, onPhase: (p) => phases.push(p) });
    expect(phases).toEqual(['verify', 'stop', 'write', 'migrate', 'switch', 'done']);
    expect(res.replacedKeptIn).toBeNull();
    for (const f of ['recordings/tenant-1/2026/12/rec-3.kvault', 'keys/master.key', 'keys/drachtio.secret', 'tls/server.key', 'tls/ca.crt', 'license/korobka.lic', 'branding/logo.png', 'korobka.json'])
      expect(sha(path.join(target, f)), f).toBe(sha(path.join(dataDir, f)));
    expect(statSync(path.join(target, 'keys', 'master.key')).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(target, 'recordings', 'spool'))).toBe(true);
    expect(existsSync(path.join(target, 'recordings', 'spool', 'call-in-progress.pcap'))).toBe(false);
    expect(existsSync(path.join(target, '.restore'))).toBe(false);
    const a = openStore(path.join(dataDir, 'korobka.db'));
    const b = openStore(path.join(target, 'korobka.db'));
    try {
      expect(b.users.list()).toEqual(a.users.list());
      expect(b.tenants.defaultTenant()).toEqual(a.tenants.defaultTenant());
      expect(b.settings.get('branding.title')).toBe('Банк');
      expect(b.audit.verify().ok).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it('over an existing box keeps what it replaces, and keeps the host config with the backup\'s beside it', async () => {
    const { config, dataDir } = makeDataDir();
    const r = await createBackup({ config, passphrase: PASS });
    const other = makeDataDir();
    writeFileSync(path.join(other.dataDir, 'license', 'korobka.lic'), 'the other licence');
    const res = await restoreBackup({ config: other.config, archive: r.file, passphrase: PASS, stop: noStop });
    expect(res.replacedKeptIn).toMatch(/backups\/before-restore-\d{8}T\d{6}Z$/);
    expect(readFileSync(path.join(res.replacedKeptIn!, 'license', 'korobka.lic'), 'utf8')).toBe('the other licence');
    expect(existsSync(path.join(res.replacedKeptIn!, 'korobka.db'))).toBe(true);
    expect(readFileSync(path.join(other.dataDir, 'license', 'korobka.lic'), 'utf8')).toBe('licence-body');
    expect(sha(path.join(other.dataDir, 'keys', 'master.key'))).toBe(sha(path.join(dataDir, 'keys', 'master.key')));
    expect(res.configKeptAside).toBe(true);
    expect(readFileSync(path.join(other.dataDir, 'korobka.json.from-backup'), 'utf8')).toBe(readFileSync(path.join(dataDir, 'korobka.json'), 'utf8'));
  });

  it('migrates a backup of an older schema forward', async () => {
    const older = migrations.map((m) => m.version).sort((x, y) => x - y).at(-2)!;
    const { config } = makeDataDir({ schema: older });
    const r = await createBackup({ config, passphrase: PASS });
    expect(r.manifest.schemaVersion).toBe(older);
    const res = await restoreBackup({ config: loadConfig({ env: {}, flags: { dataDir: dir() } }), archive: r.file, passphrase: PASS, stop: noStop });
    expect([res.migratedFrom, res.migratedTo]).toEqual([older, codeSchemaVersion()]);
  });

  it('refuses, changing nothing: damaged, wrong passphrase, newer version, or a box that will not stop', async () => {
    const { config, dataDir } = makeDataDir();
    const good = await createBackup({ config, passphrase: PASS });
    const other = makeDataDir();
    const before = () => readdirSync(other.dataDir).sort().map((n) => n + (n === 'korobka.db' ? sha(path.join(other.dataDir, n)) : ''));
    const snapshot = before();
    const attempt = (archive: string, passphrase = PASS, stop = noStop) => refused(restoreBackup({ config: other.config, archive, passphrase, stop }));

    expect((await attempt(good.file, 'wrong passphrase')).code).toBe('passphrase-wrong');
    const damagedFile = path.join(dir(), 'damaged.tar');
    const bytes = readFileSync(good.file);
    const spot = bytes.indexOf(Buffer.from('data/recordings/tenant-1/2026/12/rec-0.kvault')) + 600;
    bytes[spot] = bytes[spot]! ^ 0xff;
    writeFileSync(damagedFile, bytes);
    expect((await attempt(damagedFile)).code).toBe('archive-damaged');
    expect((await attempt(good.file, PASS, async () => false)).code).toBe('stop-failed');

    // A backup made by a newer Korobka: its database is at a schema this code does not know.
    const store = openStore(path.join(dataDir, 'korobka.db'));
    store.db.pragma(`user_version = ${codeSchemaVersion() + 1}`);
    store.close();
    const newer = await createBackup({ config, passphrase: PASS });
    const e = await attempt(newer.file);
    expect(e.code).toBe('backup-too-new');
    expect(e.message).toMatch(new RegExp(`database schema ${codeSchemaVersion() + 1}\\), newer than this one .*install Korobka .* or newer first`));
    expect(before()).toEqual(snapshot);
  });

  it('a restore killed before the switch leaves the box as it was; one killed during it is completed', async () => {
    const { config } = makeDataDir();
    const r = await createBackup({ config, passphrase: PASS });
    const other = makeDataDir();
    const licence = path.join(other.dataDir, 'license', 'korobka.lic');
    writeFileSync(licence, 'the other licence');
    // Killed while writing: a work area without a journal.
    mkdirSync(path.join(other.dataDir, '.restore', 'new', 'license'), { recursive: true });
    writeFileSync(path.join(other.dataDir, '.restore', 'new', 'license', 'korobka.lic'), 'half written');
    expect(finishInterruptedRestore(other.dataDir)).toBe('cleaned');
    expect(readFileSync(licence, 'utf8')).toBe('the other licence');
    expect(existsSync(path.join(other.dataDir, '.restore'))).toBe(false);

    // Killed while switching: the journal is written, license/ already moved in, the rest not yet.
    const target = makeDataDir();
    await restoreBackup({ config: target.config, archive: r.file, passphrase: PASS, stop: noStop });
    const fresh = path.join(other.dataDir, '.restore', 'new');
    mkdirSync(path.join(other.dataDir, '.restore', 'old'), { recursive: true });
    cpSync(target.dataDir, fresh, { recursive: true, filter: (s) => !/\/(backups|run|logs)$/.test(s) });
    renameSync(path.join(other.dataDir, 'license'), path.join(other.dataDir, '.restore', 'old', 'license'));
    renameSync(path.join(fresh, 'license'), path.join(other.dataDir, 'license'));
    writeFileSync(path.join(other.dataDir, '.restore', 'journal.json'), JSON.stringify({ stamp: '20260101T000000Z', keepConfig: true }));
    expect(finishInterruptedRestore(other.dataDir)).toBe('finished');
    expect(readFileSync(licence, 'utf8')).toBe('licence-body');
    expect(sha(path.join(other.dataDir, 'keys', 'master.key'))).toBe(sha(path.join(target.dataDir, 'keys', 'master.key')));
    expect(readFileSync(path.join(other.dataDir, 'backups', 'before-restore-20260101T000000Z', 'license', 'korobka.lic'), 'utf8')).toBe('the other licence');
    expect(existsSync(path.join(other.dataDir, '.restore'))).toBe(false);
  });
});
