// The groundwork modules composed the way the call-control srf application
// will compose them (that application itself comes later; this test app is a
// stand-in): a phone registers through the registrar, another calls its
// extension and authenticates (407); the dial plan says "internal", the location service finds the
// phone, rtpengine carries real G.711 speech between them (sipp's
// g711a.pcap), and the CDR lands in SQLite. Every peer is real: sip-core,
// drachtio-srf, rtpengine, sipp, a SQLite file.
import { createHash } from 'node:crypto';
import path from 'node:path';
import Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeHa1Set, DigestAuthenticator } from '../../../services/call-control/auth/digest';
import { authenticateRequest, type RequestAuthDeps } from '../../../services/call-control/auth/request-auth';
import { CdrRecorder } from '../../../services/call-control/cdr/cdr-recorder';
import { DialPlan } from '../../../services/dialplan/dial-plan';
import type { CallStats } from '../../../services/call-control/media/call-stats';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createRegistrar, type RegistrarService } from '../../../services/call-control/registrar/registrar-service';
import { isIpLiteral, type RegisterRequest, type RegisterResponse } from '../../../services/call-control/registrar/registrar';
import { parseAddress, uriParts } from '../../../services/call-control/registrar/sip-address';
import { createLogger } from '../../../services/common/logger';
import { openDatabase, type Db } from '../../../services/store';
import { CdrsRepo } from '../../../services/store/repos/cdrs';
import { ExtensionsRepo } from '../../../services/store/repos/extensions';
import { RegistrationsRepo } from '../../../services/store/repos/registrations';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { freePort } from '../../helpers/ports';
import { startProcess, stopAll, testOutputDir } from '../../helpers/processes';
import { tempDir } from '../../helpers/tmp';
import { waitUntil } from './rtp-endpoint';
import { startRtpengine, type RunningRtpengine } from './rtpengine-process';
import { startSipCore, type SipCore } from './sip-core-process';
import { SipUdpClient } from './sip-udp-client';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf's typings lack createB2BUA's options and dialog events
type Loose = any;

const DOMAIN = 'bank.example.ru';
const log = createLogger({ level: 'warn', sink: () => undefined });
const tmp = tempDir('korobka-call-');
let core: SipCore;
let engine: RunningRtpengine;
let db: Db;
let srf: Loose;
let registrar: RegistrarService;
let recorder: CdrRecorder;
const finalStats = new Map<string, CallStats | undefined>();

/** The stand-in application: authenticated internal calls only. */
function onInvite(media: RtpengineMedia, plan: DialPlan, authDeps: RequestAuthDeps) {
  return async (req: Loose, res: Loose) => {
    const caller = authenticateRequest(authDeps, req, res)?.extension;
    if (caller === undefined) return; // answered 407/403/400 already
    const callId: string = req.get('Call-ID');
    const fromTag: string = req.getParsedHeader('From').params.tag;
    const dialled = uriParts(parseAddress(req.get('To')).uri).user;
    const decision = plan.decide(dialled, 'internal');
    if (decision.kind !== 'internal') return res.send(404);
    const phone = registrar.location.lookup(`1:${decision.number}`)[0];
    if (!phone) return res.send(480);
    recorder.attempt({ type: 'attempt', at: Date.now(), callId, tenantId: 1, direction: 'internal', caller: { dialled: caller, number: caller }, callee: { dialled, number: decision.number }, extension: caller });
    const offer = await media.offer({ callId, fromTag, sdp: req.body, sipSourceAddress: req.source_address });
    let ended = false;
    const end = async (side: 'caller' | 'callee', sipStatus?: number) => {
      if (ended) return;
      ended = true;
      finalStats.set(callId, await media.delete(callId));
      recorder.event(callId, { type: 'hangup', at: Date.now(), side, ...(sipStatus ? { sipStatus } : {}) });
    };
    try {
      const { uas, uac } = await srf.createB2BUA(
        req,
        res,
        phone.contact,
        {
          localSdpB: offer.sdp,
          localSdpA: async (sdpB: string, resB: Loose) => (await media.answer({ callId, fromTag, toTag: resB.getParsedHeader('To').params.tag, sdp: sdpB })).sdp,
        },
        { cbProvisional: (r: Loose) => r.status === 180 && recorder.event(callId, { type: 'ringing', at: Date.now() }) },
      );
      recorder.event(callId, { type: 'answer', at: Date.now() });
      uas.on('destroy', () => (uac.destroy(), void end('caller')));
      uac.on('destroy', () => (uas.destroy(), void end('callee')));
    } catch (err) {
      await end('callee', (err as { status?: number }).status);
    }
  };
}

