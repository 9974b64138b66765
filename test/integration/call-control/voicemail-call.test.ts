// Voicemail end to end on the real appliance (supervisor, sip-core,
// call-control, rtpengine; sipp as the operator's caller): a DID rings a
// group whose member rings and never answers; after the group's 5 s the
// overflow sends the caller to the box, the PBX answers, plays the greeting
// and the beep, the caller speaks (sipp's g711a.pcap: 7.08 s of A-law at
// 30 ms) and presses '#', the PBX hangs up. The message is in the index with
// the caller and the length spoken, and no file anywhere under the data
// directory holds the caller's audio (neither the A-law frames nor their
// 16-bit decoding): it exists only encrypted. The box has an e-mail
// address: the message arrives at a real SMTP server on loopback as a WAV
// attachment that is the stored message, sample for sample, while the
// outbox row and every file still hold no plain audio. The owner's phone
// (sipp) subscribes to message-summary and gets Messages-Waiting: no, then
// yes with the new message, then no once it is read; a phone of 202 asking
// for 203's box is refused 403.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ringGroupSchema } from '../../../services/call-flows';
import { silentLogger } from '../../../services/common/logger';
import { smtpInputSchema, smtpSettings } from '../../../services/mail';
import { PromptLibrary } from '../../../services/prompts';
import { decodeG711 } from '../../../services/recordings';
import { openStore } from '../../helpers/pd-open-store';
import { MessageStore, openVoicemailVault, pcmOfWav } from '../../../services/voicemail';
import { freeLowUdpPorts } from '../../helpers/ports';
import { testSmtp, type TestSmtp } from '../../helpers/smtp-server';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { uasScenario } from './call-scenarios';
import { mwiSubscriberScenario } from './mwi-subscriber';
import { ivrCallerScenario } from './ivr-caller';
import { registerPhone, startCallee, startPbx, waitFor, type Pbx } from './pbx';
import { wavTone } from './rtp-endpoint';

const OUT = testOutputDir('call-control', 'voicemail-call');
const PCAP = '/usr/share/sip-tester/g711a.pcap';
let pbx: Pbx;
let operatorPort = 0;
let boxId = 0;
let smtp: TestSmtp;
const peers: Started[] = [];

/** The RTP payloads of sipp's g711a.pcap (Ethernet/IPv4/UDP, 42 bytes of headers). */
function pcapFrames(): Buffer[] {
  const d = readFileSync(PCAP);
  const out: Buffer[] = [];
  for (let o = 24; o < d.length; ) {
    const len = d.readUInt32LE(o + 8);
    out.push(d.subarray(o + 16 + 42 + 12, o + 16 + len));
    o += 16 + len;
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    const st = statSync(p);
    return st.isDirectory() ? filesUnder(p) : st.isFile() ? [p] : []; // sockets and fifos hold no audio
  });
}

