// Listening by phone (*97 own box, *98 any box) over fake actions and a fake
// box: the PIN asked and checked, wrong PINs counted and the call ended after
// MAX_PIN_TRIES, a locked box refused, each message played from memory
// (new first), heard and audited, the menu's repeat and delete, and the
// refusals before answering (no box, a trunk caller).
import { describe, expect, it } from 'vitest';
import type { ListenBox, ListenMessage, PinCheck, VoicemailAccess } from '../../../services/call-control/features/voicemail-listen';
import { MAX_PIN_TRIES, parseVoicemailCode } from '../../../services/call-control/features/voicemail-listen';
import { flowWorld } from './flow-world';

const BOX: ListenBox = { id: 3, tenantId: 7, number: '202' };

function access(o: { pin?: (tries: number) => PinCheck; own?: ListenBox; byNumber?: Record<string, ListenBox>; messages?: ListenMessage[] } = {}) {
  const log = { pins: [] as string[], heard: [] as number[], removed: [] as number[], changed: 0, newPins: [] as string[] };
  let messages = [...(o.messages ?? [])];
  const a: VoicemailAccess = {
    ownBox: (tenantId, ext) => (tenantId === 7 && ext === '202' ? (o.own ?? BOX) : undefined),
    boxByNumber: (_t, n) => o.byNumber?.[n],
    checkPin: async (_box, pin) => {
      log.pins.push(pin);
      return o.pin ? o.pin(log.pins.length) : pin === '4321' ? 'ok' : 'wrong';
    },
    messages: () => messages,
    // The message's id as its first byte: the log shows which message played.
    audio: async (id) => (messages.some((m) => m.id === id) ? Buffer.alloc(16044, id) : undefined),
    heard: (_b, id) => void log.heard.push(id),
    remove: async (_b, id) => {
      log.removed.push(id);
      messages = messages.filter((m) => m.id !== id);
    },
    setPin: async (_b, pin) => void log.newPins.push(pin),
    say: async (text) => ({ file: `/say/${text}` }),
    changed: () => void log.changed++,
  };
  return { a, log };
}

function world(acc: VoicemailAccess, caller = '202') {
  const w = flowWorld({ direction: 'outbound', caller });
  w.deps.voicemailAccess = acc;
  return w;
}

const plays = (w: ReturnType<typeof flowWorld>) => w.actions.log.flatMap((l) => (l.action === 'play' ? [l.file] : []));
const reason = (w: ReturnType<typeof flowWorld>) => w.recorder.events.at(-1)?.e;

