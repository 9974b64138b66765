// Concurrent callers in an IVR menu with its prompt playing (issue 11's
// target: 200 on the 2-core machine, no prompt gap over 40 ms). The
// appliance runs as installed (supervisor, sip-core, call-control,
// rtpengine); an operator's trunk brings N sipp callers, `--rate` a second,
// to a DID whose destination is an IVR menu; each caller stays `--hold` ms
// in the menu, silent, while the menu's prompt (a tone longer than the hold,
// uploaded through the prompt library) plays to it.
//
// How the gap is measured: rtpengine 10.5's `query` counts what it received
// from each party, not what its media player sent, so its counters cannot
// show a gap in a prompt. Each caller's SDP instead points at a UDP port of
// this process (one per caller, below 20000), and dumpcap captures the
// loopback (kernel timestamps: the receiving process's own scheduling does
// not count). Over the window when every caller is in the menu, each
// caller's largest gap between consecutive prompt packets and the share of
// 20 ms packets received are computed (rtp-gaps.ts); a caller is
// "flowing" with no gap over `--limit-ms` and at least 95 % of its packets.
//
// Baseline in the same run: rtpengine alone (the appliance's own process,
// driven over ng, no SIP, no call-control) playing the same prompt file to N
// sessions opened at the same rate, captured the same way.
// Needs a build (node scripts/build.mjs).
// Run: node bench/ivr/run.mjs [--callers 200] [--hold 30000] [--rate 20] [--limit-ms 40]
import dgram from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ivrMenuSchema } from '../../services/call-flows';
import { createNgClient } from '../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../services/common/logger';
import { PromptLibrary } from '../../services/prompts';
import { freeLowUdpPorts, randomPortRange } from '../../test/helpers/ports';
import { startProcess, stopAll, testOutputDir, type Started } from '../../test/helpers/processes';
import { tempDir } from '../../test/helpers/tmp';
import { wavTone } from '../../test/integration/call-control/rtp-endpoint';
import { installTestLicence, startPbx, vendorKey, type Pbx } from '../../test/integration/call-control/pbx';
import { CpuSampler, sippCounts } from '../../appliance/selftest/load-stats';
import { runFigures, rtpStreams, type RunFigures } from './rtp-gaps';

