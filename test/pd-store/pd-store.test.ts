// The personal-data store's core over a real SQLite file and real key files:
// numbers normalise to E.164, fields open only in their own row and field,
// blind indexes find a subject without decrypting, and erasure destroys the
// key so that the subject's fields no longer open — in this process, in a
// fresh one, and in a copy of the database taken before the erasure — while
// other subjects are untouched. Legal hold refuses erasure.
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../services/store';
import { BlindIndex, normalisePhone, openField, PdKeys, PdStore, sealField } from '../../services/pd-store';
import { loadMasterKey } from '../../services/common/keys';
import { tempDir } from '../helpers/tmp';

const open: Store[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const c of cleanups.splice(0)) c();
});

function tmpDir(prefix: string): string {
  const t = tempDir(prefix);
  cleanups.push(t.cleanup);
  return t.dir;
}

function world(dir = tmpDir('pd-')) {
  const store = openStore(path.join(dir, 'korobka.db'));
  open.push(store);
  const t1 = store.tenants.create({ name: 'Банк', sipDomain: 'bank.example.ru' }).id;
  const t2 = store.tenants.create({ name: 'Страховая', sipDomain: 'ins.example.ru' }).id;
  const pd = new PdStore(store, PdKeys.open({ dataDir: dir }));
  return { dir, store, pd, t1, t2 };
}

const errOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; status: number; message: string };
  }
  throw new Error('expected an error');
};

