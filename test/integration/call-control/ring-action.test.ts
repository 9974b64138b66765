// actions/ring.ts with real peers: sip-core, rtpengine and sipp phones, the
// call-control side in this process (srf connected to sip-core). A sipp
// caller reaches a handler that admits the call as the entry does and rings
// members the way a ring group asks: hunt before the caller is answered
// (the first member busy, the second answers), and after the PBX answered
// the caller itself (an IVR option): the member gets an offer on a new
// rtpengine session and the caller is re-INVITEd onto it (sipp checks the
// re-offer is sendrecv).
import { readFileSync, writeFileSync } from 'node:fs';
import Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallLedger } from '../../../licensing/admission';
import type { RingTarget, RingOptions, RingOutcome } from '../../../services/call-control/actions/actions';
import { callActions } from '../../../services/call-control/actions/index';
import { Call } from '../../../services/call-control/call/call';
import { SrfCallerLeg } from '../../../services/call-control/call/srf-legs';
import { admitCall } from '../../../services/call-control/calls/admit-call';
import { CdrRecorder } from '../../../services/call-control/cdr/cdr-recorder';
import type { CdrRecord } from '../../../services/call-control/cdr/cdr-record';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import type { Binding } from '../../../services/call-control/registrar/location-service';
import type { Origin } from '../../../services/call-control/trunks/inbound-origin';
import { createLogger } from '../../../services/common/logger';
import { startProcess, testOutputDir } from '../../helpers/processes';
import { uacScenario, uasScenario } from './call-scenarios';
import { startCallee, waitFor, type SippRun } from './pbx';
import { freePort, freeLowUdpPorts } from '../../helpers/ports';
import { startRtpengine, type RunningRtpengine } from './rtpengine-process';
import { startSipCore, type SipCore } from './sip-core-process';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings
type Loose = any;

const log = createLogger({ level: 'warn', sink: () => undefined });
const OUT = testOutputDir('call-control', `ring-action-${process.pid}`);
let core: SipCore;
let engine: RunningRtpengine;
let srf: Loose;
const ledger = new CallLedger();
const closed: CdrRecord[] = [];
const recorder = new CdrRecorder({ sink: { open: () => undefined, touch: () => undefined, close: (c) => void closed.push(c) }, owner: 'ring-test', log });
const phones = new Map<string, Binding[]>();
let plan: (call: Call, actions: ReturnType<typeof callActions>) => Promise<RingOutcome>;
const outcomes: RingOutcome[] = [];
const calls: Call[] = [];

beforeAll(async () => {
  engine = await startRtpengine(OUT);
  core = await startSipCore('ring-action');
  const media = new RtpengineMedia({ ng: engine.ng, log });
  srf = new Srf() as Loose;
  const counters = { attempts: 0, answered: 0, refused: 0, refusedByLicence: 0 };
  const router = {
    extension: (_t: number, e: string) => ({ id: Number(e), enabled: true, outboundPermission: 'internal' as const }),
    dnd: () => false,
    bindings: (aor: string) => phones.get(aor) ?? [],
  };
  const actions = callActions({ media, recorder, ring: { srf, recorder, router, media, onAnswered: () => counters.answered++, log } });
  srf.invite(async (req: Loose, res: Loose) => {
    // sipp's callers answer a digest challenge first; this handler only needs the second INVITE.
    if (!req.get('Proxy-Authorization')) return res.send(407, { headers: { 'Proxy-Authenticate': 'Digest realm="ring.test", nonce="n1", qop="auth", algorithm=MD5' } });
    const id = String(req.get('Call-ID'));
    const fromTag = String(req.getParsedHeader('From').params.tag);
    recorder.attempt({ type: 'attempt', at: Date.now(), callId: id, tenantId: 1, direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '500', number: '500' } });
    const a = new SrfCallerLeg(srf, req, res, '201', fromTag);
    const call = new Call({ recorder }, { id, tenantId: 1, direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '500', number: '500' }, a, log });
    calls.push(call);
    const origin: Origin = { tenantId: 1, extension: '201', caller: { dialled: '201', number: '201' } };
    if (!(await admitCall({ media, ledger, limits: () => ({ concurrentCalls: 10 }), counters }, call, a, origin))) return;
    outcomes.push(await plan(call, actions));
  });
  srf.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    srf.on('connect', (err: unknown) => (err ? reject(err) : resolve()));
    srf.connect({ host: '127.0.0.1', port: core.adminPort, secret: core.secret });
  });
}, 120_000);

