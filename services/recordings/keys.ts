// Key hierarchy for recordings at rest:
//
//   master key (32 bytes, <dataDir>/keys/master.key or a file on separate media)
//     └─ wraps tenant keys (keys/tenants/<tenant>.json, one active, old ones kept)
//          └─ wrap one random data key per recording (in the vault file's header)
//
// Wrapping is AES-256-GCM with the identities of both keys in the AAD, so a
// wrapped key moved to another tenant or file does not unwrap. Rotating the
// master key re-wraps the tenant key files only; rotating a tenant key makes a
// new active key, and vault files are re-wrapped one by one (vault.ts).
// Crypto-shredding a tenant = deleting its key file.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { validationFailed } from '../common/errors';
import {
  defaultMasterKeyPath,
  KEY_BYTES,
  keyFileInvalid,
  keyFilePermissions,
  loadMasterKey,
  readMasterFile,
  unwrapKey,
  wrapKey,
  writeSecretFile,
  type MasterKey,
} from '../common/keys';
import { keyNotFound, keyUnwrapFailed } from './errors';

// The master key itself lives in services/common/keys.ts (trunk passwords use it too).
export { defaultMasterKeyPath, KEY_BYTES, loadMasterKey, masterKeyId, unwrapKey, WRAPPED_BYTES, wrapKey, writeSecretFile, type MasterKey } from '../common/keys';

/** Ids that end up in file names and headers: short, plain ASCII. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkId(field: string, value: string): string {
  if (!ID.test(value)) throw validationFailed([{ field, message: 'expected 1–64 of A-Z a-z 0-9 . _ - (not starting with . _ -)' }]);
  return value;
}

const tenantKeyEntrySchema = z.object({
  id: z.string().regex(ID),
  createdAt: z.string(),
  masterKeyId: z.string().min(1),
  /** base64 of the wrapped key */
  wrapped: z.string().min(1),
});

const tenantKeyFileSchema = z.object({
  version: z.literal(1),
  tenantId: z.string(),
  active: z.string(),
  keys: z.array(tenantKeyEntrySchema).min(1),
});

type TenantKeyEntry = z.infer<typeof tenantKeyEntrySchema>;
type TenantKeyFile = z.infer<typeof tenantKeyFileSchema>;

const tenantAad = (tenantId: string, keyId: string, mkId: string) => `korobka/tenant-key/v1|${tenantId}|${keyId}|${mkId}`;

/**
 * Tenant keys, wrapped by the master key, one JSON file per tenant under
 * `<keysDir>/tenants/`. Knows several master keys so that a master rotation
 * interrupted half-way still unwraps every tenant file.
 */
export class Keyring {
  private readonly masters: Map<string, Buffer>;
  private readonly cache = new Map<string, Buffer>();
  private current: MasterKey;

  /** `masters[0]` wraps new keys; the others only unwrap. */
  constructor(
    private readonly keysDir: string,
    masters: MasterKey[],
    private readonly now: () => Date = () => new Date(),
  ) {
    if (masters.length === 0) throw new Error('Keyring needs a master key');
    this.masters = new Map(masters.map((m) => [m.id, m.key]));
    this.current = masters[0] as MasterKey;
  }

  get masterKeyId(): string {
    return this.current.id;
  }

  private file(tenantId: string): string {
    return path.join(this.keysDir, 'tenants', `${checkId('tenantId', tenantId)}.json`);
  }