describe('voicemail listening codes', () => {
  it('parses *97 and *98 only', () => {
    expect(parseVoicemailCode('*97')).toEqual({ box: 'own' });
    expect(parseVoicemailCode('*98')).toEqual({ box: 'ask' });
    expect(parseVoicemailCode('*99')).toBeUndefined();
    expect(parseVoicemailCode('*970')).toBeUndefined();
  });

  it('*97: PIN, the counts, every message from memory (new first) each heard, then goodbye; ended voicemail-listened', async () => {
    const { a, log } = access({ messages: [{ id: 5, caller: '+7916', durationMs: 2000, folder: 'new' }, { id: 6, caller: '+7917', durationMs: 3000, folder: 'saved' }] });
    const w = world(a);
    w.actions.digits.push({ kind: 'digits', digits: '4321' }); // the PIN; the menus after each message time out (next)
    await w.run({ kind: 'code', code: '*97' });
    expect(w.actions.log[0]).toEqual({ action: 'answer' });
    expect(w.actions.log[1]).toMatchObject({ action: 'collect', opts: { max: 8, terminator: '#', prompt: { file: '/say/Введите пин-код и решётку.' } } });
    expect(plays(w)).toEqual(['/say/Новых сообщений: 1. Сохранённых: 1.', 'audio:5:16044', 'audio:6:16044', '/say/Больше сообщений нет. До свидания.']);
    expect(w.actions.log.filter((l) => l.action === 'play' && l.file.startsWith('audio:')).every((l) => l.action === 'play' && l.opts?.bargeIn === true)).toBe(true);
    expect(log).toMatchObject({ pins: ['4321'], heard: [5, 6], removed: [], changed: 2 });
    expect(w.call.ended).toBe(true);
    expect(reason(w)).toMatchObject({ type: 'hangup', reason: 'voicemail-listened' });
  });

  it('the menu: 1 plays the message again, 7 deletes it (and says so), 9 goes on', async () => {
    const { a, log } = access({ messages: [{ id: 5, caller: '+7916', durationMs: 2000, folder: 'new' }, { id: 6, caller: '+7917', durationMs: 2000, folder: 'new' }] });
    const w = world(a);
    w.actions.digits.push({ kind: 'digits', digits: '4321' }, { kind: 'digits', digits: '1' }, { kind: 'digits', digits: '7' }, { kind: 'digits', digits: '9' });
    await w.run({ kind: 'code', code: '*97' });
    expect(plays(w)).toEqual(['/say/Новых сообщений: 2. Сохранённых: 0.', 'audio:5:16044', 'audio:5:16044', '/say/Сообщение удалено.', 'audio:6:16044', '/say/Больше сообщений нет. До свидания.']);
    expect(log).toMatchObject({ heard: [5, 5, 6], removed: [5] });
    expect(log.changed).toBe(4);
  });

  it('0 changes the PIN: entered twice and kept when both agree (4–8 digits); a mismatch or a short one is not kept', async () => {
    const { a, log } = access({ messages: [{ id: 5, caller: '+7916', durationMs: 2000, folder: 'new' }] });
    const w = world(a);
    // PIN; at the menu 0: 5555 twice (kept); menu again 0: 123 twice (too short); menu again: 9 (next); after the last: 0: 6666 / 7777 (mismatch).
    for (const d of ['4321', '0', '5555', '5555', '0', '123', '123', '9', '0', '6666', '7777']) w.actions.digits.push({ kind: 'digits', digits: d });
    await w.run({ kind: 'code', code: '*97' });
    expect(log.newPins).toEqual(['5555']);
    expect(plays(w)).toEqual(['/say/Новых сообщений: 1. Сохранённых: 0.', 'audio:5:16044', '/say/Пин-код изменён.', '/say/Пин-код не изменён.', '/say/Пин-код не изменён.', '/say/Больше сообщений нет. До свидания.']);
    expect(reason(w)).toMatchObject({ reason: 'voicemail-listened' });
  });

  it(`a wrong PIN ${MAX_PIN_TRIES} times: each counted and said, nothing played, ended voicemail-pin-refused`, async () => {
    const { a, log } = access();
    const w = world(a);
    w.actions.digits.push({ kind: 'digits', digits: '1111' }, { kind: 'digits', digits: '2222' }, { kind: 'timeout', digits: '' });
    await w.run({ kind: 'code', code: '*97' });
    expect(log.pins).toEqual(['1111', '2222', '']);
    expect(plays(w)).toEqual(['/say/Неверный пин-код.', '/say/Неверный пин-код.', '/say/Неверный пин-код.']);
    expect(log.heard).toEqual([]);
    expect(reason(w)).toMatchObject({ type: 'hangup', reason: 'voicemail-pin-refused' });
  });

  it('a locked box is refused at the first PIN, whatever was entered; a box without a PIN likewise', async () => {
    const locked = access({ pin: () => 'locked' });
    const w = world(locked.a);
    w.actions.digits.push({ kind: 'digits', digits: '4321' });
    await w.run({ kind: 'code', code: '*97' });
    expect(plays(w)).toEqual(['/say/Ящик заблокирован. Попробуйте позже.']);
    expect(reason(w)).toMatchObject({ reason: 'voicemail-box-locked' });
    const none = access({ pin: () => 'no-pin' });
    const w2 = world(none.a);
    await w2.run({ kind: 'code', code: '*97' });
    expect(reason(w2)).toMatchObject({ reason: 'voicemail-no-pin' });
  });

  it('*98: the box number first; an unknown box is asked for a PIN and refused like a wrong one (no probing)', async () => {
    const { a, log } = access({ byNumber: { '203': { id: 4, tenantId: 7, number: '203' } } });
    const w = world(a);
    w.actions.digits.push({ kind: 'digits', digits: '299' }, { kind: 'digits', digits: '4321' }, { kind: 'digits', digits: '4321' }, { kind: 'digits', digits: '4321' });
    await w.run({ kind: 'code', code: '*98' });
    expect(w.actions.log[1]).toMatchObject({ action: 'collect', opts: { max: 6, terminator: '#', prompt: { file: '/say/Введите номер ящика и решётку.' } } });
    expect(log.pins).toEqual([]);
    expect(reason(w)).toMatchObject({ reason: 'voicemail-pin-refused' });

    const known = access({ byNumber: { '203': { id: 4, tenantId: 7, number: '203' } } });
    const w2 = world(known.a);
    w2.actions.digits.push({ kind: 'digits', digits: '203' }, { kind: 'digits', digits: '4321' });
    await w2.run({ kind: 'code', code: '*98' });
    expect(known.log.pins).toEqual(['4321']);
    expect(reason(w2)).toMatchObject({ reason: 'voicemail-listened' });
  });

  it('refused before answering: *97 without an own box (404), a trunk caller (403), no voicemail in the process (503)', async () => {
    const w = world(access().a, '203');
    await w.run({ kind: 'code', code: '*97' });
    expect(w.actions.log).toEqual([]);
    expect(w.a.sent).toEqual(['404']);
    expect(reason(w)).toMatchObject({ reason: 'voicemail-box-not-found' });

    const trunk = flowWorld({ direction: 'inbound', caller: '+74951234567' });
    trunk.deps.voicemailAccess = access().a;
    await trunk.run({ kind: 'code', code: '*97' });
    expect(trunk.a.sent).toEqual(['403']);

    const bare = flowWorld({ direction: 'outbound', caller: '202' });
    await bare.run({ kind: 'code', code: '*98' });
    expect(bare.a.sent).toEqual(['503']);
  });
});
