// The mail process: sends what the outbox holds (services/mail/outbox.ts is
// how other services queue mail) and turns missed calls into notices.
//
// Its own process under the supervisor, not a loop inside another service:
// ARCHITECTURE keeps processes apart so that slow work never delays call
// signalling or the admin's requests. An SMTP server that hangs, TLS
// handshakes and attachments read from disk stay here; call-control only
// writes its CDR (the notices are read from it) and the api only writes a
// row; a killed sender is restarted by the supervisor and loses nothing.
import path from 'node:path';
import type { Config } from '../common/config';
import { loadMasterKey } from '../common/keys';
import { SecretBox } from '../common/secret-box';
import type { ServiceDeps, ServiceHandle } from '../common/service';
import { openStore, type Store } from '../store';
import { usePdFields } from '../pd-store';
import { MessageStore, openVoicemailVault } from '../voicemail';
import { MailSender } from './sender';
import { SMTP_PASSWORD, SmtpSettingsStore } from './smtp-settings';

export { enqueueMail, emailSchema, mailInputSchema, type MailInput } from './outbox';
export { SMTP_PASSWORD, SmtpSettingsStore, smtpInputSchema, smtpSecurities, type SmtpSettings, type SmtpSecurity, type SmtpConnection, type SmtpInput } from './smtp-settings';
export { sendTestMessage, describeFailure, type SmtpFailure } from './transport';
export { MailSender, backoffMs, ALARM_DELIVERY_FAILING, ALARM_MAIL_FAILED, type SenderOptions } from './sender';
export { queueMissedCallNotices, missedCallMail } from './missed-calls';
export { queueVoicemailMail, voicemailMail } from './voicemail-mail';

/** The SMTP settings of a data directory, with the password box keyed from its master key (loaded on first use). */
export function smtpSettings(store: Pick<Store, 'settings'>, keys: { dataDir: string; masterKeyPath?: string | undefined }): SmtpSettingsStore {
  let box: SecretBox | undefined;
  return new SmtpSettingsStore(store, () => (box ??= new SecretBox(loadMasterKey({ dataDir: keys.dataDir, ...(keys.masterKeyPath ? { masterKeyPath: keys.masterKeyPath } : {}) }).key, SMTP_PASSWORD.purpose)));
}

export async function start(config: Readonly<Config>, { log }: ServiceDeps): Promise<ServiceHandle> {
  const store = openStore(path.join(config.dataDir, 'korobka.db'));
  // A missed-call mail names the caller: opened from the sealed CDR (issue 15).
  usePdFields(store, { dataDir: config.dataDir, masterKeyPath: config.recordings.masterKeyPath });
  // Voicemail attachments are decrypted here, in memory, per message (the vault opened on first use).
  let messages: MessageStore | undefined;
  const voicemail = async (id: number): Promise<Buffer | undefined> => {
    const m = store.voicemail.message(id);
    if (!m) return undefined;
    messages ??= new MessageStore({ store, vault: openVoicemailVault({ dataDir: config.dataDir, ...(config.recordings.masterKeyPath ? { masterKeyPath: config.recordings.masterKeyPath } : {}) }), dataDir: config.dataDir, log });
    return messages.wav(m);
  };
  const sender = new MailSender({ store, smtp: smtpSettings(store, { dataDir: config.dataDir, masterKeyPath: config.recordings.masterKeyPath }), log, options: config.mail, voicemail });
  sender.start();
  log.info('mail sender started', { pollMs: config.mail.pollMs, maxAttempts: config.mail.maxAttempts });
  return {
    health: () => sender.health(),
    stop: async () => {
      await sender.stop();
      store.close();
    },
  };
}
