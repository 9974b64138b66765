// Migration 0070: the mail outbox and missed-call notices over a database at
// version 51 with CDRs already in it. The checks refuse a row without
// recipients, an unknown state and a sent row without its time; the cursor
// starts at the newest CDR, so calls from before mail was set up notify
// nobody; an unanswered call to an extension with notices is found once.
import { describe, expect, it } from 'vitest';
import { schemaVersion, type Db } from '../../services/store';
import { MailRepo } from '../../services/store/repos/mail';
import { CdrsRepo } from '../../services/store/repos/cdrs';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig70-');

function cdr(callId: string, over: Record<string, unknown> = {}) {
  const t = Date.parse('2026-12-07T09:00:00Z');
  return {
    callId,
    tenantId: 1,
    direction: 'internal' as const,
    caller: { dialled: '201', number: '201' },
    callee: { dialled: '202', number: '202' },
    extension: '201',
    startedAt: t,
    endedAt: t + 20_000,
    durationSeconds: 20,
    billableSeconds: 0,
    disposition: 'no-answer' as const,
    hangupSide: 'system' as const,
    transfers: [],
    status: 'completed' as const,
    lastSeenAt: t,
    ...over,
  };
}

function at70(): Db {
  return mig.at(51, 70, (d) => {
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', '2026-12-06T00:00:00Z')").run();
    new CdrsRepo(d).close(cdr('old-call'));
  });
}

describe('migration 0070 mail', () => {
  it('keeps rows to the rules', () => {
    const d = at70();
    expect(schemaVersion(d)).toBe(70);
    const at = '2026-12-07T00:00:00Z';
    const ins = (recipients: string, state = 'queued', sentAt: string | null = null) => () =>
      d.prepare('INSERT INTO mail_outbox (tenant_id, kind, recipients, subject, text, state, next_attempt_at, created_at, updated_at, sent_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run('k', recipients, 's', 't', state, at, at, at, sentAt);
    expect(ins('[]')).toThrow(/CHECK/);
    expect(ins('"a@b.ru"')).toThrow(/CHECK/);
    expect(ins('["a@b.ru"]', 'lost')).toThrow(/CHECK/);
    expect(ins('["a@b.ru"]', 'sent')).toThrow(/CHECK/);
    expect(ins('["a@b.ru"]', 'sent', at)).not.toThrow();
    expect(() => d.prepare("INSERT INTO missed_call_notices (tenant_id, extension, email, created_at) VALUES (1, '20a', 'a@b.ru', ?)").run(at)).toThrow(/CHECK/);
  });

  it('finds each unanswered call to an extension with notices once, from the newest CDR at setup on', () => {
    const d = at70();
    const mail = new MailRepo(d);
    const cdrs = new CdrsRepo(d);
    mail.addNotice(1, '202', 'ivanova@t.example.ru');
    mail.addNotice(1, '202', 'boss@t.example.ru');
    mail.addNotice(1, '202', 'boss@t.example.ru'); // the same again: one row
    expect(mail.listNotices(1)).toHaveLength(2);
    mail.startCursor();
    expect(mail.missedCallsSince(100).calls).toEqual([]); // 'old-call' came before
    cdrs.close(cdr('missed-1'));
    cdrs.close(cdr('answered', { disposition: 'answered', answeredAt: Date.parse('2026-12-07T09:00:05Z'), billableSeconds: 15 }));
    cdrs.close(cdr('other-ext', { callee: { dialled: '203', number: '203' } }));
    cdrs.close(cdr('inbound', { direction: 'inbound', caller: { dialled: '84951234567', number: '+74951234567' }, callee: { dialled: '4951110000', number: '+74951110000' }, extension: '202', disposition: 'cancelled', hangupSide: 'caller' }));
    cdrs.close(cdr('failed', { disposition: 'failed' }));
    const { calls, cursor } = mail.missedCallsSince(100);
    expect(calls.map((c) => [c.callId, c.extension, c.caller, c.disposition, c.emails.sort()])).toEqual([
      ['missed-1', '202', '201', 'no-answer', ['boss@t.example.ru', 'ivanova@t.example.ru']],
      ['inbound', '202', '+74951234567', 'cancelled', ['boss@t.example.ru', 'ivanova@t.example.ru']],
    ]);
    mail.setCursor(cursor);
    expect(mail.missedCallsSince(100).calls).toEqual([]);
    // A page that is full stops at its last row.
    cdrs.close(cdr('missed-2'));
    cdrs.close(cdr('missed-3'));
    const page = mail.missedCallsSince(1);
    expect(page.calls.map((c) => c.callId)).toEqual(['missed-2']);
    mail.setCursor(page.cursor);
    expect(mail.missedCallsSince(1).calls.map((c) => c.callId)).toEqual(['missed-3']);
  });
});