const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => a.startsWith('--') && args.set(a.slice(2), all[i + 1] ?? ''));
const int = (name: string, dflt: number, min: number, max: number): number => {
  const v = Number(args.get(name) ?? dflt);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} must be an integer in [${min}, ${max}]`);
  return v;
};
const CALLERS = int('callers', 200, 1, 1000);
const HOLD_MS = int('hold', 30_000, 5000, 120_000);
const RATE = int('rate', 20, 1, 200);
const LIMIT_MS = int('limit-ms', 40, 21, 1000);
if (HOLD_MS < (CALLERS / RATE) * 1000 + 5000)
  throw new Error(`--hold must exceed the ramp-up (${CALLERS} callers at ${RATE}/s) by 5 s, so that a window has every caller in the menu`);
const PROMPT_S = Math.ceil(HOLD_MS / 1000) + 30;
const DID = '+74957650000';
const DIALLED = '84957650000';
const OUT = testOutputDir('bench', 'ivr');
const quiet = createLogger({ level: 'error', sink: () => undefined });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** N UDP sinks on even ports of one low range (below rtpengine's and the kernel's ephemeral ports). */
async function sinks(n: number): Promise<{ ports: number[]; close(): void }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 10000 + 2 * Math.floor(Math.random() * ((9990 - 2 * n) / 2));
    const socks: dgram.Socket[] = [];
    const ok = await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const s = dgram.createSocket('udp4');
        socks.push(s);
        s.on('message', () => undefined);
        return new Promise<boolean>((resolve) => {
          s.once('error', () => resolve(false));
          s.bind(base + 2 * i, '127.0.0.1', () => resolve(true));
        });
      }),
    );
    if (ok.every(Boolean)) return { ports: socks.map((_, i) => base + 2 * i), close: () => socks.forEach((s) => s.close()) };
    socks.forEach((s) => {
      try {
        s.close();
      } catch {
        /* never bound */
      }
    });
  }
  throw new Error(`no ${n} free even UDP ports below 20000`);
}

/** dumpcap on the loopback for audio to `ports`, ready when it says it captures. */
async function capture(name: string, ports: number[]): Promise<{ stop(): Promise<Buffer> }> {
  const file = path.join(OUT, `${name}-${process.pid}.pcap`);
  const filter = `udp and dst portrange ${ports[0]}-${ports[ports.length - 1]}`;
  const p = startProcess('dumpcap', ['-i', 'lo', '-P', '-s', '64', '-B', '64', '-f', filter, '-w', file], {
    logFile: path.join(OUT, `${name}-dumpcap.log`),
    timeoutMs: HOLD_MS + 600_000,
  });
  const deadline = Date.now() + 15_000;
  while (!/Capturing on/.test(p.output())) {
    if (p.child.exitCode !== null) throw new Error(`dumpcap exited: ${p.output()}`);
    if (Date.now() > deadline) throw new Error(`dumpcap did not start: ${p.output()}`);
    await sleep(50);
  }
  return {
    async stop() {
      await p.stop('SIGINT', 10_000);
      const kernelDrops = /Packets dropped[^\d]*(\d+)|dropped = (\d+)/i.exec(p.output());
      if (kernelDrops && Number(kernelDrops[1] ?? kernelDrops[2]) > 0) process.stderr.write(`[bench/ivr] dumpcap: ${kernelDrops[0]}\n`);
      return readFileSync(file);
    },
  };
}

const sdpTo = (port: number) =>
  `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n`;

/** rtpengine alone: N sessions opened at RATE, the prompt played to each caller's port, held, deleted. */
async function rtpengineAlone(
  pbx: Pbx,
  ports: number[],
  file: string,
): Promise<{ figures: RunFigures; cpuPercent: Record<string, number>; refused: number }> {
  const ng = await createNgClient({ host: '127.0.0.1', port: pbx.app.ports.ng, log: quiet });
  const media = new RtpengineMedia({ ng, log: quiet });
  const cap = await capture('rtpengine-alone', ports);
  const rtpengine = await pid(pbx, 'rtpengine');
  const sampler = new CpuSampler(() => ({ rtpengine: [rtpengine] }));
  const ids: string[] = [];
  let refused = 0;
  try {
    const t0 = Date.now();
    for (let i = 0; i < ports.length; i++) {
      const wait = t0 + (i * 1000) / RATE - Date.now();
      if (wait > 0) await sleep(wait);
      const callId = `ivr-bench-${process.pid}-${i}`;
      try {
        await media.offer({ callId, fromTag: 'A', sdp: sdpTo(ports[i]!) });
        // B, the other side a call always has in rtpengine, gets nothing: the discard port.
        await media.answer({ callId, fromTag: 'A', toTag: 'B', sdp: sdpTo(9) });
        ids.push(callId);
        await media.playMedia(callId, 'A', file);
      } catch (e) {
        refused++;
        process.stderr.write(`[bench/ivr] rtpengine alone: session ${i}: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    await sleep(Math.max(0, t0 + HOLD_MS - Date.now()));
  } finally {
    for (const id of ids) await media.delete(id).catch(() => undefined);
    ng.close();
  }
  const { cpuPercent } = sampler.stop();
  return { figures: strip(runFigures(rtpStreams(await cap.stop()), ports, HOLD_MS, LIMIT_MS)), cpuPercent, refused };
}

function strip(f: ReturnType<typeof runFigures>): RunFigures {
  const { perPort: _p, ...rest } = f;
  return rest;
}

async function pid(pbx: Pbx, name: string): Promise<number> {
  const procs = (await pbx.app.get('/api/health')).body.processes as Array<{ name: string; pid: number }>;
  const p = procs.find((x) => x.name === name);
  if (!p) throw new Error(`bench/ivr: no pid for ${name} in /api/health`);
  return p.pid;
}

