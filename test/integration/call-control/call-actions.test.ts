// The primitives IVRs, queues and voicemail stand on (actions/), against a
// real rtpengine: the PBX answers the caller itself, plays prompts rtpengine
// sends to the caller's RTP socket, and reads the caller's RFC 4733 digits
// from rtpengine's DTMF reports, routed per call by the CallRegistry. The
// caller's SIP side is a FakeLeg (the SIP answer is srf's createUAS,
// exercised by the end-to-end call tests); its media is a real UDP socket.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callActions } from '../../../services/call-control/actions/index';
import { PBX_TAG } from '../../../services/call-control/actions/answer';
import { Call } from '../../../services/call-control/call/call';
import { CallRegistry } from '../../../services/call-control/call/call-registry';
import { MediaLegs } from '../../../services/call-control/calls/media-legs';
import { DtmfListener } from '../../../services/call-control/media/dtmf-listener';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { testOutputDir } from '../../helpers/processes';
import { FakeLeg, fakeRecorder } from '../../call-control/fakes/fake-leg';
import { mediaTarget, RtpEndpoint, tone, waitUntil, wavTone } from './rtp-endpoint';
import { startRtpengine, type RunningRtpengine } from './rtpengine-process';

const log = createLogger({ level: 'warn', sink: () => undefined });
const OUT = testOutputDir('call-control', `call-actions-${process.pid}`);
const registry = new CallRegistry();
let rtpengine: RunningRtpengine;
let listener: DtmfListener;
let media: RtpengineMedia;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  listener = await DtmfListener.listen({ host: '127.0.0.1', port: 0, log, onDigit: (d) => registry.dtmf(d) });
  rtpengine = await startRtpengine(OUT, [`--dtmf-log-dest=127.0.0.1:${listener.port}`]);
  media = new RtpengineMedia({ ng: rtpengine.ng, log });
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(async () => {
  await rtpengine?.stop();
  await listener?.close();
});

const PCMA_DTMF: Array<[number, string]> = [[8, 'PCMA'], [101, 'telephone-event']];

/** An admitted call from a caller whose media is a real socket: offered to rtpengine, registered, ended after the test. */
async function admitted() {
  const phone = await RtpEndpoint.open();
  const id = `cc-actions-${randomUUID()}`;
  const recorder = fakeRecorder();
  const a = new FakeLeg('a', 'caller', '201', 'caller-tag');
  const call = new Call({ recorder }, { id, tenantId: 1, direction: 'inbound', caller: { dialled: '201', number: '201' }, callee: { dialled: '100', number: '100' }, a, log });
  const legs = new MediaLegs(media, id, a.mediaTag, '127.0.0.1');
  call.defer('media session', () => media.delete(id).catch(() => undefined));
  await legs.offerFromA(phone.sdp(PCMA_DTMF));
  call.media = legs;
  registry.add(call);
  cleanups.push(() => phone.close(), () => call.end('caller', 200));
  return { phone, call, a, recorder, id, actions: callActions({ media, recorder }) };
}

function prompt(seconds: number): { file: string } {
  const file = path.join(OUT, `prompt-${seconds}s.wav`);
  writeFileSync(file, wavTone(seconds, 1000));
  return { file };
}

describe('call actions against rtpengine', () => {
  it('answer: the caller gets rtpengine’s SDP (PCMA and telephone-event), the CDR its answer, the call is answered; rtpengine takes the caller’s media', async () => {
    const w = await admitted();
    await w.actions.answer(w.call);
    await w.actions.answer(w.call); // once
    expect(w.a.sent).toEqual(['200']);
    expect(w.call.state).toBe('answered');
    expect(w.recorder.events.map((e) => e.e.type)).toEqual(['answer']);
    expect(w.a.answeredWith).toMatch(/m=audio \d+ RTP\/AVP 8 101/);
    await w.phone.send(mediaTarget(w.a.answeredWith!), 25, 8, (i) => tone(i, 440, 'pcma'));
    const stats = await media.query(w.id);
    // rtpengine received the caller's packets; its media towards the PBX side is blocked.
    expect(Object.keys(stats.parties).sort()).toEqual([PBX_TAG, 'caller-tag'].sort());
    expect(stats.parties['caller-tag']!.rtp.packets).toBeGreaterThanOrEqual(20);
  });

  it('play: the prompt reaches the caller in its codec and resolves after its length', async () => {
    const w = await admitted();
    await w.actions.answer(w.call);
    const started = Date.now();
    const outcome = await w.actions.play(w.call, prompt(1));
    expect(outcome).toEqual({ kind: 'played', durationMs: 1000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(await waitUntil(() => w.phone.count(8) >= 45, 3000)).toBe(true);
  });

  it('collectDigits: RFC 4733 digits 1, 2 then # → "12"; a second call’s digits never reach it', async () => {
    const w = await admitted();
    const other = await admitted();
    await w.actions.answer(w.call);
    await other.actions.answer(other.call);
    const collecting = w.actions.collectDigits(w.call, { max: 6, timeoutMs: 5000, interDigitMs: 3000, terminator: '#' });
    const target = mediaTarget(w.a.answeredWith!);
    await other.phone.sendEvent(mediaTarget(other.a.answeredWith!), 9);
    for (const event of [1, 2, 11]) await w.phone.sendEvent(target, event);
    expect(await collecting).toEqual({ kind: 'digits', digits: '12' });
    const otherGot = await other.actions.collectDigits(other.call, { max: 1, timeoutMs: 3000, interDigitMs: 1000 });
    expect(otherGot).toEqual({ kind: 'digits', digits: '9' });
  });

  it('barge-in: a digit during a 5 s prompt stops it at once and is the first digit collected; silence times out', async () => {
    const w = await admitted();
    await w.actions.answer(w.call);
    const target = mediaTarget(w.a.answeredWith!);
    const started = Date.now();
    const playing = w.actions.play(w.call, prompt(5), { bargeIn: true });
    await waitUntil(() => w.phone.count(8) >= 10, 3000);
    await w.phone.sendEvent(target, 4);
    expect(await playing).toEqual({ kind: 'interrupted', digit: '4' });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await w.actions.collectDigits(w.call, { max: 1, timeoutMs: 1000, interDigitMs: 1000 })).toEqual({ kind: 'digits', digits: '4' });
    expect(await w.actions.collectDigits(w.call, { max: 3, timeoutMs: 500, interDigitMs: 500 })).toEqual({ kind: 'timeout', digits: '' });
  });

  it('the call ending under a prompt or a collection resolves them as ended, and ends the media session once', async () => {
    const w = await admitted();
    await w.actions.answer(w.call);
    const playing = w.actions.play(w.call, prompt(5));
    const ending = w.call.end('caller', 200);
    expect(await playing).toEqual({ kind: 'ended' });
    await ending;
    expect(await w.actions.collectDigits(w.call, { max: 1, timeoutMs: 5000, interDigitMs: 1000 })).toEqual({ kind: 'ended' });
    await expect(media.query(w.id)).rejects.toMatchObject({ code: 'media-call-not-found' });
    expect(registry.has(w.id)).toBe(false);
  });
});