beforeAll(async () => {
  operatorPort = await freeLowUdpPorts(1);
  smtp = await testSmtp({ user: 'pbx', password: 'mail-pw' });
  pbx = await startPbx('voicemail-call', ['202', '203'], { mail: { pollMs: 200 } }, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      smtpSettings(store, { dataDir: app.dataDir }).set(null, smtpInputSchema.parse({ host: '127.0.0.1', port: smtp.port, security: 'none', username: 'pbx', password: 'mail-pw', from: 'pbx@bank.example' }));
      const tenant = store.tenants.defaultTenant()!;
      const greeting = await new PromptLibrary(store, app.dataDir).upload({ tenantId: tenant.id, name: 'Нет на месте', language: 'ru', kind: 'upload', data: wavTone(1, 500), createdBy: null });
      const ext = store.extensions.get(tenant.id, '202')!;
      boxId = store.voicemail.createBox(tenant.id, { number: '202', name: 'Петров', extensionId: ext.id, greetings: { unavailable: greeting.id, busy: null, name: null }, maxMessageSeconds: 60, maxMessages: 10, email: 'petrov@bank.example' }, null).id;
      store.voicemail.createBox(tenant.id, { number: '203', name: 'Сидоров', extensionId: store.extensions.get(tenant.id, '203')!.id, greetings: { unavailable: null, busy: null, name: null }, maxMessageSeconds: 60, maxMessages: 10, email: null }, null);
      const trunk = store.trunks.create(tenant.id, { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: operatorPort, transport: 'udp', username: null, registerExpiry: 300, addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 4, outboundCallerId: '', enabled: true }, null);
      const group = store.callFlows.create('ring-group', tenant.id, ringGroupSchema.parse({ name: 'Петров', strategy: 'ring-all', members: [{ extension: '202', timeout: 5 }], timeout: 5, overflow: { type: 'feature', feature: 'voicemail', id: boxId } }));
      store.trunks.createDid(tenant.id, { number: '+74957654321', trunkId: trunk.id, destination: { type: 'feature', feature: 'ring-group', id: group.id } });
    } finally {
      store.close();
    }
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
  await pbx?.close();
  await smtp?.stop();
});

/** A phone of `caller` subscribing to `box`'s message-summary (sipp, digest as pw-<caller>). */
async function subscriber(name: string, caller: string, box: string, plan: Parameters<typeof mwiSubscriberScenario>[2]): Promise<Started> {
  const port = await freeLowUdpPorts(1);
  const args = ['-sf', mwiSubscriberScenario(OUT, name, plan), '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-nostdin', '-m', '1', '-timeout', '120s', '-timeout_error', '-trace_err', '-trace_logs', '-error_file', path.join(OUT, `${name}-errors.log`), '-log_file', path.join(OUT, `${name}-notify.log`), '-key', 'caller', caller, '-s', box, '-au', caller, '-ap', `pw-${caller}`, `127.0.0.1:${pbx.app.ports.sip}`];
  const p = startProcess('sipp', args, { logFile: path.join(OUT, `${name}.log`), timeoutMs: 150_000 });
  peers.push(p);
  return p;
}

/** The operator's caller: answered by the PBX, waits out greeting and beep, speaks g711a.pcap, presses '#', is hung up on. */
function voicemailCaller(): string {
  const file = ivrCallerScenario(OUT, 'voicemail-caller', '#', 'hungup');
  const xml = readFileSync(file, 'utf8').replace(
    '<pause milliseconds="1500"/>',
    // Greeting 1 s + beep 0.4 s, then the message; play_pcap_audio runs in the background, so wait out its 7.08 s.
    `<pause milliseconds="2200"/>\n  <nop><action><exec play_pcap_audio="${PCAP}"/></action></nop>\n  <pause milliseconds="7400"/>`,
  );
  writeFileSync(file, xml);
  return file;
}

