// Captures that failed conversion. Before issue 16 they stayed in the spool in
// plain text for ever and were retried every sweep; now each is encrypted
// under its tenant's key into recordings/quarantine/<qid>/, its plain files
// are deleted, an alarm says so, and it is retried with a growing delay
// (restored into the 0700 work directory only for the attempt).
//
// Per entry: part-<i>.pcap.krec and part-<i>.meta.krec (rtpengine's files),
// input.json.krec (what call-control said of the call: numbers, ids), and a
// plain state.json that holds no personal data (counts, times, error code).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { RecordingMetadata } from './capture-metadata';
import type { Vault } from './vault';

export interface QuarantinePart {
  pcapPath: string;
  metadataPath?: string;
}

export interface QuarantineState {
  qid: string;
  tenantId: string;
  /** The first pcap's file name, for the alarm and the log (no personal data). */
  pcapName: string;
  parts: Array<{ pcap: string; meta?: string }>;
  allowTruncatedTail: boolean;
  attempts: number;
  firstFailedAt: string;
  nextAttemptAt: string;
  code: string;
  message: string;
  /** Tenant key ids the files are encrypted under (kept when the tenant's key rotates). */
  keyIds: string[];
}

export interface Restored {
  parts: QuarantinePart[];
  meta?: RecordingMetadata;
  allowTruncatedTail: boolean;
}

export interface QuarantineOptions {
  /** First retry after this long; doubled after each failure. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

const STATE = 'state.json';

export class Quarantine {
  readonly dir: string;
  private readonly base: number;
  private readonly max: number;

  constructor(
    recordingsDir: string,
    private readonly vault: Vault,
    opts: QuarantineOptions = {},
  ) {
    this.dir = path.join(recordingsDir, 'quarantine');
    this.base = opts.retryBaseMs ?? 60_000;
    this.max = opts.retryMaxMs ?? 24 * 3600_000;
  }

  private delay(attempts: number): number {
    return Math.min(this.max, this.base * 2 ** Math.max(0, attempts - 1));
  }

  /**
   * Encrypts the capture's files (and `meta`) into a new entry, then deletes
   * the plain files. `work` is a 0700 directory for the one plain JSON written.
   */
  async put(
    parts: QuarantinePart[],
    o: { tenantId: string; meta?: RecordingMetadata; allowTruncatedTail: boolean; code: string; message: string; now: Date; work: string },
  ): Promise<QuarantineState> {
    const qid = `q-${o.now.getTime().toString(36)}-${randomBytes(6).toString('hex')}`;
    const tmp = path.join(this.dir, `.${qid}`);
    await mkdir(tmp, { recursive: true, mode: 0o700 });
    const keyIds = new Set<string>();
    const enc = async (plain: string, name: string) => {
      keyIds.add((await this.vault.encryptFile(plain, path.join(tmp, name), o.tenantId)).tenantKeyId);
      return name;
    };
    try {
      const stored: QuarantineState['parts'] = [];
      for (const [i, p] of parts.entries()) {
        if (!existsSync(p.pcapPath)) continue;
        const pcap = await enc(p.pcapPath, `part-${i}.pcap.krec`);
        const meta = p.metadataPath && existsSync(p.metadataPath) ? await enc(p.metadataPath, `part-${i}.meta.krec`) : undefined;
        stored.push({ pcap, ...(meta ? { meta } : {}) });
      }
      if (o.meta) {
        await mkdir(o.work, { recursive: true, mode: 0o700 });
        const plain = path.join(o.work, `${qid}-input.json`);
        await writeFile(plain, JSON.stringify(o.meta), { mode: 0o600 });
        try {
          await enc(plain, 'input.json.krec');
        } finally {
          await rm(plain, { force: true });
        }
      }
      const state: QuarantineState = {
        qid,
        tenantId: o.tenantId,
        pcapName: path.basename(parts[0]?.pcapPath ?? ''),
        parts: stored,
        allowTruncatedTail: o.allowTruncatedTail,
        attempts: 1,
        firstFailedAt: o.now.toISOString(),
        nextAttemptAt: new Date(o.now.getTime() + this.delay(1)).toISOString(),
        code: o.code,
        message: o.message,
        keyIds: [...keyIds],
      };
      await writeFile(path.join(tmp, STATE), JSON.stringify(state), { mode: 0o600 });
      await rename(tmp, path.join(this.dir, qid)); // the entry appears whole or not at all
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
    for (const p of parts) {
      await rm(p.pcapPath, { force: true });
      if (p.metadataPath) await rm(p.metadataPath, { force: true });
    }
    return (await this.read(qid))!;
  }

  async list(): Promise<QuarantineState[]> {
    if (!existsSync(this.dir)) return [];
    const out: QuarantineState[] = [];
    for (const d of await readdir(this.dir, { withFileTypes: true })) {
      if (!d.isDirectory() || d.name.startsWith('.')) continue;
      const s = await this.read(d.name);
      if (s) out.push(s);
    }
    return out.sort((a, b) => a.firstFailedAt.localeCompare(b.firstFailedAt));
  }

  async due(now: Date): Promise<QuarantineState[]> {
    return (await this.list()).filter((s) => Date.parse(s.nextAttemptAt) <= now.getTime());
  }

  private async read(qid: string): Promise<QuarantineState | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.dir, qid, STATE), 'utf8')) as QuarantineState;
    } catch {
      return undefined; // half-written by a crash: a leftover `.q-…` dir is never listed
    }
  }

  /** Decrypts the entry into `work` (0700) for one attempt. */
  async restore(s: QuarantineState, work: string): Promise<Restored> {
    await mkdir(work, { recursive: true, mode: 0o700 });
    const entry = path.join(this.dir, s.qid);
    const dec = async (name: string, out: string) => {
      const ws = createWriteStream(out, { mode: 0o600 });
      for await (const chunk of this.vault.decrypt(path.join(entry, name))) if (!ws.write(chunk)) await once(ws, 'drain');
      ws.end();
      await once(ws, 'close');
      return out;
    };
    const parts: QuarantinePart[] = [];
    for (const [i, p] of s.parts.entries()) {
      const pcapPath = await dec(p.pcap, path.join(work, `part-${i}.pcap`));
      const metadataPath = p.meta ? await dec(p.meta, path.join(work, `part-${i}.meta`)) : undefined;
      parts.push({ pcapPath, ...(metadataPath ? { metadataPath } : {}) });
    }
    let meta: RecordingMetadata | undefined;
    if (existsSync(path.join(entry, 'input.json.krec'))) {
      const chunks: Buffer[] = [];
      for await (const c of this.vault.decrypt(path.join(entry, 'input.json.krec'))) chunks.push(c);
      meta = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordingMetadata;
    }
    return { parts, ...(meta ? { meta } : {}), allowTruncatedTail: s.allowTruncatedTail };
  }

  async failedAgain(s: QuarantineState, code: string, message: string, now: Date): Promise<QuarantineState> {
    const next: QuarantineState = { ...s, attempts: s.attempts + 1, code, message, nextAttemptAt: new Date(now.getTime() + this.delay(s.attempts + 1)).toISOString() };
    const file = path.join(this.dir, s.qid, STATE);
    await writeFile(`${file}.tmp`, JSON.stringify(next), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    return next;
  }

  async remove(s: QuarantineState): Promise<void> {
    await rm(path.join(this.dir, s.qid), { recursive: true, force: true });
  }
}
