// The registrar middleware inside an unmodified drachtio-srf app, connected
// to the real sip-core, registering phones over real UDP: a hand-built UAC
// (for exact and hostile headers) and sipp (a phone-like peer).
import path from 'node:path';
import Srf from 'drachtio-srf';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeHa1Set, DigestAuthenticator, type DigestAlgorithm } from '../../../services/call-control/auth/digest';
import { BanList } from '../../../services/call-control/registrar/ban-list';
import { LocationService } from '../../../services/call-control/registrar/location-service';
import { isIpLiteral, registrar, type RegisterRequest, type RegisterResponse } from '../../../services/call-control/registrar/registrar';
import { createLogger } from '../../../services/common/logger';
import { freePort } from '../../helpers/ports';
import { startProcess, stopAll, testOutputDir } from '../../helpers/processes';
import { startSipCore, type SipCore } from './sip-core-process';
import { createRegistrar } from '../../../services/call-control/registrar/registrar-service';
import { openDatabase } from '../../../services/store';
import { ExtensionsRepo } from '../../../services/store/repos/extensions';
import { RegistrationsRepo } from '../../../services/store/repos/registrations';
import { SipBansRepo } from '../../../services/store/repos/sip-bans';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { tempDir } from '../../helpers/tmp';
import { SipUdpClient } from './sip-udp-client';
import { createHash } from 'node:crypto';

const DOMAIN = 'bank.example.ru';
const log = createLogger({ level: 'warn', sink: () => undefined });
const users = new Map([
  ['201', { extension: '201', ha1: computeHa1Set('201', DOMAIN, 'pw-201') }],
  ['202', { extension: '202', ha1: computeHa1Set('202', DOMAIN, 'pw-202') }],
]);
let core: SipCore;
let srf: Srf;
let location: LocationService;
let bans: BanList;

/** Connects an srf app whose registrar offers `algorithms`. */
async function connectApp(algorithms: DigestAlgorithm[]): Promise<Srf> {
  return connectWith(registrar({
    auth: new DigestAuthenticator({ algorithms }),
    bans,
    tenantFor: (host) => (host === DOMAIN || isIpLiteral(host) ? { id: 1, sipDomain: DOMAIN } : undefined),
    credentials: (_t, u) => users.get(u),
    location,
    now: Date.now,
    log,
  }));
}

/** An unmodified drachtio-srf app with `mw` as its REGISTER middleware. */
async function connectWith(mw: ReturnType<typeof registrar>): Promise<Srf> {
  const app = new Srf();
  // drachtio-srf's request/response carry everything RegisterRequest/RegisterResponse name.
  app.use('register', (req, res, next) => mw(req as unknown as RegisterRequest, res as unknown as RegisterResponse, () => next()));
  app.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    app.on('connect', (err: unknown) => (err ? reject(err) : resolve()));
    app.connect({ host: '127.0.0.1', port: core.adminPort, secret: core.secret });
  });
  return app;
}

const H = (alg: 'md5' | 'sha256', s: string) => createHash(alg).update(s).digest('hex');
function credentials(challenge: string, user: string, pass: string, alg: 'MD5' | 'SHA-256', nc = '00000001'): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
  const h = alg === 'MD5' ? 'md5' : 'sha256';
  const uri = `sip:${DOMAIN}`;
  const response = H(h, `${H(h, `${user}:${DOMAIN}:${pass}`)}:${nonce}:${nc}:0a4f113b:auth:${H(h, `REGISTER:${uri}`)}`);
  return `Digest username="${user}", realm="${DOMAIN}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${alg}, cnonce="0a4f113b", qop=auth, nc=${nc}`;
}

beforeAll(async () => {
  core = await startSipCore('registrar');
});

// Every test gets its own bindings, ban list and app connection.
beforeEach(async () => {
  location = new LocationService(Date.now);
  bans = new BanList({ now: Date.now, log }, { maxFailures: 3, allow: [] });
  srf?.disconnect();
  srf = await connectApp(['SHA-256', 'MD5']);
});

