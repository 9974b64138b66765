// The local control channel over a real Unix socket: live calls listed with
// their recording state, recording actions by policy (on-demand, always,
// never), pause/resume as stop/start with the span in the metadata, and bad
// input answered with the box's error shape without changing anything.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { LiveCalls, type LiveCall } from '../../../services/call-control/calls/live-calls';
import { RecordingControl } from '../../../services/call-control/calls/recording-control';
import { ControlServer } from '../../../services/call-control/control/control-server';
import { controlSocketPath } from '../../../services/call-control/control/protocol';
import { CallControlClient } from '../../../services/api/routes/live-calls/call-control-client';
import { silentLogger } from '../../../services/common/logger';
import { ALARM_DISK_FULL } from '../../../services/recordings';
import { configSchema } from '../../../appliance/config/schema';
import { tempDir } from '../../helpers/tmp';
import { liveCall } from './live-call-fixture';

let t: ReturnType<typeof tempDir>;
let live: LiveCalls;
let server: ControlServer;
let client: CallControlClient;
let clock = 1_000_000;

beforeEach(async () => {
  t = tempDir('control-');
  live = new LiveCalls();
  const socketPath = controlSocketPath(configSchema.parse({ dataDir: t.dir }));
  server = await ControlServer.listen(socketPath, { control: new RecordingControl({ live, log: silentLogger }), log: silentLogger });
  client = new CallControlClient({ socketPath, timeoutMs: 2000 });
});
afterEach(async () => {
  await server.close();
  t.cleanup();
});

