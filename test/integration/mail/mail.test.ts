// Mail on the real appliance (korobka start: sip-core, call-control,
// rtpengine, api and the mail process) with a real SMTP server on loopback
// (npm smtp-server): a sipp call to an extension that rings unanswered
// sends exactly one missed-call e-mail; mail queued while the SMTP server
// hangs or is down survives a SIGKILL of the mail process mid-send and is
// delivered once the server is back, with the alarm raised and cleared.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMail, smtpInputSchema, smtpSettings, ALARM_DELIVERY_FAILING } from '../../../services/mail';
import { testSmtp, type TestSmtp } from '../../helpers/smtp-server';
import { uacScenario, uasScenario } from '../call-control/call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from '../call-control/pbx';

let pbx: Pbx;
let smtp: TestSmtp;

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const mailProc = async () => ((await pbx.app.get('/api/health')).body.processes as Array<{ name: string; pid: number; state: string; restarts: number; health: Record<string, unknown> | null }>).find((p) => p.name === 'mail')!;
const mailAlarm = () => pbx.store.alarms.list({ active: true }).rows.find((a) => a.code === ALARM_DELIVERY_FAILING);

beforeAll(async () => {
  smtp = await testSmtp({ user: 'pbx', password: 'mail-pw' });
  pbx = await startPbx('mail', ['301', '305'], { calls: { ringTimeoutSeconds: 3 }, mail: { pollMs: 200, retryBaseMs: 300, retryMaxMs: 1000, timeoutMs: 60_000 } }, async (app, store) => {
    smtpSettings(store, { dataDir: app.dataDir }).set(null, smtpInputSchema.parse({ host: '127.0.0.1', port: smtp.port, security: 'none', username: 'pbx', password: 'mail-pw', from: 'pbx@bank.example' }));
    store.mail.addNotice(store.tenants.defaultTenant()!.id, '305', 'ivanova@bank.example');
  });
  await waitFor(async () => (await mailProc())?.state === 'running', 30_000, 'mail process running');
}, 180_000);

afterAll(async () => {
  await pbx?.close();
  await smtp?.stop();
});

describe('mail on the appliance', () => {
  it('a call to 305 that nobody answers sends exactly one missed-call e-mail', async () => {
    const phone = await startCallee(uasScenario('ring-until-cancel'));
    await registerPhone(pbx, '305', phone.port);
    const caller = await startCaller(pbx, uacScenario('fork-no-answer', { fail: 480 }), '301', '305');
    expect(await caller.exited).toBe(0);
    expect(await phone.exited).toBe(0);
    const cdrTo305 = () => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 10 }).find((c) => c.callee.dialled === '305');
    await waitFor(() => cdrTo305() !== undefined, 10_000, 'the CDR of the unanswered call');
    const cdr = cdrTo305()!;
    expect(cdr).toMatchObject({ disposition: 'no-answer', hangupReason: 'ring-timeout' });
    const [m] = await smtp.waitFor(1, 30_000);
    expect(m!.subject).toBe('Пропущенный вызов на 305 от 301 / Missed call');
    expect(m!.text).toContain('Звонил: 301');
    expect(m!.text).toContain(`UTC ${new Date(cdr.startedAt).toISOString()}`);
    expect(smtp.envelopes[0]).toEqual({ from: 'pbx@bank.example', to: ['ivanova@bank.example'] });
    // Exactly one: the scan has moved past the call's CDR and the outbox holds one notice for it.
    const row = pbx.store.db.prepare('SELECT id FROM cdrs WHERE call_id = ?').get(cdr.callId) as { id: number };
    await waitFor(() => pbx.store.mail.cursor() >= row.id, 10_000, 'scan past the call');
    const notices = () => pbx.store.mail.list({ tenantId: tenantId() }).rows.filter((r) => r.kind === 'missed-call');
    await waitFor(() => notices()[0]?.state === 'sent', 10_000, 'the notice marked sent');
    expect(notices().map((r) => [r.state, r.attempts])).toEqual([['sent', 1]]);
    expect(smtp.received).toHaveLength(1);
  }, 90_000);

  it('SMTP hangs, then is down: a SIGKILL of the mail process mid-send loses nothing; delivered when the server is back', async () => {
    const before = smtp.received.length;
    await smtp.stop();
    // A server that takes the connection and never greets: the sender sits in 'sending'.
    const hung = net.createServer(() => undefined);
    const sockets = new Set<net.Socket>();
    hung.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => hung.listen(smtp.port, '127.0.0.1', () => r()));
    const ids = [1, 2, 3].map((i) => enqueueMail(pbx.store, { tenantId: tenantId(), to: [`user${i}@bank.example`], subject: `durable ${i}`, text: 'survives', kind: 'test-kind' }).id!);
    await waitFor(() => ids.some((id) => pbx.store.mail.get(id)!.state === 'sending'), 15_000, 'a message in flight');
    const victim = await mailProc();
    process.kill(victim.pid, 'SIGKILL');
    // The hung server goes away too: now the port refuses, as a mail server that is down.
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hung.close(() => r()));
    await waitFor(async () => {
      const p = await mailProc().catch(() => undefined);
      return !!p && p.pid !== victim.pid && p.state === 'running';
    }, 30_000, 'mail process restarted');
    // The restarted sender took the 'sending' row back and keeps failing against the closed port.
    await waitFor(() => ids.every((id) => { const r = pbx.store.mail.get(id)!; return r.state === 'queued' && r.attempts >= 2 && /ECONNREFUSED/.test(r.lastError ?? ''); }), 30_000, 'retries against a closed port');
    expect(mailAlarm()?.message).toMatch(/ECONNREFUSED/);
    await smtp.start();
    await smtp.waitFor(before + 3, 30_000);
    expect(smtp.received.slice(before).map((m) => m.subject).sort()).toEqual(['durable 1', 'durable 2', 'durable 3']);
    await waitFor(() => ids.every((id) => pbx.store.mail.get(id)!.state === 'sent'), 10_000, 'all sent');
    await waitFor(() => mailAlarm() === undefined, 10_000, 'alarm cleared');
  }, 150_000);
});
