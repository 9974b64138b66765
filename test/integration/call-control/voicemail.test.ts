// Leaving a voicemail against a real rtpengine: the PBX answers, plays the
// box's greeting and the beep to the caller's RTP socket, rtpengine relays
// the caller's tone to call-control's recorder socket, '#' or hanging up
// ends the message, and it is stored encrypted — no file under the data
// directory holds the caller's audio or a WAV header — with the length the
// caller spoke, decrypting to the same tone. The caller's SIP side is a
// FakeLeg as in call-actions.test.ts; its media is a real socket.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callActions } from '../../../services/call-control/actions/index';
import { Call } from '../../../services/call-control/call/call';
import { CallRegistry } from '../../../services/call-control/call/call-registry';
import { MediaLegs } from '../../../services/call-control/calls/media-legs';
import { Voicemail, type VoicemailConfig } from '../../../services/call-control/features/voicemail';
import { voicemailWiring, type VoicemailWiring } from '../../../services/call-control/features/voicemail-port';
import { DtmfListener } from '../../../services/call-control/media/dtmf-listener';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { migrate, migrations, openStore, type Store } from '../../../services/store';
import { testOutputDir } from '../../helpers/processes';
import { pitchHz, rms, samplesOf } from '../../helpers/prompt-audio';
import { tempDir } from '../../helpers/tmp';
import { FakeLeg, fakeRecorder } from '../../call-control/fakes/fake-leg';
import { mediaTarget, RtpEndpoint, tone, waitUntil, wavTone } from './rtp-endpoint';
import { startRtpengine, type RunningRtpengine } from './rtpengine-process';

const log = createLogger({ level: 'warn', sink: () => undefined });
const OUT = testOutputDir('call-control', `voicemail-${process.pid}`);
const registry = new CallRegistry();
let rtpengine: RunningRtpengine;
let listener: DtmfListener;
let media: RtpengineMedia;
let store: Store;
let data: { dir: string; cleanup: () => void };
let wiring: VoicemailWiring;
let boxId: number;
const changed: number[] = [];
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  listener = await DtmfListener.listen({ host: '127.0.0.1', port: 0, log, onDigit: (d) => registry.dtmf(d) });
  rtpengine = await startRtpengine(OUT, [`--dtmf-log-dest=127.0.0.1:${listener.port}`]);
  media = new RtpengineMedia({ ng: rtpengine.ng, log });
  data = tempDir('korobka-vm-');
  store = openStore(path.join(data.dir, 'korobka.db'));
  migrate(store.db, migrations);
  const tenant = store.tenants.create({ name: 'Bank', sipDomain: 'bank.test' });
  boxId = store.voicemail.createBox(tenant.id, { number: '201', name: 'Ivanov', extensionId: null, greetings: { unavailable: null, busy: null, name: null }, maxMessageSeconds: 30, maxMessages: 10, email: null }, null).id;
  wiring = await voicemailWiring({ store, dataDir: data.dir, log, changed: (_t, b) => changed.push(b) });
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(async () => {
  await rtpengine?.stop();
  await listener?.close();
  store?.close();
  data?.cleanup();
});

const PCMA_DTMF: Array<[number, string]> = [[8, 'PCMA'], [101, 'telephone-event']];

async function admitted() {
  const phone = await RtpEndpoint.open();
  const id = `cc-vm-${randomUUID()}`;
  const recorder = fakeRecorder();
  const a = new FakeLeg('a', 'caller', '+74951234567', 'caller-tag');
  const call = new Call({ recorder }, { id, tenantId: 1, direction: 'inbound', caller: { dialled: '+74951234567', number: '+74951234567' }, callee: { dialled: '201', number: '201' }, a, log });
  const legs = new MediaLegs(media, id, a.mediaTag, '127.0.0.1');
  call.defer('media session', () => media.delete(id).catch(() => undefined));
  await legs.offerFromA(phone.sdp(PCMA_DTMF));
  call.media = legs;
  registry.add(call);
  cleanups.push(() => phone.close(), () => call.end('caller', 200));
  return { phone, call, a, recorder, id };
}

