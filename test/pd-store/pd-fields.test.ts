// CDR parties sealed by the personal-data store (issue 15, migration 0160),
// over a real SQLite file and real key files: an outside number and a SIP
// user name never reach the file in plain text (its bytes, the WAL's and the
// shm's are read), the box's own extensions stay plain, the call history
// finds a call by any spelling of the whole number through the blind index,
// a store without the keys reads "encrypted", and erasing one subject leaves
// its CDRs reading "erased" while the other party and other calls still open.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultFeatures, openStore, SEALED_UNREADABLE, type Store } from '../../services/store';
import { PdKeys, PdStore, sealPlainCdrs, usePdFields } from '../../services/pd-store';
import { createLogger } from '../../services/common/logger';
import type { CdrData } from '../../services/store/repos/cdrs';
import { tempDir } from '../helpers/tmp';

const open: Store[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const c of cleanups.splice(0)) c();
});

function world() {
  const t = tempDir('pd-fields-');
  cleanups.push(t.cleanup);
  const store = openStore(path.join(t.dir, 'korobka.db'));
  open.push(store);
  const tenantId = store.tenants.defaultTenant()?.id ?? store.tenants.create({ name: 'Банк', sipDomain: 'bank.example.ru' }).id;
  const pd = new PdStore(store, PdKeys.open({ dataDir: t.dir }));
  usePdFields(store, { pd });
  return { dir: t.dir, store, pd, tenantId };
}

const T0 = Date.parse('2026-12-07T09:00:00.000Z');

function cdr(tenantId: number, callId: string, caller: [string, string], callee: [string, string], extra: Partial<CdrData> = {}): CdrData {
  return {
    callId,
    tenantId,
    direction: 'inbound',
    caller: { dialled: caller[0], number: caller[1] },
    callee: { dialled: callee[0], number: callee[1] },
    extension: '201',
    trunk: 'operator',
    startedAt: T0,
    answeredAt: T0 + 2000,
    endedAt: T0 + 62000,
    durationSeconds: 62,
    billableSeconds: 60,
    disposition: 'answered',
    hangupSide: 'caller',
    transfers: [],
    status: 'completed',
    lastSeenAt: T0 + 62000,
    ...extra,
  };
}

/** Every byte SQLite keeps: the file (free pages included), the WAL and the shared memory index. */
function rawBytes(dir: string): Buffer {
  const parts = ['korobka.db', 'korobka.db-wal', 'korobka.db-shm'].map((f) => path.join(dir, f)).filter((f) => existsSync(f));
  return Buffer.concat(parts.map((f) => readFileSync(f)));
}

const PLAIN = ['+79161234567', '89161234567', '9161234567', 'ivan.petrov', '+74957654321', '84957654321', '+79035550011'];

