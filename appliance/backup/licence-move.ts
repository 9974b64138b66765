// Restoring onto other hardware (issue 18): the restored licence was issued
// for the machine the backup came from. When it is otherwise good but this
// machine's fingerprint does not match, the restore leaves a mark
// (license/restore-mark.ts) so the licence keeps its limits for
// RESTORE_GRACE_DAYS while the vendor re-issues it. A second restore of the
// same licence onto the same box keeps the first mark's date: restoring again
// does not lengthen the grace period.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { collectFingerprint, evaluateLicence, RESTORE_GRACE_DAYS, type FingerprintComponent } from '../../licensing';
import { formatDay } from '../../licensing/format';
import type { Config } from '../config/schema';
import { trustedKeys } from '../license/licence-service';
import { readRestoreMark, writeRestoreMark } from '../license/restore-mark';

export type FingerprintSource = () => Promise<readonly FingerprintComponent[]>;

/** Marks `fresh` (the restored data directory, not yet switched in) when its licence is for another machine; returns a note for the admin, or null. */
export async function markLicenceMove(o: { config: Readonly<Config>; fresh: string; dataDir: string; fingerprint?: FingerprintSource; now?: Date }): Promise<string | null> {
  const file = path.join(o.fresh, 'license', 'korobka.lic');
  if (!existsSync(file)) return null;
  let keys;
  try {
    keys = trustedKeys(o.config);
  } catch {
    return null; // the config's keys are refused; `korobka doctor` says why
  }
  const now = o.now ?? new Date();
  const e = evaluateLicence({ licenceText: readFileSync(file, 'utf8'), publicKeys: keys, fingerprint: await (o.fingerprint ?? collectFingerprint)(), now });
  if (e.reason !== 'wrong-machine' || !e.licence) return null;
  const licenceId = e.licence.licenceId;
  const earlier = [readRestoreMark(o.dataDir), readRestoreMark(o.fresh)].find((m) => m?.licenceId === licenceId && Date.parse(m.at) <= now.getTime());
  const mark = { at: earlier?.at ?? now.toISOString(), licenceId };
  writeRestoreMark(o.fresh, mark);
  const ends = new Date(Date.parse(mark.at) + RESTORE_GRACE_DAYS * 86_400_000).toISOString();
  return `the licence ${licenceId} was issued for another machine: it keeps its limits for ${RESTORE_GRACE_DAYS} days from the restore${earlier ? ` of ${formatDay(mark.at)}` : ''}, until ${formatDay(ends)}; send \`korobka license request\` to your vendor for a licence for this machine`;
}