function voicemail(greetingFile: string): Voicemail {
  const config: VoicemailConfig = { id: boxId, number: '201', greetings: { unavailable: 55, busy: null, name: null }, maxMessageSeconds: 30, maxMessages: 10, greeting: 'unavailable' };
  return new Voicemail(config, {
    actions: callActions({ media, recorder: fakeRecorder() }),
    configs: { load: () => undefined },
    prompts: { file: (tenantId, id) => (tenantId === 1 && id === 55 ? { file: greetingFile } : undefined) },
    directory: { hasExtension: () => false },
    log,
    now: Date.now,
    voicemail: wiring.port,
  });
}

function greeting(): string {
  const file = path.join(OUT, 'greeting-1s-500hz.wav');
  writeFileSync(file, wavTone(1, 500));
  return file;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('voicemail against rtpengine', () => {
  it('greeting, beep, a 3 s tone ended by # → one message of 3 s, encrypted on disk, decrypting to the tone; the box is told', async () => {
    const w = await admitted();
    const before = w.phone.count(8);
    const running = voicemail(greeting()).run(w.call);
    // Greeting (1 s) and beep (0.4 s) reach the caller before recording starts.
    expect(await waitUntil(() => w.phone.count(8) - before >= 65, 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const target = mediaTarget(w.a.answeredWith!);
    const sent = await w.phone.send(target, 150, 8, (i) => tone(i, 880, 'pcma'));
    await w.phone.sendEvent(target, 11);
    expect(await running).toEqual({ kind: 'done' });
    expect(w.call.ended).toBe(true);
    const msgs = store.voicemail.messages(boxId);
    expect(msgs).toHaveLength(1);
    const m = msgs[0]!;
    expect(m.caller).toBe('+74951234567');
    expect(m.folder).toBe('new');
    // 150 packets of 20 ms; the beep's tail and the '#' add at most a few packets.
    expect(m.durationMs).toBeGreaterThanOrEqual(2900);
    expect(m.durationMs).toBeLessThanOrEqual(3400);
    expect(changed).toContain(boxId);

    // No file under the data directory holds plain audio: no WAV header, no frame the caller sent.
    const files = filesUnder(data.dir).filter((f) => !f.endsWith('beep.wav'));
    expect(files.some((f) => f.endsWith('.vm'))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f);
      expect(bytes.includes(Buffer.from('WAVE')), f).toBe(false);
      for (const frame of [sent[10]!, sent[75]!, sent[140]!]) expect(bytes.includes(frame), f).toBe(false);
    }
    const wav = await wiring.messages.wav(m);
    const s = samplesOf(wav);
    expect(Math.abs(s.length / 8 - m.durationMs)).toBeLessThanOrEqual(1);
    const middle = s.subarray(4000, 20000);
    expect(pitchHz(middle)).toBeGreaterThan(860);
    expect(pitchHz(middle)).toBeLessThan(900);
    expect(rms(middle)).toBeGreaterThan(1000);
  });

  it('hanging up after 2 s keeps a 2 s message; a hang-up at the beep keeps none', async () => {
    const before = store.voicemail.messages(boxId).length;
    const w = await admitted();
    const running = voicemail(greeting()).run(w.call);
    const n0 = w.phone.count(8);
    expect(await waitUntil(() => w.phone.count(8) - n0 >= 65, 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    await w.phone.send(mediaTarget(w.a.answeredWith!), 100, 8, (i) => tone(i, 440, 'pcma'));
    await w.call.end('caller', 200);
    expect(await running).toEqual({ kind: 'done' });
    const msgs = store.voicemail.messages(boxId);
    expect(msgs).toHaveLength(before + 1);
    expect(msgs[0]!.durationMs).toBeGreaterThanOrEqual(1900);
    expect(msgs[0]!.durationMs).toBeLessThanOrEqual(2300);

    const v = await admitted();
    const quick = voicemail(greeting()).run(v.call);
    const n1 = v.phone.count(8);
    expect(await waitUntil(() => v.phone.count(8) - n1 >= 65, 5000)).toBe(true);
    await v.call.end('caller', 200);
    expect(await quick).toEqual({ kind: 'done' });
    expect(store.voicemail.messages(boxId)).toHaveLength(before + 1);
  });
});
