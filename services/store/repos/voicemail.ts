// Voicemail boxes and messages (migration 0065). The voicemail service
// writes message files and calls insertMessage only once a file is complete.
import type { Db } from '../db';

export const voicemailFolders = ['new', 'saved'] as const;
export type VoicemailFolder = (typeof voicemailFolders)[number];

export interface VoicemailBox {
  id: number;
  tenantId: number;
  number: string;
  name: string;
  /** The owning extension's id; null for a shared box. */
  extensionId: number | null;
  /** scrypt of the PIN (services/voicemail/pin.ts); null: no PIN set, listening refused. */
  pinHash: string | null;
  pinFailures: number;
  lockedUntil: string | null;
  greetings: { unavailable: number | null; busy: number | null; name: number | null };
  maxMessageSeconds: number;
  maxMessages: number;
  email: string | null;
  createdAt: string;
  updatedAt: string;
}

export type BoxFields = Pick<VoicemailBox, 'number' | 'name' | 'extensionId' | 'greetings' | 'maxMessageSeconds' | 'maxMessages' | 'email'>;

export interface VoicemailMessage {
  id: number;
  tenantId: number;
  boxId: number;
  callId: string;
  caller: string;
  receivedAt: string;
  durationMs: number;
  folder: VoicemailFolder;
  /** Relative to the data directory. */
  filePath: string;
  sizeBytes: number;
  fileSha256: string;
  tenantKeyId: string;
  readAt: string | null;
}

export type NewMessage = Omit<VoicemailMessage, 'id' | 'folder' | 'readAt'>;

interface BoxRow {
  id: number;
  tenant_id: number;
  number: string;
  name: string;
  extension_id: number | null;
  pin_hash: string | null;
  pin_failures: number;
  locked_until: string | null;
  greeting_unavailable: number | null;
  greeting_busy: number | null;
  greeting_name: number | null;
  max_message_seconds: number;
  max_messages: number;
  email: string | null;
  created_at: string;
  updated_at: string;
}

interface MessageRow {
  id: number;
  tenant_id: number;
  box_id: number;
  call_id: string;
  caller: string;
  received_at: string;
  duration_ms: number;
  folder: VoicemailFolder;
  file_path: string;
  size_bytes: number;
  file_sha256: string;
  tenant_key_id: string;
  read_at: string | null;
}

