// Message files: sealed in memory straight into a vault file, indexed only
// once complete; what a killed process leaves (a .part, an unindexed .vm) is
// discarded with a log line at the next start, never left in plain.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../services/common/logger';
import { openStore, type Store } from '../../services/store';
import { hashPin, MessageStore, openVoicemailVault, verifyPin, wavFromG711 } from '../../services/voicemail';
import { tempDir } from '../helpers/tmp';

let open: { store: Store; cleanup: () => void } | undefined;
afterEach(() => {
  open?.store.close();
  open?.cleanup();
  open = undefined;
});

function world() {
  const t = tempDir('korobka-vm-store-');
  const store = openStore(path.join(t.dir, 'korobka.db'));
  open = { store, cleanup: t.cleanup };
  const tenant = store.tenants.create({ name: 'Bank', sipDomain: 'bank.test' });
  const box = store.voicemail.createBox(tenant.id, { number: '201', name: 'Ivanov', extensionId: null, greetings: { unavailable: null, busy: null, name: null }, maxMessageSeconds: 60, maxMessages: 5, email: null }, null);
  const lines: Array<{ msg: string }> = [];
  const log = createLogger({ level: 'info', sink: (l) => lines.push(JSON.parse(l) as { msg: string }) });
  const messages = new MessageStore({ store, vault: openVoicemailVault({ dataDir: t.dir }), dataDir: t.dir, log });
  return { dir: t.dir, store, tenant, box, messages, lines };
}

// A-law bytes of a ramp: recognisable, and no run of silence.
const payload = Buffer.from(Array.from({ length: 8000 * 2 }, (_, i) => (i * 7) & 0xff));

describe('voicemail message store', () => {
  it('saves a message encrypted: the file holds neither the WAV nor the G.711 bytes, decrypts to the WAV, duration from the samples', async () => {
    const w = world();
    const m = await w.messages.save({ tenantId: w.tenant.id, boxId: w.box.id, callId: 'c1', caller: '+74951234567', receivedAt: new Date('2026-12-07T00:00:00Z'), audio: { law: 'alaw', payload } });
    expect(m).toMatchObject({ durationMs: 2000, folder: 'new', caller: '+74951234567' });
    const onDisk = readFileSync(path.join(w.dir, m.filePath));
    expect(onDisk.includes(Buffer.from('RIFF'))).toBe(false);
    expect(onDisk.includes(payload.subarray(1000, 1100))).toBe(false);
    expect((await w.messages.wav(m)).equals(wavFromG711('alaw', payload))).toBe(true);
    // Keys live in their own hierarchy, beside the recordings' one.
    expect(existsSync(path.join(w.dir, 'keys', 'voicemail', 'tenants', `${w.tenant.id}.json`))).toBe(true);
    await w.messages.remove(m.id);
    expect(existsSync(path.join(w.dir, m.filePath))).toBe(false);
  });

  it('sweep: a .part and a .vm the index does not know are discarded with a log line; an indexed message stays', async () => {
    const w = world();
    const kept = await w.messages.save({ tenantId: w.tenant.id, boxId: w.box.id, callId: 'c1', caller: '201', receivedAt: new Date(), audio: { law: 'ulaw', payload } });
    const dir = path.join(w.dir, 'voicemail', String(w.tenant.id));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'dead.vm.part'), 'x');
    writeFileSync(path.join(dir, 'orphan.vm'), 'y');
    const r = await w.messages.sweep();
    expect(r.discarded.sort()).toEqual([path.join('voicemail', String(w.tenant.id), 'dead.vm.part'), path.join('voicemail', String(w.tenant.id), 'orphan.vm')]);
    expect(existsSync(path.join(w.dir, kept.filePath))).toBe(true);
    expect(w.lines.filter((l) => l.msg === 'voicemail message discarded: incomplete when the process stopped')).toHaveLength(2);
  });

  it('PINs: 4–8 digits hashed with scrypt; the right one verifies, a wrong or malformed one does not', async () => {
    const h = await hashPin('2580');
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(h).not.toContain('2580');
    expect(await verifyPin('2580', h)).toBe(true);
    expect(await verifyPin('2581', h)).toBe(false);
    expect(await verifyPin('25a0', h)).toBe(false);
    await expect(hashPin('12')).rejects.toThrow();
  });
});
