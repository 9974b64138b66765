// The personal-data store's cipher for personal fields in other tables
// (issue 15): CDR parties, forward and transfer targets (the store's side:
// services/store/repos/pd-fields.ts). Each value is sealed under the key of
// the data subject of the number it belongs to, so erasing that subject
// (crypto-shredding) makes every copy unreadable, and found by the blind
// index of its E.164 number, never by a plain column.
//
// Plain on purpose, because they are not a person's data: the box's own
// extensions and service codes (up to 6 of 0-9 * #), `anonymous`, the
// erased marker. A party that is not a full number (a SIP user name, a
// number with an outside-line prefix) gets a subject of its own string.
import path from 'node:path';
import { AppError } from '../common/errors';
import { ERASED_PARTY, SEALED_PREFIX, SEALED_UNREADABLE, isSealed, type PdFieldCipher, type PdFieldRef, type Store } from '../store';
import { normalisePhone } from './normalise';
import { PdKeys } from './pd-keys';
import { PdStore } from './pd-store';

const NOT_PERSONAL = /^[0-9*#]{0,6}$/;

/** Whether a party value names a person (an outside number, a SIP user name) rather than the box's own extension or code. */
export function isPersonalParty(value: string): boolean {
  return !NOT_PERSONAL.test(value) && value.toLowerCase() !== 'anonymous' && value !== ERASED_PARTY && !isSealed(value);
}

export class PdFields implements PdFieldCipher {
  constructor(private readonly pd: () => PdStore) {}

  seal(value: string, ref: PdFieldRef, subjectOf: string = value): string {
    if (!isPersonalParty(value)) return value;
    const pd = this.pd();
    const n = normalisePhone(subjectOf);
    // A value that is not a full number is its own subject ("raw|…" never equals an E.164 string).
    const subject = pd.subjectForNumber(ref.tenantId, n.ok ? n.e164 : `raw|${subjectOf}`);
    return `${SEALED_PREFIX}${subject.id}:${pd.seal(subject.id, value, ref).toString('base64url')}`;
  }

  open(stored: string, ref: PdFieldRef): string {
    if (!isSealed(stored)) return stored;
    const [subjectId, body] = stored.slice(SEALED_PREFIX.length).split(':');
    if (!subjectId || !body) return SEALED_UNREADABLE;
    try {
      return this.pd().open(subjectId, Buffer.from(body, 'base64url'), ref);
    } catch (err) {
      // An erased subject reads as erased; a damaged or moved value must not break a list or an export.
      if (err instanceof AppError && err.code === 'pd-subject-erased') return ERASED_PARTY;
      if (err instanceof AppError) return SEALED_UNREADABLE;
      throw err;
    }
  }

  numberIndex(tenantId: number, value: string): Buffer | undefined {
    if (!isPersonalParty(value)) return undefined;
    const n = normalisePhone(value);
    return n.ok ? this.pd().blindIndex(tenantId).number(n.e164) : undefined;
  }
}

/**
 * Installs the personal-data cipher on a store opened by a process that may
 * hold the keys (call-control, api, mail, recordings, CLI). The keys are read
 * on the first sealed value, not at start.
 */
export function usePdFields(store: Store, opts: { dataDir?: string; masterKeyPath?: string | undefined; pd?: PdStore } = {}): PdStore | undefined {
  let pd = opts.pd;
  const dataDir = opts.dataDir ?? path.dirname(store.db.name);
  const lazy = () => {
    pd ??= new PdStore(store, PdKeys.open({ dataDir, ...(opts.masterKeyPath ? { masterKeyPath: opts.masterKeyPath } : {}) }));
    return pd;
  };
  store.usePdFields(new PdFields(lazy));
  return pd;
}