afterAll(async () => {
  srf?.disconnect();
  await core?.proc.stop('SIGTERM', 3000);
  await engine?.stop();
});

function member(extension: string, sipp: SippRun): void {
  phones.set(`1:${extension}`, [{ contact: `sip:${extension}@127.0.0.1:${sipp.port}`, expiresAt: Date.now() + 60_000, callId: `reg-${extension}`, cseq: 1, registeredAt: Date.now(), source: { address: '127.0.0.1', port: sipp.port, transport: 'udp' } }]);
}

async function caller(scenario: string, holdMs = 1500): Promise<SippRun> {
  const port = await freePort();
  const args = ['-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(await freeLowUdpPorts()), '-t', 'u1', '-nostdin', '-timeout', '60s', '-timeout_error', '-m', '1', '-d', String(holdMs), '-key', 'caller', '201', '-s', '500', '-au', '201', '-ap', 'pw', `127.0.0.1:${core.sipPort}`];
  return Object.assign(startProcess('sipp', args, { logFile: `${OUT}/uac-${port}.log`, timeoutMs: 90_000 }), { port });
}

const hunt = (targets: RingTarget[], timeoutMs = 10_000): RingOptions => ({ strategy: 'hunt', timeoutMs, skip: { dnd: true, busy: false, unregistered: true } });

describe('ring (a ring group’s members) with real phones', () => {
  it('hunt before answer: 202 busy, 203 answers; the caller gets 200, the CDR is answered, the slot freed at the end', async () => {
    const busy = await startCallee(uasScenario('busy'));
    const answers = await startCallee(uasScenario('answer'));
    member('202', busy);
    member('203', answers);
    const targets = [{ extension: '202' }, { extension: '203' }];
    plan = (call, actions) => actions.ring(call, targets, hunt(targets));
    const uac = await caller(uacScenario('ring-hunt', { answer: true }));
    expect(await uac.exited).toBe(0);
    expect(await busy.exited).toBe(0);
    expect(await answers.exited).toBe(0);
    await waitFor(() => outcomes.length === 1 && closed.length === 1, 10_000, 'ring outcome and CDR');
    expect(outcomes[0]).toMatchObject({ kind: 'answered', extension: '203' });
    expect(closed[0]).toMatchObject({ disposition: 'answered', hangupSide: 'caller' });
    await waitFor(() => ledger.size === 0, 5_000, 'licence slot freed');
  }, 90_000);

  it('after the PBX answered: the member rings on a new session, the caller is re-INVITEd onto it (sendrecv), the PBX’s own session is deleted', async () => {
    const answers = await startCallee(uasScenario('answer'));
    member('204', answers);
    let pbxSession = '';
    plan = async (call, actions) => {
      await actions.answer(call);
      pbxSession = call.media!.mediaId;
      return actions.ring(call, [{ extension: '204' }], { strategy: 'all', timeoutMs: 10_000 });
    };
    // The caller's scenario: answered, then a re-INVITE it answers sendrecv (checked), then its BYE.
    const file = uacScenario('ring-after-answer', { heldByCallee: true });
    const text = readFileSync(file, 'utf8').replace('regexp="a=sendonly"', 'regexp="a=sendrecv"').replace('a=recvonly', 'a=sendrecv');
    const scenario = file.replace(/\.xml$/, '-sendrecv.xml');
    writeFileSync(scenario, text);
    const uac = await caller(scenario);
    await waitFor(() => outcomes.length === 2, 20_000, 'ring outcome');
    expect(outcomes[1]).toMatchObject({ kind: 'answered', extension: '204' });
    const call = calls.at(-1)!;
    expect(call.media!.mediaId).toMatch(/~r\d+$/);
    expect(await uac.exited).toBe(0);
    expect(await answers.exited).toBe(0);
    await waitFor(() => closed.length === 2, 10_000, 'CDR');
    expect(closed[1]).toMatchObject({ disposition: 'answered', hangupSide: 'caller' });
    const media = new RtpengineMedia({ ng: engine.ng, log });
    await expect(media.query(pbxSession)).rejects.toMatchObject({ code: 'media-call-not-found' });
    await waitFor(async () => (await media.query(call.media!.mediaId).then(() => false, () => true)) && ledger.size === 0, 10_000, 'sessions and slot freed');
  }, 90_000);
});
