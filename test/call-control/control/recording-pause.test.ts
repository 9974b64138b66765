// Issue 16 item 11 on a real CallRecording (ng commands kept by the fixture):
// a mandatory recording is paused only as the tenant's policy allows — nobody,
// the employee (a phone's *2 counts as the employee), or supervisors — and
// every such pause raises the alarm and resumes by itself after the limit;
// on-demand recordings are not concerned.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecordingControl } from '../../../services/call-control/calls/recording-control';
import type { MandatoryPause } from '../../../services/call-control/calls/recording-pause';
import { LiveCalls } from '../../../services/call-control/calls/live-calls';
import { silentLogger } from '../../../services/common/logger';
import type { PausePolicy } from '../../../services/recordings';
import { liveCall } from './live-call-fixture';

afterEach(() => {
  vi.useRealTimers();
});

async function mandatory(policy: PausePolicy | undefined, mode: 'always' | 'on-demand' = 'always') {
  const alarms: MandatoryPause[] = [];
  const { call, ng } = await liveCall({ id: `c-${Math.random()}`, mode, pause: { ...(policy ? { pausePolicy: () => policy } : {}), onMandatoryPause: (e) => alarms.push(e) } });
  return { rec: call.recording!, ng, alarms, call };
}

const codeOf = async (p: Promise<unknown>) => p.then(() => 'done', (e: { code?: string }) => e.code);

describe('pausing a mandatory recording', () => {
  it('nobody: refused to the employee and to a supervisor, the capture untouched', async () => {
    const { rec, ng, alarms } = await mandatory({ who: 'nobody', maxSeconds: 60 });
    const before = ng.commands.length;
    expect(await codeOf(rec.act('pause', 'employee'))).toBe('recording-pause-not-allowed');
    expect(await codeOf(rec.act('pause', 'supervisor'))).toBe('recording-pause-not-allowed');
    expect(rec.state).toBe('recording');
    expect(ng.commands.length).toBe(before);
    expect(alarms).toEqual([]);
  });

  it('supervisor: the employee (and the phone’s *2) is refused, a supervisor may', async () => {
    const { rec, alarms, call } = await mandatory({ who: 'supervisor', maxSeconds: 60 });
    expect(await codeOf(rec.act('pause', 'employee'))).toBe('recording-pause-not-allowed');
    // The phone's code goes through RecordingControl as the employee.
    const live = new LiveCalls();
    live.add(call);
    await new RecordingControl({ live, log: silentLogger }).featureCode(call.id, 'tag-a', 'togglePause');
    expect(rec.state).toBe('recording');
    expect(await codeOf(rec.act('pause', 'supervisor'))).toBe('done');
    expect(rec.state).toBe('paused');
    expect(alarms).toMatchObject([{ by: 'supervisor', maxSeconds: 60, recordingId: rec.recordingId }]);
  });

  it('employee: paused, the alarm raised, and resumed by itself after maxSeconds with the span in the metadata', async () => {
    vi.useFakeTimers();
    const { rec, ng, alarms } = await mandatory({ who: 'employee', maxSeconds: 30 });
    expect(await codeOf(rec.act('pause', 'employee'))).toBe('done');
    expect(rec.state).toBe('paused');
    expect(alarms).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(rec.state).toBe('paused');
    await vi.advanceTimersByTimeAsync(1_500);
    expect(rec.state).toBe('recording');
    const last = ng.commands.at(-1);
    expect(last).toMatchObject({ cmd: 'start', meta: { paused: [expect.objectContaining({})] } });
    // A pause resumed by hand leaves no timer behind to resume a later pause early.
    expect(await codeOf(rec.act('pause', 'employee'))).toBe('done');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await codeOf(rec.act('resume', 'employee'))).toBe('done');
    expect(await codeOf(rec.act('pause', 'employee'))).toBe('done');
    await vi.advanceTimersByTimeAsync(25_000);
    expect(rec.state).toBe('paused');
    await vi.advanceTimersByTimeAsync(5_500);
    expect(rec.state).toBe('recording');
    expect(alarms).toHaveLength(3);
  });

  it('without a stored policy the default applies (employee, 120 s); on-demand recordings pause freely, no alarm, no limit', async () => {
    vi.useFakeTimers();
    const m = await mandatory(undefined);
    expect(await codeOf(m.rec.act('pause', 'employee'))).toBe('done');
    await vi.advanceTimersByTimeAsync(119_000);
    expect(m.rec.state).toBe('paused');
    await vi.advanceTimersByTimeAsync(1_500);
    expect(m.rec.state).toBe('recording');
    const od = await mandatory({ who: 'nobody', maxSeconds: 1 }, 'on-demand');
    await od.rec.act('start', 'employee');
    expect(await codeOf(od.rec.act('pause', 'employee'))).toBe('done');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(od.rec.state).toBe('paused');
    expect(od.alarms).toEqual([]);
  });
});
