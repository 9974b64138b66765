// Prompts as rtpengine 10.5 plays them: an uploaded MP3 and an espeak-ng
// prompt go through the prompt library, then rtpengine's `play media` plays
// the A-law file to a PCMA phone and the µ-law file to a PCMU phone (test
// UDP sockets). Asserted on what reached the phones: the duration rtpengine
// reports equals the stored one, the packets arrive in the leg's codec, and
// the tone keeps its pitch and the speech its loudness.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { PromptLibrary, resolvePlaybackFile, resolvePromptFile } from '../../../services/prompts';
import { decodeG711 } from '../../../services/recordings';
import { openStore, type Prompt, type Store } from '../../../services/store';
import { testOutputDir } from '../../helpers/processes';
import { pitchHz, rms, tone } from '../../helpers/prompt-audio';
import { tempDir } from '../../helpers/tmp';
import { mediaTarget, RtpEndpoint, waitUntil } from '../call-control/rtp-endpoint';
import { startRtpengine, type RunningRtpengine } from '../call-control/rtpengine-process';

let rtpengine: RunningRtpengine;
let media: RtpengineMedia;
let store: Store;
let data: { dir: string; cleanup: () => void };
let tenantId: number;
const prompts: Record<string, Prompt> = {};
const endpoints: RtpEndpoint[] = [];

beforeAll(async () => {
  data = tempDir('prompts-rtp-');
  const mp3 = tone(data.dir, 'tone.mp3', 2, 1000);
  store = openStore(path.join(data.dir, 'korobka.db'));
  tenantId = store.tenants.create({ name: 'Bank', sipDomain: 'pbx.bank.ru' }).id;
  const lib = new PromptLibrary(store, data.dir);
  prompts.tone = await lib.upload({ tenantId, name: 'tone', language: 'ru', kind: 'moh', data: mp3, createdBy: null });
  prompts.speech = await lib.tts({ tenantId, name: 'speech', language: 'ru', text: 'Здравствуйте, вы позвонили в компанию Коробка.', createdBy: null });
  rtpengine = await startRtpengine(testOutputDir('prompts', `rtpengine-${process.pid}`));
  media = new RtpengineMedia({ ng: rtpengine.ng, log: createLogger({ level: 'warn', sink: () => undefined }) });
});

afterAll(async () => {
  for (const e of endpoints) e.close();
  await rtpengine?.stop();
  store?.close();
  data?.cleanup();
});

/** A call whose both phones speak only `codec`; returns phone A, which hears the prompt. */
async function callIn(codec: [number, string]): Promise<{ callId: string; a: RtpEndpoint }> {
  const a = await RtpEndpoint.open();
  const b = await RtpEndpoint.open();
  endpoints.push(a, b);
  const callId = `prompt-${randomUUID()}`;
  const offer = await media.offer({ callId, fromTag: 'A', sdp: a.sdp([codec]) });
  await media.answer({ callId, fromTag: 'A', toTag: 'B', sdp: b.sdp([codec]) });
  expect(mediaTarget(offer.sdp).port).toBeGreaterThan(0);
  return { callId, a };
}

describe('prompts played by rtpengine', () => {
  const cases = [
    { prompt: 'tone', law: 'alaw', codec: [8, 'PCMA'] },
    { prompt: 'speech', law: 'ulaw', codec: [0, 'PCMU'] },
  ] as const;
  for (const c of cases) {
    it(`plays the ${c.law} file of the ${c.prompt} prompt to a ${c.codec[1]} phone, whole and in its codec`, async () => {
      const p = prompts[c.prompt]!;
      const file = resolvePromptFile(store, data.dir, tenantId, p.id, c.law)!;
      expect(file).toBe(path.join(data.dir, 'prompts', String(tenantId), `${p.id}.${c.law}.wav`));
      const { callId, a } = await callIn([...c.codec]);
      const played = await media.playMedia(callId, 'A', file);
      // rtpengine measures the file itself; it agrees with what we stored to the 20 ms packet.
      expect(Math.abs((played.durationMs ?? 0) - p.durationMs)).toBeLessThanOrEqual(20);
      const packets = Math.floor(p.durationMs / 20);
      expect(await waitUntil(() => a.count(c.codec[0]) >= packets - 1, p.durationMs + 5000), `got ${a.count()} of ${packets}; log ${rtpengine.process.logFile}`).toBe(true);
      const payload = Buffer.concat(a.received.filter((r) => r.pt === c.codec[0]).map((r) => r.payload));
      const pcm = new Int16Array(payload.length);
      decodeG711(c.law, payload, pcm);
      if (c.prompt === 'tone') {
        expect(pitchHz(pcm)).toBeGreaterThan(980);
        expect(pitchHz(pcm)).toBeLessThan(1020);
      } else expect(rms(pcm)).toBeGreaterThan(1000);
      await media.delete(callId);
    });
  }

  it('plays the paced copy call-control uses (20 ms packets) whole, in the leg\'s codec, with its pitch', async () => {
    const p = prompts.tone!;
    const file = resolvePlaybackFile(store, data.dir, tenantId, p.id)!;
    expect(file).toBe(path.join(data.dir, 'prompts', String(tenantId), `${p.id}.alaw.mka`));
    const { callId, a } = await callIn([8, 'PCMA']);
    // rtpengine 10.5 measures no Matroska file: the play action waits the prompt's stored length instead (actions/play.ts).
    expect((await media.playMedia(callId, 'A', file)).durationMs).toBeUndefined();
    const packets = Math.floor(p.durationMs / 20);
    expect(await waitUntil(() => a.count(8) >= packets - 1, p.durationMs + 5000), `got ${a.count()} of ${packets}; log ${rtpengine.process.logFile}`).toBe(true);
    const payload = Buffer.concat(a.received.filter((r) => r.pt === 8).map((r) => r.payload));
    const pcm = new Int16Array(payload.length);
    decodeG711('alaw', payload, pcm);
    expect(pitchHz(pcm)).toBeGreaterThan(980);
    expect(pitchHz(pcm)).toBeLessThan(1020);
    await media.delete(callId);
  });
});
