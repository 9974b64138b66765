// Per-extension "TLS only" (issue 17 item 6): the setting stored by the
// store (migration 0178), read by call-control, refusing REGISTER and calls
// that came in clear with 403 before any challenge, and letting TLS through.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeHa1Set, DigestAuthenticator } from '../../../services/call-control/auth/digest';
import { authenticateRequest } from '../../../services/call-control/auth/request-auth';
import { requiresTls } from '../../../services/call-control/auth/require-tls';
import { BanList } from '../../../services/call-control/registrar/ban-list';
import { LocationService } from '../../../services/call-control/registrar/location-service';
import { registrar, type RegisterRequest } from '../../../services/call-control/registrar/registrar';
import { createLogger } from '../../../services/common/logger';
import { defaultFeatures, openStore, type Store } from '../../../services/store';
import { tempDir } from '../../helpers/tmp';

const DOMAIN = 'bank.example.ru';
let store: Store;
let cleanup: () => void;
const log = createLogger({ sink: () => undefined });

beforeEach(() => {
  const t = tempDir('require-tls-');
  cleanup = t.cleanup;
  store = openStore(path.join(t.dir, 'korobka.db'));
  const tenant = store.tenants.create({ name: 'Bank', sipDomain: DOMAIN });
  for (const x of ['201', '202']) store.extensions.create({ tenantId: tenant.id, extension: x, ha1: computeHa1Set(x, tenant.sipDomain, `pw-${x}`) });
  const ext = store.extensions.get(tenant.id, '201')!;
  store.extensionFeatures.set(ext.id, { ...defaultFeatures(), requireTls: true });
});
afterEach(() => {
  store.close();
  cleanup();
});

function answer(protocol: string, user: string, method: 'REGISTER' | 'INVITE') {
  const tenant = store.tenants.byDomain(DOMAIN)!;
  const headers = new Map([
    ['to', `<sip:${user}@${tenant.sipDomain}>`],
    ['from', `<sip:${user}@${tenant.sipDomain}>;tag=a`],
    ['call-id', 'c1'],
    ['cseq', `1 ${method}`],
    ['contact', `<sip:${user}@198.51.100.20:5062>`],
  ]);
  const req: RegisterRequest = { method, get: (n) => headers.get(n.toLowerCase()), source_address: '198.51.100.20', source_port: 5062, protocol };
  const now = () => Date.now();
  const deps = {
    auth: new DigestAuthenticator({ now }),
    bans: new BanList({ now, log }, { maxFailures: 3, allow: [] }),
    tenantFor: () => ({ id: tenant.id, sipDomain: tenant.sipDomain }),
    credentials: (t: number, u: string) => {
      const c = store.extensions.credentials(t, u);
      return c && { extension: c.extension.extension, ha1: c.ha1 };
    },
    requiresTls: requiresTls(store),
    log,
  };
  let out: { status: number; reason: string; headers: Record<string, string> } | undefined;
  const res = { send: (status: number, reason: string, opts: { headers: Record<string, string> }) => (out = { status, reason, headers: opts.headers }) };
  if (method === 'REGISTER') registrar({ ...deps, location: new LocationService(now), now })(req, res, () => undefined);
  else authenticateRequest(deps, req, res);
  return out!;
}

describe('require TLS per extension', () => {
  it('stores the setting (migration 0178) and reads it per SIP user', () => {
    const tenant = store.tenants.byDomain(DOMAIN)!;
    expect(requiresTls(store)(tenant.id, '201')).toBe(true);
    expect(requiresTls(store)(tenant.id, '202')).toBe(false);
    expect(requiresTls(store)(tenant.id, '999')).toBe(false);
    expect(store.extensionFeatures.get(store.extensions.get(tenant.id, '201')!.id)!.requireTls).toBe(true);
  });

  it.each(['udp', 'tcp'])('refuses a REGISTER over %s with 403 and a reason, before any challenge', (protocol) => {
    const a = answer(protocol, '201', 'REGISTER');
    expect(a).toMatchObject({ status: 403, reason: 'TLS required for this extension' });
    expect(a.headers.Reason).toContain('TLS required');
    expect(a.headers['WWW-Authenticate']).toBeUndefined();
  });

  it('challenges the same REGISTER over TLS, and another extension over UDP', () => {
    expect(answer('tls', '201', 'REGISTER').status).toBe(401);
    expect(answer('udp', '202', 'REGISTER').status).toBe(401);
  });

  it('refuses a call from the extension over UDP with 403, challenges it over TLS', () => {
    expect(answer('udp', '201', 'INVITE')).toMatchObject({ status: 403, reason: 'TLS required for this extension' });
    expect(answer('tls', '201', 'INVITE').status).toBe(407);
    expect(answer('udp', '202', 'INVITE').status).toBe(407);
  });
});
