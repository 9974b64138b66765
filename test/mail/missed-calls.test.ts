// Missed calls → one notice e-mail per call, delivered through a real SMTP
// server on loopback; a second scan (or a sender restarted before it saved
// its cursor) queues nothing twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openStore, type Store } from '../../services/store';
import { silentLogger } from '../../services/common/logger';
import { MailSender, missedCallMail, queueMissedCallNotices, smtpInputSchema, smtpSettings } from '../../services/mail';
import { tempDir } from '../helpers/tmp';
import { testSmtp, type TestSmtp } from '../helpers/smtp-server';

let t: ReturnType<typeof tempDir>;
let store: Store;
let smtp: TestSmtp;
let tenantId: number;

beforeEach(async () => {
  t = tempDir('korobka-missed-');
  store = openStore(path.join(t.dir, 'korobka.db'));
  tenantId = store.tenants.create({ name: 'Bank', sipDomain: 'bank.example' }).id;
  smtp = await testSmtp();
});
afterEach(async () => {
  await smtp.stop();
  store.close();
  t.cleanup();
});

function missed(callId: string, callee = '202', disposition: 'no-answer' | 'answered' = 'no-answer') {
  const at = Date.parse('2026-12-07T09:15:00Z');
  store.cdrs.close({
    callId,
    tenantId,
    direction: 'internal',
    caller: { dialled: '201', number: '201' },
    callee: { dialled: callee, number: callee },
    extension: '201',
    startedAt: at,
    endedAt: at + 20_000,
    durationSeconds: 20,
    billableSeconds: disposition === 'answered' ? 10 : 0,
    ...(disposition === 'answered' ? { answeredAt: at + 10_000 } : {}),
    disposition,
    hangupSide: 'caller',
    transfers: [],
    status: 'completed',
    lastSeenAt: at,
  });
}

describe('missed-call notices', () => {
  it('one e-mail per unanswered call, with caller and time, to the addresses of the extension', async () => {
    smtpSettings(store, { dataDir: t.dir }).set(null, smtpInputSchema.parse({ host: '127.0.0.1', port: smtp.port, security: 'none', from: 'pbx@bank.example' }));
    store.mail.addNotice(tenantId, '202', 'ivanova@bank.example');
    const s = new MailSender({ store, smtp: smtpSettings(store, { dataDir: t.dir }), log: silentLogger, options: { pollMs: 50, retryBaseMs: 100, retryMaxMs: 100, maxAttempts: 3, timeoutMs: 3000, keepSentDays: 30 } });
    s.start();
    missed('c1');
    missed('c2', '203'); // no notice for 203
    missed('c3', '202', 'answered');
    const [m] = await smtp.waitFor(1);
    expect(m!.subject).toBe('Пропущенный вызов на 202 от 201 / Missed call');
    expect(m!.text).toContain('Звонил: 201');
    expect(m!.text).toContain('UTC 2026-12-07T09:15:00.000Z');
    expect(smtp.envelopes[0]!.to).toEqual(['ivanova@bank.example']);
    // A scan again finds nothing new; the outbox has the one row.
    expect(queueMissedCallNotices(store)).toBe(0);
    await s.stop();
    expect(store.mail.list().rows.map((r) => [r.kind, r.state])).toEqual([['missed-call', 'sent']]);
    expect(smtp.received).toHaveLength(1);
  });

  it('a cursor that was not saved (crash) does not queue a call twice', () => {
    store.mail.addNotice(tenantId, '202', 'a@bank.example');
    store.mail.startCursor();
    const start = store.mail.cursor();
    missed('c1');
    expect(queueMissedCallNotices(store)).toBe(1);
    store.mail.setCursor(start); // as if the process died before the cursor moved
    expect(queueMissedCallNotices(store)).toBe(0);
    expect(store.mail.counts().queued).toBe(1);
  });

  it('says who called and when, in Russian first', () => {
    const m = missedCallMail({ cdrId: 1, callId: 'x', tenantId: 1, extension: '202', caller: '+74951234567', startedAt: '2026-12-07T09:15:00.000Z', disposition: 'cancelled', emails: [] }, 'Europe/Moscow');
    expect(m.text).toContain('Время: 07.12.2026, 12:15:00');
    expect(m.text).toContain('Итог: звонящий положил трубку');
  });
});
