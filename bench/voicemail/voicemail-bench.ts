// Concurrent callers leaving voicemail (issue 13's target: 100 on the 2-core
// machine), and the outbox's throughput to a local SMTP server with those
// messages attached. The appliance runs as installed (supervisor, sip-core,
// call-control, rtpengine, mail); an operator's trunk brings N sipp callers,
// `--rate` a second, to a DID whose destination is a shared box with an
// e-mail address. Each caller is answered, hears the beep, speaks sipp's
// g711a.pcap (7.08 s of A-law) and presses '#'; the PBX hangs up. All N
// are in the box at once once the ramp-up (N / rate s) is shorter than a
// message.
//
// Counted: sipp's successful calls, the messages indexed and how many are
// complete (≥ 6.9 s: no audio lost to a starved process), the peak of
// call-control's active calls, CPU per process. The mail server (npm
// smtp-server on 127.0.0.1, parsing every message) is down while the calls
// run, so every message waits in the outbox (retried every ≤ 2 s); it comes
// up when the calls are over, and the outbox's throughput is the N messages
// (each a decrypted ~113 KB WAV attachment) over the time from then to the
// last one sent — which also shows nothing is lost while the server is down.
// Run: node bench/voicemail/run.mjs [--callers 100] [--rate 10]
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { smtpInputSchema, smtpSettings } from '../../services/mail';
import { freeLowUdpPorts, randomPortRange } from '../../test/helpers/ports';
import { startProcess, stopAll, testOutputDir, type Started } from '../../test/helpers/processes';
import { testSmtp } from '../../test/helpers/smtp-server';
import { tempDir } from '../../test/helpers/tmp';
import { ivrCallerScenario } from '../../test/integration/call-control/ivr-caller';
import { installTestLicence, startPbx, vendorKey, type Pbx } from '../../test/integration/call-control/pbx';
import { CpuSampler, sippCounts } from '../calls/sip-core-only';