/** A raw request, for input the client would never send. */
function raw(method: string, p: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { code?: string; message?: string } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: server.socketPath, method, path: p, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const act = (id: string, action: string) => client.post<{ call: { recording: { state: string; recordingId: string | null } } }>(`/calls/${encodeURIComponent(id)}/recording`, { action });

describe('control channel', () => {
  it('listens at <dataDir>/run/call-control.sock, mode 0600', () => {
    expect(server.socketPath).toBe(path.join(t.dir, 'run', 'call-control.sock'));
    const st = statSync(server.socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('lists answered calls with tenant, parties, answer time and recording state, filtered by tenant', async () => {
    live.add((await liveCall({ id: 'c1@h', tenantId: 1, mode: 'always' })).call);
    live.add((await liveCall({ id: 'c2@h', tenantId: 2, mode: 'on-demand', answerAt: Date.UTC(2026, 10, 22, 11) })).call);
    const all = await client.get<{ calls: Array<Record<string, unknown>> }>('/calls');
    expect(all.calls).toEqual([
      { id: 'c1@h', tenantId: 1, caller: '201', callee: '202', answeredAt: '2026-11-22T10:00:00.000Z', recording: { state: 'recording', mode: 'always', recordingId: expect.stringMatching(/^rec-/) } },
      { id: 'c2@h', tenantId: 2, caller: '201', callee: '202', answeredAt: '2026-11-22T11:00:00.000Z', recording: { state: 'off', mode: 'on-demand', recordingId: null } },
    ]);
    expect((await client.get<{ calls: Array<{ id: string }> }>('/calls?tenantId=2')).calls.map((c) => c.id)).toEqual(['c2@h']);
    expect((await client.get<{ call: { id: string } }>('/calls/c1%40h')).call.id).toBe('c1@h');
  });

  it('on-demand: start labels a new recording with both channels, stop ends it, a second start is a new recording', async () => {
    const { call, ng } = await liveCall({ id: 'od', mode: 'on-demand' });
    live.add(call);
    expect(ng.commands).toEqual([]);
    const started = await act('od', 'start');
    expect(started.call.recording.state).toBe('recording');
    expect(ng.commands).toEqual([{ cmd: 'start', meta: { recordingId: started.call.recording.recordingId, tenantId: '1', cdrId: 'od', caller: '201', callee: '202', channels: { left: ['127.0.0.1:30002'], right: ['127.0.0.1:30000'] } } }]);
    await expect(act('od', 'start')).rejects.toMatchObject({ status: 409, code: 'recording-already-started' });
    expect((await act('od', 'stop')).call.recording).toEqual({ state: 'off', mode: 'on-demand', recordingId: null });
    expect(ng.commands.at(-1)).toEqual({ cmd: 'stop' });
    await expect(act('od', 'stop')).rejects.toMatchObject({ status: 409, code: 'recording-not-started' });
    const again = await act('od', 'start');
    expect(again.call.recording.recordingId).not.toBe(started.call.recording.recordingId);
  });

  it('pause marks the capture and stops it; resume starts it again with the same id and the paused span', async () => {
    const { call, ng } = await liveCall({ id: 'p', mode: 'always', now: () => clock });
    live.add(call);
    const id = call.recording!.recordingId;
    ng.commands.length = 0;
    clock = 5_000_000;
    expect((await act('p', 'pause')).call.recording.state).toBe('paused');
    expect(ng.commands).toEqual([{ cmd: 'start', meta: expect.objectContaining({ recordingId: id, pausedAt: 5_000_000 }) }, { cmd: 'stop' }]);
    await expect(act('p', 'pause')).rejects.toMatchObject({ code: 'recording-already-paused' });
    clock = 5_004_000;
    expect((await act('p', 'resume')).call.recording).toEqual({ state: 'recording', mode: 'always', recordingId: id });
    expect(ng.commands.at(-1)).toEqual({ cmd: 'start', meta: expect.objectContaining({ recordingId: id, paused: [{ fromMs: 5_000_000, toMs: 5_004_000 }] }) });
    expect(ng.commands.at(-1)).not.toHaveProperty('meta.pausedAt');
    await expect(act('p', 'resume')).rejects.toMatchObject({ code: 'recording-not-paused' });
  });

  it('refuses by policy: start when never, stop when always; an rtpengine failure leaves the state as it was', async () => {
    const never = await liveCall({ id: 'n', mode: 'never' });
    const always = await liveCall({ id: 'a', mode: 'always' });
    live.add(never.call);
    live.add(always.call);
    await expect(act('n', 'start')).rejects.toMatchObject({ status: 409, code: 'recording-policy-never' });
    await expect(act('a', 'stop')).rejects.toMatchObject({ status: 409, code: 'recording-stop-not-allowed' });
    await expect(act('n', 'pause')).rejects.toMatchObject({ status: 409, code: 'recording-not-started' });
    expect(never.ng.commands).toEqual([]);
    always.ng.failNext = true;
    await expect(act('a', 'pause')).rejects.toMatchObject({ status: 502, code: 'recording-action-failed', message: 'rtpengine did not carry out pause: rtpengine did not answer' });
    expect(call(always).recording!.state).toBe('recording');
  });

  it('refuses an on-demand start while the box may not record (disk full), and says why', async () => {
    const alarms: Array<{ code: string; tenantId: number | null }> = [];
    const { call, ng } = await liveCall({ id: 'full', mode: 'on-demand', alarms });
    live.add(call);
    alarms.push({ code: ALARM_DISK_FULL, tenantId: null });
    await expect(act('full', 'start')).rejects.toMatchObject({ status: 409, code: 'recording-refused', details: { reason: 'disk-full' } });
    expect(ng.commands).toEqual([]);
    alarms.length = 0;
    expect((await act('full', 'start')).call.recording.state).toBe('recording');
  });

  it('answers bad input with a clear error and changes nothing', async () => {
    const { call, ng } = await liveCall({ id: 'x', mode: 'on-demand' });
    live.add(call);
    expect(await raw('POST', '/calls/x/recording', '{"action":"explode"}', { 'content-type': 'application/json' })).toMatchObject({ status: 400, body: { code: 'validation-failed', message: 'action: expected start, stop, pause or resume' } });
    expect(await raw('POST', '/calls/x/recording', '{"action":"start","extra":1}')).toMatchObject({ status: 400, body: { code: 'validation-failed' } });
    expect(await raw('POST', '/calls/x/recording', '{not json')).toMatchObject({ status: 400, body: { code: 'invalid-json' } });
    expect(await raw('POST', '/calls/x/recording', JSON.stringify({ action: 'start', pad: 'x'.repeat(5000) }))).toMatchObject({ status: 413, body: { code: 'payload-too-large' } });
    expect(await raw('POST', '/calls/%E0%A4%A/recording', '{"action":"start"}')).toMatchObject({ status: 400, body: { code: 'validation-failed' } });
    expect(await raw('POST', '/calls/nope/recording', '{"action":"start"}')).toMatchObject({ status: 404, body: { code: 'call-not-found' } });
    expect(await raw('GET', '/calls?tenantId=-1')).toMatchObject({ status: 400, body: { code: 'validation-failed' } });
    expect(await raw('DELETE', '/calls')).toMatchObject({ status: 404, body: { code: 'route-not-found' } });
    expect(ng.commands).toEqual([]);
    expect(call.recording!.state).toBe('off');
  });

  it('replaces a socket left by a killed process, and refuses to remove anything else', async () => {
    const p = server.socketPath;
    await server.close();
    // A killed process leaves its socket file behind (bound, never unlinked).
    expect(spawnSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', p]).status).toBe(0);
    expect(statSync(p).isSocket()).toBe(true);
    server = await ControlServer.listen(p, { control: new RecordingControl({ live, log: silentLogger }), log: silentLogger });
    expect((await client.get<{ calls: unknown[] }>('/calls')).calls).toEqual([]);
    const file = path.join(t.dir, 'run', 'not-a-socket');
    writeFileSync(file, 'x');
    await expect(ControlServer.listen(file, { control: new RecordingControl({ live, log: silentLogger }), log: silentLogger })).rejects.toThrow(/exists and is not a socket/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('the api client says 503 call-control-unavailable when nothing listens', async () => {
    const gone = new CallControlClient({ socketPath: path.join(t.dir, 'run', 'absent.sock'), timeoutMs: 500 });
    await expect(gone.get('/calls')).rejects.toMatchObject({ status: 503, code: 'call-control-unavailable', message: expect.stringContaining('no socket') });
  });
});

function call(x: { call: LiveCall }): LiveCall {
  return x.call;
}
