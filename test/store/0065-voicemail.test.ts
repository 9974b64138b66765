import { describe, expect, it } from 'vitest';
import { VoicemailRepo } from '../../services/store/repos/voicemail';
import { PromptsRepo } from '../../services/store/repos/prompts';
import { migrationDb } from '../helpers/migration-db';

const m = migrationDb('korobka-0065-');
const now = '2026-12-07T00:00:00.000Z';

describe('migration 0065 voicemail', () => {
  it('adds boxes and messages to a database with tenants, extensions and prompts; an extension keeps its box, deleting it removes the box and messages', () => {
    const db = m.at(51, 65, (d) => {
      d.prepare(`INSERT INTO tenants (id, name, sip_domain, is_default, created_at) VALUES (1, 'Bank', 'bank.test', 1, ?)`).run(now);
      d.prepare(`INSERT INTO extensions (id, tenant_id, extension, sip_username, ha1_md5, ha1_sha256, created_at, updated_at) VALUES (5, 1, '201', '201', ?, ?, ?, ?)`).run('a'.repeat(32), 'b'.repeat(64), now, now);
    });
    const repo = new VoicemailRepo(db);
    const box = repo.createBox(1, { number: '201', name: 'Ivanov', extensionId: 5, greetings: { unavailable: null, busy: null, name: null }, maxMessageSeconds: 120, maxMessages: 20, email: null }, 'scrypt$x');
    expect(repo.boxOfExtension(1, '201')?.id).toBe(box.id);
    repo.insertMessage({ tenantId: 1, boxId: box.id, callId: 'c1', caller: '+74951234567', receivedAt: now, durationMs: 3000, filePath: 'voicemail/1/a.vm', sizeBytes: 100, fileSha256: 'f'.repeat(64), tenantKeyId: 'tk-1' });
    expect(repo.counts(box.id)).toEqual({ new: 1, saved: 0 });
    expect(repo.countsByBox()).toEqual(new Map([[box.id, { new: 1, saved: 0 }]]));
    // One box per extension, one number per tenant.
    expect(() => repo.createBox(1, { number: '202', name: 'x', extensionId: 5, greetings: { unavailable: null, busy: null, name: null }, maxMessageSeconds: 120, maxMessages: 20, email: null }, null)).toThrow(/UNIQUE/);
    expect(() => repo.createBox(1, { number: '201', name: 'x', extensionId: null, greetings: { unavailable: null, busy: null, name: null }, maxMessageSeconds: 120, maxMessages: 20, email: null }, null)).toThrow(/UNIQUE/);
    db.prepare('DELETE FROM extensions WHERE id = 5').run();
    expect(repo.boxes(1)).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM voicemail_messages').get()).toEqual({ n: 0 });
  });

  it('a wrong PIN is counted; the limit locks the box and clears the count; a new PIN unlocks', () => {
    const db = m.at(51, 65, (d) => d.prepare(`INSERT INTO tenants (id, name, sip_domain, is_default, created_at) VALUES (1, 'Bank', 'bank.test', 1, ?)`).run(now));
    const repo = new VoicemailRepo(db);
    const box = repo.createBox(1, { number: '300', name: 'Sales', extensionId: null, greetings: { unavailable: null, busy: null, name: null }, maxMessageSeconds: 60, maxMessages: 5, email: null }, null);
    const until = new Date('2026-12-07T00:15:00Z');
    expect(repo.pinFailed(box.id, 3, until)).toEqual({ failures: 1, lockedUntil: null });
    expect(repo.pinFailed(box.id, 3, until)).toEqual({ failures: 2, lockedUntil: null });
    expect(repo.pinFailed(box.id, 3, until)).toEqual({ failures: 3, lockedUntil: until.toISOString() });
    expect(repo.box(box.id)).toMatchObject({ pinFailures: 0, lockedUntil: until.toISOString() });
    repo.setPin(box.id, 'scrypt$y');
    expect(repo.box(box.id)).toMatchObject({ pinFailures: 0, lockedUntil: null, pinHash: 'scrypt$y' });
  });

  it('a prompt a box plays as its greeting cannot be deleted, and the refusal names the box', () => {
    const db = m.at(51, 65, (d) => d.prepare(`INSERT INTO tenants (id, name, sip_domain, is_default, created_at) VALUES (1, 'Bank', 'bank.test', 1, ?)`).run(now));
    db.prepare(`INSERT INTO prompts (id, tenant_id, name, language, kind, source, alaw_path, ulaw_path, duration_ms, size_bytes, created_at, updated_at) VALUES (9, 1, 'hello', 'ru', 'upload', 'wav', 'a', 'u', 1000, 10, ?, ?)`).run(now, now);
    const repo = new VoicemailRepo(db);
    repo.createBox(1, { number: '300', name: 'Sales', extensionId: null, greetings: { unavailable: 9, busy: null, name: null }, maxMessageSeconds: 60, maxMessages: 5, email: null }, null);
    const prompts = new PromptsRepo(db);
    prompts.addUsageCheck((p) => repo.boxesPlaying(p.id).map((b) => ({ type: 'voicemail', id: b.id, name: b.name })));
    expect(() => prompts.delete(9)).toThrow(expect.objectContaining({ code: 'prompt-in-use' }));
  });
});
