// Rows written in plain text before the personal-data cipher (issue 15):
// sealed by the process that holds the keys when it starts, then the file is
// VACUUMed with secure_delete and the WAL truncated, so no plain copy stays
// in free pages or old WAL frames. Runs once per start; a database with no
// plain party left costs one read of the CDR table.
import type { Logger } from '../common/logger';
import type { Store } from '../store';

export function sealPlainCdrs(store: Pick<Store, 'cdrs' | 'hasPdFields'>, log: Logger): number {
  if (!store.hasPdFields) return 0;
  let sealed: number;
  try {
    sealed = store.cdrs.sealPlainRows();
  } catch (err) {
    // Never stops call handling: the batches done so far stay sealed, the rest at the next start.
    log.error('cannot seal plain CDR parties', { err });
    return 0;
  }
  if (sealed === 0) return 0;
  try {
    store.cdrs.scrubFreePages();
    log.info('plain CDR parties sealed and free pages scrubbed', { rows: sealed });
  } catch (err) {
    // Another process kept the database busy: the rows are sealed; the old bytes go at the next VACUUM.
    log.error('CDR parties sealed but the file could not be vacuumed', { rows: sealed, err });
  }
  return sealed;
}
