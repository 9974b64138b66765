// Key hierarchy of the personal-data store:
//
//   master key (services/common/keys.ts, the same one as recordings)
//     ├─ wraps PD tenant keys      keys/pd/tenants/<tenant>.json
//     │    └─ wrap one random key per data subject (pd_subjects.wrapped_key)
//     │         └─ seals the subject's fields (field-cipher.ts) and wraps the
//     │            data keys of the recordings the subject is heard in
//     └─ wraps PD index keys       keys/pd/tenants/<tenant>-index.json
//          └─ HMAC key of the tenant's blind indexes (blind-index.ts)
//
// The PD keyring is the recordings' Keyring class over its own directory:
// recordings retire tenant keys no recording uses any more, which must never
// touch the keys that wrap subjects. Erasing a subject destroys its wrapped
// key (crypto-shredding); every copy of its fields is then noise.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { KEY_BYTES, loadMasterKey, unwrapKey, wrapKey, type MasterKey } from '../common/keys';
import { Keyring } from '../recordings';
import { BlindIndex } from './blind-index';
import { fieldUnreadable, subjectErased } from './errors';

export interface WrappedSubjectKey {
  tenantKeyId: string;
  wrapped: Buffer;
}

const subjectAad = (tenantId: number, subjectId: string, tenantKeyId: string) =>
  `korobka/pd/subject-key/v1|${tenantId}|${subjectId}|${tenantKeyId}`;

export class PdKeys {
  private readonly index = new Map<number, BlindIndex>();
  /** The active PD tenant key per tenant: Keyring reads its JSON file on every call, too slow for a bulk import. */
  private readonly active = new Map<number, { id: string; key: Buffer }>();

  constructor(readonly keyring: Keyring) {}

  static open(opts: { dataDir: string; masterKeyPath?: string }): PdKeys {
    return PdKeys.withMaster(opts.dataDir, loadMasterKey(opts));
  }

  static withMaster(dataDir: string, master: MasterKey): PdKeys {
    return new PdKeys(new Keyring(path.join(dataDir, 'keys', 'pd'), [master]));
  }

  /** The tenant's blind-index key: its own random key, never an encryption key. */
  blindIndex(tenantId: number): BlindIndex {
    let b = this.index.get(tenantId);
    if (!b) {
      b = new BlindIndex(this.keyring.activeTenantKey(`${tenantId}-index`).key);
      this.index.set(tenantId, b);
    }
    return b;
  }

  /** A new random subject key and its wrapped form under the tenant's active PD key. */
  newSubjectKey(tenantId: number, subjectId: string): { key: Buffer; wrapped: WrappedSubjectKey } {
    let tk = this.active.get(tenantId);
    if (!tk) {
      tk = this.keyring.activeTenantKey(String(tenantId));
      this.active.set(tenantId, tk);
    }
    const key = randomBytes(KEY_BYTES);
    return { key, wrapped: { tenantKeyId: tk.id, wrapped: wrapKey(tk.key, key, subjectAad(tenantId, subjectId, tk.id)) } };
  }

  unwrapSubjectKey(tenantId: number, subjectId: string, w: WrappedSubjectKey | null): Buffer {
    if (!w) throw subjectErased(subjectId);
    const tk = this.keyring.tenantKey(String(tenantId), w.tenantKeyId);
    const key = unwrapKey(tk, w.wrapped, subjectAad(tenantId, subjectId, w.tenantKeyId));
    if (!key) throw fieldUnreadable(`key of subject ${subjectId}`);
    return key;
  }
}
