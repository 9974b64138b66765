// Which recording files were hashed and matched their index entry, keyed by
// what stat says of them. A player seeking sends a Range request per seek;
// each used to re-hash the whole file. A file that changes after the check
// changes its ctime (which no user call can set back) or size or inode, and
// is hashed again; chunk authentication (AES-GCM) covers the rest.
import { stat } from 'node:fs/promises';

const MAX = 1000;

export class VerifiedFiles {
  private readonly seen = new Map<string, string>();

  private static async key(file: string): Promise<string | null> {
    const s = await stat(file).catch(() => null);
    return s && `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  }

  /**
   * Whether `file` was verified against `sha256` and has not changed since;
   * otherwise the stat taken now, to remember once the hash matched (taken
   * before hashing, so a change during the hash is not taken as verified).
   */
  async check(file: string, sha256: string): Promise<{ known: true } | { known: false; stat: string | null }> {
    const k = await VerifiedFiles.key(file);
    return k !== null && this.seen.get(`${file}\0${sha256}`) === k ? { known: true } : { known: false, stat: k };
  }

  remember(file: string, sha256: string, k: string | null): void {
    if (k === null) return;
    const id = `${file}\0${sha256}`;
    this.seen.delete(id);
    this.seen.set(id, k);
    if (this.seen.size > MAX) this.seen.delete(this.seen.keys().next().value!);
  }
}
