// Issue 16's floods against the running appliance (supervisor, sip-core,
// call-control), each phase on a fresh appliance so that call-control's
// event-loop histogram covers that phase only:
//   baseline   legitimate traffic alone
//   register   + spoofed REGISTERs with garbage credentials from 2,000
//              sources (127.1.x.y) at 3,000 packets/s
//   invite     + unauthenticated INVITEs from one address (127.0.4.2) at
//              10,000/s
// Legitimate traffic, measured throughout: a registered phone on 127.0.2.1
// (known to sip-core, not trusted) sends OPTIONS every 50 ms and a full
// digest REGISTER every 500 ms (RFC 3261 retransmissions over UDP, timed from
// the first send); sipp places authenticated calls 201 → 202 at 2/s.
// Reported per phase: answer times (p50/p99/max), unanswered, call-control's
// event-loop delay p99, sip-core's RSS growth, what the generator achieved.
// Targets (issue 16): p99 < 100 ms, loop p99 < 20 ms, RSS growth < 100 MB.
// Needs a build (node scripts/build.mjs). Loopback only; every process is
// stopped by pid.
// Run: node bench/sip-flood/run.mjs [--seconds 30] [--phases baseline,register,invite] [--invite-rate 10000] [--register-rate 3000] [--unauth-global 500]
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess, stopAll, testOutputDir } from '../../test/helpers/processes';
import { uacScenario, uasScenario } from '../../test/integration/call-control/call-scenarios';
import { sippCounts } from '../../appliance/selftest/load-stats';
import { registerPhone, startCallee, startCaller, startPbx, type Pbx } from '../../test/integration/call-control/pbx';

const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => a.startsWith('--') && args.set(a.slice(2), all[i + 1] ?? ''));
const SECONDS = Math.min(60, Math.max(5, Number(args.get('seconds') ?? 30)));
const PHASES = (args.get('phases') ?? 'baseline,register,invite').split(',');
const INVITE_RATE = Number(args.get('invite-rate') ?? 10_000);
const REGISTER_RATE = Number(args.get('register-rate') ?? 3000);
/** --unauth-global N: sip.security.unauthenticatedPerSecond for the run (burst 2×N); default: the config's default. */
const UNAUTH_GLOBAL = args.has('unauth-global') ? Number(args.get('unauth-global')) : undefined;
const BUDGET = UNAUTH_GLOBAL === undefined ? {} : { unauthenticatedPerSecond: UNAUTH_GLOBAL, unauthenticatedBurst: 2 * UNAUTH_GLOBAL };
const PHONE = '127.0.2.1';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function pct(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 0.5), p99: pct(s, 0.99), max: s.length ? s[s.length - 1]! : null };
};

