// Issue 16 item 9 against the running api process: listening to recordings
// is a grant held by a person and given by two. The attacks of the review —
// a tenant admin creates a supervisor (or resets one's password) and listens
// as them; a superadmin creates a global auditor and hears every tenant —
// now hear nothing; a grant asked for by one person takes effect only when a
// second, a superadmin, approves it, ends when it expires, when someone else
// resets the holder's password or changes their role. A fresh box's owner
// gets the first grant from root on the console (`korobka admin grant-listen`).
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../services/common/logger';
import { openKeyring } from '../../../services/recordings/keys';
import { RecordingPipeline } from '../../../services/recordings/pipeline';
import { Vault } from '../../../services/recordings/vault';
import { openStore, type Store } from '../../../services/store';
import { writeCapture } from '../../recordings/spool-writer';
import { signIn, signInAdmin, startApiProcess, type ApiProcess } from './api-process';

const run = promisify(execFile);
const OWN_PASSWORD = 'Ural-Listen-2026-q7!';
let api: ApiProcess;
let store: Store;
let tenantId: number;
let su: { cookie: string; csrf: string };

type Session = { cookie: string; csrf: string };
const call = (s: Session, method: string, url: string, body?: unknown) =>
  api.request(method, url, { body, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
const play = (s: Session) => call(s, 'GET', '/api/recordings/rec-grant-1/audio');

/** A user made through the API by `by`, signed in with a password of their own. */
async function newUser(by: Session, username: string, role: string, tenant: number | null): Promise<{ id: number; session: Session }> {
  const r = await call(by, 'POST', '/api/users', { username, role, tenantId: tenant });
  expect(r.status).toBe(201);
  return { id: r.body.user.id as number, session: await firstSignIn(username, r.body.password as string) };
}

async function firstSignIn(username: string, oneTime: string): Promise<Session> {
  const s = await signIn(api, username, oneTime);
  const r = await call(s, 'POST', '/api/auth/password', { currentPassword: oneTime, newPassword: OWN_PASSWORD });
  expect(r.status).toBe(204);
  return signIn(api, username, OWN_PASSWORD);
}

const auditRows = (action: string, userId: number) => store.audit.list({ action, limit: 1000 }).rows.filter((r) => r.target === `user:${userId}`);

beforeAll(async () => {
  api = await startApiProcess('listen-grants', { scryptLogN: 14 });
  store = openStore(path.join(api.dataDir, 'korobka.db'));
  tenantId = store.tenants.defaultTenant()!.id;
  const spool = path.join(api.dataDir, 'recordings', 'spool');
  writeCapture(spool, 'call-grant-1', { recordingId: 'rec-grant-1', tenantId: String(tenantId), caller: '201', callee: '202' }, { seconds: 2 });
  const pipeline = new RecordingPipeline({ dataDir: api.dataDir, vault: new Vault(openKeyring({ dataDir: api.dataDir })), repo: store.recordings, log: silentLogger, format: 'wav' });
  expect((await pipeline.processSpool(spool)).stored).toHaveLength(1);
  su = await signInAdmin(api);
}, 120_000);

afterAll(async () => {
  store?.close();
  await api?.stop();
});

describe('listen grants with four eyes (issue 16 item 9)', () => {
  let ta: Session;
  let sup: { id: number; session: Session };

  it('a supervisor a tenant admin creates hears nothing, nor after the admin resets their password', async () => {
    ta = (await newUser(su, 'ta-volga', 'tenant-admin', tenantId)).session;
    sup = await newUser(ta, 'sup-volga', 'supervisor', tenantId);
    const r = await play(sup.session);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('recordings-listen-not-granted');
    // Metadata stays visible: supervisors see the calls of their tenant.
    expect((await call(sup.session, 'GET', '/api/recordings/rec-grant-1')).status).toBe(200);

    const reset = await call(ta, 'POST', `/api/users/${sup.id}/reset-password`);
    expect(reset.status).toBe(200);
    const taken = await firstSignIn('sup-volga', reset.body.password as string);
    expect((await play(taken)).body.code).toBe('recordings-listen-not-granted');
    sup.session = taken;
  });

  it('one "yes" is a request: the asker cannot approve it, a tenant admin cannot approve; a second person, a superadmin, can', async () => {
    const noReason = await call(ta, 'PUT', `/api/recordings/listen-grants/${sup.id}`, { granted: true });
    expect(noReason.status).toBe(400);
    expect(noReason.body.details.fields[0].field).toBe('reason');

    const asked = await call(ta, 'PUT', `/api/recordings/listen-grants/${sup.id}`, { granted: true, days: 30, reason: 'контроль качества, приказ 12-к' });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ granted: false, pending: { requestedBy: 'ta-volga', days: 30 } });
    expect((await play(sup.session)).status).toBe(403);

    const again = await call(ta, 'PUT', `/api/recordings/listen-grants/${sup.id}`, { granted: true, reason: 'ещё раз' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('recordings-grant-awaits-second');
    const ta2 = (await newUser(su, 'ta2-volga', 'tenant-admin', tenantId)).session;
    const notApprover = await call(ta2, 'PUT', `/api/recordings/listen-grants/${sup.id}`, { granted: true });
    expect(notApprover.status).toBe(403);
    expect(notApprover.body.code).toBe('recordings-grant-approver');
    expect((await play(sup.session)).status).toBe(403);

    const approved = await call(su, 'PUT', `/api/recordings/listen-grants/${sup.id}`, { granted: true });
    expect(approved.status).toBe(200);
    expect(approved.body.granted).toBe(true);
    const days = (Date.parse(approved.body.expiresAt as string) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const heard = await play(sup.session);
    expect(heard.status).toBe(200);
    expect(heard.headers['content-type']).toBe('audio/wav');
    expect(auditRows('recordings.listen-requested', sup.id)).toHaveLength(1);
    expect(auditRows('recordings.listen-granted', sup.id)[0]).toMatchObject({ actor: api.adminName, details: { requestedBy: 'ta-volga', days: 30 } });
    expect(auditRows('recordings.listen-grant', sup.id).filter((r) => r.outcome === 'denied')).toHaveLength(2);
  });

  it('the tenant admin sees the grant in their list, not other tenants\' users', async () => {
    const list = await call(ta, 'GET', '/api/recordings/listen-grants');
    expect(list.status).toBe(200);
    expect(list.body.grants.map((g: { username: string }) => g.username)).toEqual(['sup-volga']);
    expect(list.body.grants[0]).toMatchObject({ active: true, grantedBy: api.adminName, requestedBy: 'ta-volga', reason: 'контроль качества, приказ 12-к' });
  });

  it('a grant ends when someone else resets the holder\'s password, and when it expires', async () => {
    const reset = await call(ta, 'POST', `/api/users/${sup.id}/reset-password`);
    const taken = await firstSignIn('sup-volga', reset.body.password as string);
    expect((await play(taken)).body.code).toBe('recordings-listen-not-granted');
    expect(auditRows('recordings.listen-revoked', sup.id)[0]).toMatchObject({ details: { why: 'password-reset' } });

    await call(ta, 'PUT', `/api/recordings/listen-grants/${sup.id}`, { granted: true, days: 1, reason: 'снова контроль качества' });
    expect((await call(su, 'PUT', `/api/recordings/listen-grants/${sup.id}`, { granted: true })).body.granted).toBe(true);
    expect((await play(taken)).status).toBe(200);
    store.db.prepare("UPDATE recording_listen_grants SET expires_at = '2026-01-01T00:00:00.000Z' WHERE user_id = ?").run(sup.id);
    expect((await play(taken)).body.code).toBe('recordings-listen-not-granted');
  });

  it('a superadmin who creates a global auditor hears nothing through them, and cannot approve their own request', async () => {
    const aud = await newUser(su, 'aud-global', 'auditor', null);
    expect((await play(aud.session)).body.code).toBe('recordings-listen-not-granted');
    expect((await call(su, 'PUT', `/api/recordings/listen-grants/${aud.id}`, { granted: true, days: 7, reason: 'проверка ЦБ' })).status).toBe(202);
    const own = await call(su, 'PUT', `/api/recordings/listen-grants/${aud.id}`, { granted: true });
    expect(own.status).toBe(409);
    expect((await play(aud.session)).status).toBe(403);
    // Nor can the grantee approve it for themselves, even as a superadmin.
    const su2 = await newUser(su, 'su-second', 'superadmin', null);
    expect((await call(su2.session, 'PUT', `/api/recordings/listen-grants/${su2.id}`, { granted: true, reason: 'себе' })).body.code).toBe('recordings-grant-self');
    expect((await call(su2.session, 'PUT', `/api/recordings/listen-grants/${aud.id}`, { granted: true })).body.granted).toBe(true);
    expect((await play(aud.session)).status).toBe(200);
  });

  it('an employee needs no grant and gets none; revoking takes one person and is immediate', async () => {
    const emp = await newUser(su, 'emp-volga', 'employee', tenantId);
    const r = await call(su, 'PUT', `/api/recordings/listen-grants/${emp.id}`, { granted: true, reason: 'зачем-то' });
    expect(r.body.code).toBe('recordings-grant-not-needed');
    const aud = store.users.byUsername('aud-global')!;
    expect((await call(su, 'PUT', `/api/recordings/listen-grants/${aud.id}`, { granted: false })).body.granted).toBe(false);
    const audSession = await signIn(api, 'aud-global', OWN_PASSWORD);
    expect((await play(audSession)).status).toBe(403);
  });

  it('the owner of a fresh box gets the first grant from root on the console, audited', async () => {
    expect((await play(su)).body.code).toBe('recordings-listen-not-granted');
    const cli = (...args: string[]) => run(process.execPath, ['dist/appliance/cli/main.js', 'admin', ...args, '--data-dir', api.dataDir]);
    await expect(cli('grant-listen', api.adminName, '--days', '0', '--reason', 'первый шаг')).rejects.toMatchObject({ code: 2 });
    const out = await cli('grant-listen', api.adminName, '--days', '3', '--reason', 'первый шаг владельца');
    expect(out.stdout).toMatch(/may hear recorded calls until 20\d\d-/);
    expect((await play(su)).status).toBe(200);
    const row = store.audit.list({ action: 'recordings.listen-granted', limit: 100 }).rows.find((x) => x.actor === 'korobka admin');
    expect(row).toMatchObject({ details: { days: 3, reason: 'первый шаг владельца', by: 'root on the box' } });
  });
});
