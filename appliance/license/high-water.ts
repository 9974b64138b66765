// The licence clock's high-water mark (licensing/clock.ts), kept twice: in
// the store's settings and in license/high-water beside the licence, each
// with an HMAC under keys/licence-mark.key. Editing the database row (or the
// file) by hand is detected and reported, and the unaltered copy is used; the
// later of the copies that verify wins. Anyone who can read the key file (root)
// can still forge both: this stops an edit of one row, not the machine's owner.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Boot, HighWaterMark, HighWaterPort } from '../../licensing';
import { writeSecretFile } from '../../services/common/keys';
import type { LicenceSettings } from '../../services/common/service';

export const HIGH_WATER_KEY = 'license.highWater';

interface Sealed {
  mark: HighWaterMark;
  mac: string;
}

const paths = (dataDir: string) => ({
  key: path.join(dataDir, 'keys', 'licence-mark.key'),
  copy: path.join(dataDir, 'license', 'high-water'),
});

export function markKey(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      const fd = openSync(file, 'wx', 0o600); // wx: two processes starting at once keep one key
      try {
        writeSync(fd, randomBytes(32));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return readFileSync(file);
}

const macOf = (key: Buffer, mark: HighWaterMark) => createHmac('sha256', key).update(JSON.stringify([mark.at, mark.base ?? null])).digest('hex');

/** A copy as read: a verified mark, a mark from before MACs (a plain ISO string), an altered one, or none. */
type Copy = { kind: 'ok' | 'legacy' | 'altered'; mark: HighWaterMark } | { kind: 'none' };

function judge(key: Buffer, raw: unknown): Copy {
  if (raw === undefined || raw === null) return { kind: 'none' };
  if (typeof raw === 'string') return Number.isNaN(Date.parse(raw)) ? { kind: 'none' } : { kind: 'legacy', mark: { at: raw } };
  const s = raw as Partial<Sealed>;
  if (!s.mark || typeof s.mark.at !== 'string' || Number.isNaN(Date.parse(s.mark.at)) || typeof s.mac !== 'string') return { kind: 'altered', mark: { at: new Date(0).toISOString() } };
  const want = Buffer.from(macOf(key, s.mark), 'hex');
  const got = Buffer.from(s.mac, 'hex');
  const ok = got.length === want.length && timingSafeEqual(got, want);
  return { kind: ok ? 'ok' : 'altered', mark: s.mark };
}

function readCopy(file: string): unknown {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return { mark: null };
  }
}

export function machineBoot(): Boot {
  let id = 'unknown';
  try {
    id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    /* not Linux: every judgement counts as a new boot, which only makes the mark slower */
  }
  return { id, uptimeS: os.uptime() };
}

export function highWaterPort(dataDir: string, store: LicenceSettings, boot: () => Boot = machineBoot): HighWaterPort {
  const p = paths(dataDir);
  const copies = (): Copy[] => {
    const key = markKey(p.key);
    const file = judge(key, readCopy(p.copy));
    const row = judge(key, store.settings.get<unknown>(HIGH_WATER_KEY));
    // A plain time in the row is what boxes before the MAC stored; once the sealed copy exists it is an edit.
    return [row.kind === 'legacy' && file.kind !== 'none' ? { ...row, kind: 'altered' as const } : row, file];
  };
  return {
    boot,
    tampered: () => copies().some((c) => c.kind === 'altered'),
    get() {
      const all = copies().filter((c): c is Exclude<Copy, { kind: 'none' }> => c.kind !== 'none');
      const trusted = all.filter((c) => c.kind !== 'altered');
      // Both copies altered: the latest of them still beats forgetting the mark.
      const pool = trusted.length > 0 ? trusted : all;
      return pool.map((c) => c.mark).sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
    },
    set(mark) {
      const sealed: Sealed = { mark, mac: macOf(markKey(p.key), mark) };
      store.settings.set(HIGH_WATER_KEY, sealed);
      writeSecretFile(p.copy, JSON.stringify(sealed) + '\n');
    },
  };
}
