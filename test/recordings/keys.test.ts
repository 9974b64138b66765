import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Keyring, loadMasterKey, masterKeyId, openKeyring, rotateMasterKey, unwrapKey, wrapKey } from '../../services/recordings/keys';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'keys-'));

describe('master key', () => {
  it('is created once with mode 0600 and the same key is loaded again', () => {
    const dataDir = tmp();
    const a = loadMasterKey({ dataDir });
    const file = path.join(dataDir, 'keys', 'master.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file)).toHaveLength(32);
    expect(loadMasterKey({ dataDir })).toEqual(a);
    expect(a.id).toBe(masterKeyId(a.key));
  });

  it('refuses a key file others can read, naming the file and mode', () => {
    const dataDir = tmp();
    loadMasterKey({ dataDir });
    const file = path.join(dataDir, 'keys', 'master.key');
    chmodSync(file, 0o644);
    expect(() => loadMasterKey({ dataDir })).toThrowError(
      expect.objectContaining({ code: 'key-file-permissions', message: `${file}: mode 644 lets others read the key; chmod 600 it` }),
    );
  });

  it('uses a configured path on separate media and never creates it', () => {
    const media = tmp();
    const file = path.join(media, 'korobka.key');
    expect(() => loadMasterKey({ dataDir: tmp(), masterKeyPath: file })).toThrowError(expect.objectContaining({ code: 'key-file-missing' }));
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, randomBytes(32), { mode: 0o600 });
    expect(loadMasterKey({ dataDir: tmp(), masterKeyPath: file }).key).toEqual(readFileSync(file));
    writeFileSync(file, randomBytes(31), { mode: 0o600 });
    expect(() => loadMasterKey({ dataDir: tmp(), masterKeyPath: file })).toThrowError(
      expect.objectContaining({ code: 'key-file-invalid', message: `${file}: 31 bytes, expected 32` }),
    );
  });
});

describe('key wrapping', () => {
  it('unwraps only with the same key and AAD', () => {
    const kek = randomBytes(32);
    const key = randomBytes(32);
    const w = wrapKey(kek, key, 'a|b');
    expect(unwrapKey(kek, w, 'a|b')).toEqual(key);
    expect(unwrapKey(kek, w, 'a|c')).toBeUndefined();
    expect(unwrapKey(randomBytes(32), w, 'a|b')).toBeUndefined();
    const flipped = Buffer.from(w);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    expect(unwrapKey(kek, flipped, 'a|b')).toBeUndefined();
  });
});

describe('keyring', () => {
  it('creates a tenant key on first use, stored wrapped with mode 0600', () => {
    const dataDir = tmp();
    const kr = openKeyring({ dataDir });
    const k = kr.activeTenantKey('t1');
    const file = path.join(dataDir, 'keys', 'tenants', 't1.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(k.key.toString('base64'));
    expect(openKeyring({ dataDir }).activeTenantKey('t1')).toEqual(k);
  });

  it('names the problem in a damaged tenant key file', () => {
    const dataDir = tmp();
    const kr = openKeyring({ dataDir });
    kr.activeTenantKey('t1');
    const file = path.join(dataDir, 'keys', 'tenants', 't1.json');
    writeFileSync(file, '{"version":1,"tenantId":"t1","active":"x","keys":[]}', { mode: 0o600 });
    expect(() => kr.activeTenantKey('t1')).toThrowError(expect.objectContaining({ code: 'key-file-invalid', message: expect.stringContaining('keys:') }));
    writeFileSync(file, 'garbage', { mode: 0o600 });
    expect(() => kr.activeTenantKey('t1')).toThrowError(expect.objectContaining({ code: 'key-file-invalid', message: `${file}: not JSON` }));
    writeFileSync(path.join(dataDir, 'keys', 'tenants', 't2.json'), readFileSync(path.join(dataDir, 'keys', 'master.key')).toString('hex'), { mode: 0o644 });
    expect(() => kr.activeTenantKey('t2')).toThrowError(expect.objectContaining({ code: 'key-file-permissions' }));
  });

  it('rejects tenant ids that could escape the keys directory', () => {
    const kr = openKeyring({ dataDir: tmp() });
    expect(() => kr.activeTenantKey('../etc')).toThrowError(expect.objectContaining({ code: 'validation-failed' }));
  });

  it('rotates tenant keys keeping old ones readable, and retires unused ones', () => {
    const kr = openKeyring({ dataDir: tmp() });
    const old = kr.activeTenantKey('t1');
    const id = kr.rotateTenantKey('t1');
    expect(kr.activeTenantKey('t1').id).toBe(id);
    expect(kr.tenantKey('t1', old.id)).toEqual(old.key);
    expect(kr.retireTenantKeys('t1', () => false)).toEqual([old.id]);
    expect(() => kr.tenantKey('t1', old.id)).toThrowError(expect.objectContaining({ code: 'key-not-found' }));
  });

  it('rotates the master key: tenant keys survive, the old master no longer opens them', () => {
    const dataDir = tmp();
    const kr = openKeyring({ dataDir });
    const t1 = kr.activeTenantKey('t1');
    const t2 = kr.activeTenantKey('t2');
    const file = path.join(dataDir, 'keys', 'master.key');
    const oldMaster = loadMasterKey({ dataDir });
    const next = rotateMasterKey(file, kr);
    expect(next.id).not.toBe(oldMaster.id);
    expect(existsSync(`${file}.next`)).toBe(false);
    const reopened = openKeyring({ dataDir });
    expect(reopened.masterKeyId).toBe(next.id);
    expect(reopened.activeTenantKey('t1')).toEqual(t1);
    expect(reopened.activeTenantKey('t2')).toEqual(t2);
    const stale = new Keyring(path.join(dataDir, 'keys'), [oldMaster]);
    expect(() => stale.tenantKey('t1', t1.id)).toThrowError(expect.objectContaining({ code: 'key-not-found' }));
  });

  it('finishes a master rotation that stopped half-way', () => {
    const dataDir = tmp();
    const kr = openKeyring({ dataDir });
    const t1 = kr.activeTenantKey('t1');
    const file = path.join(dataDir, 'keys', 'master.key');
    writeFileSync(`${file}.next`, randomBytes(32), { mode: 0o600 }); // crash right after writing .next
    const reopened = openKeyring({ dataDir });
    expect(existsSync(`${file}.next`)).toBe(false);
    expect(reopened.activeTenantKey('t1')).toEqual(t1);
    expect(loadMasterKey({ dataDir }).id).toBe(reopened.masterKeyId);
  });
});