afterAll(async () => {
  srf?.disconnect();
  await stopAll();
});

describe('registrar through sip-core', () => {
  const target = () => ({ host: '127.0.0.1', port: core.sipPort });

  it('challenges with two WWW-Authenticate rows, SHA-256 first, and registers a SHA-256 answer', async () => {
    const phone = await SipUdpClient.open(target());
    try {
      const challenge = await phone.register({ user: '201', domain: DOMAIN, expires: 600 });
      expect(challenge.status).toBe(401);
      const rows = challenge.all('www-authenticate');
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatch(/^Digest realm="bank\.example\.ru", nonce="[A-Za-z0-9_-]+", qop="auth", algorithm=SHA-256$/);
      expect(rows[1]).toMatch(/algorithm=MD5$/);
      const ok = await phone.register({ user: '201', domain: DOMAIN, expires: 600, headers: { Authorization: credentials(rows[0]!, '201', 'pw-201', 'SHA-256') } });
      expect(ok.status).toBe(200);
      expect(ok.get('contact')).toBe(`<sip:201@127.0.0.1:${phone.port}>;expires=600`);
      expect(location.lookup('1:201')).toMatchObject([{ contact: `sip:201@127.0.0.1:${phone.port}`, source: { address: '127.0.0.1', port: phone.port, transport: 'udp' }, userAgent: 'korobka-test' }]);
      // The same credentials again are a replay (same nonce, same nc).
      const replay = await phone.register({ user: '201', domain: DOMAIN, headers: { Authorization: credentials(rows[0]!, '201', 'pw-201', 'SHA-256') } });
      expect(replay.status).toBe(401);
      const bye = await phone.register({ user: '201', domain: DOMAIN, contact: '*', expires: 0, headers: { Authorization: credentials(rows[0]!, '201', 'pw-201', 'SHA-256', '00000002') } });
      expect(bye.status).toBe(200);
      expect(location.lookup('1:201')).toEqual([]);
    } finally {
      phone.close();
    }
  });

  it('answers hostile Authorization headers 400 and never crashes the app', async () => {
    const phone = await SipUdpClient.open(target());
    try {
      expect(await phone.register({ user: '202', domain: DOMAIN, headers: { Authorization: `Digest username="${'x'.repeat(5000)}"` } })).toMatchObject({ status: 400 });
      expect(await phone.register({ user: '202', domain: DOMAIN, headers: { Authorization: 'Digest username=202, realm=bank.example.ru' } })).toMatchObject({ status: 400 });
      expect(await phone.register({ user: '202', domain: DOMAIN, contact: '<sip:202@127.0.0.1' })).toMatchObject({ status: 400, reason: expect.stringMatching(/missing >/) }); // sip-core's own parser answers this one
      expect(bans.list()).toEqual([]); // two failures: below the limit
      // still serving:
      expect((await phone.register({ user: '202', domain: DOMAIN })).status).toBe(401);
    } finally {
      phone.close();
    }
  });

  it('bans a password-guessing source: 403 without a challenge, listed for the API, liftable', async () => {
    const scanner = await SipUdpClient.open(target());
    try {
      const first = await scanner.register({ user: '202', domain: DOMAIN });
      const row = first.all('www-authenticate')[1]!;
      const answers: number[] = [];
      for (const guess of ['1234', 'admin', 'password']) {
        answers.push((await scanner.register({ user: '202', domain: DOMAIN, headers: { Authorization: credentials(row, '202', guess, 'MD5') } })).status);
      }
      expect(answers).toEqual([401, 401, 403]);
      expect((await scanner.register({ user: '202', domain: DOMAIN })).status).toBe(403);
      expect(bans.list().map((b) => b.ip)).toEqual(['127.0.0.1']);
      bans.lift('127.0.0.1');
      expect((await scanner.register({ user: '202', domain: DOMAIN })).status).toBe(401);
    } finally {
      scanner.close();
    }
  });

  it('registers sipp as a phone (MD5, which sipp supports) when MD5 is offered first', async () => {
    srf.disconnect();
    srf = await connectApp(['MD5', 'SHA-256']);
    const port = await freePort();
    const dir = testOutputDir('call-control', 'sipp');
    const sipp = startProcess(
      'sipp',
      ['-sf', path.resolve('test/integration/call-control/scenarios/register-digest.xml'), '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-m', '1', '-s', '202', '-au', '202', '-ap', 'pw-202', '-key', 'domain', DOMAIN, '-nostdin', '-timeout', '20s', '-timeout_error', '-trace_err', '-error_file', path.join(dir, `register-${port}-errors.log`), `127.0.0.1:${core.sipPort}`],
      { logFile: path.join(dir, `register-${port}.log`), timeoutMs: 40_000 },
    );
    expect(await sipp.exited).toBe(0);
    expect(location.lookup('1:202')).toMatchObject([{ contact: `sip:202@127.0.0.1:${port}`, userAgent: 'sipp' }]);
  });

  it('runs from the store: tenant by domain or IP, HA1 of an enabled extension, bindings on disk that survive a restart', async () => {
    const tmp = tempDir('korobka-registrar-');
    const db = openDatabase(path.join(tmp.dir, 'korobka.db'));
    const phone = await SipUdpClient.open(target());
    try {
      const tenants = new TenantsRepo(db);
      tenants.create({ name: 'Bank', sipDomain: DOMAIN, isDefault: true });
      const extensions = new ExtensionsRepo(db);
      extensions.create({ tenantId: 1, extension: '203', sipUsername: 'reception', ha1: computeHa1Set('reception', DOMAIN, 'Reception#1') });
      const stores = { tenants, extensions, registrations: new RegistrationsRepo(db), bans: new SipBansRepo(db) };
      const first = createRegistrar(stores, { now: Date.now, log });
      srf.disconnect();
      srf = await connectWith(first.middleware);
      // The phone was set up with the PBX's IP address as its domain: the default tenant answers.
      const challenge = await phone.register({ user: '203', domain: '127.0.0.1', expires: 900 });
      expect(challenge.status).toBe(401);
      expect(challenge.all('www-authenticate')[0]).toContain(`realm="${DOMAIN}"`);
      const ok = await phone.register({ user: '203', domain: '127.0.0.1', expires: 900, headers: { Authorization: credentials(challenge.all('www-authenticate')[0]!, 'reception', 'Reception#1', 'SHA-256') } });
      expect(ok.status).toBe(200);
      expect(new RegistrationsRepo(db).listTenant(1, Date.now()).map((r) => [r.extension, r.contact, r.source.port])).toEqual([['203', `sip:203@127.0.0.1:${phone.port}`, phone.port]]);
      // call-control restarts: a new registrar from the same file knows the phone at once.
      const second = createRegistrar(stores, { now: Date.now, log });
      expect(second.location.lookup('1:203').map((b) => b.contact)).toEqual([`sip:203@127.0.0.1:${phone.port}`]);
      // A ban made by the api (its own BanList on the same file) reaches the running registrar at its next sweep.
      new BanList({ now: Date.now, log, store: new SipBansRepo(db) }).ban('127.0.0.1', 60_000, 'test');
      first.sweep();
      expect((await phone.register({ user: '203', domain: DOMAIN })).status).toBe(403);
      new BanList({ now: Date.now, log, store: new SipBansRepo(db) }).lift('127.0.0.1');
      first.sweep();
      // A disabled extension can no longer register.
      extensions.update(1, '203', { enabled: false });
      const again = await phone.register({ user: '203', domain: DOMAIN, headers: { Authorization: credentials(challenge.all('www-authenticate')[0]!, 'reception', 'Reception#1', 'SHA-256', '00000002') } });
      expect(again.status).toBe(401);
    } finally {
      phone.close();
      db.close();
      tmp.cleanup();
    }
  });
});
