// Issue 17 item 1: which digest algorithms the challenges offer, and in what
// order, is a tenant setting with a per-extension override (read at every
// challenge), the same for REGISTER and INVITE. On the real appliance: sipp
// (which answers only the first row and knows only MD5, like many phones and
// gateways) registers under the default, fails where SHA-256 comes first,
// and works again for one extension set back to MD5.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionDigestKey, tenantDigestKey } from '../../../services/common/sip-digest';
import { freePort } from '../../helpers/ports';
import { startProcess, testOutputDir } from '../../helpers/processes';
import { startPbx, type Pbx } from './pbx';
import { SipUdpClient } from './sip-udp-client';

let pbx: Pbx;
let tenantId: number;
beforeAll(async () => {
  pbx = await startPbx('digest-policy', ['201', '202', '203']);
  tenantId = pbx.store.tenants.defaultTenant()!.id;
});
afterAll(() => pbx?.close());

const H = (alg: 'md5' | 'sha256', s: string) => createHash(alg).update(s).digest('hex');
const algorithms = (rows: string[]) => rows.map((r) => /algorithm=([\w-]+)/.exec(r)?.[1] ?? '?');

/** REGISTER, then answer the challenge's row for `alg` as a phone would. */
async function register(user: string, alg: 'MD5' | 'SHA-256'): Promise<{ offered: string[]; status: number; reason: string }> {
  const phone = await SipUdpClient.open({ host: '127.0.0.1', port: pbx.app.ports.sip });
  try {
    const challenge = await phone.register({ user, domain: pbx.domain, expires: 60 });
    const rows = challenge.all('www-authenticate');
    const row = rows.find((r) => r.endsWith(`algorithm=${alg}`)) ?? rows[0]!;
    const nonce = /nonce="([^"]+)"/.exec(row)![1]!;
    const h = alg === 'MD5' ? 'md5' : 'sha256';
    const response = H(h, `${H(h, `${user}:${pbx.domain}:pw-${user}`)}:${nonce}:00000001:c1:auth:${H(h, `REGISTER:sip:${pbx.domain}`)}`);
    const auth = `Digest username="${user}", realm="${pbx.domain}", nonce="${nonce}", uri="sip:${pbx.domain}", response="${response}", algorithm=${alg}, qop=auth, nc=00000001, cnonce="c1"`;
    const r = await phone.register({ user, domain: pbx.domain, expires: 60, headers: { Authorization: auth } });
    return { offered: algorithms(rows), status: r.status, reason: r.reason };
  } finally {
    phone.close();
  }
}

async function sippRegisters(user: string): Promise<number | null> {
  const port = await freePort();
  const dir = testOutputDir('call-control', 'digest-policy');
  const sipp = startProcess(
    'sipp',
    ['-sf', path.resolve('test/integration/call-control/scenarios/register-digest.xml'), '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-m', '1', '-s', user, '-au', user, '-ap', `pw-${user}`, '-key', 'domain', pbx.domain, '-nostdin', '-timeout', '15s', '-timeout_error', `127.0.0.1:${pbx.app.ports.sip}`],
    { logFile: path.join(dir, `sipp-${user}-${port}.log`), timeoutMs: 40_000 },
  );
  return sipp.exited;
}

describe('digest algorithms offered per tenant and extension', () => {
  it('by default offers MD5 first and SHA-256 second, and sipp registers', async () => {
    const r = await register('201', 'SHA-256');
    expect(r.offered).toEqual(['MD5', 'SHA-256']);
    expect(r.status).toBe(200);
    expect(await sippRegisters('201')).toBe(0);
  });

  it('a tenant set to SHA-256 only offers only SHA-256: an MD5 answer is refused, and sipp cannot register', async () => {
    pbx.store.settings.set(tenantDigestKey, 'sha256', tenantId);
    const md5 = await register('202', 'MD5');
    expect(md5.offered).toEqual(['SHA-256']);
    expect(md5.status).toBe(400);
    expect(md5.reason).toMatch(/MD5 is not offered/);
    expect((await register('202', 'SHA-256')).status).toBe(200);
    expect(await sippRegisters('202')).not.toBe(0);
  });

  it('one extension set back to MD5 on that tenant: MD5 only for it, sipp registers; the others keep the tenant’s', async () => {
    const ext = pbx.store.extensions.get(tenantId, '203')!;
    pbx.store.settings.set(extensionDigestKey(ext.id), 'md5', tenantId);
    const r = await register('203', 'MD5');
    expect(r.offered).toEqual(['MD5']);
    expect(r.status).toBe(200);
    expect(await sippRegisters('203')).toBe(0);
    expect((await register('202', 'SHA-256')).offered).toEqual(['SHA-256']);
  });

  it('SHA-256 first and MD5 second when the tenant asks for it', async () => {
    pbx.store.settings.set(tenantDigestKey, 'sha256-md5', tenantId);
    const r = await register('201', 'MD5');
    expect(r.offered).toEqual(['SHA-256', 'MD5']);
    expect(r.status).toBe(200);
  });
});
