// call-control's side of voicemail: boxes as the voicemail destination's
// config (`<box id>` or `<box id>:busy` from forwarding on busy), and the
// port the destination saves messages through. Built once per process; the
// start-up sweep discards what a killed process left half-written.
import type { Logger } from '../../common/logger';
import type { Store } from '../../store';
import { queueVoicemailMail } from '../../mail';
import { ensureBeep, MessageStore, openVoicemailVault } from '../../voicemail';
import type { VoicemailConfig, VoicemailPort } from './voicemail';

export interface VoicemailWiring {
  port: VoicemailPort;
  messages: MessageStore;
  /** The destination's config for `id` within the tenant, or undefined. */
  load(tenantId: number, id: string): Omit<VoicemailConfig, 'greeting'> & { greeting: 'unavailable' | 'busy' } | undefined;
}

export async function voicemailWiring(opts: { store: Store; dataDir: string; masterKeyPath?: string; log: Logger; changed?: VoicemailPort['changed'] }): Promise<VoicemailWiring> {
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