describe('voicemail on the appliance', () => {
  it('no answer → the box: greeting, beep, 7.08 s of speech and #; the message listed with the caller and its length, e-mailed as the same audio; the phone lamp no → yes → no (read); no plain audio on disk', async () => {
    const phone = await startCallee(uasScenario('ring-until-cancel'));
    peers.push(phone);
    await registerPhone(pbx, '202', phone.port);
    // 202's phone watches its box: no messages, then the new one, then none new once it is read (RFC 3842 bodies).
    const mwi = await subscriber('mwi-202', '202', '202', { expect: ['Messages-Waiting: no.*Voice-Message: 0/0 ', 'Messages-Waiting: yes.*Voice-Message: 1/0 ', 'Messages-Waiting: no.*Voice-Message: 0/1 '] });
    await waitFor(async () => (await pbx.health()).mwiSubscriptions === 1, 30_000, 'the phone subscribed');
    const tag = `vm-${Date.now()}`;
    const args = ['-sf', voicemailCaller(), '-i', '127.0.0.1', '-p', String(operatorPort), '-mi', '127.0.0.1', '-mp', String(await freeLowUdpPorts(4)), '-t', 'u1', '-nostdin', '-m', '1', '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(OUT, `${tag}-errors.log`), '-s', '84957654321', '-key', 'caller', '89161234567', `127.0.0.1:${pbx.app.ports.sip}`];
    const op = startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 90_000 });
    peers.push(op);
    expect(await op.exited).toBe(0);
    await waitFor(() => pbx.store.voicemail.messages(boxId).length === 1, 10_000, 'message indexed');
    const m = pbx.store.voicemail.messages(boxId)[0]!;
    expect(m).toMatchObject({ caller: '+79161234567', folder: 'new' });
    // 236 packets of 30 ms: 7.08 s; the '#' and jitter may add a packet or two.
    expect(m.durationMs).toBeGreaterThanOrEqual(6900);
    expect(m.durationMs).toBeLessThanOrEqual(7400);
    const tenantId = pbx.store.tenants.defaultTenant()!.id;
    await waitFor(() => pbx.store.cdrs.list({ tenantId, limit: 10 }).some((c) => c.status === 'completed' && c.hangupReason === 'voicemail-left'), 10_000, 'CDR voicemail-left');

    // Voicemail to e-mail: one message to the box's address, its attachment the stored message exactly.
    const [mail] = await smtp.waitFor(1, 30_000);
    expect(smtp.envelopes[0]).toEqual({ from: 'pbx@bank.example', to: ['petrov@bank.example'] });
    expect(mail!.subject).toBe('Голосовое сообщение для 202 от +79161234567 / Voicemail');
    expect(mail!.attachments.map((a) => [a.filename, a.contentType])).toEqual([[`voicemail-202-${m.id}.wav`, 'audio/wav']]);
    const outbox = () => pbx.store.mail.list({ tenantId }).rows.filter((r) => r.kind === 'voicemail');
    await waitFor(() => outbox()[0]?.state === 'sent', 10_000, 'the voicemail e-mail marked sent');
    expect(outbox().map((r) => r.state)).toEqual(['sent']);

    const frames = pcapFrames();
    const probes = [frames[20]!, frames[100]!, frames[200]!];
    const pcm = probes.map((f) => {
      const s = new Int16Array(f.length);
      decodeG711('alaw', f, s);
      return Buffer.from(s.buffer).subarray(0, 160);
    });
    const files = filesUnder(pbx.app.dataDir);
    expect(files.some((f) => f.endsWith('.vm'))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const p of [...probes, ...pcm]) expect(bytes.includes(p), f).toBe(false);
    }
    // And the message decrypts to the caller's speech, sample for sample where no packet was lost.
    const store = new MessageStore({ store: pbx.store, vault: openVoicemailVault({ dataDir: pbx.app.dataDir }), dataDir: pbx.app.dataDir, log: silentLogger });
    const stored = await store.wav(m);
    expect(Buffer.compare(mail!.attachments[0]!.content, stored)).toBe(0);
    const samples = pcmOfWav(stored);
    const want = new Int16Array(240);
    decodeG711('alaw', frames[100]!, want);
    const at = 100 * 240;
    expect(Buffer.from(samples.buffer).includes(Buffer.from(want.buffer))).toBe(true);
    const mailed = pcmOfWav(mail!.attachments[0]!.content);
    expect(Buffer.from(mailed.buffer).includes(Buffer.from(want.buffer))).toBe(true);

    // Read (as the api does, from another process): the lamp goes off; the phone refreshes and unsubscribes.
    pbx.store.voicemail.markRead(m.id);
    expect(await mwi.exited).toBe(0);
    await waitFor(async () => (await pbx.health()).mwiSubscriptions === 0, 10_000, 'the subscription ended');
    // 202's credentials do not open 203's box.
    const foreign = await subscriber('mwi-202-to-203', '202', '203', { refused: 403 });
    expect(await foreign.exited).toBe(0);
    expect(samples.length).toBeGreaterThan(at);
  }, 120_000);
});
