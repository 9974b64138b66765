// Signalling-side CPU cost on this machine, in-process: digest verification,
// dial-plan decisions, and whole REGISTER transactions through the registrar
// middleware (challenge + authenticated REGISTER, bindings in memory).
// Run: node bench/calls/run.mjs --entry cpu
import { createHash } from 'node:crypto';
import os from 'node:os';
import { computeHa1Set, DigestAuthenticator } from '../../services/call-control/auth/digest';
import { DialPlan } from '../../services/dialplan/dial-plan';
import { BanList } from '../../services/call-control/registrar/ban-list';
import { LocationService } from '../../services/call-control/registrar/location-service';
import { registrar } from '../../services/call-control/registrar/registrar';
import { createLogger } from '../../services/common/logger';

const log = createLogger({ level: 'error', sink: () => undefined });
const DOMAIN = 'bank.example.ru';
const h = (alg: string, s: string) => createHash(alg).update(s).digest('hex');

function rate(n: number, f: (i: number) => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f(i);
  return Math.round(n / (Number(process.hrtime.bigint() - t0) / 1e9));
}

function digestRate(alg: 'MD5' | 'SHA-256'): number {
  const auth = new DigestAuthenticator({ maxCountsPerNonce: 1_000_000 });
  const ha1 = computeHa1Set('201', DOMAIN, 'pw');
  const nonce = /nonce="([^"]+)"/.exec(auth.challenge(DOMAIN).values[0]!)![1]!;
  const node = alg === 'MD5' ? 'md5' : 'sha256';
  const N = 50_000;
  const headers = Array.from({ length: N }, (_, i) => {
    const nc = (i + 1).toString(16).padStart(8, '0');
    const resp = h(node, `${ha1[alg]}:${nonce}:${nc}:cn:auth:${h(node, `REGISTER:sip:${DOMAIN}`)}`);
    return `Digest username="201", realm="${DOMAIN}", nonce="${nonce}", uri="sip:${DOMAIN}", response="${resp}", algorithm=${alg}, qop=auth, nc=${nc}, cnonce="cn"`;
  });
  return rate(N, (i) => {
    if (!auth.verify({ method: 'REGISTER', authorization: headers[i], realm: DOMAIN, lookup: () => ha1 }).ok) throw new Error('verify failed');
  });
}

function dialPlanRate(): number {
  const plan = new DialPlan({ cityCode: '495', localAreaCodes: ['499'] }, [
    { id: 'moscow', patterns: ['_+7495XXXXXXX', '_+7499XXXXXXX'], strip: 2, trunks: ['a', 'b'] },
    { id: 'mobile', patterns: ['_+79XXXXXXXXX'], strip: 2, prepend: '8', trunks: ['gsm'] },
    { id: 'russia', patterns: ['_+7X.'], strip: 1, trunks: ['b'] },
    { id: 'world', patterns: ['_+X.'], strip: 1, prepend: '810', trunks: ['b'] },
  ]);
  const dialled = ['8 (495) 123-45-67', '223-45-67', '+7 916 123-45-67', '810 44 20 7946 0958', '201', '112', '8 800 555-35-35'];
  return rate(200_000, (i) => plan.decide(dialled[i % dialled.length]!, 'international'));
}

function registerRate(): number {
  const users = new Map<string, ReturnType<typeof computeHa1Set>>();
  for (let e = 1000; e < 11000; e++) users.set(String(e), computeHa1Set(String(e), DOMAIN, `pw${e}`));
  const location = new LocationService(Date.now);
  const mw = registrar({
    auth: new DigestAuthenticator({ algorithms: ['MD5'] }),
    bans: new BanList({ now: Date.now, log }),
    tenantFor: () => ({ id: 1, sipDomain: DOMAIN }),
    credentials: (_t, u) => {
      const ha1 = users.get(u);
      return ha1 && { extension: u, ha1 };
    },
    location,
    now: Date.now,
    log,
  });
  const N = 20_000;
  return rate(N, (i) => {
    const ext = String(1000 + (i % 10_000));
    const hs: Record<string, string> = { to: `<sip:${ext}@${DOMAIN}>`, 'call-id': `c${i}`, cseq: '1 REGISTER', contact: `<sip:${ext}@10.0.${i % 250}.1:5060>`, expires: '600' };
    let challenge = '';
    const req = { method: 'REGISTER', get: (n: string) => hs[n.toLowerCase()], source_address: `10.0.${i % 250}.1`, source_port: 5060, protocol: 'udp' };
    mw(req, { send: (_s, _r, o) => (challenge = o.headers['WWW-Authenticate'] ?? '') }, () => undefined);
    const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
    hs.cseq = '2 REGISTER';
    hs.authorization = `Digest username="${ext}", realm="${DOMAIN}", nonce="${nonce}", uri="sip:${DOMAIN}", response="${h('md5', `${users.get(ext)!.MD5}:${nonce}:00000001:cn:auth:${h('md5', `REGISTER:sip:${DOMAIN}`)}`)}", algorithm=MD5, qop=auth, nc=00000001, cnonce="cn"`;
    let status = 0;
    mw(req, { send: (s) => (status = s) }, () => undefined);
    if (status !== 200) throw new Error(`REGISTER answered ${status}`);
  });
}

const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', node: process.version };
console.log(
  JSON.stringify({
    machine,
    digestVerifyPerSecond: { 'SHA-256': digestRate('SHA-256'), MD5: digestRate('MD5') },
    dialPlanDecisionsPerSecond: dialPlanRate(),
    registerTransactionsPerSecond: registerRate(),
  }),
);
