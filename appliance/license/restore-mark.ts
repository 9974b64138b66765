// The mark `korobka restore` leaves when it puts a licence on a machine the
// licence was not issued for (licensing/verify.ts: restoredGrace): when, and
// which licence. Kept in license/restored-onto with an HMAC under
// keys/licence-mark.key, as the licence clock's mark is, so an edited date is
// ignored (the box then runs as on any other machine: eval limits). Root can
// forge it, as it can the clock mark: this stops a casual edit, not the owner.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RestoreMark } from '../../licensing';
import { writeSecretFile } from '../../services/common/keys';
import { markKey } from './high-water';

const paths = (dataDir: string) => ({
  key: path.join(dataDir, 'keys', 'licence-mark.key'),
  mark: path.join(dataDir, 'license', 'restored-onto'),
});

const macOf = (key: Buffer, m: RestoreMark) => createHmac('sha256', key).update(JSON.stringify(['restored-onto', m.at, m.licenceId])).digest('hex');

/** The mark of the data directory, or undefined when there is none or it does not verify. */
export function readRestoreMark(dataDir: string): RestoreMark | undefined {
  const p = paths(dataDir);
  if (!existsSync(p.mark) || !existsSync(p.key)) return undefined;
  try {
    const raw = JSON.parse(readFileSync(p.mark, 'utf8')) as { at?: unknown; licenceId?: unknown; mac?: unknown };
    if (typeof raw.at !== 'string' || typeof raw.licenceId !== 'string' || typeof raw.mac !== 'string') return undefined;
    const mark = { at: raw.at, licenceId: raw.licenceId };
    const want = Buffer.from(macOf(readFileSync(p.key), mark), 'hex');
    const got = Buffer.from(raw.mac, 'hex');
    return got.length === want.length && timingSafeEqual(got, want) ? mark : undefined;
  } catch {
    return undefined;
  }
}

export function writeRestoreMark(dataDir: string, mark: RestoreMark): void {
  const p = paths(dataDir);
  writeSecretFile(p.mark, JSON.stringify({ ...mark, mac: macOf(markKey(p.key), mark) }) + '\n');
}
