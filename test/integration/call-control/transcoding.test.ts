// Issue #4, codec negotiation on the running appliance (supervisor,
// sip-core, call-control, rtpengine): sipp phones registered with digest.
// A G.729-only phone calls a G.711 A-law phone: the callee is offered G.729
// then PCMA/PCMU, the caller is answered G.729, rtpengine transcodes both
// ways, and the callee's side (a test RTP endpoint) hears the caller's
// 1 kHz tone after G.729 → PCMA. Two G.711 phones are relayed untouched; an
// offer with nothing rtpengine can encode gets 488 with Warning 305.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNgClient, type NgClient } from '../../../services/call-control/media/ng-client';
import { createLogger } from '../../../services/common/logger';
import { decodeG711 } from '../../../services/recordings/g711';
import { goertzel } from '../../recordings/pcap-builder';
import { uacScenario, uasScenario } from './call-scenarios';
import { TONE_HZ } from './fixtures/g729-tone';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';
import { RtpEndpoint, tone } from './rtp-endpoint';

const CALLEE_HZ = 440;
const scenario = (name: string) => path.resolve(`test/integration/call-control/scenarios/${name}.xml`);

interface PartyMedia {
  codec: string;
  transcoding: boolean;
  packets: number;
  localPort: number;
  endpointPort: number;
}

let pbx: Pbx;
let ng: NgClient;

beforeAll(async () => {
  pbx = await startPbx('transcoding', ['241', '242', '243', '244', '245', '246']);
  ng = await createNgClient({ host: '127.0.0.1', port: pbx.app.ports.ng, log: createLogger({ level: 'warn', sink: () => undefined }) });
}, 120_000);

afterAll(async () => {
  ng?.close();
  await pbx?.close();
});

/** The one call rtpengine holds with both parties: per party its codec, transcoding flag, RTP packets received, rtpengine's port and the party's own port. */
async function liveCall(): Promise<PartyMedia[] | undefined> {
  const list = (await ng.command('list', {})).calls;
  for (const id of Array.isArray(list) ? list : []) {
    const reply = await ng.command('query', { 'call-id': String(id) }).catch(() => undefined);
    const tags = Object.values((reply?.tags ?? {}) as Record<string, { medias?: Array<{ codec?: string; flags: string[]; streams: Array<{ flags: string[]; 'local port': number; endpoint?: { port?: number }; stats: { packets: number } }> }> }>);
    if (tags.length !== 2) continue;
    return tags.map((t) => {
      const m = t.medias?.[0];
      const rtp = m?.streams.find((s) => s.flags.includes('RTP'));
      return { codec: m?.codec ?? '', transcoding: m?.flags.includes('transcoding') ?? false, packets: rtp?.stats.packets ?? 0, localPort: rtp?.['local port'] ?? 0, endpointPort: rtp?.endpoint?.port ?? 0 };
    });
  }
  return undefined;
}

/** Caller and callee of the live call, the callee being the party whose media goes to `calleePort`. */
async function parties(calleePort: number): Promise<{ A: PartyMedia; B: PartyMedia } | undefined> {
  const call = await liveCall();
  const B = call?.find((p) => p.endpointPort === calleePort);
  const A = call?.find((p) => p !== B);
  return A && B ? { A, B } : undefined;
}

describe('codec negotiation through the appliance', () => {
  it('G.729-only caller to a PCMA callee: offered G.729 then G.711, answered G.729, the tone transcoded to the callee and its audio back', async () => {
    const sink = await RtpEndpoint.open();
    try {
      const callee = await startCallee(scenario('uas-g729-answer-pcma'), 1, ['-key', 'sink_port', String(sink.port)]);
      await registerPhone(pbx, '242', callee.port);
      const caller = await startCaller(pbx, scenario('uac-g729-call'), '241', '242', { holdMs: 4500 });

      let call: { A: PartyMedia; B: PartyMedia } | undefined;
      await waitFor(async () => (call = await parties(sink.port)) !== undefined, 15_000, 'the call anchored in rtpengine');
      // The callee's side talks PCMA (a 440 Hz tone) to the port rtpengine offered it.
      await sink.send({ host: '127.0.0.1', port: call!.B.localPort }, 100, 8, (i) => tone(i, CALLEE_HZ, 'pcma'));
      await waitFor(async () => sink.count(8) >= 120, 10_000, 'the caller’s G.729 tone arriving as PCMA');

      call = await parties(sink.port);
      expect(call?.A).toMatchObject({ codec: 'G729/8000', transcoding: true });
      expect(call?.B).toMatchObject({ codec: 'PCMA/8000', transcoding: true });
      expect(call!.A.packets).toBeGreaterThanOrEqual(120); // sipp's G.729 frames reached rtpengine
      expect(call!.B.packets).toBeGreaterThanOrEqual(100); // and the callee's PCMA

      const atB = sink.received.filter((r) => r.pt === 8);
      const pcm = new Int16Array(atB.length * 160);
      atB.forEach((r, i) => decodeG711('alaw', r.payload.subarray(0, 160), pcm, i * 160));
      const heard = pcm.subarray(1600);
      expect(goertzel(heard, TONE_HZ)).toBeGreaterThan(20 * goertzel(heard, CALLEE_HZ));
      expect(goertzel(heard, TONE_HZ)).toBeGreaterThan(20 * goertzel(heard, 1700));

      expect(await caller.exited).toBe(0); // its 200 answered G.729 (checked in the scenario)
      expect(await callee.exited).toBe(0); // its INVITE offered 18 8 0 101 (checked in the scenario)
    } finally {
      sink.close();
    }
  });

  it('two PCMA phones: relayed without transcoding', async () => {
    const callee = await startCallee(uasScenario('answer-play'));
    await registerPhone(pbx, '244', callee.port);
    const caller = await startCaller(pbx, uacScenario('pcma-pass-through', { answer: true, play: true }), '243', '244', { holdMs: 2500 });
    let call: PartyMedia[] | undefined;
    // Both phones play sipp's g711a.pcap (PCMA speech) once answered.
    await waitFor(async () => (call = await liveCall()) !== undefined && call.every((p) => p.packets >= 20), 15_000, 'media from both phones in rtpengine');
    expect(call).toEqual([expect.objectContaining({ codec: 'PCMA/8000', transcoding: false }), expect.objectContaining({ codec: 'PCMA/8000', transcoding: false })]);
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
  });

  it('an offer with only AMR: 488 with Warning 305 and Reason, no call left in rtpengine, a failed CDR', async () => {
    const callee = await startCallee(scenario('uas-answer-pcma'));
    await registerPhone(pbx, '246', callee.port);
    const caller = await startCaller(pbx, scenario('uac-g729-refused'), '245', '246');
    expect(await caller.exited).toBe(0); // 488, Warning and Reason checked in the scenario
    await callee.stop(); // never rung
    expect(await liveCall()).toBeUndefined();
    const tenantId = pbx.store.tenants.defaultTenant()!.id;
    await waitFor(() => pbx.store.cdrs.list({ tenantId, limit: 50 }).some((c) => c.callee.dialled === '246'), 10_000, 'the refused call’s CDR');
    const cdr = pbx.store.cdrs.list({ tenantId, limit: 50 }).find((c) => c.callee.dialled === '246')!;
    expect(cdr).toMatchObject({ disposition: 'failed', hangupSide: 'system', hangupSipStatus: 488, hangupReason: 'incompatible-codecs' });
  });
});
