// A file of reserved space in the data directory. When the disk fills up
// (recordings, logs, a runaway capture) SQLite can no longer grow the WAL and
// every write fails: sign-in (a session row), alarms, CDRs. Deleting this
// file gives those writes room again, so an admin can still sign in, see the
// alarm and act; it is made again once the disk has room for it and more.
import { existsSync, rmSync, statfsSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_RESERVE_BYTES = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;

export class DiskReserve {
  readonly file: string;

  constructor(
    dataDir: string,
    readonly bytes = DEFAULT_RESERVE_BYTES,
  ) {
    this.file = path.join(dataDir, 'disk-reserve.bin');
  }

  get held(): boolean {
    return existsSync(this.file) && statSync(this.file).size >= this.bytes;
  }

  /** Free bytes for an unprivileged writer on the data directory's filesystem. */
  freeBytes(): number {
    const s = statfsSync(path.dirname(this.file));
    return s.bavail * s.bsize;
  }

  /**
   * Makes the reserve when it is missing and the disk has room for it twice
   * over (so making it never fills the disk itself); true when it is held.
   * Asynchronous: writing it must not stall the caller's event loop.
   */
  async ensure(): Promise<boolean> {
    if (this.held) return true;
    if (this.making) return this.making;
    if (this.freeBytes() < 2 * this.bytes) return false;
    this.making = this.make().finally(() => (this.making = undefined));
    return this.making;
  }

  private making: Promise<boolean> | undefined;

  private async make(): Promise<boolean> {
    const tmp = `${this.file}.tmp`;
    // Real blocks, not a sparse file: deleting a sparse file frees nothing.
    const fh = await open(tmp, 'w', 0o600);
    try {
      const zeros = Buffer.alloc(CHUNK);
      for (let done = 0; done < this.bytes; done += CHUNK) await fh.write(zeros, 0, Math.min(CHUNK, this.bytes - done));
      await fh.sync();
    } catch (e) {
      await fh.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    await rename(tmp, this.file);
    return true;
  }

  /** Deletes the reserve; true when it was there (space was freed). */
  release(): boolean {
    if (!existsSync(this.file)) return false;
    rmSync(this.file, { force: true });
    return true;
  }
}
