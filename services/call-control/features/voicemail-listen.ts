// Listening to a voicemail box by phone, a dialled feature code:
//
//   *97   the caller's own box (the box of the extension calling), PIN asked
//   *98   any box of the tenant: box number then PIN
//
// The PBX answers, asks for the PIN ('#' ends it), says how many messages
// there are, then plays each — new ones first, oldest first — with a menu
// after it: 1 repeat, 7 delete, 9 or # next, 0 change the PIN (a key pressed
// during a message stops it and counts as the choice); after the last one,
// 0 changes the PIN before goodbye. A new PIN is entered twice. A message played (wholly or until a
// key) is heard: it moves to saved and the box's phones' lamp follows
// (MWI NOTIFY). The audio is decrypted into memory and sent to rtpengine
// inline (`play media` blob over ng HTTP, media/ng-http-client.ts): no
// plain copy is ever written. Every message played is audited, as a listen
// in the browser is.
//
// A wrong PIN is counted in the store (LOCK_AFTER in a row lock the box for
// LOCK_MINUTES, across calls); after MAX_PIN_TRIES in one call the PBX hangs
// up. An unknown box number is asked for a PIN all the same and refused as
// a wrong one, so a caller cannot probe which boxes exist.
import type { Prompt } from '../actions/actions';
import type { Call } from '../call/call';
import type { Feature, FeatureDeps, ListenBox, Next, PinCheck, VoicemailAccess } from './feature';

export type { ListenBox, ListenMessage, PinCheck, VoicemailAccess } from './feature';

export const MAX_PIN_TRIES = 3;
const PIN_TIMEOUT_MS = 10_000;
const INTER_DIGIT_MS = 5_000;
const MENU_TIMEOUT_MS = 6_000;

export type ListenCode = { box: 'own' } | { box: 'ask' };

/** `*97` (own box), `*98` (any box); undefined for any other code. */
export function parseVoicemailCode(code: string): ListenCode | undefined {
  if (code === '*97') return { box: 'own' };
  if (code === '*98') return { box: 'ask' };
  return undefined;
}

const SAY = {
  box: 'Введите номер ящика и решётку.',
  pin: 'Введите пин-код и решётку.',
  wrong: 'Неверный пин-код.',
  locked: 'Ящик заблокирован. Попробуйте позже.',
  noPin: 'Для ящика не задан пин-код.',
  menu: 'Один — повторить. Семь — удалить. Девять или решётка — следующее. Ноль — смена пин-кода.',
  options: 'Ноль — смена пин-кода.',
  newPin: 'Введите новый пин-код из четырёх — восьми цифр и решётку.',
  again: 'Повторите новый пин-код и решётку.',
  pinSet: 'Пин-код изменён.',
  pinNotSet: 'Пин-код не изменён.',
  deleted: 'Сообщение удалено.',
  none: 'Больше сообщений нет. До свидания.',
  count: (fresh: number, saved: number) => `Новых сообщений: ${fresh}. Сохранённых: ${saved}.`,
} as const;

export class VoicemailListen implements Feature {
  private stopped = false;

  constructor(
    private readonly code: ListenCode,
    private readonly deps: FeatureDeps,
  ) {}

  async run(call: Call): Promise<Next> {
    const access = this.deps.voicemailAccess;
    const refuse = (status: number, reason: string, code: string): Next => ({ kind: 'route', to: { kind: 'refuse', status, reason, code } });
    if (!access) return refuse(503, 'Voicemail unavailable', 'voicemail-unavailable');
    // Only the tenant's own phones dial feature codes; a trunk caller has no extension.
    if (call.direction === 'inbound' || !/^\d{2,6}$/.test(call.caller.number)) return refuse(403, 'Not an extension', 'voicemail-not-extension');
    const by = `phone:${call.caller.number}`;
    let box: ListenBox | undefined;
    if (this.code.box === 'own') {
      box = access.ownBox(call.tenantId, call.caller.number);
      if (!box) return refuse(404, 'No voicemail box', 'voicemail-box-not-found');
    }
    await this.deps.actions.answer(call);
    if (this.code.box === 'ask') {
      const number = await this.deps.actions.collectDigits(call, { max: 6, timeoutMs: PIN_TIMEOUT_MS, interDigitMs: INTER_DIGIT_MS, terminator: '#', ...(await this.prompt(SAY.box)) });
      if (number.kind === 'ended') return { kind: 'done' };
      box = access.boxByNumber(call.tenantId, number.digits);
    }
    const opened = await this.pin(call, access, box);
    if (opened !== 'ok') return this.bye(call, opened);
    await this.listen(call, access, box!, by);
    return { kind: 'done' };
  }