describe('CDR parties under the personal-data store', () => {
  it('seals outside numbers, user names, answerers and forward/transfer targets; extensions stay plain', () => {
    const w = world();
    w.store.cdrs.close(
      cdr(w.tenantId, 'c1', ['89161234567', '+79161234567'], ['84957654321', '+74957654321'], {
        answeredBy: '+79035550011',
        path: ['extension:201', 'external:+79035550011'],
        forwards: [{ at: T0 + 1000, from: '201', to: '+79035550011', reason: 'busy' }],
        transfers: [{ at: T0 + 30000, kind: 'blind', to: '89035550011', by: 'callee' }],
      }),
    );
    w.store.cdrs.close(cdr(w.tenantId, 'c2', ['ivan.petrov', 'ivan.petrov'], ['202', '202'], { direction: 'internal' }));

    const raw = w.store.db.prepare("SELECT caller_number, caller_dialled, callee_number, answered_by, answered_by_sealed, forwards, transfers FROM cdrs WHERE call_id = 'c1'").get() as Record<string, string | null>;
    expect(raw.caller_number).toMatch(/^pd1:ps-[0-9a-f]+:/);
    expect(raw.callee_number).toMatch(/^pd1:ps-/);
    expect(raw.answered_by).toBeNull();
    expect(raw.answered_by_sealed).toMatch(/^pd1:ps-/);
    expect(JSON.parse(raw.forwards!)[0]).toMatchObject({ from: '201', to: expect.stringMatching(/^pd1:/) });
    expect(w.store.db.prepare("SELECT callee_number FROM cdrs WHERE call_id = 'c2'").get()).toEqual({ callee_number: '202' });
    // Both spellings of a party go under the subject of its number.
    expect(raw.caller_number!.split(':')[1]).toBe(raw.caller_dialled!.split(':')[1]);

    const back = w.store.cdrs.get('c1')!;
    expect(back.caller).toEqual({ dialled: '89161234567', number: '+79161234567' });
    expect(back.callee).toEqual({ dialled: '84957654321', number: '+74957654321' });
    expect(back.answeredBy).toBe('+79035550011');
    expect(back.path).toEqual(['extension:201', 'external:+79035550011']);
    expect(JSON.parse((w.store.db.prepare("SELECT path FROM cdrs WHERE call_id = 'c1'").get() as { path: string }).path)).toEqual(['extension:201', expect.stringMatching(/^external:pd1:ps-/)]);
    expect(back.forwards).toEqual([{ at: T0 + 1000, from: '201', to: '+79035550011', reason: 'busy' }]);
    expect(back.transfers).toEqual([{ at: T0 + 30000, kind: 'blind', to: '89035550011', by: 'callee' }]);
    expect(w.store.cdrs.get('c2')!.caller.number).toBe('ivan.petrov');

    w.store.db.pragma('wal_checkpoint(PASSIVE)');
    const bytes = rawBytes(w.dir);
    for (const p of PLAIN) expect(bytes.includes(Buffer.from(p)), p).toBe(false);
  });

  it('the call history finds a sealed party by any spelling of its whole number, and by extension as before', () => {
    const w = world();
    w.store.cdrs.close(cdr(w.tenantId, 'c1', ['89161234567', '+79161234567'], ['201', '201']));
    w.store.cdrs.close(cdr(w.tenantId, 'c2', ['+74957654321', '+74957654321'], ['202', '202'], { extension: '202' }));
    const ids = (number: string) => w.store.cdrSearch.page({ tenantId: w.tenantId, number }, 10, 0).map((r) => r.callId);
    expect(ids('+7 (916) 123-45-67')).toEqual(['c1']);
    expect(ids('9161234567')).toEqual(['c1']);
    expect(ids('84957654321')).toEqual(['c2']);
    expect(ids('202')).toEqual(['c2']);
    // A part of an outside number does not match a ciphertext's letters (nor the number any more).
    expect(ids('1234')).toEqual([]);
    expect(w.store.cdrSearch.count({ tenantId: w.tenantId, number: '89161234567' })).toBe(1);
    const row = w.store.cdrSearch.page({ tenantId: w.tenantId, number: '89161234567' }, 10, 0)[0]!;
    expect([row.caller, row.callerDialled, row.callee]).toEqual(['+79161234567', '89161234567', '201']);
  });

  it('a store without the keys reads sealed values as "encrypted"; statistics still count', () => {
    const w = world();
    w.store.cdrs.close(cdr(w.tenantId, 'c1', ['89161234567', '+79161234567'], ['201', '201']));
    const bare = openStore(path.join(w.dir, 'korobka.db'));
    open.push(bare);
    const c = bare.cdrs.get('c1')!;
    expect(c.caller.number).toBe(SEALED_UNREADABLE);
    expect(c.callee.number).toBe('201');
    expect(bare.cdrSearch.count({ tenantId: w.tenantId, disposition: 'answered' })).toBe(1);
  });

  it('erasing one subject shreds its parties only; the subject request finds and anonymises by blind index', () => {
    const w = world();
    w.store.cdrs.close(cdr(w.tenantId, 'c1', ['89161234567', '+79161234567'], ['84957654321', '+74957654321']));
    w.store.cdrs.close(cdr(w.tenantId, 'c2', ['+74957654321', '+74957654321'], ['201', '201']));
    expect(w.store.pdRequests.cdrs(w.tenantId, '+79161234567').map((c) => [c.callId, c.callerNumber])).toEqual([['c1', '+79161234567']]);
    const subject = w.pd.findByNumber(w.tenantId, '+79161234567')!;
    w.pd.erase(w.tenantId, subject.id);
    w.pd.forgetKeys();
    const c1 = w.store.cdrs.get('c1')!;
    expect(c1.caller).toEqual({ dialled: 'erased', number: 'erased' });
    expect(c1.callee.number).toBe('+74957654321');
    expect(w.store.cdrs.get('c2')!.caller.number).toBe('+74957654321');
    expect(w.store.pdRequests.anonymiseCdrs(w.tenantId, '+74957654321')).toBe(2);
    expect(w.store.db.prepare("SELECT callee_bidx FROM cdrs WHERE call_id = 'c1'").get()).toEqual({ callee_bidx: null });
    expect(w.store.db.prepare("SELECT caller_number, caller_bidx FROM cdrs WHERE call_id = 'c2'").get()).toEqual({ caller_number: 'erased', caller_bidx: null });
    expect(w.store.cdrSearch.count({ tenantId: w.tenantId, number: '+74957654321' })).toBe(0);
    expect(w.store.cdrSearch.count({ tenantId: w.tenantId })).toBe(2);
  });

  it('rows written in plain before the cipher are sealed at start and their old bytes scrubbed from the file and the WAL', () => {
    const t = tempDir('pd-fields-old-');
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'korobka.db');
    const old = openStore(file);
    open.push(old);
    const tenantId = old.tenants.defaultTenant()?.id ?? old.tenants.create({ name: 'Банк', sipDomain: 'bank.example.ru' }).id;
    for (let i = 0; i < 50; i++) old.cdrs.close(cdr(tenantId, `old-${i}`, ['89161234567', '+79161234567'], ['201', '201'], { answeredBy: '+79035550011', transfers: [{ at: T0, kind: 'blind', to: 'ivan.petrov', by: 'callee' }] }));
    expect(rawBytes(t.dir).includes(Buffer.from('+79161234567'))).toBe(true);
    old.close();
    open.pop();

    const store = openStore(file);
    open.push(store);
    usePdFields(store);
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l) });
    expect(sealPlainCdrs(store, log)).toBe(50);
    expect(sealPlainCdrs(store, log)).toBe(0);
    expect(lines.join('\n')).toContain('free pages scrubbed');
    const c = store.cdrs.get('old-7')!;
    expect([c.caller.number, c.caller.dialled, c.callee.number, c.answeredBy, c.transfers[0]!.to]).toEqual(['+79161234567', '89161234567', '201', '+79035550011', 'ivan.petrov']);
    expect(store.cdrSearch.count({ tenantId, number: '9161234567' })).toBe(50);
    const bytes = rawBytes(t.dir);
    for (const p of PLAIN) expect(bytes.includes(Buffer.from(p)), p).toBe(false);
  });

  it("an extension's forward to an outside number is sealed, to another extension plain; both read back", () => {
    const w = world();
    const a = w.store.extensions.create({ tenantId: w.tenantId, extension: '201', ha1: { MD5: 'a'.repeat(32), 'SHA-256': 'b'.repeat(64) } });
    const d = defaultFeatures();
    w.store.extensionFeatures.set(a.id, { ...d, forward: { ...d.forward, busy: '202', noAnswer: '+79161234567' } });
    expect(w.store.db.prepare('SELECT forward_busy, forward_no_answer, forward_sealed FROM extension_features WHERE extension_id = ?').get(a.id)).toEqual({ forward_busy: '202', forward_no_answer: null, forward_sealed: expect.stringMatching(/^\{"forward_no_answer":"pd1:ps-/) });
    expect(w.store.extensionFeatures.get(a.id)!.forward).toMatchObject({ busy: '202', noAnswer: '+79161234567' });
    expect(w.store.extensionFeatures.usersOf(w.tenantId, '202').forwardedFrom).toEqual(['201']);
    w.store.db.pragma('wal_checkpoint(PASSIVE)');
    expect(rawBytes(w.dir).includes(Buffer.from('+79161234567'))).toBe(false);
  });
});