function callerScenario(): string {
  const file = path.join(OUT, 'ivr-caller.xml');
  writeFileSync(
    file,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- A silent operator's caller into the IVR: its audio goes to [field0], a port of the bench's own. -->
<scenario name="ivr caller">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]IvrBench[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:operator@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=operator 1 1 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio [field0] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]IvrBench[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]IvrBench[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
`,
  );
  return file;
}

/** N sipp callers through the trunk into the DID's IVR, each held HOLD_MS. */
async function throughTheAppliance(pbx: Pbx, ports: number[], operatorPort: number) {
  const csv = path.join(OUT, `ports-${process.pid}.csv`);
  writeFileSync(csv, ['SEQUENTIAL', ...ports.map((p) => `${p};`)].join('\n') + '\n');
  const cap = await capture('appliance', ports);
  const names = ['rtpengine', 'call-control', 'sip-core'] as const;
  const pids = Object.fromEntries(await Promise.all(names.map(async (n) => [n, [await pid(pbx, n)]] as const)));
  const sippMedia = String(await freeLowUdpPorts(4));
  const sipp: Started = startProcess(
    'sipp',
    [
      ...[
        '-sf',
        callerScenario(),
        '-inf',
        csv,
        '-i',
        '127.0.0.1',
        '-p',
        String(operatorPort),
        '-mi',
        '127.0.0.1',
        '-mp',
        sippMedia,
        '-t',
        'u1',
        '-nostdin',
      ],
      ...['-m', String(CALLERS), '-l', String(CALLERS), '-r', String(RATE), '-d', String(HOLD_MS), '-buff_size', '4194304'],
      ...[
        '-timeout',
        `${Math.ceil(HOLD_MS / 1000 + CALLERS / RATE + 90)}s`,
        '-timeout_error',
        '-trace_err',
        '-error_file',
        path.join(OUT, 'sipp-errors.log'),
      ],
      ...['-s', DIALLED, '-key', 'caller', '89161234567', `127.0.0.1:${pbx.app.ports.sip}`],
    ],
    { logFile: path.join(OUT, 'sipp.log'), timeoutMs: HOLD_MS + 300_000 },
  );
  const sampler = new CpuSampler(() => ({ ...pids, sipp: [sipp.pid] }));
  let peak = 0;
  const watch = setInterval(() => {
    pbx
      .health()
      .then((h) => (peak = Math.max(peak, h.activeCalls)))
      .catch(() => undefined);
  }, 1000);
  await sipp.exited;
  clearInterval(watch);
  const { seconds, cpuPercent } = sampler.stop();
  const counts = sippCounts(sipp.output());
  return {
    ...counts,
    peakActiveCalls: peak,
    seconds: Math.round(seconds),
    cpuPercent,
    figures: strip(runFigures(rtpStreams(await cap.stop()), ports, HOLD_MS, LIMIT_MS)),
  };
}

const machine = {
  cpus: os.cpus().length,
  model: os.cpus()[0]?.model ?? '',
  node: process.version,
  loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
};
if (!existsSync('/usr/bin/dumpcap'))
  throw new Error('bench/ivr needs dumpcap (Debian wireshark-common / tshark) and root or the capture capability');
const vendorTmp = tempDir('korobka-ivr-bench-vendor-');
const publicKey = await vendorKey(vendorTmp.dir);
const mediaPorts = randomPortRange(Math.max(4000, CALLERS * 8));
const operatorPort = await freeLowUdpPorts(1);
const profile = CALLERS <= 256 ? 'L' : 'XL';
let promptFile = '';
const pbx = await startPbx(
  'ivr-bench',
  [],
  {
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
    rtpengine: { interface: '127.0.0.1', portMin: mediaPorts.min, portMax: mediaPorts.max },
    license: { developmentKeyFiles: [publicKey] },
  },
  async (app, store) => {
    await installTestLicence(app, vendorTmp.dir, profile);
    const tenant = store.tenants.defaultTenant()!;
    const trunk = store.trunks.create(
      tenant.id,
      {
        name: 'Оператор',
        kind: 'ip',
        host: '127.0.0.1',
        port: operatorPort,
        transport: 'udp',
        username: null,
        registerExpiry: 300,
        addresses: ['127.0.0.1'],
        optionsInterval: 0,
        channelLimit: CALLERS + 10,
        outboundCallerId: '',
        enabled: true,
      },
      null,
    );
    const library = new PromptLibrary(store, app.dataDir);
    const prompt = await library.upload({
      tenantId: tenant.id,
      name: 'Меню (нагрузка)',
      language: 'ru',
      createdBy: null,
      kind: 'upload',
      data: wavTone(PROMPT_S, 440),
    });
    // What call-control plays: the paced copy (services/prompts/paced.ts), so the baseline plays the same file.
    promptFile = library.playback(tenant.id, prompt.id)!;
    const ivr = store.callFlows.create(
      'ivr',
      tenant.id,
      ivrMenuSchema.parse({
        name: 'Меню',
        prompt: prompt.id,
        options: [{ digit: '1', destination: { type: 'hangup', status: 486, reason: '' } }],
        timeout: 30,
        retries: 0,
        final: { type: 'hangup', status: 480, reason: '' },
      }),
    );
    store.trunks.createDid(tenant.id, { number: DID, trunkId: trunk.id, destination: { type: 'feature', feature: 'ivr', id: ivr.id } });
  },
);
const sink = await sinks(CALLERS);
try {
  process.stderr.write(`[bench/ivr] rtpengine alone: ${CALLERS} sessions at ${RATE}/s, prompt ${PROMPT_S} s, held ${HOLD_MS} ms …\n`);
  // --alone-file plays another file in the rtpengine-alone phase (a format comparison: rtp-gaps.ts's figures for that file).
  const alone = await rtpengineAlone(pbx, sink.ports, args.get('alone-file') ? path.resolve(args.get('alone-file')!) : promptFile);
  await sleep(2000);
  process.stderr.write(`[bench/ivr] through the appliance: ${CALLERS} callers at ${RATE}/s into the IVR, held ${HOLD_MS} ms …\n`);
  const appliance = await throughTheAppliance(pbx, sink.ports, operatorPort);
  const passed = appliance.successful === CALLERS && appliance.figures.flowing === CALLERS;
  const json = {
    bench: 'ivr',
    machine,
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    callers: CALLERS,
    rate: RATE,
    holdMs: HOLD_MS,
    limitMs: LIMIT_MS,
    gapFrom: 'dumpcap on lo (kernel timestamps)',
    alone,
    appliance,
    passed,
  };
  console.log(JSON.stringify(json));
  const f = appliance.figures;
  const b = alone.figures;
  console.log(
    [
      `IVR: ${CALLERS} callers at ${RATE}/s held ${HOLD_MS / 1000} s (window ${(f.windowMs / 1000).toFixed(1)} s with all in the menu; peak active calls ${appliance.peakActiveCalls}); answered ${appliance.successful}, failed ${appliance.failed}`,
      `  prompts flowing (no gap > ${LIMIT_MS} ms, ≥ 95 % packets): ${f.flowing}/${CALLERS}; max gap ${f.maxGapMs} ms (p99 of per-caller max ${f.p99MaxGapMs}, median ${f.medianMaxGapMs}); min share ${f.minShare}; lost ${f.lost}`,
      `  rtpengine alone, same prompt, same rate: flowing ${b.flowing}/${CALLERS}, max gap ${b.maxGapMs} ms (p99 ${b.p99MaxGapMs}, median ${b.medianMaxGapMs}); ratio of max gaps appliance/alone ${(f.maxGapMs / b.maxGapMs).toFixed(2)}`,
      `  CPU % of one core: appliance ${JSON.stringify(appliance.cpuPercent)}; rtpengine alone ${JSON.stringify(alone.cpuPercent)}`,
      `  load average at start ${machine.loadAverageAtStart.join(' ')}, at end ${json.loadAverageAtEnd.join(' ')} (${machine.cpus} × ${machine.model})`,
      passed ? `  target met: ${CALLERS} callers with prompts flowing` : `  target MISSED`,
    ].join('\n'),
  );
  if (!passed) process.exitCode = 1;
} finally {
  sink.close();
  await pbx.close();
  await stopAll();
  vendorTmp.cleanup();
}
