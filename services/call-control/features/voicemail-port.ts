// call-control's side of voicemail: boxes as the voicemail destination's
// config (`<box id>` or `<box id>:busy` from forwarding on busy), and the
// port the destination saves messages through. Built once per process; the
// start-up sweep discards what a killed process left half-written.
import type { Logger } from '../../common/logger';
import type { Store } from '../../store';
import { queueVoicemailMail } from '../../mail';
import { ensureBeep, hashPin, LOCK_AFTER, LOCK_MINUTES, MessageStore, openVoicemailVault, verifyPin } from '../../voicemail';
import type { Prompt } from '../actions/actions';
import type { VoicemailConfig, VoicemailPort } from './voicemail';
import type { ListenBox, VoicemailAccess } from './voicemail-listen';

export interface VoicemailWiring {
  port: VoicemailPort;
  /** Listening by phone (features/voicemail-listen.ts). */
  access: VoicemailAccess;
  messages: MessageStore;
  /** The destination's config for `id` within the tenant, or undefined. */
  load(tenantId: number, id: string): Omit<VoicemailConfig, 'greeting'> & { greeting: 'unavailable' | 'busy' } | undefined;
}

export async function voicemailWiring(opts: {
  store: Store;
  dataDir: string;
  masterKeyPath?: string;
  log: Logger;
  changed?: VoicemailPort['changed'];
  /** Spoken menu prompts (the speech cache); without it the menu is silent but works. */
  say?: (text: string) => Promise<Prompt | undefined>;
}): Promise<VoicemailWiring> {
  const vault = openVoicemailVault({ dataDir: opts.dataDir, ...(opts.masterKeyPath ? { masterKeyPath: opts.masterKeyPath } : {}) });
  const messages = new MessageStore({ store: opts.store, vault, dataDir: opts.dataDir, log: opts.log });
  const swept = await messages.sweep();
  if (swept.discarded.length > 0) opts.log.warn('voicemail sweep discarded incomplete messages', { count: swept.discarded.length });
  const port: VoicemailPort = {
    count: (boxId) => {
      const c = opts.store.voicemail.counts(boxId);
      return c.new + c.saved;
    },
    save: async (m) => {
      const row = await messages.save(m);
      // Voicemail to e-mail: one outbox row naming the message; the mail process decrypts and sends it.
      const box = opts.store.voicemail.box(m.boxId);
      try {
        if (box) queueVoicemailMail(opts.store, box, row);
      } catch (err) {
        // A bad stored address must not lose the message, which is already saved.
        opts.log.warn('voicemail e-mail not queued', { box: box?.number, message: row.id, err: err instanceof Error ? err.message : String(err) });
      }
      return { id: row.id, durationMs: row.durationMs };
    },
    beep: ensureBeep(opts.dataDir),
    changed: (tenantId, boxId) => opts.changed?.(tenantId, boxId),
  };
  return {
    port,
    access: listenAccess(opts, messages),
    messages,
    load: (tenantId, id) => {
      const m = /^(\d+)(?::(busy|unavailable))?$/.exec(id);
      if (!m) return undefined;
      const box = opts.store.voicemail.box(Number(m[1]));
      if (!box || box.tenantId !== tenantId) return undefined;
      return { id: box.id, number: box.number, greetings: box.greetings, maxMessageSeconds: box.maxMessageSeconds, maxMessages: box.maxMessages, greeting: m[2] === 'busy' ? 'busy' : 'unavailable' };
    },
  };
}

const listenBox = (b: { id: number; tenantId: number; number: string }): ListenBox => ({ id: b.id, tenantId: b.tenantId, number: b.number });

/** Boxes, PINs and messages for listening by phone; every message played or deleted is audited like a listen in the browser. */
function listenAccess(opts: { store: Store; log: Logger; changed?: VoicemailPort['changed']; say?: (text: string) => Promise<Prompt | undefined> }, messages: MessageStore): VoicemailAccess {
  const { store } = opts;
  const audit = (box: ListenBox, action: string, messageId: number, by: string) =>
    store.audit.append({ actorId: null, actor: by, tenantId: box.tenantId, action, target: `voicemail-message:${messageId}`, details: { box: box.number, via: 'phone' } });
  return {
    ownBox: (tenantId, extension) => {
      const b = store.voicemail.boxOfExtension(tenantId, extension);
      return b && listenBox(b);
    },
    boxByNumber: (tenantId, number) => {
      const b = store.voicemail.boxByNumber(tenantId, number);
      return b && listenBox(b);
    },
    checkPin: async (ref, pin) => {
      const box = store.voicemail.box(ref.id);
      if (!box) return 'wrong';
      if (box.lockedUntil && Date.parse(box.lockedUntil) > Date.now()) return 'locked';
      if (!box.pinHash) return 'no-pin';
      if (await verifyPin(pin, box.pinHash)) {
        store.voicemail.pinAccepted(box.id);
        return 'ok';
      }
      const counted = store.voicemail.pinFailed(box.id, LOCK_AFTER, new Date(Date.now() + LOCK_MINUTES * 60_000));
      if (counted.lockedUntil) opts.log.warn('voicemail box locked after wrong PINs', { box: box.number, failures: counted.failures, until: counted.lockedUntil });
      return 'wrong';
    },
    messages: (boxId) =>
      store.voicemail
        .messages(boxId)
        .sort((a, b) => (a.folder === b.folder ? a.receivedAt.localeCompare(b.receivedAt) || a.id - b.id : a.folder === 'new' ? -1 : 1))
        .map((m) => ({ id: m.id, caller: m.caller, durationMs: m.durationMs, folder: m.folder })),
    audio: async (id) => {
      const m = store.voicemail.message(id);
      return m && messages.wav(m);
    },
    heard: (box, id, by) => {
      store.voicemail.markRead(id);
      audit(box, 'voicemail.played', id, by);
    },
    remove: async (box, id, by) => {
      await messages.remove(id);
      audit(box, 'voicemail.message-delete', id, by);
    },
    setPin: async (box, pin, by) => {
      store.voicemail.setPin(box.id, await hashPin(pin));
      store.audit.append({ actorId: null, actor: by, tenantId: box.tenantId, action: 'voicemail.pin-set', target: `voicemail-box:${box.id}`, details: { box: box.number, via: 'phone' } });
    },
    say: (text) => opts.say?.(text) ?? Promise.resolve(undefined),
    changed: (tenantId, boxId) => opts.changed?.(tenantId, boxId),
  };
}