  private read(tenantId: string): TenantKeyFile | undefined {
    const f = this.file(tenantId);
    if (!existsSync(f)) return undefined;
    const st = statSync(f);
    if ((st.mode & 0o077) !== 0) throw keyFilePermissions(f, st.mode);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(f, 'utf8'));
    } catch {
      throw keyFileInvalid(f, 'not JSON');
    }
    const parsed = tenantKeyFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw keyFileInvalid(f, `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    if (parsed.data.tenantId !== tenantId) throw keyFileInvalid(f, `holds keys of tenant ${parsed.data.tenantId}`);
    return parsed.data;
  }

  private write(k: TenantKeyFile): void {
    writeSecretFile(this.file(k.tenantId), JSON.stringify(k, null, 2) + '\n');
  }

  private newEntry(tenantId: string): { entry: TenantKeyEntry; key: Buffer } {
    const key = randomBytes(KEY_BYTES);
    const id = 'tk-' + randomBytes(8).toString('hex');
    const wrapped = wrapKey(this.current.key, key, tenantAad(tenantId, id, this.current.id));
    return { entry: { id, createdAt: this.now().toISOString(), masterKeyId: this.current.id, wrapped: wrapped.toString('base64') }, key };
  }

  private unwrapEntry(tenantId: string, e: TenantKeyEntry): Buffer {
    const cached = this.cache.get(`${tenantId}/${e.id}`);
    if (cached) return cached;
    const mk = this.masters.get(e.masterKeyId);
    if (!mk) throw keyNotFound('master', e.masterKeyId);
    const key = unwrapKey(mk, Buffer.from(e.wrapped, 'base64'), tenantAad(tenantId, e.id, e.masterKeyId));
    if (!key) throw keyUnwrapFailed('tenant', e.id);
    this.cache.set(`${tenantId}/${e.id}`, key);
    return key;
  }

  /** The tenant's active key; the first call for a tenant creates it. */
  activeTenantKey(tenantId: string): { id: string; key: Buffer } {
    let f = this.read(tenantId);
    if (!f) {
      const { entry } = this.newEntry(tenantId);
      f = { version: 1, tenantId, active: entry.id, keys: [entry] };
      this.write(f);
    }
    return { id: f.active, key: this.tenantKey(tenantId, f.active) };
  }

  tenantKey(tenantId: string, keyId: string): Buffer {
    const e = this.read(tenantId)?.keys.find((k) => k.id === keyId);
    if (!e) throw keyNotFound('tenant', `${tenantId}/${keyId}`);
    return this.unwrapEntry(tenantId, e);
  }

  /** A new active key for the tenant; older keys stay to unwrap existing recordings until re-wrapped. */
  rotateTenantKey(tenantId: string): string {
    const f = this.read(tenantId);
    const { entry } = this.newEntry(tenantId);
    this.write(f ? { ...f, active: entry.id, keys: [...f.keys, entry] } : { version: 1, tenantId, active: entry.id, keys: [entry] });
    return entry.id;
  }

  /** Drops tenant keys no recording uses any more (after re-wrapping). */
  retireTenantKeys(tenantId: string, keep: (keyId: string) => boolean): string[] {
    const f = this.read(tenantId);
    if (!f) return [];
    const gone = f.keys.filter((k) => k.id !== f.active && !keep(k.id)).map((k) => k.id);
    this.write({ ...f, keys: f.keys.filter((k) => !gone.includes(k.id)) });
    for (const id of gone) this.cache.delete(`${tenantId}/${id}`);
    return gone;
  }

  tenants(): string[] {
    const dir = path.join(this.keysDir, 'tenants');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5));
  }

  /**
   * Master key rotation: re-wraps every tenant key under `next`, file by file
   * (each write atomic), then uses `next` for new keys. Audio is not touched.
   * Safe to run again after a crash: entries already under `next` are skipped.
   */
  rewrapUnderMaster(next: MasterKey): number {
    this.masters.set(next.id, next.key);
    let n = 0;
    for (const tenantId of this.tenants()) {
      const f = this.read(tenantId);
      if (!f) continue;
      const keys = f.keys.map((e) => {
        if (e.masterKeyId === next.id) return e;
        const key = this.unwrapEntry(tenantId, e);
        n++;
        const wrapped = wrapKey(next.key, key, tenantAad(tenantId, e.id, next.id));
        return { ...e, masterKeyId: next.id, wrapped: wrapped.toString('base64') };
      });
      this.write({ ...f, keys });
    }
    this.current = next;
    return n;
  }
}

/**
 * Rotates the master key file: a new key goes to `<file>.next` (0600), every
 * tenant key is re-wrapped under it, then it replaces the old file. If this
 * stops half-way, `openKeyring` finds `.next` and finishes the job.
 */
export function rotateMasterKey(file: string, keyring: Keyring): MasterKey {
  const nextFile = `${file}.next`;
  if (!existsSync(nextFile)) writeSecretFile(nextFile, randomBytes(KEY_BYTES));
  const next = readMasterFile(nextFile);
  keyring.rewrapUnderMaster(next);
  renameSync(nextFile, file);
  return next;
}

/** Loads the master key (creating the default one), finishes an interrupted rotation, returns the keyring. */
export function openKeyring(opts: { dataDir: string; masterKeyPath?: string }): Keyring {
  const master = loadMasterKey(opts);
  const file = opts.masterKeyPath ?? defaultMasterKeyPath(opts.dataDir);
  const keyring = new Keyring(path.join(opts.dataDir, 'keys'), [master]);
  if (existsSync(`${file}.next`)) rotateMasterKey(file, keyring);
  return keyring;
}
