// Prompts (migration 0051). Files are written by services/prompts; this repo
// keeps their rows. Deleting a prompt that a call flow still plays is
// refused: the tables that refer to prompts register a usage check here
// (addUsageCheck), and a foreign key with ON DELETE RESTRICT is caught as
// the same refusal, so either way of referring is honoured.
import { AppError } from '../../common/errors';
import type { Db } from '../db';

export const promptKinds = ['upload', 'tts', 'moh'] as const;
export const promptLanguages = ['ru', 'en'] as const;
export const promptSources = ['wav', 'mp3', 'ogg', 'espeak-ng'] as const;

export type PromptKind = (typeof promptKinds)[number];
export type PromptLanguage = (typeof promptLanguages)[number];
export type PromptSource = (typeof promptSources)[number];

export interface Prompt {
  id: number;
  tenantId: number;
  name: string;
  language: PromptLanguage;
  kind: PromptKind;
  /** The spoken text of a TTS prompt; null otherwise. */
  text: string | null;
  source: PromptSource;
  /** Relative to the data directory. */
  alawPath: string;
  ulawPath: string;
  durationMs: number;
  /** Bytes of what was uploaded (or of the synthesised WAV). */
  sizeBytes: number;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

export type NewPrompt = Omit<Prompt, 'id' | 'alawPath' | 'ulawPath' | 'createdAt' | 'updatedAt'>;

/** Something that plays a prompt: an IVR menu, an announcement, a queue. */
export interface PromptUse {
  type: string;
  id: number | string;
  name: string;
}

export type PromptUsageCheck = (prompt: Prompt) => PromptUse[];

interface Row {
  id: number;
  tenant_id: number;
  name: string;
  language: PromptLanguage;
  kind: PromptKind;
  text: string | null;
  source: PromptSource;
  alaw_path: string;
  ulaw_path: string;
  duration_ms: number;
  size_bytes: number;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

const toPrompt = (r: Row): Prompt => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  language: r.language,
  kind: r.kind,
  text: r.text,
  source: r.source,
  alawPath: r.alaw_path,
  ulawPath: r.ulaw_path,
  durationMs: r.duration_ms,
  sizeBytes: r.size_bytes,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const promptInUse = (p: Prompt, uses: PromptUse[]) =>
  new AppError(409, 'prompt-in-use', `prompt "${p.name}" is played by ${uses.length ? uses.map((u) => u.name).join(', ') : 'a call flow'}; change those first`, { uses });

function guard<T>(write: () => T): T {
  try {
    return write();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError(409, 'prompt-exists', 'a prompt with this name exists in this organisation', { field: 'name' });
    if (code === 'SQLITE_CONSTRAINT_CHECK') throw new AppError(400, 'invalid-prompt', `prompt rejected by the store: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}

export class PromptsRepo {
  private readonly checks: PromptUsageCheck[] = [];

  constructor(private readonly db: Db) {}

  /** Called by whatever stores prompt ids (IVR menus, announcements, queues). */
  addUsageCheck(check: PromptUsageCheck): void {
    this.checks.push(check);
  }

  uses(p: Prompt): PromptUse[] {
    return this.checks.flatMap((c) => c(p));
  }

  list(tenantId?: number): Prompt[] {
    return (this.db.prepare('SELECT * FROM prompts WHERE (@t IS NULL OR tenant_id = @t) ORDER BY tenant_id, name').all({ t: tenantId ?? null }) as Row[]).map(toPrompt);
  }

  get(id: number): Prompt | undefined {
    const r = this.db.prepare('SELECT * FROM prompts WHERE id = ?').get(id) as Row | undefined;
    return r && toPrompt(r);
  }

  /**
   * Inserts the row, names its files after the new id and runs `place` (the
   * caller moves its staged files there) inside one transaction: if placing
   * fails, no row remains.
   */
  create(p: NewPrompt, place: (id: number) => { alawPath: string; ulawPath: string }, now = new Date()): Prompt {
    return this.db.transaction(() => {
      const info = guard(() =>
        this.db
          .prepare(
            `INSERT INTO prompts (tenant_id, name, language, kind, text, source, alaw_path, ulaw_path, duration_ms, size_bytes, created_by, created_at, updated_at)
             VALUES (@tenantId, @name, @language, @kind, @text, @source, '', '', @durationMs, @sizeBytes, @createdBy, @at, @at)`,
          )
          .run({ ...p, at: now.toISOString() }),
      );
      const id = Number(info.lastInsertRowid);
      const files = place(id);
      this.db.prepare('UPDATE prompts SET alaw_path = ?, ulaw_path = ? WHERE id = ?').run(files.alawPath, files.ulawPath, id);
      return this.get(id)!;
    })();
  }

  byName(tenantId: number, name: string): Prompt | undefined {
    const r = this.db.prepare('SELECT * FROM prompts WHERE tenant_id = ? AND name = ?').get(tenantId, name) as Row | undefined;
    return r && toPrompt(r);
  }

  rename(id: number, name: string, now = new Date()): Prompt | undefined {
    guard(() => this.db.prepare('UPDATE prompts SET name = ?, updated_at = ? WHERE id = ?').run(name, now.toISOString(), id));
    return this.get(id);
  }

  /** Refuses (prompt-in-use) while anything plays it; true when a row went. */
  delete(id: number): boolean {
    const p = this.get(id);
    if (!p) return false;
    const uses = this.uses(p);
    if (uses.length) throw promptInUse(p, uses);
    try {
      return this.db.prepare('DELETE FROM prompts WHERE id = ?').run(id).changes === 1;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw promptInUse(p, []);
      throw e;
    }
  }
}
