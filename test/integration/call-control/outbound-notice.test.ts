// The recording notice on an outbound route (issue 11 item 7, Minjust order
// No. 134 of 06.05.2024): an employee calls out, the operator answers, and
// before the two hear each other the notice plays — to the employee, and to
// the called party when the tenant asks (`toCalled`). The whole appliance
// runs, configured through its api; sipp plays the employee and the
// operator's signalling, and the operator's media port is a socket of this
// test (the SDP names it), so what the called party hears is analysed: the
// notice is a 1 kHz tone, the employee's audio is sipp's sample speech.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../services/api/password';
import { decodeG711 } from '../../../services/recordings/g711';
import { freePort } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { goertzel } from '../../recordings/pcap-builder';
import { uacScenario } from './call-scenarios';
import { adminApi, type AdminApi } from './flow-fixture-api';
import { RtpEndpoint, wavTone } from './rtp-endpoint';
import { startCaller, startPbx, waitFor, type Pbx } from './pbx';

const OUT = testOutputDir('call-control', 'outbound-notice');
const SCENARIOS = path.resolve('test/integration/call-control/scenarios');
const ADMIN = { username: 'notice-admin', password: 'notice-admin-password-1' };
const NOTICE_S = 2;
let pbx: Pbx;
let api: AdminApi;
let operatorPort = 0;
let promptId = 0;
const peers: Array<Started | RtpEndpoint> = [];

beforeAll(async () => {
  operatorPort = await freePort();
  pbx = await startPbx('outbound-notice', ['601'], {}, async (_app, store) => {
    store.users.create({ tenantId: store.tenants.defaultTenant()!.id, username: ADMIN.username, role: 'tenant-admin', passwordHash: await hashPassword(ADMIN.password), mustChangePassword: false });
  });
  api = await adminApi(pbx.app, ADMIN);
  const trunk = await api.post('/api/trunks', { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: operatorPort, transport: 'udp', addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 4 });
  expect(trunk.status).toBe(201);
  expect((await api.put('/api/dialplan/numbering', { cityCode: '495' })).status).toBe(200);
  expect((await api.put('/api/dialplan/routes', { routes: [{ id: 'russia', patterns: ['_+7XXXXXXXXXX'], strip: 1, trunks: [String(trunk.body.trunk.id)] }] })).status).toBe(200);
  const ext = ((await api.get('/api/extensions')).body.extensions as Array<{ id: number; extension: string }>).find((e) => e.extension === '601')!;
  expect((await api.patch(`/api/extensions/${ext.id}`, { outboundPermission: 'national' })).status).toBe(200);
  const prompt = await api.post('/api/prompts/upload', { name: 'Разговор записывается', language: 'ru', filename: 'notice.wav', data: wavTone(NOTICE_S, 1000).toString('base64') });
  expect(prompt.status).toBe(201);
  promptId = prompt.body.prompt.id as number;
  // call-control reads the trunks table itself: calls go out once its health lists the trunk.
  const trunkId = trunk.body.trunk.id as number;
  await waitFor(async () => ((await pbx.health()).trunks as Array<{ id: number }> | undefined)?.some((t) => t.id === trunkId) ?? false, 30_000, 'call-control knows the trunk');
}, 120_000);

afterEach(async () => {
  for (const p of peers.splice(0)) {
    if (p instanceof RtpEndpoint) p.close();
    else await p.stop('SIGTERM', 2000);
  }
});

afterAll(async () => {
  await pbx?.close();
});

/**
 * The operator: sipp answers on the trunk's port (trunk-answer.xml), its SDP
 * naming `media` as where it receives audio. It sends none: rtpengine would
 * learn sipp's own media port from it and send there instead.
 */
