// Migration 0051: prompts over a database at version 50 with a tenant and a
// user; the checks refuse a TTS prompt without text, an upload with text, an
// unknown language and a zero duration; names are unique per tenant; a
// deleted user leaves the prompt without an author; a tenant takes its
// prompts with it; a failing file move leaves no row.
import { describe, expect, it } from 'vitest';
import { schemaVersion, type Db, type NewPrompt } from '../../services/store';
import { PromptsRepo } from '../../services/store/repos/prompts';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig51-');

function at51(): Db {
  return mig.at(50, 51, (d) => {
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', '2026-12-06T00:00:00Z')").run();
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('U', 'u.example.ru', '2026-12-06T00:00:00Z')").run();
    d.prepare("INSERT INTO users (tenant_id, username, role, password_hash, password_changed_at, created_at) VALUES (1, 'anna', 'tenant-admin', 'x', '2026-12-06T00:00:00Z', '2026-12-06T00:00:00Z')").run();
  });
}

const greeting: NewPrompt = { tenantId: 1, name: 'Приветствие', language: 'ru', kind: 'tts', text: 'Здравствуйте', source: 'espeak-ng', durationMs: 1200, sizeBytes: 52_000, createdBy: 1 };
const files = (id: number) => ({ alawPath: `prompts/1/${id}.alaw.wav`, ulawPath: `prompts/1/${id}.ulaw.wav` });

describe('migration 0051 prompts', () => {
  it('stores prompts with their files named after the id', () => {
    const d = at51();
    expect(schemaVersion(d)).toBe(51);
    const repo = new PromptsRepo(d);
    const p = repo.create(greeting, files);
    expect(p).toMatchObject({ ...greeting, id: 1, alawPath: 'prompts/1/1.alaw.wav', ulawPath: 'prompts/1/1.ulaw.wav' });
    expect(repo.byName(1, 'Приветствие')?.id).toBe(1);
    expect(repo.list(2)).toEqual([]);
  });

  it('refuses rows that break the rules', () => {
    const repo = new PromptsRepo(at51());
    const bad: [string, Partial<NewPrompt>][] = [
      ['tts without text', { text: null }],
      ['upload with text', { kind: 'upload', source: 'wav' }],
      ['upload from espeak', { kind: 'upload', text: null }],
      ['unknown language', { language: 'de' as 'ru' }],
      ['zero duration', { durationMs: 0 }],
      ['empty name', { name: '' }],
    ];
    for (const [what, change] of bad) expect(() => repo.create({ ...greeting, ...change }, files), what).toThrow(expect.objectContaining({ code: 'invalid-prompt' }));
    repo.create(greeting, files);
    expect(() => repo.create(greeting, files)).toThrow(expect.objectContaining({ code: 'prompt-exists' }));
    expect(repo.create({ ...greeting, tenantId: 2 }, files).tenantId).toBe(2);
  });

  it('keeps no row when placing the files fails', () => {
    const repo = new PromptsRepo(at51());
    expect(() =>
      repo.create(greeting, () => {
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(repo.list()).toEqual([]);
  });

  it('forgets a deleted author, goes with its tenant, and refuses deletion while in use', () => {
    const d = at51();
    const repo = new PromptsRepo(d);
    const p = repo.create(greeting, files);
    d.prepare('DELETE FROM users WHERE id = 1').run();
    expect(repo.get(p.id)?.createdBy).toBeNull();
    repo.addUsageCheck((x) => [{ type: 'announcement', id: 3, name: `plays ${x.name}` }]);
    expect(() => repo.delete(p.id)).toThrow(expect.objectContaining({ code: 'prompt-in-use', status: 409 }));
    expect(repo.get(p.id)).toBeDefined();
    d.prepare('DELETE FROM tenants WHERE id = 1').run();
    expect(repo.list()).toEqual([]);
  });
});