const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => a.startsWith('--') && args.set(a.slice(2), all[i + 1] ?? ''));
const int = (name: string, dflt: number, min: number, max: number): number => {
  const v = Number(args.get(name) ?? dflt);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} must be an integer in [${min}, ${max}]`);
  return v;
};
const CALLERS = int('callers', 100, 1, 500);
const RATE = int('rate', 10, 1, 100);
const DID = '+74957650001';
const DIALLED = '84957650001';
const PCAP = '/usr/share/sip-tester/g711a.pcap';
const OUT = testOutputDir('bench', 'voicemail');
const COMPLETE_MS = 6900;

async function pid(pbx: Pbx, name: string): Promise<number> {
  const procs = (await pbx.app.get('/api/health')).body.processes as Array<{ name: string; pid: number }>;
  const p = procs.find((x) => x.name === name);
  if (!p) throw new Error(`bench/voicemail: no pid for ${name} in /api/health`);
  return p.pid;
}

/** The caller: answered by the PBX, waits out the beep, speaks g711a.pcap (7.08 s), presses '#', is hung up on. */
function callerScenario(): string {
  const file = ivrCallerScenario(OUT, 'voicemail-bench-caller', '#', 'hungup');
  const xml = readFileSync(file, 'utf8').replace('<pause milliseconds="1500"/>', `<pause milliseconds="800"/>\n  <nop><action><exec play_pcap_audio="${PCAP}"/></action></nop>\n  <pause milliseconds="7400"/>`);
  writeFileSync(file, xml);
  return file;
}

const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', node: process.version, loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100) };
const vendorTmp = tempDir('korobka-vm-bench-vendor-');
const publicKey = await vendorKey(vendorTmp.dir);
const mediaPorts = randomPortRange(Math.max(2000, CALLERS * 8));
const operatorPort = await freeLowUdpPorts(1);
const smtp = await testSmtp();
let boxId = 0;
const pbx = await startPbx(
  'voicemail-bench',
  [],
  { logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn', mail: { pollMs: 200, retryBaseMs: 1000, retryMaxMs: 2000 }, rtpengine: { interface: '127.0.0.1', portMin: mediaPorts.min, portMax: mediaPorts.max }, license: { developmentKeyFiles: [publicKey] } },
  async (app, store) => {
    await installTestLicence(app, vendorTmp.dir, CALLERS <= 256 ? 'L' : 'XL');
    const tenant = store.tenants.defaultTenant()!;
    smtpSettings(store, { dataDir: app.dataDir }).set(null, smtpInputSchema.parse({ host: '127.0.0.1', port: smtp.port, security: 'none', from: 'pbx@bank.example' }));
    const trunk = store.trunks.create(tenant.id, { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: operatorPort, transport: 'udp', username: null, registerExpiry: 300, addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: CALLERS + 10, outboundCallerId: '', enabled: true }, null);
    boxId = store.voicemail.createBox(tenant.id, { number: '500', name: 'Общий ящик', extensionId: null, greetings: { unavailable: null, busy: null, name: null }, maxMessageSeconds: 60, maxMessages: CALLERS + 10, email: 'office@bank.example' }, null).id;
    store.trunks.createDid(tenant.id, { number: DID, trunkId: trunk.id, destination: { type: 'feature', feature: 'voicemail', id: boxId } });
  },
);
try {
  await smtp.stop(); // down during the calls: every message queues
  const names = ['rtpengine', 'call-control', 'sip-core', 'mail'] as const;
  const pids = Object.fromEntries(await Promise.all(names.map(async (n) => [n, [await pid(pbx, n)]] as const)));
  process.stderr.write(`[bench/voicemail] ${CALLERS} callers at ${RATE}/s leaving 7.08 s messages …\n`);
  const sipp: Started = startProcess(
    'sipp',
    ['-sf', callerScenario(), '-i', '127.0.0.1', '-p', String(operatorPort), '-mi', '127.0.0.1', '-mp', String(await freeLowUdpPorts(4)), '-t', 'u1', '-nostdin',
      '-m', String(CALLERS), '-l', String(CALLERS), '-r', String(RATE), '-buff_size', '4194304',
      '-timeout', `${Math.ceil(CALLERS / RATE + 120)}s`, '-timeout_error', '-trace_err', '-error_file', path.join(OUT, 'sipp-errors.log'),
      '-s', DIALLED, '-key', 'caller', '89161234567', `127.0.0.1:${pbx.app.ports.sip}`],
    { logFile: path.join(OUT, 'sipp.log'), timeoutMs: 600_000 },
  );
  const sampler = new CpuSampler(() => ({ ...pids, sipp: [sipp.pid] }));
  let peak = 0;
  const watch = setInterval(() => void pbx.health().then((h) => (peak = Math.max(peak, h.activeCalls)), () => undefined), 1000);
  await sipp.exited;
  clearInterval(watch);
  const callsEnded = Date.now();
  const calls = { ...sippCounts(sipp.output()), peakActiveCalls: peak, ...sampler.stop() };
  const messages = pbx.store.voicemail.messages(boxId);
  const complete = messages.filter((m) => m.durationMs >= COMPLETE_MS).length;
  const durations = messages.map((m) => m.durationMs).sort((a, b) => a - b);

  // The outbox: the server comes up; wait until every message's mail is sent (or 5 min), then time it from the rows.
  const unsentWhileDown = pbx.store.mail.list({ limit: CALLERS + 10 }).rows.filter((r) => r.kind === 'voicemail' && r.state !== 'sent').length;
  await smtp.start();
  const serverUp = Date.now();
  const deadline = Date.now() + 300_000;
  const rows = () => pbx.store.mail.list({ limit: CALLERS + 10 }).rows.filter((r) => r.kind === 'voicemail');
  while (Date.now() < deadline && rows().filter((r) => r.state === 'sent').length < messages.length) await new Promise((r) => setTimeout(r, 250));
  const mail = rows();
  const sent = mail.filter((r) => r.state === 'sent');
  const lastSent = Math.max(...sent.map((r) => Date.parse(r.sentAt ?? r.createdAt)));
  const outbox = {
    queued: mail.length,
    waitingWhileServerDown: unsentWhileDown,
    sent: sent.length,
    received: smtp.received.length,
    attachments: smtp.received.reduce((n, m) => n + m.attachments.length, 0),
    attachmentBytes: smtp.received[0]?.attachments[0]?.size ?? 0,
    secondsServerUpToLastSent: Math.round((lastSent - serverUp) / 100) / 10,
    messagesPerSecond: Math.round((sent.length / Math.max(0.001, (lastSent - serverUp) / 1000)) * 10) / 10,
    callsEndedToServerUpMs: serverUp - callsEnded,
  };
  const passed = calls.successful === CALLERS && complete === CALLERS && outbox.sent === CALLERS && outbox.received === CALLERS;
  const json = { bench: 'voicemail', machine, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100), callers: CALLERS, rate: RATE, calls, messages: { indexed: messages.length, complete, minMs: durations[0] ?? 0, medianMs: durations[Math.floor(durations.length / 2)] ?? 0 }, outbox, passed };
  console.log(JSON.stringify(json));
  console.log(
    [
      `Voicemail: ${CALLERS} callers at ${RATE}/s, each leaving 7.08 s; answered ${calls.successful}, failed ${calls.failed}; peak active calls ${peak}`,
      `  messages indexed ${messages.length}, complete (≥ ${COMPLETE_MS} ms) ${complete}; shortest ${json.messages.minMs} ms, median ${json.messages.medianMs} ms`,
      `  outbox: ${outbox.waitingWhileServerDown} waiting while the SMTP server was down; after it came up ${outbox.sent}/${outbox.queued} sent, ${outbox.received} received with ${outbox.attachments} WAV attachments (${outbox.attachmentBytes} B each) in ${outbox.secondsServerUpToLastSent} s: ${outbox.messagesPerSecond} msg/s (includes up to 2 s of retry wait)`,
      `  CPU % of one core: ${JSON.stringify(calls.cpuPercent)}`,
      `  load average at start ${machine.loadAverageAtStart.join(' ')}, at end ${json.loadAverageAtEnd.join(' ')} (${machine.cpus} × ${machine.model})`,
      passed ? `  target met: ${CALLERS} complete messages, each mailed` : '  target MISSED',
    ].join('\n'),
  );
  if (!passed) process.exitCode = 1;
} finally {
  await pbx.close();
  await smtp.stop();
  await stopAll();
  vendorTmp.cleanup();
}