async function operator(media: RtpEndpoint, tag: string): Promise<Started> {
  const xml = readFileSync(path.join(SCENARIOS, 'trunk-answer.xml'), 'utf8');
  const mine = xml
    .replace('m=audio [media_port] RTP/AVP 8', `m=audio ${media.port} RTP/AVP 8`)
    .replace('<exec play_pcap_audio="/usr/share/sip-tester/g711a.pcap"/>', '<log message="silent"/>');
  if (!mine.includes(`m=audio ${media.port} `) || mine.includes('play_pcap_audio')) throw new Error('trunk-answer.xml has changed: its m= line or its play');
  const file = path.join(OUT, `${tag}.xml`);
  writeFileSync(file, mine);
  const args = ['-sf', file, '-i', '127.0.0.1', '-p', String(operatorPort), '-mi', '127.0.0.1', '-mp', String(await freePort()), '-t', 'u1', '-nostdin', '-m', '1', '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(OUT, `${tag}-errors.log`)];
  const p = startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 90_000 });
  peers.push(p);
  return p;
}

/** What the called party received, as 1 kHz power over other power in each second (PCMA, 50 packets a second). */
function tonePerSecond(media: RtpEndpoint): number[] {
  const audio = media.received.filter((r) => r.pt === 8);
  const out: number[] = [];
  for (let i = 0; i + 50 <= audio.length; i += 50) {
    const pcm = new Int16Array(50 * 160);
    audio.slice(i, i + 50).forEach((r, j) => decodeG711('alaw', r.payload.subarray(0, 160), pcm, j * 160));
    out.push(goertzel(pcm, 1000) / Math.max(1e-9, goertzel(pcm, 400) + goertzel(pcm, 700) + goertzel(pcm, 1400)));
  }
  return out;
}

async function callOut(tag: string, notice: { enabled: boolean; toCalled: boolean } | null) {
  const set = await api.put('/api/call-flows/recording-notices', { scope: 'route', ref: 'russia', notice: notice && { ...notice, prompt: promptId } });
  expect(set.status).toBe(200);
  const media = await RtpEndpoint.open();
  peers.push(media);
  const op = await operator(media, tag);
  const caller = await startCaller(pbx, uacScenario(`notice-${tag}`, { answer: true, play: true }), '601', '84951234567', { holdMs: 6000 });
  peers.push(caller);
  expect(await caller.exited).toBe(0);
  expect(await op.exited).toBe(0);
  const cdrs = () => pbx.store.cdrs.list({ tenantId: pbx.store.tenants.defaultTenant()!.id, limit: 50 }).filter((c) => c.caller.dialled === '601');
  await waitFor(() => cdrs().length > 0 && cdrs().every((c) => c.status === 'completed'), 15_000, 'CDR completed');
  return { cdr: cdrs()[0]!, tone: tonePerSecond(media) };
}

describe('recording notice on an outbound route', () => {
  it('toCalled: the called party hears the notice first, then the employee; the CDR path names it', async () => {
    const { cdr, tone } = await callOut('to-called', { enabled: true, toCalled: true });
    expect(cdr).toMatchObject({ direction: 'outbound', disposition: 'answered', trunk: 'Оператор' });
    expect(cdr.path).toContain(`notice:${promptId}`);
    // The first second the operator receives is the notice's 1 kHz tone, well above everything else…
    expect(tone.length).toBeGreaterThanOrEqual(3);
    expect(tone[0]).toBeGreaterThan(10);
    // …and after it the employee's speech, where 1 kHz is no longer alone.
    expect(tone.at(-1)!).toBeLessThan(10);
  }, 120_000);

  it('without toCalled only the employee hears it: the called party gets no tone, only the employee after it', async () => {
    const { cdr, tone } = await callOut('caller-only', { enabled: true, toCalled: false });
    expect(cdr.path).toContain(`notice:${promptId}`);
    expect(tone.length).toBeGreaterThanOrEqual(2);
    expect(tone.every((t) => t < 10)).toBe(true);
  }, 120_000);

  it('no notice on the route: no notice step, the called party hears the employee at once', async () => {
    const { cdr, tone } = await callOut('none', null);
    expect(cdr.path!.some((s) => s.startsWith('notice:'))).toBe(false);
    expect(tone.length).toBeGreaterThanOrEqual(3);
    expect(tone.every((t) => t < 10)).toBe(true);
  }, 120_000);
});
