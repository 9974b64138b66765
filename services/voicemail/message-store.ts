// Message files: the caller's audio is held in memory while it is recorded,
// then encrypted straight into a vault file (services/recordings' format:
// AES-256-GCM, a random data key per message wrapped by the tenant's
// voicemail key, wrapped by the box's master key). No plain audio is ever
// written. The file is written as `<id>.vm.part`, fsync'd, renamed to
// `<id>.vm`, then indexed: a process killed at any point leaves either a
// complete indexed message, or an encrypted leftover that `sweep()` deletes
// with a log line at the next start.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../common/logger';
import { Keyring, loadMasterKey, Vault, type G711Law } from '../recordings';
import type { Store, VoicemailMessage } from '../store';
import { durationMsOf, wavFromG711 } from './wav';

/** Under the data directory: `voicemail/<tenant>/<uuid>.vm`. */
export const VOICEMAIL_DIR = 'voicemail';

/**
 * The voicemail key hierarchy beside the recordings' one: the same master
 * key, tenant keys in `keys/voicemail/tenants/` (written only by call-control,
 * so no other process races to create a tenant's first key).
 */
export function openVoicemailVault(opts: { dataDir: string; masterKeyPath?: string }): Vault {
  const master = loadMasterKey(opts);
  return new Vault(new Keyring(path.join(opts.dataDir, 'keys', VOICEMAIL_DIR), [master]));
}

export interface RecordedAudio {
  law: G711Law;
  /** G.711 bytes as received, one byte per 8 kHz sample. */
  payload: Buffer;
}

export interface NewVoicemail {
  tenantId: number;
  boxId: number;
  callId: string;
  caller: string;
  receivedAt: Date;
  audio: RecordedAudio;
}

export class MessageStore {
  constructor(
    private readonly deps: { store: Pick<Store, 'voicemail' | 'transaction'>; vault: Vault; dataDir: string; log: Logger },
  ) {}

  /** Encrypts and indexes one message; resolves with its row. */
  async save(m: NewVoicemail): Promise<VoicemailMessage> {
    const rel = path.join(VOICEMAIL_DIR, String(m.tenantId), `${randomUUID()}.vm`);
    const abs = path.join(this.deps.dataDir, rel);
    const dir = path.dirname(abs);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const part = `${abs}.part`;
    const wav = wavFromG711(m.audio.law, m.audio.payload);
    const enc = await this.deps.vault.encryptBuffer(wav, part, String(m.tenantId));
    // Wipe the plain copy in memory as soon as it is sealed.
    wav.fill(0);
    await rename(part, abs);
    await syncDir(dir);
    try {
      return this.deps.store.voicemail.insertMessage({
        tenantId: m.tenantId,
        boxId: m.boxId,
        callId: m.callId,
        caller: m.caller,
        receivedAt: m.receivedAt.toISOString(),
        durationMs: durationMsOf(m.audio.payload.length),
        filePath: rel,
        sizeBytes: enc.size,
        fileSha256: enc.fileSha256,
        tenantKeyId: enc.tenantKeyId,
      });
    } catch (err) {
      await rm(abs, { force: true });
      throw err;
    }
  }

  /** The decrypted WAV of a message (played by phone or sent to the browser). */
  async wav(m: VoicemailMessage): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const p of this.deps.vault.decrypt(this.absolute(m))) parts.push(p);
    return Buffer.concat(parts);
  }

  absolute(m: Pick<VoicemailMessage, 'filePath'>): string {
    return path.join(this.deps.dataDir, m.filePath);
  }

  /** Deletes the row, then the file (a file without a row is swept; a row without a file would be a broken message). */
  async remove(id: number): Promise<VoicemailMessage | undefined> {
    const gone = this.deps.store.voicemail.deleteMessage(id);
    if (gone) await rm(this.absolute(gone), { force: true });
    return gone;
  }

  /**
   * At start: a `.part` (killed while encrypting) or a `.vm` the index does
   * not know (killed between rename and insert) is discarded, logged. Both
   * are ciphertext; nothing plain is ever left to find.
   */
  async sweep(): Promise<{ discarded: string[] }> {
    const root = path.join(this.deps.dataDir, VOICEMAIL_DIR);
    const discarded: string[] = [];
    if (!existsSync(root)) return { discarded };
    const known = this.deps.store.voicemail.allFilePaths();
    for (const tenant of await readdir(root)) {
      const dir = path.join(root, tenant);
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const rel = path.join(VOICEMAIL_DIR, tenant, name);
        if (name.endsWith('.vm') && known.has(rel)) continue;
        await rm(path.join(dir, name), { force: true });
        discarded.push(rel);
        this.deps.log.warn('voicemail message discarded: incomplete when the process stopped', { file: rel });
      }
    }
    return { discarded };
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
