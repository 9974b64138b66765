// /api/calls/live against a real control channel (call-control's server on a
// Unix socket over live calls): tenant scoping, employees' own calls,
// recording actions by role and policy, an audit row for every action, and
// 503 call-control-unavailable when nothing listens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { LiveCalls } from '../../services/call-control/calls/live-calls';
import { RecordingControl } from '../../services/call-control/calls/recording-control';
import { ControlServer } from '../../services/call-control/control/control-server';
import { silentLogger } from '../../services/common/logger';
import { defaultFeatures, type Role } from '../../services/store';
import { liveCall } from '../call-control/control/live-call-fixture';
import { tempDir } from '../helpers/tmp';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let t: ReturnType<typeof tempDir>;
let server: ControlServer;
let tenantA: number;
let tenantB: number;
const live = new LiveCalls();
const as = new Map<Role, { client: Client; userId: number }>();
const c = (r: Role) => as.get(r)!.client;

beforeAll(async () => {
  t = tempDir('live-api-');
  const socket = path.join(t.dir, 'cc.sock');
  server = await ControlServer.listen(socket, { control: new RecordingControl({ live, log: silentLogger }), log: silentLogger });
  h = await startApi({ calls: { controlSocket: socket } });
  tenantA = h.store.tenants.create({ name: 'A', sipDomain: 'a.example.ru' }).id;
  tenantB = h.store.tenants.create({ name: 'B', sipDomain: 'b.example.ru' }).id;
  for (const role of ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'] as const) as.set(role, await h.as(role, role === 'superadmin' ? null : tenantA));
  // The employee is extension 201 of tenant A.
  const ext = h.store.extensions.create({ tenantId: tenantA, extension: '201', ha1: { MD5: '0'.repeat(32), 'SHA-256': '0'.repeat(64) } });
  h.store.extensionFeatures.set(ext.id, { ...defaultFeatures(), userId: as.get('employee')!.userId });
  live.add((await liveCall({ id: 'a-own@pbx', tenantId: tenantA, mode: 'on-demand', caller: '201', callee: '202' })).call);
  live.add((await liveCall({ id: 'a-other@pbx', tenantId: tenantA, mode: 'on-demand', caller: '203', callee: '204', answerAt: Date.UTC(2026, 10, 22, 11) })).call);
  live.add((await liveCall({ id: 'a-never@pbx', tenantId: tenantA, mode: 'never', caller: '205', callee: '206', answerAt: Date.UTC(2026, 10, 22, 12) })).call);
  live.add((await liveCall({ id: 'a-always@pbx', tenantId: tenantA, mode: 'always', caller: '207', callee: '208', answerAt: Date.UTC(2026, 10, 22, 13) })).call);
  live.add((await liveCall({ id: 'b-call@pbx', tenantId: tenantB, mode: 'on-demand', caller: '201', callee: '202', answerAt: Date.UTC(2026, 10, 22, 14) })).call);
});
afterAll(async () => {
  await h?.close();
  await server?.close();
  t?.cleanup();
});

const ids = async (role: Role, q = '') => ((await c(role).request('GET', `/api/calls/live${q}`)).body.calls as Array<{ id: string }>).map((x) => x.id);
const audits = (action: string, target: string) => h.store.audit.list({ action, limit: 100 }).rows.filter((r) => r.target === target);

describe('GET /api/calls/live', () => {
  it('scopes by tenant and, for employees, to their own extensions', async () => {
    expect(await ids('superadmin')).toEqual(['a-own@pbx', 'a-other@pbx', 'a-never@pbx', 'a-always@pbx', 'b-call@pbx']);
    expect(await ids('superadmin', `?tenantId=${tenantB}`)).toEqual(['b-call@pbx']);
    expect(await ids('tenant-admin', `?tenantId=${tenantB}`)).toEqual(['a-own@pbx', 'a-other@pbx', 'a-never@pbx', 'a-always@pbx']);
    expect(await ids('supervisor')).toHaveLength(4);
    expect(await ids('auditor')).toHaveLength(4);
    // 201 in tenant B is another tenant's extension.
    expect(await ids('employee')).toEqual(['a-own@pbx']);
    const r = await c('supervisor').request('GET', '/api/calls/live');
    expect(r.body.calls[0]).toEqual({ id: 'a-own@pbx', tenantId: tenantA, caller: '201', callee: '202', answeredAt: '2026-11-22T10:00:00.000Z', recording: { state: 'off', mode: 'on-demand', recordingId: null } });
  });
});

describe('POST /api/calls/live/:id/recording', () => {
  it('a supervisor starts and stops an on-demand recording; each action is audited with who, call, action and address', async () => {
    const start = await c('supervisor').request('POST', '/api/calls/live/a-other@pbx/recording', { action: 'start' });
    expect(start.status).toBe(200);
    expect(start.body.call.recording).toMatchObject({ state: 'recording', mode: 'on-demand', recordingId: expect.stringMatching(/^rec-/) });
    const stop = await c('supervisor').request('POST', '/api/calls/live/a-other@pbx/recording', { action: 'stop' });
    expect(stop.body.call.recording.state).toBe('off');
    const row = audits('call.recording.start', 'a-other@pbx')[0];
    expect(row).toMatchObject({ actorId: as.get('supervisor')!.userId, tenantId: tenantA, outcome: 'ok', ip: expect.stringMatching(/127\.0\.0\.1/), details: { action: 'start', caller: '203', callee: '204', state: 'recording', recordingId: start.body.call.recording.recordingId } });
    expect(audits('call.recording.stop', 'a-other@pbx')[0]).toMatchObject({ outcome: 'ok', details: { state: 'off' } });
  });

  it('the employee on the call may pause and resume it; an employee not on the call gets 404, audited as denied, and nothing changes', async () => {
    expect((await c('employee').request('POST', '/api/calls/live/a-own@pbx/recording', { action: 'start' })).body.call.recording.state).toBe('recording');
    expect((await c('employee').request('POST', '/api/calls/live/a-own@pbx/recording', { action: 'pause' })).body.call.recording.state).toBe('paused');
    expect((await c('employee').request('POST', '/api/calls/live/a-own@pbx/recording', { action: 'resume' })).body.call.recording.state).toBe('recording');
    const r = await c('employee').request('POST', '/api/calls/live/a-always@pbx/recording', { action: 'pause' });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('call-not-found');
    expect(audits('call.recording.pause', 'a-always@pbx')[0]).toMatchObject({ actorId: as.get('employee')!.userId, outcome: 'denied' });
    expect(live.get('a-always@pbx')!.recording!.state).toBe('recording');
  });

  it("another tenant's call looks missing to a tenant admin", async () => {
    const r = await c('tenant-admin').request('POST', '/api/calls/live/b-call@pbx/recording', { action: 'start' });
    expect(r.status).toBe(404);
    expect(live.get('b-call@pbx')!.recording!.state).toBe('off');
    expect((await c('superadmin').request('POST', '/api/calls/live/b-call@pbx/recording', { action: 'start' })).status).toBe(200);
  });

  it('refuses by policy with 409 and a clear code: start when never, stop when always; audited as failed', async () => {
    const never = await c('tenant-admin').request('POST', '/api/calls/live/a-never@pbx/recording', { action: 'start' });
    expect(never).toMatchObject({ status: 409, body: { code: 'recording-policy-never' } });
    expect(audits('call.recording.start', 'a-never@pbx')[0]).toMatchObject({ outcome: 'failed', details: { code: 'recording-policy-never' } });
    const always = await c('tenant-admin').request('POST', '/api/calls/live/a-always@pbx/recording', { action: 'stop' });
    expect(always).toMatchObject({ status: 409, body: { code: 'recording-stop-not-allowed' } });
    expect((await c('tenant-admin').request('POST', '/api/calls/live/a-always@pbx/recording', { action: 'pause' })).body.call.recording.state).toBe('paused');
    expect((await c('tenant-admin').request('POST', '/api/calls/live/a-always@pbx/recording', { action: 'resume' })).body.call.recording.state).toBe('recording');
  });

  it('validates the action and the call id; unknown calls are 404', async () => {
    const bad = await c('supervisor').request('POST', '/api/calls/live/a-other@pbx/recording', { action: 'wipe' });
    expect(bad).toMatchObject({ status: 400, body: { code: 'validation-failed' } });
    expect(bad.body.details.fields).toEqual([{ field: 'action', message: 'expected start, stop, pause or resume' }]);
    expect((await c('supervisor').request('POST', '/api/calls/live/a-other@pbx/recording', {})).status).toBe(400);
    expect((await c('supervisor').request('POST', `/api/calls/live/${'x'.repeat(301)}/recording`, { action: 'start' })).body.code).toBe('validation-failed');
    expect((await c('supervisor').request('POST', '/api/calls/live/nobody@pbx/recording', { action: 'start' })).body.code).toBe('call-not-found');
    expect((await c('auditor').request('POST', '/api/calls/live/a-other@pbx/recording', { action: 'start' })).status).toBe(403);
  });
});

describe('call-control not running', () => {
  it('answers 503 call-control-unavailable, and audits the failed action', async () => {
    const off = await startApi({ calls: { controlSocket: path.join(t.dir, 'absent.sock') } });
    try {
      const admin = (await off.as('tenant-admin', off.store.tenants.create({ name: 'Z', sipDomain: 'z.example.ru' }).id)).client;
      const list = await admin.request('GET', '/api/calls/live');
      expect(list).toMatchObject({ status: 503, body: { code: 'call-control-unavailable' } });
      const act = await admin.request('POST', '/api/calls/live/x@pbx/recording', { action: 'start' });
      expect(act).toMatchObject({ status: 503, body: { code: 'call-control-unavailable' } });
      expect(off.store.audit.list({ action: 'call.recording.start' }).rows[0]).toMatchObject({ outcome: 'failed', target: 'x@pbx', details: { code: 'call-control-unavailable' } });
    } finally {
      await off.close();
    }
  });
});