describe('normalisePhone', () => {
  it.each([
    ['8 (916) 123-45-67', '+79161234567'],
    ['+7 916 123 45 67', '+79161234567'],
    ['79161234567', '+79161234567'],
    ['916.123.45.67', '+79161234567'],
    ['8 495 123-45-67', '+74951234567'],
    ['+44 20 7946 0000', '+442079460000'],
    ['0044 20 7946 0000', '+442079460000'],
    ['810 44 20 7946 0000', '+442079460000'],
  ])('%s → %s', (raw, e164) => {
    expect(normalisePhone(raw)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['', 'is empty'],
    ['+7 916 ABC', 'may hold only digits, a leading +, spaces, dashes, dots and brackets'],
    ['1234567', 'is not a full number: give it with the country code (+7 916 123-45-67)'],
    ['+7 916 123 45', 'a +7 number has 10 digits after the country code'],
    ['+0 123 456 789', 'country codes do not start with 0'],
    ['+44 1234 5678 9012 345', 'an international number has 8–15 digits with the country code (E.164)'],
  ])('%j is refused: %s', (raw, message) => {
    expect(normalisePhone(raw)).toEqual({ ok: false, message });
  });
});

describe('field cipher', () => {
  const key = Buffer.alloc(32, 7);
  const ref = { table: 'pd_contacts', tenantId: 1, rowId: 'ct-1', field: 'name' };

  it('opens in its own row and field only, and not when a byte changes', () => {
    const sealed = sealField(key, 'Иванов Иван', ref);
    expect(sealed.includes(Buffer.from('Иванов'))).toBe(false);
    expect(openField(key, sealed, ref)).toBe('Иванов Иван');
    expect(openField(key, sealed, { ...ref, rowId: 'ct-2' })).toBeUndefined();
    expect(openField(key, sealed, { ...ref, field: 'notes' })).toBeUndefined();
    expect(openField(key, sealed, { ...ref, tenantId: 2 })).toBeUndefined();
    expect(openField(Buffer.alloc(32, 8), sealed, ref)).toBeUndefined();
    const bent = Buffer.from(sealed);
    bent[20] = bent[20]! ^ 1;
    expect(openField(key, bent, ref)).toBeUndefined();
    // Same value twice: different ciphertexts (random nonce), so equality does not leak.
    expect(sealField(key, 'Иванов Иван', ref).equals(sealed)).toBe(false);
  });
});

describe('blind indexes', () => {
  const a = new BlindIndex(Buffer.alloc(32, 1));
  const b = new BlindIndex(Buffer.alloc(32, 2));

  it('are keyed: equal under one key, unrelated under another', () => {
    expect(a.number('+79161234567').equals(a.number('+79161234567'))).toBe(true);
    expect(a.number('+79161234567').equals(b.number('+79161234567'))).toBe(false);
    expect(a.number('+79161234567').equals(a.number('+79161234568'))).toBe(false);
    expect(a.last4('+79161234567').equals(a.last4('+79031114567'))).toBe(true);
    // a kind is part of the input: the last four digits never equal a whole number's index
    expect(a.of('last4', '4567').equals(a.of('number', '4567'))).toBe(false);
  });

  it('match name prefixes of 3–12 letters, folding case and ё', () => {
    const stored = a.namePrefixes('Семёнов  Пётр-Иванович');
    const has = (q: string) => a.nameQuery(q).every((x) => stored.some((s) => s.equals(x)));
    expect(has('сем')).toBe(true);
    expect(has('СЕМЕНОВ')).toBe(true);
    expect(has('петр')).toBe(true);
    expect(has('иван')).toBe(true);
    expect(has('Семенов Петр')).toBe(true);
    expect(has('Семенов Павел')).toBe(false);
    expect(has('емё')).toBe(false);
    // 3 words: семенов 3..7 = 5, петр 3..4 = 2, иванович 3..8 = 6
    expect(stored).toHaveLength(13);
  });
});

describe('PdStore subjects', () => {
  it('finds one subject by a number written any way, per tenant', () => {
    const { pd, t1, t2 } = world();
    const s = pd.subjectForNumber(t1, '+79161234567');
    expect(s.id).toMatch(/^ps-[0-9a-f]{20}$/);
    expect(pd.findByNumber(t1, '8 (916) 123-45-67')?.id).toBe(s.id);
    expect(pd.subjectForNumber(t1, '+79161234567').id).toBe(s.id);
    expect(pd.findByNumber(t2, '+79161234567')).toBeUndefined();
    expect(pd.findByNumber(t1, '+79161234568')).toBeUndefined();
    expect(errOf(() => pd.findByNumber(t1, '12', 'query'))).toMatchObject({
      status: 400,
      code: 'validation-failed',
      message: 'query: is not a full number: give it with the country code (+7 916 123-45-67)',
    });
  });

  it('stores no number and no key in plain text', () => {
    const { dir, store, pd, t1 } = world();
    const s = pd.subjectForNumber(t1, '+79161234567');
    const sealed = pd.seal(s.id, 'Иванов', { table: 't', tenantId: t1, rowId: 'r', field: 'f' });
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(path.join(dir, 'korobka.db'));
    expect(file.includes(Buffer.from('9161234567'))).toBe(false);
    expect(file.includes(Buffer.from('Иванов'))).toBe(false);
    expect(sealed.length).toBeGreaterThan(29);
  });

  it('erasure destroys the key: the subject does not open here or in a fresh process, its wrapped key is gone from the file; others open', () => {
    const { dir, store, pd, t1 } = world();
    const ivan = pd.subjectForNumber(t1, '+79161234567');
    const olga = pd.subjectForNumber(t1, '+79037654321');
    const ref = (rowId: string) => ({ table: 'pd_contacts', tenantId: t1, rowId, field: 'name' });
    const ivanName = pd.seal(ivan.id, 'Иван', ref('a'));
    const olgaName = pd.seal(olga.id, 'Ольга', ref('b'));
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const before = path.join(dir, 'before.db');
    copyFileSync(path.join(dir, 'korobka.db'), before);
    const wrapped = store.pdSubjects.get(t1, ivan.id)!.wrappedKey!;

    const erased = pd.erase(t1, ivan.id);
    expect(erased.erasedAt).not.toBeNull();
    expect(errOf(() => pd.open(ivan.id, ivanName, ref('a')))).toMatchObject({ status: 410, code: 'pd-subject-erased' });
    expect(pd.open(olga.id, olgaName, ref('b'))).toBe('Ольга');
    expect(pd.findByNumber(t1, '+79161234567')).toBeUndefined();
    expect(errOf(() => pd.erase(t1, ivan.id))).toMatchObject({ code: 'pd-subject-erased' });

    // A fresh process (no cached keys) and the file itself.
    const fresh = new PdStore(store, PdKeys.open({ dataDir: dir }));
    expect(errOf(() => fresh.open(ivan.id, ivanName, ref('a')))).toMatchObject({ code: 'pd-subject-erased' });
    expect(fresh.open(olga.id, olgaName, ref('b'))).toBe('Ольга');
    const file = readFileSync(path.join(dir, 'korobka.db'));
    expect(file.includes(wrapped)).toBe(false);
    expect(readFileSync(before).includes(wrapped)).toBe(true);

    // Numbers may come back later as a new subject with a new key.
    const again = pd.subjectForNumber(t1, '+79161234567');
    expect(again.id).not.toBe(ivan.id);
    expect(errOf(() => again && pd.open(again.id, ivanName, ref('a')))).toMatchObject({ code: 'pd-field-unreadable' });
    expect(loadMasterKey({ dataDir: dir }).key).toHaveLength(32);
  });

  it('legal hold refuses erasure, names the reason, changes nothing', () => {
    const { store, pd, t1, t2 } = world();
    const s = pd.subjectForNumber(t1, '+79161234567');
    const sealed = pd.seal(s.id, 'Иван', { table: 't', tenantId: t1, rowId: 'r', field: 'f' });
    pd.setLegalHold(t1, s.id, 'суд, дело А40-1/2026');
    expect(errOf(() => pd.erase(t1, s.id))).toMatchObject({
      status: 409,
      code: 'pd-legal-hold',
      message: `data subject ${s.id} is under legal hold (суд, дело А40-1/2026): erasure refused, nothing was changed`,
    });
    expect(store.pdSubjects.get(t1, s.id)?.wrappedKey).not.toBeNull();
    expect(pd.open(s.id, sealed, { table: 't', tenantId: t1, rowId: 'r', field: 'f' })).toBe('Иван');
    // another tenant's subject looks like a missing one
    expect(errOf(() => pd.erase(t2, s.id))).toMatchObject({ status: 404, code: 'pd-subject-not-found' });
    pd.setLegalHold(t1, s.id, null);
    expect(pd.erase(t1, s.id).erasedAt).not.toBeNull();
  });
});
