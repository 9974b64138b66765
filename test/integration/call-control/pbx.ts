// The running appliance as a PBX for call tests: extensions with digest
// passwords in its SQLite file, phones registered through sip-core, sipp
// callers and callees on free loopback ports.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { computeHa1Set } from '../../../services/call-control/auth/digest';
import { defaultFeatures, type Store } from '../../../services/store';
import { openStore } from '../../helpers/pd-open-store';
import { makeAppliance, waitFor, type Appliance } from '../appliance/appliance';
import { freeLowUdpPorts, freePort } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { SipUdpClient } from './sip-udp-client';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface Pbx {
  app: Appliance;
  store: Store;
  domain: string;
  /** call-control's health as the supervisor reports it. */
  health(): Promise<Record<string, unknown> & { activeCalls: number; registrations: number }>;
  callControlPid(): Promise<number>;
  close(): Promise<void>;
}

export async function startPbx(name: string, extensions: string[], config: Record<string, unknown> = {}, beforeStart?: (app: Appliance, store: Store) => Promise<void>): Promise<Pbx> {
  const app = await makeAppliance(name, config);
  const store = openStore(path.join(app.dataDir, 'korobka.db'));
  const tenant = store.tenants.defaultTenant()!;
  for (const ext of extensions) store.extensions.create({ tenantId: tenant.id, extension: ext, ha1: computeHa1Set(ext, tenant.sipDomain, `pw-${ext}`) });
  await beforeStart?.(app, store);
  await app.start();
  const proc = async () => ((await app.get('/api/health')).body.processes as Array<{ name: string; pid: number; health: Record<string, unknown> }>).find((p) => p.name === 'call-control')!;
  return {
    app,
    store,
    domain: tenant.sipDomain,
    health: async () => (await proc()).health as Record<string, unknown> & { activeCalls: number; registrations: number },
    callControlPid: async () => (await proc()).pid,
    close: async () => {
      store.close();
      await app.cleanup();
    },
  };
}

export function setDnd(pbx: Pbx, extension: string, dnd: boolean): void {
  const ext = pbx.store.extensions.get(pbx.store.tenants.defaultTenant()!.id, extension)!;
  pbx.store.extensionFeatures.set(ext.id, { ...defaultFeatures(), dnd });
}

/**
 * Registers `extension` with digest auth (RFC 3261 §22.4, MD5, qop=auth), its Contact at 127.0.0.1:contactPort.
 * The phone on contactPort becomes the extension's only phone (its earlier bindings are removed first,
 * RFC 3261 §10.2.2 `Contact: *`): call-control rings every binding at once, and a stale one from an
 * earlier test could point at a port another process uses now. `keepOthers` adds a phone instead.
 */
export async function registerPhone(pbx: Pbx, extension: string, contactPort: number, o: { keepOthers?: boolean } = {}): Promise<void> {
  const phone = await SipUdpClient.open({ host: '127.0.0.1', port: pbx.app.ports.sip });
  try {
    if (!o.keepOthers) await authRegister(pbx, phone, extension, '*', 0);
    await authRegister(pbx, phone, extension, `<sip:${extension}@127.0.0.1:${contactPort}>`);
  } finally {
    phone.close();
  }
}

async function authRegister(pbx: Pbx, phone: SipUdpClient, extension: string, contact: string, expires?: number): Promise<void> {
  const extra = expires === undefined ? {} : { expires };
  const challenge = await phone.register({ user: extension, domain: pbx.domain, contact, ...extra });
  const row = challenge.all('www-authenticate').find((v) => v.endsWith('algorithm=MD5'))!;
  const nonce = /nonce="([^"]+)"/.exec(row)![1]!;
  const response = md5(`${md5(`${extension}:${pbx.domain}:pw-${extension}`)}:${nonce}:00000001:c1:auth:${md5(`REGISTER:sip:${pbx.domain}`)}`);
  const ok = await phone.register({
    user: extension,
    domain: pbx.domain,
    contact,
    ...extra,
    headers: { Authorization: `Digest username="${extension}", realm="${pbx.domain}", nonce="${nonce}", uri="sip:${pbx.domain}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1"` },
  });
  if (ok.status !== 200) throw new Error(`REGISTER of ${extension} (${contact}) answered ${ok.status}`);
}

export interface SippRun extends Started {
  port: number;
}

const sippBase = async (port: number, tag: string) => {
  const dir = testOutputDir('call-control', 'calls');
  return ['-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(await freeLowUdpPorts()), '-t', 'u1', '-nostdin', '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(dir, `${tag}-${port}-errors.log`)];
};

/** A callee phone: sipp answering `calls` calls with `scenario` on a free port. */
export async function startCallee(scenario: string, calls = 1, extra: string[] = []): Promise<SippRun> {
  const port = await freePort();
  const p = startProcess('sipp', ['-sf', scenario, ...(await sippBase(port, 'uas')), '-m', String(calls), ...extra], { logFile: path.join(testOutputDir('call-control', 'calls'), `uas-${port}.log`), timeoutMs: 90_000 });
  return Object.assign(p, { port });
}

/** A caller: sipp placing `calls` calls from `from` to `to` (talking `holdMs` when answered). */
export async function startCaller(pbx: Pbx, scenario: string, from: string, to: string, o: { calls?: number; holdMs?: number; rate?: number; limit?: number; extra?: string[] } = {}): Promise<SippRun> {
  const port = await freePort();
  const calls = o.calls ?? 1;
  const args = [
    '-sf', scenario, ...(await sippBase(port, 'uac')),
    '-m', String(calls), '-l', String(o.limit ?? calls), '-r', String(o.rate ?? 10), '-d', String(o.holdMs ?? 2000), ...(o.extra ?? []),
    '-key', 'caller', from, '-s', to, '-au', from, '-ap', `pw-${from}`,
    `127.0.0.1:${pbx.app.ports.sip}`,
  ];
  const p = startProcess('sipp', args, { logFile: path.join(testOutputDir('call-control', 'calls'), `uac-${port}.log`), timeoutMs: 90_000 });
  return Object.assign(p, { port });
}

const run = promisify(execFile);
const VENDOR_CLI = path.resolve('dist/licensing/cli/main.js');

/** A vendor signing key for test licences (configure its .pub in license.developmentKeyFiles). */
export async function vendorKey(dir: string): Promise<string> {
  await run(process.execPath, [VENDOR_CLI, 'keygen', '--out', dir], { timeout: 60_000 });
  return path.join(dir, 'licence-signing.pub');
}

/** The offline activation as an admin does it: request code, vendor signs for `profile`, install. */
export async function installTestLicence(app: Appliance, vendorDir: string, profile: 'S' | 'M' | 'L' | 'XL'): Promise<void> {
  const req = path.join(vendorDir, 'request.txt');
  const lic = path.join(vendorDir, `${profile}.lic`);
  const r = await app.korobka('license', 'request', '--out', req);
  if (r.code !== 0) throw new Error(`license request: ${r.stderr}`);
  await run(process.execPath, [VENDOR_CLI, 'issue', '--request', req, '--profile', profile, '--customer', 'test', '--expires', '2099-12-31', '--key', vendorDir, '--out', lic], { timeout: 60_000 });
  const inst = await app.korobka('license', 'install', lic);
  if (inst.code !== 0) throw new Error(`license install: ${inst.stderr}`);
}

export { waitFor };