const toBox = (r: BoxRow): VoicemailBox => ({
  id: r.id,
  tenantId: r.tenant_id,
  number: r.number,
  name: r.name,
  extensionId: r.extension_id,
  pinHash: r.pin_hash,
  pinFailures: r.pin_failures,
  lockedUntil: r.locked_until,
  greetings: { unavailable: r.greeting_unavailable, busy: r.greeting_busy, name: r.greeting_name },
  maxMessageSeconds: r.max_message_seconds,
  maxMessages: r.max_messages,
  email: r.email,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toMessage = (r: MessageRow): VoicemailMessage => ({
  id: r.id,
  tenantId: r.tenant_id,
  boxId: r.box_id,
  callId: r.call_id,
  caller: r.caller,
  receivedAt: r.received_at,
  durationMs: r.duration_ms,
  folder: r.folder,
  filePath: r.file_path,
  sizeBytes: r.size_bytes,
  fileSha256: r.file_sha256,
  tenantKeyId: r.tenant_key_id,
  readAt: r.read_at,
});

export class VoicemailRepo {
  constructor(private readonly db: Db) {}

  boxes(tenantId?: number): VoicemailBox[] {
    return (this.db.prepare('SELECT * FROM voicemail_boxes WHERE (@t IS NULL OR tenant_id = @t) ORDER BY tenant_id, number').all({ t: tenantId ?? null }) as BoxRow[]).map(toBox);
  }

  /** Boxes of the extensions linked to a user (an employee's own boxes). */
  boxesOfUser(userId: number): VoicemailBox[] {
    return (
      this.db
        .prepare('SELECT b.* FROM voicemail_boxes b JOIN extension_features f ON f.extension_id = b.extension_id WHERE f.user_id = ? ORDER BY b.number')
        .all(userId) as BoxRow[]
    ).map(toBox);
  }

  box(id: number): VoicemailBox | undefined {
    const r = this.db.prepare('SELECT * FROM voicemail_boxes WHERE id = ?').get(id) as BoxRow | undefined;
    return r ? toBox(r) : undefined;
  }

  boxByNumber(tenantId: number, number: string): VoicemailBox | undefined {
    const r = this.db.prepare('SELECT * FROM voicemail_boxes WHERE tenant_id = ? AND number = ?').get(tenantId, number) as BoxRow | undefined;
    return r ? toBox(r) : undefined;
  }

  /** The box of an extension (by its number), for forwarding "to voicemail" and the own-box feature code. */
  boxOfExtension(tenantId: number, extension: string): VoicemailBox | undefined {
    const r = this.db
      .prepare('SELECT b.* FROM voicemail_boxes b JOIN extensions e ON e.id = b.extension_id WHERE e.tenant_id = ? AND e.extension = ?')
      .get(tenantId, extension) as BoxRow | undefined;
    return r ? toBox(r) : undefined;
  }

  /** The number of the extension a box belongs to. */
  extensionNumber(extensionId: number): string | undefined {
    return (this.db.prepare('SELECT extension FROM extensions WHERE id = ?').get(extensionId) as { extension: string } | undefined)?.extension;
  }

  createBox(tenantId: number, f: BoxFields, pinHash: string | null, now = new Date()): VoicemailBox {
    const at = now.toISOString();
    const r = this.db
      .prepare(
        `INSERT INTO voicemail_boxes (tenant_id, number, name, extension_id, pin_hash, greeting_unavailable, greeting_busy, greeting_name,
           max_message_seconds, max_messages, email, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(tenantId, f.number, f.name, f.extensionId, pinHash, f.greetings.unavailable, f.greetings.busy, f.greetings.name, f.maxMessageSeconds, f.maxMessages, f.email, at, at) as BoxRow;
    return toBox(r);
  }

  updateBox(id: number, f: BoxFields, now = new Date()): VoicemailBox | undefined {
    const r = this.db
      .prepare(
        `UPDATE voicemail_boxes SET number = ?, name = ?, extension_id = ?, greeting_unavailable = ?, greeting_busy = ?, greeting_name = ?,
           max_message_seconds = ?, max_messages = ?, email = ?, updated_at = ? WHERE id = ? RETURNING *`,
      )
      .get(f.number, f.name, f.extensionId, f.greetings.unavailable, f.greetings.busy, f.greetings.name, f.maxMessageSeconds, f.maxMessages, f.email, now.toISOString(), id) as BoxRow | undefined;
    return r ? toBox(r) : undefined;
  }

  /** A new PIN clears failures and the lock. */
  setPin(id: number, pinHash: string, now = new Date()): void {
    this.db.prepare('UPDATE voicemail_boxes SET pin_hash = ?, pin_failures = 0, locked_until = NULL, updated_at = ? WHERE id = ?').run(pinHash, now.toISOString(), id);
  }

  /** Counts a wrong PIN; at `limit` failures the box locks until `lockUntil`. Returns the failures now. */
  pinFailed(id: number, limit: number, lockUntil: Date): { failures: number; lockedUntil: string | null } {
    return this.db.transaction(() => {
      const r = this.db.prepare('UPDATE voicemail_boxes SET pin_failures = pin_failures + 1 WHERE id = ? RETURNING pin_failures').get(id) as { pin_failures: number } | undefined;
      const failures = r?.pin_failures ?? 0;
      if (failures < limit) return { failures, lockedUntil: null };
      const until = lockUntil.toISOString();
      this.db.prepare('UPDATE voicemail_boxes SET locked_until = ?, pin_failures = 0 WHERE id = ?').run(until, id);
      return { failures, lockedUntil: until };
    }).immediate();
  }

  pinAccepted(id: number): void {
    this.db.prepare('UPDATE voicemail_boxes SET pin_failures = 0, locked_until = NULL WHERE id = ?').run(id);
  }

  deleteBox(id: number): boolean {
    return this.db.prepare('DELETE FROM voicemail_boxes WHERE id = ?').run(id).changes > 0;
  }

  /** Boxes that play a prompt (the prompts repo's usage check). */
  boxesPlaying(promptId: number): VoicemailBox[] {
    return (
      this.db.prepare('SELECT * FROM voicemail_boxes WHERE ? IN (greeting_unavailable, greeting_busy, greeting_name) ORDER BY number').all(promptId) as BoxRow[]
    ).map(toBox);
  }

  insertMessage(m: NewMessage): VoicemailMessage {
    const r = this.db
      .prepare(
        `INSERT INTO voicemail_messages (tenant_id, box_id, call_id, caller, received_at, duration_ms, file_path, size_bytes, file_sha256, tenant_key_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(m.tenantId, m.boxId, m.callId, m.caller, m.receivedAt, m.durationMs, m.filePath, m.sizeBytes, m.fileSha256, m.tenantKeyId) as MessageRow;
    return toMessage(r);
  }

  /** Newest first within a folder, all folders when none given. */
  messages(boxId: number, folder?: VoicemailFolder): VoicemailMessage[] {
    return (
      this.db
        .prepare('SELECT * FROM voicemail_messages WHERE box_id = @b AND (@f IS NULL OR folder = @f) ORDER BY received_at DESC, id DESC')
        .all({ b: boxId, f: folder ?? null }) as MessageRow[]
    ).map(toMessage);
  }

  message(id: number): VoicemailMessage | undefined {
    const r = this.db.prepare('SELECT * FROM voicemail_messages WHERE id = ?').get(id) as MessageRow | undefined;
    return r ? toMessage(r) : undefined;
  }

  counts(boxId: number): { new: number; saved: number } {
    const rows = this.db.prepare('SELECT folder, count(*) AS n FROM voicemail_messages WHERE box_id = ? GROUP BY folder').all(boxId) as Array<{ folder: VoicemailFolder; n: number }>;
    return { new: rows.find((r) => r.folder === 'new')?.n ?? 0, saved: rows.find((r) => r.folder === 'saved')?.n ?? 0 };
  }

  /** Every box's counts in one query (the message-waiting check reads them all every few seconds). */
  countsByBox(): Map<number, { new: number; saved: number }> {
    const out = new Map<number, { new: number; saved: number }>();
    for (const r of this.db.prepare('SELECT box_id, folder, count(*) AS n FROM voicemail_messages GROUP BY box_id, folder').all() as Array<{ box_id: number; folder: VoicemailFolder; n: number }>) {
      const c = out.get(r.box_id) ?? { new: 0, saved: 0 };
      c[r.folder] = r.n;
      out.set(r.box_id, c);
    }
    return out;
  }

  /** Listened to (by phone or in the browser): moves to saved and stamps read_at once. */
  markRead(id: number, now = new Date()): VoicemailMessage | undefined {
    const r = this.db
      .prepare(`UPDATE voicemail_messages SET folder = 'saved', read_at = coalesce(read_at, ?) WHERE id = ? RETURNING *`)
      .get(now.toISOString(), id) as MessageRow | undefined;
    return r ? toMessage(r) : undefined;
  }

  deleteMessage(id: number): VoicemailMessage | undefined {
    const r = this.db.prepare('DELETE FROM voicemail_messages WHERE id = ? RETURNING *').get(id) as MessageRow | undefined;
    return r ? toMessage(r) : undefined;
  }

  /** Every message file the index knows (the start-up sweep keeps these). */
  allFilePaths(): Set<string> {
    return new Set((this.db.prepare('SELECT file_path FROM voicemail_messages').all() as Array<{ file_path: string }>).map((r) => r.file_path));
  }
}
