// The outbox against a real SMTP server on loopback (npm smtp-server): what
// is queued arrives, attachments intact; a refused password or a server that
// is down means retries with backoff and an alarm, never a lost message; a
// row left 'sending' by a killed sender is sent at the next start.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../../services/store';
import { silentLogger } from '../../services/common/logger';
import { ALARM_DELIVERY_FAILING, ALARM_MAIL_FAILED, MailSender, backoffMs, enqueueMail, smtpInputSchema, smtpSettings, type SenderOptions } from '../../services/mail';
import { tempDir } from '../helpers/tmp';
import { testSmtp, type TestSmtp } from '../helpers/smtp-server';

const OPTIONS: SenderOptions = { pollMs: 50, retryBaseMs: 100, retryMaxMs: 400, maxAttempts: 5, timeoutMs: 3000, keepSentDays: 30 };

let t: ReturnType<typeof tempDir>;
let store: Store;
let smtp: TestSmtp;
let tenantId: number;
let clock: number;
const now = () => new Date(clock);

function sender(options: Partial<SenderOptions> = {}) {
  return new MailSender({ store, smtp: smtpSettings(store, { dataDir: t.dir }), log: silentLogger, options: { ...OPTIONS, ...options }, now });
}

function configure(password: string, scope: number | null = null) {
  smtpSettings(store, { dataDir: t.dir }).set(scope, smtpInputSchema.parse({ host: '127.0.0.1', port: smtp.port, security: 'none', username: 'box', password, from: 'pbx@bank.example', fromName: 'Korobka' }));
}

const activeAlarms = () => store.alarms.list({ active: true }).rows;

beforeEach(async () => {
  t = tempDir('korobka-mail-');
  store = openStore(path.join(t.dir, 'korobka.db'));
  tenantId = store.tenants.create({ name: 'Bank', sipDomain: 'bank.example' }).id;
  smtp = await testSmtp({ user: 'box', password: 'right', refuse: ['nobody@bank.example'] });
  clock = Date.parse('2026-12-07T09:00:00Z');
});
afterEach(async () => {
  await smtp.stop();
  store.close();
  t.cleanup();
});