/** A phone's UDP socket: requests retransmitted as RFC 3261 §17.1.2.2 does, answers timed from the first send. */
async function phoneSocket(pbx: Pbx) {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, PHONE, () => r()));
  const port = sock.address().port;
  const waiting = new Map<string, { at: number; resolve: (r: { ms: number; text: string } | undefined) => void }>();
  sock.on('message', (b) => {
    const text = b.toString();
    const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0);
    const branch = /branch=([^;\s\r]+)/.exec(text)?.[1];
    const w = branch === undefined ? undefined : waiting.get(branch);
    if (!w || status < 200) return;
    waiting.delete(branch!);
    w.resolve({ ms: Date.now() - w.at, text });
  });
  const request = (build: (branch: string) => string) =>
    new Promise<{ ms: number; text: string } | undefined>((resolve) => {
      const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
      const text = build(branch);
      waiting.set(branch, { at: Date.now(), resolve });
      const resend = (interval: number) => {
        if (!waiting.has(branch)) return;
        if (interval > 4000) {
          waiting.delete(branch);
          return resolve(undefined);
        }
        sock.send(text, pbx.app.ports.sip, '127.0.0.1');
        setTimeout(() => resend(interval * 2), interval);
      };
      resend(500);
    });
  const callId = `${randomBytes(8).toString('hex')}@bench`;
  let cseq = 1;
  const headers = (method: string, branch: string, uri: string) => [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${PHONE}:${port};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:203@${pbx.domain}>;tag=bench`,
    `To: <sip:203@${pbx.domain}>`,
    `Call-ID: ${method === 'REGISTER' ? callId : randomBytes(8).toString('hex')}`,
    `CSeq: ${cseq++} ${method}`,
  ];
  const end = ['Content-Length: 0', '', ''];
  const options = () => request((b) => [...headers('OPTIONS', b, `sip:${pbx.domain}`), ...end].join('\r\n'));
  /** Full digest REGISTER: challenge then answer; the time of both. */
  const register = async (): Promise<number | undefined> => {
    const t0 = Date.now();
    const contact = `Contact: <sip:203@${PHONE}:${port}>`;
    const ch = await request((b) => [...headers('REGISTER', b, `sip:${pbx.domain}`), contact, ...end].join('\r\n'));
    const nonce = ch && /nonce="([^"]+)"[^\r]*algorithm=MD5/.exec(ch.text)?.[1];
    if (!nonce) return undefined;
    const response = md5(`${md5(`203:${pbx.domain}:pw-203`)}:${nonce}:00000001:c1:auth:${md5(`REGISTER:sip:${pbx.domain}`)}`);
    const auth = `Authorization: Digest username="203", realm="${pbx.domain}", nonce="${nonce}", uri="sip:${pbx.domain}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1"`;
    const ok = await request((b) => [...headers('REGISTER', b, `sip:${pbx.domain}`), contact, auth, ...end].join('\r\n'));
    return ok && / 200 /.test(ok.text.split('\r\n')[0]!) ? Date.now() - t0 : undefined;
  };
  return { options, register, close: () => sock.close() };
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function processes(pbx: Pbx) {
  const procs = (await pbx.app.get('/api/health')).body.processes as Array<{ name: string; pid: number; health: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- health JSON
  return { sipCore: procs.find((p) => p.name === 'sip-core')!, callControl: procs.find((p) => p.name === 'call-control')! };
}

async function phase(name: string) {
  process.stderr.write(`[bench/sip-flood] phase ${name}: starting the appliance …\n`);
  const pbx = await startPbx(`flood-${name}`, ['201', '202', '203'], { sip: { security: { trustedNetworks: ['127.0.0.1/32', '::1/128'], ...BUDGET } } });
  try {
    const phone = await phoneSocket(pbx);
    // Known to sip-core (answered 2xx) before the flood starts, as a phone in service is.
    if ((await phone.register()) === undefined) throw new Error('the phone could not register before the run');
    const uas = await startCallee(uasScenario('answer'), 10_000, ['-buff_size', '4194304']);
    await registerPhone(pbx, '202', uas.port);
    const { sipCore } = await processes(pbx);
    const rss0 = rssBytes(sipCore.pid);
    let rssMax = rss0;
    const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, rssBytes(sipCore.pid))), 500);

    const gen =
      name === 'baseline'
        ? undefined
        : startProcess(
            process.execPath,
            [
              'bench/sip-flood/flood-gen.mjs', '--target', `127.0.0.1:${pbx.app.ports.sip}`, '--domain', pbx.domain, '--seconds', String(SECONDS),
              ...(name === 'register' ? ['--kind', 'register', '--sources', '2000', '--first', '127.1.0.1', '--rate', String(REGISTER_RATE)] : ['--kind', 'invite', '--sources', '1', '--first', '127.0.4.2', '--rate', String(INVITE_RATE)]),
            ],
            { logFile: path.join(testOutputDir('sip-flood'), `gen-${name}.log`), timeoutMs: (SECONDS + 60) * 1000 },
          );
    const caller = await startCaller(pbx, uacScenario('bench-flood', { answer: true }), '201', '202', { calls: SECONDS * 2, rate: 2, limit: 20, holdMs: 500, extra: ['-buff_size', '4194304'] });
    const until = Date.now() + SECONDS * 1000;
    const optionsMs: number[] = [];
    const registerMs: number[] = [];
    let optionsLost = 0;
    let registerLost = 0;
    const pending: Promise<void>[] = [];
    while (Date.now() < until) {
      pending.push(phone.options().then((r) => void (r ? optionsMs.push(r.ms) : optionsLost++)));
      if (pending.length % 10 === 0) pending.push(phone.register().then((ms) => void (ms === undefined ? registerLost++ : registerMs.push(ms))));
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(pending);
    const genOut = gen ? (await gen.exited, JSON.parse(gen.output().trim().split('\n').pop() ?? '{}')) : undefined;
    await caller.exited;
    clearInterval(rssTimer);
    const calls = sippCounts(caller.output());
    await uas.stop('SIGTERM', 2000);
    // A fresh health report (every few seconds) carries the phase's counters.
    await new Promise((r) => setTimeout(r, 3000));
    const after = await processes(pbx);
    phone.close();
    return {
      phase: name,
      generator: genOut,
      options: { ...summary(optionsMs), unanswered: optionsLost },
      register: { ...summary(registerMs), failed: registerLost },
      calls: { offered: SECONDS * 2, ...calls },
      callControlEventLoopDelayMs: after.callControl.health.eventLoopDelayMs,
      sipCore: {
        rssStartMiB: Math.round(rss0 / 2 ** 20),
        rssGrowthMiB: Math.round((rssMax - rss0) / 2 ** 20),
        transport: after.sipCore.health.transport?.policy,
        transactions: after.sipCore.health.transactions,
      },
    };
  } finally {
    await stopAll();
    await pbx.close();
  }
}

const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100) };
const results = [];
for (const p of PHASES) results.push(await phase(p));
const verdict = results
  .filter((r) => r.phase !== 'baseline')
  .map((r) => ({
    phase: r.phase,
    optionsP99Under100ms: (r.options.p99 ?? Infinity) < 100 && r.options.unanswered === 0,
    registerP99Under100ms: (r.register.p99 ?? Infinity) < 100 && r.register.failed === 0,
    callsAllSuccessful: r.calls.failed === 0 && r.calls.successful === r.calls.offered,
    loopP99Under20ms: Number(r.callControlEventLoopDelayMs?.p99 ?? Infinity) < 20,
    rssGrowthUnder100MiB: r.sipCore.rssGrowthMiB < 100,
  }));
process.stdout.write(JSON.stringify({ machine, seconds: SECONDS, unauthenticatedPerSecond: UNAUTH_GLOBAL ?? 'default', results, verdict }) + '\n');
process.exit(0);
