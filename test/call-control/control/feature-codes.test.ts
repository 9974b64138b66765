// Feature codes from DTMF reports: digits collected per call and party with
// an inter-digit timeout, `*1` toggling an on-demand recording and `*2`
// pausing/resuming, honoured only from the tenant's extensions.
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../appliance/config/schema';
import { LiveCalls } from '../../../services/call-control/calls/live-calls';
import { RecordingControl } from '../../../services/call-control/calls/recording-control';
import { FeatureCodeCollector, type FeatureCode } from '../../../services/call-control/calls/recording-control-codes';
import { silentLogger } from '../../../services/common/logger';
import { liveCall } from './live-call-fixture';

const codes = configSchema.parse({}).recordings.featureCodes;

function collector(config = codes) {
  let now = 0;
  const fired: Array<[string, string, FeatureCode]> = [];
  const c = new FeatureCodeCollector(config, (...a) => fired.push(a), () => now);
  const press = (digits: string, o: { callId?: string; tag?: string; gapMs?: number } = {}) => {
    for (const digit of digits) {
      now += o.gapMs ?? 300;
      c.digit({ callId: o.callId ?? 'c', sourceTag: o.tag ?? 'A', digit });
    }
  };
  return { c, fired, press };
}

describe('FeatureCodeCollector', () => {
  it('fires *1 and *2 (FreePBX-like defaults), also after stray digits, once per code', () => {
    const { fired, press, c } = collector();
    press('*1');
    press('5*2');
    press('12#');
    expect(fired).toEqual([
      ['c', 'A', 'toggleRecording'],
      ['c', 'A', 'togglePause'],
    ]);
    expect(c.size).toBe(0);
  });

  it('starts over after the inter-digit timeout, and keeps calls and parties apart', () => {
    const { fired, press } = collector();
    press('*1', { gapMs: 2500 });
    expect(fired).toEqual([]);
    press('*', { tag: 'A' });
    press('1', { tag: 'B' });
    press('*', { callId: 'other' });
    press('1', { tag: 'A' });
    expect(fired).toEqual([['c', 'A', 'toggleRecording']]);
  });

  it('uses configured codes; the config refuses codes that start one another', () => {
    const { fired, press } = collector(configSchema.parse({ recordings: { featureCodes: { toggleRecording: '*77', togglePause: '#9' } } }).recordings.featureCodes);
    press('*1*77#9');
    expect(fired.map((f) => f[2])).toEqual(['toggleRecording', 'togglePause']);
    const bad = configSchema.safeParse({ recordings: { featureCodes: { toggleRecording: '*1', togglePause: '*12' } } });
    expect(bad.error?.issues).toEqual([expect.objectContaining({ path: ['recordings', 'featureCodes', 'togglePause'], message: 'toggleRecording and togglePause must not start one another' })]);
    expect(configSchema.safeParse({ recordings: { featureCodes: { toggleRecording: 'rec' } } }).error?.issues[0]?.message).toBe('expected 2–6 of 0-9 * #');
  });
});

describe('RecordingControl.featureCode', () => {
  it('*1 starts and stops an on-demand recording, *2 pauses and resumes, from either extension', async () => {
    const live = new LiveCalls();
    const { call, ng } = await liveCall({ id: 'f', mode: 'on-demand' });
    live.add(call);
    const control = new RecordingControl({ live, log: silentLogger });
    await control.featureCode('f', 'tag-a', 'toggleRecording');
    expect(call.recording!.state).toBe('recording');
    await control.featureCode('f', 'tag-b', 'togglePause');
    expect(call.recording!.state).toBe('paused');
    await control.featureCode('f', 'tag-a', 'togglePause');
    expect(call.recording!.state).toBe('recording');
    await control.featureCode('f', 'tag-b', 'toggleRecording');
    expect(call.recording!.state).toBe('off');
    expect(ng.commands.map((c) => c.cmd)).toEqual(['start', 'start', 'stop', 'start', 'stop']);
  });

  it('ignores codes from an outside party, an unknown tag, an unknown call, and refusals by policy', async () => {
    const live = new LiveCalls();
    const trunk = await liveCall({ id: 't', mode: 'on-demand', extensionParties: ['callee'] });
    const never = await liveCall({ id: 'n', mode: 'never' });
    const always = await liveCall({ id: 'a', mode: 'always' });
    for (const x of [trunk, never, always]) live.add(x.call);
    const control = new RecordingControl({ live, log: silentLogger });
    await control.featureCode('t', 'tag-a', 'toggleRecording'); // the outside caller
    await control.featureCode('t', 'tag-zzz', 'toggleRecording');
    await control.featureCode('gone', 'tag-a', 'toggleRecording');
    await control.featureCode('n', 'tag-a', 'toggleRecording');
    await control.featureCode('a', 'tag-a', 'toggleRecording'); // stop: not for an `always` recording
    expect(trunk.call.recording!.state).toBe('off');
    expect(never.call.recording!.state).toBe('off');
    expect(always.call.recording!.state).toBe('recording');
    expect([...trunk.ng.commands, ...never.ng.commands]).toEqual([]);
    await control.featureCode('t', 'tag-b', 'toggleRecording'); // the tenant's extension
    expect(trunk.call.recording!.state).toBe('recording');
  });
});