describe('the outbox', () => {
  it('sends a queued message with its attachments intact, once', async () => {
    configure('right');
    const audio = randomBytes(40_000);
    const file = path.join(t.dir, 'message.wav');
    writeFileSync(file, audio);
    const { id } = enqueueMail(store, {
      tenantId,
      to: ['ivanova@bank.example', 'petrov@bank.example'],
      subject: 'Голосовое сообщение',
      text: 'Текст',
      html: '<p>Текст</p>',
      attachments: [
        { filename: 'message.wav', contentType: 'audio/wav', path: file },
        { filename: 'note.txt', contentType: 'text/plain', content: 'заметка' },
      ],
      kind: 'voicemail',
    });
    expect(store.mail.get(id!)?.state).toBe('queued');
    const s = sender();
    await s.tick();
    await s.tick();
    const [m] = await smtp.waitFor(1);
    expect(smtp.received).toHaveLength(1);
    expect(m!.subject).toBe('Голосовое сообщение');
    expect(smtp.envelopes[0]).toEqual({ from: 'pbx@bank.example', to: ['ivanova@bank.example', 'petrov@bank.example'] });
    expect(m!.attachments.map((a) => a.filename)).toEqual(['message.wav', 'note.txt']);
    expect(Buffer.compare(m!.attachments[0]!.content, audio)).toBe(0);
    expect(m!.attachments[1]!.content.toString('utf8')).toBe('заметка');
    const row = store.mail.get(id!)!;
    expect(row).toMatchObject({ state: 'sent', attempts: 1, lastError: null });
    expect(row.messageId).toMatch(/@/);
    await s.stop();
  });

  it('a wrong password: retried with backoff, alarm with the server\'s 535; delivered once fixed, alarm cleared', async () => {
    configure('wrong');
    const { id } = enqueueMail(store, { tenantId, to: ['a@bank.example'], subject: 'x', text: 'y', kind: 'test-kind' });
    const s = sender();
    await s.tick();
    let row = store.mail.get(id!)!;
    expect(row.state).toBe('queued');
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/535 Authentication credentials invalid/);
    // Backoff: not due before retryBaseMs ±10 %.
    expect(Date.parse(row.nextAttemptAt) - clock).toBeGreaterThanOrEqual(90);
    const alarm = activeAlarms().find((a) => a.code === ALARM_DELIVERY_FAILING);
    expect(alarm).toMatchObject({ tenantId, source: 'mail', severity: 'warning' });
    expect(alarm!.message).toMatch(/535 Authentication credentials invalid/);
    expect(alarm!.message).not.toMatch(/wrong/);
    await s.tick(); // not due yet
    expect(store.mail.get(id!)!.attempts).toBe(1);
    clock += 1000;
    await s.tick();
    expect(store.mail.get(id!)!.attempts).toBe(2);
    configure('right');
    clock += 1000;
    await s.tick();
    await smtp.waitFor(1);
    row = store.mail.get(id!)!;
    expect(row).toMatchObject({ state: 'sent', attempts: 3 });
    expect(activeAlarms().find((a) => a.code === ALARM_DELIVERY_FAILING)).toBeUndefined();
    await s.stop();
  });

  it('a server that is down: nothing lost, delivered after it comes back', async () => {
    configure('right');
    await smtp.stop();
    const ids = [1, 2, 3].map((i) => enqueueMail(store, { tenantId, to: [`u${i}@bank.example`], subject: `m${i}`, text: 't', kind: 'missed-call' }).id!);
    const s = sender();
    for (let i = 0; i < 3; i++) {
      await s.tick();
      clock += 1000;
    }
    for (const id of ids) expect(store.mail.get(id)).toMatchObject({ state: 'queued', attempts: 3 });
    expect(store.mail.get(ids[0]!)!.lastError).toMatch(/ECONNREFUSED/);
    expect(activeAlarms().map((a) => a.code)).toContain(ALARM_DELIVERY_FAILING);
    await smtp.start();
    await s.tick();
    await smtp.waitFor(3);
    expect(smtp.received.map((m) => m.subject).sort()).toEqual(['m1', 'm2', 'm3']);
    for (const id of ids) expect(store.mail.get(id)!.state).toBe('sent');
    expect(activeAlarms().map((a) => a.code)).not.toContain(ALARM_DELIVERY_FAILING);
    await s.stop();
  });

  it('a row a killed sender left "sending" is sent at the next start', async () => {
    configure('right');
    const { id } = enqueueMail(store, { tenantId, to: ['a@bank.example'], subject: 'half-sent', text: 't', kind: 'test-kind' });
    expect(store.mail.claim(id!)).toBe(true);
    expect(store.mail.get(id!)!.state).toBe('sending');
    const s = sender();
    s.start();
    await smtp.waitFor(1);
    await expect.poll(() => store.mail.get(id!)!.state).toBe('sent');
    await s.stop();
  });

  it('gives up after maxAttempts and on a refused recipient, with the mail-failed alarm', async () => {
    configure('wrong');
    const { id } = enqueueMail(store, { tenantId, to: ['a@bank.example'], subject: 'x', text: 'y', kind: 'test-kind' });
    const s = sender({ maxAttempts: 2 });
    await s.tick();
    clock += 1000;
    await s.tick();
    expect(store.mail.get(id!)).toMatchObject({ state: 'failed', attempts: 2 });
    const alarm = activeAlarms().find((a) => a.code === ALARM_MAIL_FAILED);
    expect(alarm?.message).toMatch(/1 e-mail message\(s\) could not be delivered/);
    // The admin fixes the password and retries it: sent, both alarms cleared.
    configure('right');
    expect(store.mail.requeue(id!)).toBe(true);
    await s.tick();
    await smtp.waitFor(1);
    expect(store.mail.get(id!)!.state).toBe('sent');
    expect(activeAlarms().filter((a) => a.source === 'mail')).toEqual([]);
    // A recipient the server refuses for good (550): failed at the first attempt.
    const refused = enqueueMail(store, { tenantId, to: ['nobody@bank.example'], subject: 'x', text: 'y', kind: 'test-kind' });
    await s.tick();
    expect(store.mail.get(refused.id!)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(store.mail.get(refused.id!)!.lastError).toMatch(/550 .*nobody@bank.example/);
    expect(activeAlarms().map((a) => a.code)).toContain(ALARM_MAIL_FAILED);
    await s.stop();
  });

  it('a missing attachment file fails the message at once; no settings at all keep it queued', async () => {
    const { id } = enqueueMail(store, { tenantId, to: ['a@bank.example'], subject: 'x', text: 'y', kind: 'test-kind' });
    const s = sender();
    await s.tick();
    expect(store.mail.get(id!)).toMatchObject({ state: 'queued', lastError: 'no SMTP settings for this tenant or the appliance' });
    configure('right');
    const gone = enqueueMail(store, { tenantId, to: ['a@bank.example'], subject: 'x', text: 'y', kind: 'voicemail', attachments: [{ filename: 'm.wav', contentType: 'audio/wav', path: path.join(t.dir, 'nope.wav') }] });
    await s.tick();
    expect(store.mail.get(gone.id!)).toMatchObject({ state: 'failed', lastError: 'attachment file is gone: m.wav' });
    await s.stop();
  });

  it('a voicemail attachment: the outbox row names the message only; the sender decrypts it at send time; a message gone fails the mail', async () => {
    configure('right');
    const audio = randomBytes(16_000);
    const asked: number[] = [];
    const s = new MailSender({ store, smtp: smtpSettings(store, { dataDir: t.dir }), log: silentLogger, options: OPTIONS, now, voicemail: async (id) => (asked.push(id), id === 41 ? audio : undefined) });
    const ok = enqueueMail(store, { tenantId, to: ['petrov@bank.example'], subject: 'vm', text: 't', kind: 'voicemail', attachments: [{ filename: 'voicemail-41.wav', contentType: 'audio/wav', voicemailMessageId: 41 }] });
    const gone = enqueueMail(store, { tenantId, to: ['petrov@bank.example'], subject: 'vm', text: 't', kind: 'voicemail', attachments: [{ filename: 'voicemail-42.wav', contentType: 'audio/wav', voicemailMessageId: 42 }] });
    const raw = store.db.prepare('SELECT attachments FROM mail_outbox WHERE id = ?').get(ok.id!) as { attachments: string };
    expect(JSON.parse(raw.attachments)).toEqual([{ filename: 'voicemail-41.wav', contentType: 'audio/wav', voicemailMessageId: 41 }]);
    await s.tick();
    const [m] = await smtp.waitFor(1);
    expect(Buffer.compare(m!.attachments[0]!.content, audio)).toBe(0);
    expect(asked.sort()).toEqual([41, 42]);
    expect(store.mail.get(ok.id!)).toMatchObject({ state: 'sent' });
    expect(store.mail.get(gone.id!)).toMatchObject({ state: 'failed', lastError: 'attachment file is gone: voicemail-42.wav' });
    expect(() => enqueueMail(store, { tenantId, to: ['a@b.ru'], subject: 'x', text: 'y', kind: 'k', attachments: [{ filename: 'a', contentType: 'audio/wav', path: '/x', voicemailMessageId: 1 }] })).toThrow(/attachments\.0: give either path or content, or voicemailMessageId/);
    await s.stop();
  });

  it('a voicemail attachment that does not decrypt (a key gone after a restore) is retried, not sent without it', async () => {
    configure('right');
    let broken = true;
    const audio = randomBytes(8_000);
    const s = new MailSender({ store, smtp: smtpSettings(store, { dataDir: t.dir }), log: silentLogger, options: OPTIONS, now, voicemail: async () => {
      if (broken) throw new Error('no tenant key v3');
      return audio;
    } });
    const { id } = enqueueMail(store, { tenantId, to: ['petrov@bank.example'], subject: 'vm', text: 't', kind: 'voicemail', attachments: [{ filename: 'voicemail-7.wav', contentType: 'audio/wav', voicemailMessageId: 7 }] });
    await s.tick();
    expect(store.mail.get(id!)).toMatchObject({ state: 'queued', attempts: 1, lastError: expect.stringContaining('attachment unreadable: no tenant key v3') });
    expect(smtp.received).toHaveLength(0);
    broken = false;
    clock += OPTIONS.retryMaxMs * 2;
    await s.tick();
    const [m] = await smtp.waitFor(1);
    expect(Buffer.compare(m!.attachments[0]!.content, audio)).toBe(0);
    expect(store.mail.get(id!)).toMatchObject({ state: 'sent' });
    await s.stop();
  });

  it('a tenant with its own settings sends through them; others use the appliance\'s', async () => {
    const other = await testSmtp({ user: 'box', password: 'right' });
    try {
      configure('right');
      smtpSettings(store, { dataDir: t.dir }).set(tenantId, smtpInputSchema.parse({ host: '127.0.0.1', port: other.port, security: 'none', username: 'box', password: 'right', from: 'pbx@tenant.example' }));
      const second = store.tenants.create({ name: 'Other', sipDomain: 'other.example' }).id;
      enqueueMail(store, { tenantId, to: ['a@bank.example'], subject: 'own', text: 'y', kind: 'test-kind' });
      enqueueMail(store, { tenantId: second, to: ['b@other.example'], subject: 'appliance', text: 'y', kind: 'test-kind' });
      const s = sender();
      await s.tick();
      await other.waitFor(1);
      await smtp.waitFor(1);
      expect(other.received.map((m) => m.subject)).toEqual(['own']);
      expect(smtp.received.map((m) => m.subject)).toEqual(['appliance']);
      expect(other.envelopes[0]!.from).toBe('pbx@tenant.example');
      await s.stop();
    } finally {
      await other.stop();
    }
  });

  it('refuses bad input by field and queues nothing', () => {
    expect(() => enqueueMail(store, { tenantId, to: ['not-an-address'], subject: 'x', text: 'y', kind: 'test-kind' })).toThrow(/to\.0: expected an e-mail address/);
    expect(() => enqueueMail(store, { tenantId, to: [], subject: 'a\r\nBcc: x@y.z', text: 'y', kind: 'Bad Kind' })).toThrow(/to: at least one recipient; subject: one line; kind: kebab-case/);
    expect(() => enqueueMail(store, { tenantId, to: ['a@b.ru'], subject: 'x', text: 'y', kind: 'k', attachments: [{ filename: 'a', contentType: 'text/plain' }] })).toThrow(/attachments\.0: give either path or content/);
    expect(store.mail.counts()).toEqual({ queued: 0, sending: 0, sent: 0, failed: 0 });
  });

  it('a dedup key queues once', () => {
    const a = enqueueMail(store, { tenantId, to: ['a@b.ru'], subject: 'x', text: 'y', kind: 'k', dedupKey: 'k:1' });
    const b = enqueueMail(store, { tenantId, to: ['a@b.ru'], subject: 'x', text: 'y', kind: 'k', dedupKey: 'k:1' });
    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ id: undefined, duplicate: true });
  });

  it('backoff doubles up to the cap, ±10 %', () => {
    const o = { retryBaseMs: 1000, retryMaxMs: 5000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, o, () => 0.5))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(backoffMs(1, o, () => 0)).toBe(900);
    expect(backoffMs(1, o, () => 1)).toBe(1100);
  });

  it('keeps the password sealed: not in the settings row, not in what get() returns', () => {
    configure('s3cret-pass');
    const raw = store.db.prepare("SELECT value FROM settings WHERE key = 'mail.smtp'").get() as { value: string };
    expect(raw.value).not.toContain('s3cret-pass');
    const got = smtpSettings(store, { dataDir: t.dir }).get(null)!;
    expect(got.hasPassword).toBe(true);
    expect(JSON.stringify(got)).not.toContain('s3cret');
    expect(smtpSettings(store, { dataDir: t.dir }).resolve(tenantId)?.password).toBe('s3cret-pass');
  });
});