beforeAll(async () => {
  core = await startSipCore('extension-call');
  engine = await startRtpengine(testOutputDir('call-control', `extension-call-${process.pid}`));
  db = openDatabase(path.join(tmp.dir, 'korobka.db'));
  const tenants = new TenantsRepo(db);
  tenants.create({ name: 'Bank', sipDomain: DOMAIN, isDefault: true });
  const extensions = new ExtensionsRepo(db);
  for (const ext of ['201', '202']) extensions.create({ tenantId: 1, extension: ext, ha1: computeHa1Set(ext, DOMAIN, `pw-${ext}`) });
  registrar = createRegistrar({ tenants, extensions, registrations: new RegistrationsRepo(db) }, { now: Date.now, log });
  recorder = new CdrRecorder({ sink: new CdrsRepo(db), owner: 'boot-test', log });
  const media = new RtpengineMedia({ ng: engine.ng, log });
  srf = new Srf() as Loose;
  srf.use('register', (req: Loose, res: Loose, next: () => void) => registrar.middleware(req as RegisterRequest, res as RegisterResponse, next));
  // sipp answers only the first challenge and knows only MD5: offer MD5 first here.
  const authDeps: RequestAuthDeps = {
    auth: new DigestAuthenticator({ algorithms: ['MD5', 'SHA-256'] }),
    bans: registrar.bans,
    tenantFor: (host) => tenants.byDomain(host) ?? (isIpLiteral(host) ? tenants.defaultTenant() : undefined),
    credentials: (tenantId, u) => {
      const c = extensions.credentials(tenantId, u);
      return c && { extension: c.extension.extension, ha1: c.ha1 };
    },
    log,
  };
  srf.invite(onInvite(media, new DialPlan({ cityCode: '495' }, []), authDeps));
  srf.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    srf.on('connect', (err: unknown) => (err ? reject(err) : resolve()));
    srf.connect({ host: '127.0.0.1', port: core.adminPort, secret: core.secret });
  });
});

afterAll(async () => {
  srf?.disconnect();
  await engine?.stop();
  await stopAll();
  db?.close();
  tmp.cleanup();
});

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('an extension-to-extension call over the groundwork', () => {
  it('registers 202, connects 201’s call to it through rtpengine with real speech, and writes the CDR', async () => {
    const dir = testOutputDir('call-control', 'sipp');
    const uasPort = await freePort();
    const sippArgs = (port: number, mediaPort: number) => ['-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-t', 'u1', '-m', '1', '-nostdin', '-timeout', '30s', '-timeout_error', '-trace_err', '-error_file', path.join(dir, `call-${port}-errors.log`)];
    const uas = startProcess('sipp', ['-sf', path.resolve('test/integration/call-control/scenarios/uas-answer-pcma.xml'), ...sippArgs(uasPort, await freePort())], { logFile: path.join(dir, `uas-${uasPort}.log`), timeoutMs: 45_000 });

    // 202's phone registers with the Contact where sipp answers.
    const phone = await SipUdpClient.open({ host: '127.0.0.1', port: core.sipPort });
    try {
      const contact = `<sip:202@127.0.0.1:${uasPort}>`;
      const challenge = await phone.register({ user: '202', domain: DOMAIN, contact });
      const row = challenge.all('www-authenticate').find((v) => v.endsWith('algorithm=MD5'))!;
      const nonce = /nonce="([^"]+)"/.exec(row)![1]!;
      const response = md5(`${md5(`202:${DOMAIN}:pw-202`)}:${nonce}:00000001:c1:auth:${md5(`REGISTER:sip:${DOMAIN}`)}`);
      const ok = await phone.register({ user: '202', domain: DOMAIN, contact, headers: { Authorization: `Digest username="202", realm="${DOMAIN}", nonce="${nonce}", uri="sip:${DOMAIN}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1"` } });
      expect(ok.status).toBe(200);
    } finally {
      phone.close();
    }

    const uacPort = await freePort();
    const uac = startProcess('sipp', ['-sf', path.resolve('test/integration/call-control/scenarios/uac-call-pcma.xml'), ...sippArgs(uacPort, await freePort()), '-s', '202', '-au', '201', '-ap', 'pw-201', `127.0.0.1:${core.sipPort}`], { logFile: path.join(dir, `uac-${uacPort}.log`), timeoutMs: 45_000 });
    expect(await uac.exited).toBe(0);
    expect(await uas.exited).toBe(0);

    const cdrs = new CdrsRepo(db);
    expect(await waitUntil(() => cdrs.list({ tenantId: 1 }).some((c) => c.status === 'completed'), 10_000)).toBe(true);
    const [cdr] = cdrs.list({ tenantId: 1 });
    expect(cdr).toMatchObject({ direction: 'internal', caller: { dialled: '201' }, callee: { dialled: '202', number: '202' }, extension: '201', disposition: 'answered', hangupSide: 'caller', status: 'completed' });
    expect(cdr!.ringingAt).toBeGreaterThanOrEqual(cdr!.startedAt);
    expect(cdr!.billableSeconds).toBeGreaterThanOrEqual(2);
    // rtpengine carried all of the caller's speech (g711a.pcap holds 67 PCMA packets, notes B.10); the callee's sipp sends none.
    const stats = finalStats.get(cdr!.callId);
    const packets = Object.values(stats?.parties ?? {}).map((p) => p.rtp.packets).sort((x, y) => x - y);
    expect(packets).toHaveLength(2);
    expect(packets[0]).toBe(0);
    expect(packets[1]).toBeGreaterThanOrEqual(67); // sipp sometimes adds a packet at the end of the file
    await expect(new RtpengineMedia({ ng: engine.ng, log }).query(cdr!.callId)).rejects.toMatchObject({ code: 'media-call-not-found' });
  });
});