  /** Up to MAX_PIN_TRIES; an unknown box (`undefined`) is refused like a wrong PIN. */
  private async pin(call: Call, access: VoicemailAccess, box: ListenBox | undefined): Promise<'ok' | 'ended' | 'voicemail-pin-refused' | 'voicemail-box-locked' | 'voicemail-no-pin'> {
    for (let attempt = 1; attempt <= MAX_PIN_TRIES; attempt++) {
      if (this.stopped || call.ended) return 'ended';
      const pin = await this.deps.actions.collectDigits(call, { max: 8, timeoutMs: PIN_TIMEOUT_MS, interDigitMs: INTER_DIGIT_MS, terminator: '#', ...(await this.prompt(SAY.pin)) });
      if (pin.kind === 'ended') return 'ended';
      const result: PinCheck = box ? await access.checkPin(box, pin.digits) : 'wrong';
      call.log.info('voicemail pin', { box: box?.number ?? null, result, attempt });
      if (result === 'ok') return 'ok';
      if (result === 'locked') return (await this.sayOnce(call, SAY.locked)) ? 'voicemail-box-locked' : 'ended';
      if (result === 'no-pin') return (await this.sayOnce(call, SAY.noPin)) ? 'voicemail-no-pin' : 'ended';
      if (!(await this.sayOnce(call, SAY.wrong))) return 'ended';
    }
    return 'voicemail-pin-refused';
  }

  private async listen(call: Call, access: VoicemailAccess, box: ListenBox, by: string): Promise<void> {
    const list = access.messages(box.id);
    const fresh = list.filter((m) => m.folder === 'new').length;
    if (!(await this.sayOnce(call, SAY.count(fresh, list.length - fresh)))) return;
    for (let i = 0; i < list.length; ) {
      if (this.stopped || call.ended) return;
      const m = list[i]!;
      const audio = await access.audio(m.id);
      if (!audio) {
        i++; // deleted meanwhile (in the browser)
        continue;
      }
      const played = await this.deps.actions.play(call, { audio, durationMs: m.durationMs }, { bargeIn: true });
      audio.fill(0); // the plain copy lives no longer than its playing
      if (played.kind === 'ended') return;
      access.heard(box, m.id, by);
      access.changed(box.tenantId, box.id);
      let choice = await this.deps.actions.collectDigits(call, { max: 1, timeoutMs: MENU_TIMEOUT_MS, interDigitMs: MENU_TIMEOUT_MS, ...(await this.prompt(SAY.menu)) });
      while (choice.kind === 'digits' && choice.digits === '0') {
        if (!(await this.changePin(call, access, box, by))) return;
        choice = await this.deps.actions.collectDigits(call, { max: 1, timeoutMs: MENU_TIMEOUT_MS, interDigitMs: MENU_TIMEOUT_MS, ...(await this.prompt(SAY.menu)) });
      }
      if (choice.kind === 'ended') return;
      call.log.info('voicemail menu', { box: box.number, message: m.id, choice: choice.digits || 'timeout' });
      if (choice.digits === '1') continue;
      if (choice.digits === '7') {
        await access.remove(box, m.id, by);
        access.changed(box.tenantId, box.id);
        if (!(await this.sayOnce(call, SAY.deleted))) return;
      }
      i++;
    }
    const last = await this.deps.actions.collectDigits(call, { max: 1, timeoutMs: MENU_TIMEOUT_MS, interDigitMs: MENU_TIMEOUT_MS, ...(await this.prompt(SAY.options)) });
    if (last.kind === 'ended') return;
    if (last.digits === '0' && !(await this.changePin(call, access, box, by))) return;
    if (await this.sayOnce(call, SAY.none)) await call.end('system', undefined, 'voicemail-listened');
  }

  /** A new PIN, entered twice; kept only when both agree and it is 4–8 digits. False when the call ended. */
  private async changePin(call: Call, access: VoicemailAccess, box: ListenBox, by: string): Promise<boolean> {
    const ask = async (text: string) => this.deps.actions.collectDigits(call, { max: 8, timeoutMs: PIN_TIMEOUT_MS, interDigitMs: INTER_DIGIT_MS, terminator: '#', ...(await this.prompt(text)) });
    const first = await ask(SAY.newPin);
    if (first.kind === 'ended') return false;
    const second = await ask(SAY.again);
    if (second.kind === 'ended') return false;
    const ok = /^\d{4,8}$/.test(first.digits) && first.digits === second.digits;
    call.log.info('voicemail pin change by phone', { box: box.number, changed: ok });
    if (ok) await access.setPin(box, first.digits, by);
    return this.sayOnce(call, ok ? SAY.pinSet : SAY.pinNotSet);
  }

  private async bye(call: Call, why: Awaited<ReturnType<VoicemailListen['pin']>>): Promise<Next> {
    if (why !== 'ended' && !call.ended) await call.end('system', undefined, why);
    return { kind: 'done' };
  }

  /** Says `text`; false when the call ended meanwhile. */
  private async sayOnce(call: Call, text: string): Promise<boolean> {
    const p = await this.deps.voicemailAccess?.say(text);
    if (p && !call.ended) {
      const played = await this.deps.actions.play(call, p);
      return played.kind !== 'ended';
    }
    return !call.ended;
  }

  private async prompt(text: string): Promise<{ prompt?: Prompt }> {
    const p = await this.deps.voicemailAccess?.say(text);
    return p ? { prompt: p } : {};
  }

  stop(): void {
    this.stopped = true;
  }
}

export const voicemailListenFeature = (code: ListenCode, deps: FeatureDeps): Feature => new VoicemailListen(code, deps);
