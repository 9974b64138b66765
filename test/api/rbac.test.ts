// Every route against every role: a role not allowed gets 403 (and an
// audit row), an allowed one gets past the guard. A route added without a
// line here fails the first test, so no route escapes this check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../services/api';
import { roles, type Role } from '../../services/store';
import { silentLogger } from '../../services/common/logger';
import { configSchema } from '../../appliance/config/schema';
import { licencePort } from '../../appliance/license/licence-service';
import { startApi, type Client, type Harness } from './harness';

type Rule = 'public' | 'signed-in' | readonly Role[];
const ADMINS = ['superadmin', 'tenant-admin'] as const;
const READERS = ['superadmin', 'tenant-admin', 'supervisor', 'auditor'] as const;
// Everyone who works with calls; the data-protection officer (issue 15) handles subject requests only.
const STAFF = roles.filter((r) => r !== 'dpo');

const table: Record<string, Rule> = {
  'GET /api/health': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'signed-in',
  'GET /api/auth/me': 'signed-in',
  'POST /api/auth/password': 'signed-in',
  'GET /api/tenants': ['superadmin'],
  'GET /api/tenants/:id': ['superadmin'],
  'POST /api/tenants': ['superadmin'],
  'PATCH /api/tenants/:id': ['superadmin'],
  'DELETE /api/tenants/:id': ['superadmin'],
  'GET /api/users': ADMINS,
  'GET /api/users/:id': ADMINS,
  'POST /api/users': ADMINS,
  'PATCH /api/users/:id': ADMINS,
  'POST /api/users/:id/reset-password': ADMINS,
  'DELETE /api/users/:id': ADMINS,
  'GET /api/audit': ['superadmin', 'auditor'],
  'GET /api/audit/verify': ['superadmin', 'auditor'],
  'GET /api/audit/siem': ['superadmin'],
  'PUT /api/audit/siem': ['superadmin'],
  'GET /api/license': ['superadmin', 'tenant-admin', 'auditor'],
  'GET /api/license/request': ['superadmin'],
  'PUT /api/license': ['superadmin'],
  'GET /api/branding': 'public',
  'GET /api/branding/logo': 'public',
  'GET /api/branding/favicon': 'public',
  'GET /api/branding/edit': ADMINS,
  'PUT /api/branding': ADMINS,
  'PUT /api/branding/logo': ADMINS,
  'PUT /api/branding/favicon': ADMINS,
  'DELETE /api/branding': ADMINS,
  'GET /api/system': ['superadmin', 'tenant-admin', 'supervisor', 'auditor'],
  'GET /api/live': ['superadmin', 'tenant-admin', 'supervisor', 'auditor'],
  'GET /api/recordings': STAFF,
  'GET /api/recordings/policy': ADMINS,
  'PUT /api/recordings/policy': ADMINS,
  'GET /api/recordings/listen-grants': ['superadmin', 'tenant-admin'],
  'PUT /api/recordings/listen-grants/:id': ['superadmin', 'tenant-admin'],
  'GET /api/recordings/:id': STAFF,
  // the guard lets admins through; without a grant they get recordings-listen-not-granted (test/api/recordings.test.ts)
  'GET /api/recordings/:id/audio': STAFF,
  'GET /api/recordings/:id/download': STAFF,
  'PUT /api/recordings/:id/legal-hold': ['superadmin', 'tenant-admin', 'auditor'],
  'GET /api/alarms': ['superadmin', 'tenant-admin', 'supervisor', 'auditor'],
  'GET /api/extensions': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'GET /api/extensions/usage': ['superadmin', 'tenant-admin', 'auditor'],
  'GET /api/extensions/:id': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'GET /api/extensions/:id/phone-settings': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'POST /api/extensions': ADMINS,
  'PATCH /api/extensions/:id': ADMINS,
  'POST /api/extensions/:id/reset-password': ADMINS,
  'DELETE /api/extensions/:id': ADMINS,
  'POST /api/extensions/import': ADMINS,
  'GET /api/extensions/import/:id': ADMINS,
  'GET /api/cdrs': STAFF,
  'GET /api/cdrs.csv': STAFF,
  'GET /api/trunks': ADMINS,
  'GET /api/trunks/:id': ADMINS,
  'POST /api/trunks': ADMINS,
  'PATCH /api/trunks/:id': ADMINS,
  'DELETE /api/trunks/:id': ADMINS,
  'GET /api/dids': ADMINS,
  'POST /api/dids': ADMINS,
  'DELETE /api/dids/:id': ADMINS,
  'PATCH /api/dids/:id': ADMINS,
  'GET /api/call-flows/view': READERS,
  'POST /api/call-flows/dry-run': READERS,
  'GET /api/call-flows/main': READERS,
  'PUT /api/call-flows/main': ADMINS,
  'GET /api/call-flows/recording-notices': READERS,
  'PUT /api/call-flows/recording-notices': ADMINS,
  'POST /api/schedules/calendar': ADMINS,
  'PUT /api/schedules/:id/override': ['superadmin', 'tenant-admin', 'supervisor'],
  'GET /api/queues': READERS,
  'GET /api/queues/:id': READERS,
  'POST /api/queues': ADMINS,
  'PUT /api/queues/:id': ADMINS,
  'DELETE /api/queues/:id': ADMINS,
  'GET /api/queues/:id/live': STAFF,
  'GET /api/queues/:id/agents': STAFF,
  'PUT /api/queues/:id/agents/:extension': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'GET /api/my-queues': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'GET /api/ring-groups': READERS,
  'GET /api/ring-groups/:id': READERS,
  'POST /api/ring-groups': ADMINS,
  'PUT /api/ring-groups/:id': ADMINS,
  'DELETE /api/ring-groups/:id': ADMINS,
  'GET /api/ivr-menus': READERS,
  'GET /api/ivr-menus/:id': READERS,
  'POST /api/ivr-menus': ADMINS,
  'PUT /api/ivr-menus/:id': ADMINS,
  'DELETE /api/ivr-menus/:id': ADMINS,
  'GET /api/schedules': READERS,
  'GET /api/schedules/:id': READERS,
  'POST /api/schedules': ADMINS,
  'PUT /api/schedules/:id': ADMINS,
  'DELETE /api/schedules/:id': ADMINS,
  'GET /api/announcements': READERS,
  'GET /api/announcements/:id': READERS,
  'POST /api/announcements': ADMINS,
  'PUT /api/announcements/:id': ADMINS,
  'DELETE /api/announcements/:id': ADMINS,
  'GET /api/call-lists': READERS,
  'GET /api/call-lists/:id': READERS,
  'POST /api/call-lists': ADMINS,
  'PUT /api/call-lists/:id': ADMINS,
  'DELETE /api/call-lists/:id': ADMINS,
  'GET /api/dialplan': ['superadmin', 'tenant-admin', 'supervisor', 'auditor'],
  'PUT /api/dialplan/routes': ADMINS,
  'PUT /api/dialplan/numbering': ADMINS,
  'POST /api/dialplan/test': ['superadmin', 'tenant-admin', 'supervisor', 'auditor'],
  'GET /api/registrations': ['superadmin', 'tenant-admin', 'supervisor'],
  'GET /api/calls/live': STAFF,
  'POST /api/calls/live/:id/recording': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'GET /api/bans': ['superadmin'],
  'DELETE /api/bans/:ip': ['superadmin'],
  'GET /api/sip-settings': ['superadmin', 'tenant-admin', 'auditor'],
  'PUT /api/sip-settings': ['superadmin', 'tenant-admin'],
  'PUT /api/sip-settings/extensions/:id': ['superadmin', 'tenant-admin'],
  'GET /api/prompts': ['superadmin', 'tenant-admin', 'supervisor'],
  'GET /api/prompts/:id': ['superadmin', 'tenant-admin', 'supervisor'],
  'GET /api/prompts/:id/audio': ['superadmin', 'tenant-admin', 'supervisor'],
  'POST /api/prompts/upload': ADMINS,
  'POST /api/prompts/tts': ADMINS,
  'PATCH /api/prompts/:id': ADMINS,
  'DELETE /api/prompts/:id': ADMINS,
  'GET /api/gateways': ['superadmin', 'tenant-admin', 'supervisor'],
  'GET /api/gateways/templates': ['superadmin', 'tenant-admin', 'supervisor'],
  'GET /api/gateways/:id': ['superadmin', 'tenant-admin', 'supervisor'],
  'POST /api/gateways': ADMINS,
  'PATCH /api/gateways/:id': ADMINS,
  'DELETE /api/gateways/:id': ADMINS,
  'GET /api/sims': ['superadmin', 'tenant-admin', 'supervisor'],
  'GET /api/sims/:id': ['superadmin', 'tenant-admin', 'supervisor'],
  'POST /api/sims': ADMINS,
  'PATCH /api/sims/:id': ADMINS,
  'DELETE /api/sims/:id': ADMINS,
  'POST /api/sims/import': ADMINS,
  'GET /api/number-ranges': ['superadmin', 'tenant-admin', 'supervisor'],
  'POST /api/number-ranges/import': ADMINS,
  'GET /api/contacts': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'GET /api/contacts/:id': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'POST /api/contacts': ['superadmin', 'tenant-admin', 'supervisor'],
  'PATCH /api/contacts/:id': ['superadmin', 'tenant-admin', 'supervisor'],
  'DELETE /api/contacts/:id': ['superadmin', 'tenant-admin', 'supervisor'],
  'POST /api/contacts/import': ['superadmin', 'tenant-admin', 'supervisor'],
  'GET /api/backups': ['superadmin', 'auditor'],
  'POST /api/backups': ['superadmin'],
  'GET /api/backups/schedule': ['superadmin', 'auditor'],
  'PUT /api/backups/schedule': ['superadmin'],
  'GET /api/backups/:id': ['superadmin', 'auditor'],
  'POST /api/backups/:id/verify': ['superadmin'],
  'GET /api/backups/:id/download': ['superadmin'],
  'POST /api/backups/sftp/host-key': ['superadmin'],
  'GET /api/voicemail/boxes': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'GET /api/voicemail/boxes/:id': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'POST /api/voicemail/boxes': ADMINS,
  'PATCH /api/voicemail/boxes/:id': ADMINS,
  'DELETE /api/voicemail/boxes/:id': ADMINS,
  'PUT /api/voicemail/boxes/:id/pin': ['superadmin', 'tenant-admin', 'employee'],
  // the guard lets admins through; without the recordings listen grant they get recordings-listen-not-granted (test/api/voicemail.test.ts)
  'GET /api/voicemail/boxes/:id/messages': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'GET /api/voicemail/messages/:id/audio': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'GET /api/voicemail/messages/:id/download': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'PUT /api/voicemail/messages/:id/read': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'DELETE /api/voicemail/messages/:id': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'GET /api/mail/smtp': ADMINS,
  'PUT /api/mail/smtp': ADMINS,
  'DELETE /api/mail/smtp': ADMINS,
  'POST /api/mail/smtp/test': ADMINS,
  'GET /api/mail/outbox': ['superadmin', 'tenant-admin', 'auditor'],
  'POST /api/mail/outbox/:id/retry': ADMINS,
  'GET /api/mail/notices': ADMINS,
  'POST /api/mail/notices': ADMINS,
  'DELETE /api/mail/notices/:id': ADMINS,
  'POST /api/pd/subject/find': ['superadmin', 'dpo'],
  'POST /api/pd/subject/export': ['superadmin', 'dpo'],
  'POST /api/pd/subject/erase': ['superadmin', 'dpo'],
  'PUT /api/pd/subject/legal-hold': ['superadmin', 'dpo'],
};

function registeredRoutes(): string[] {
  const config = configSchema.parse({ dataDir: '/nonexistent' });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- only the router table is read, the store is never touched
  const { routers } = buildApp({ store: {} as any, config, log: silentLogger, licence: licencePort(config, {} as any), supervisorStatus: () => null });
  const out = new Set<string>();
  for (const r of routers)
    for (const layer of r.stack)
      for (const m of layer.methods) if (m !== 'HEAD') out.add(`${m} ${String(layer.path).replace(/\/$/, '') || '/'}`);
  return [...out].sort();
}

let h: Harness;
let tenantA: number;
let tenantB: number;
let tenantC: number;
const clients = new Map<Role, Client>();
let victimInA: number;

beforeAll(async () => {
  h = await startApi();
  tenantA = h.store.tenants.create({ name: 'A', sipDomain: 'a.example.ru' }).id;
  tenantB = h.store.tenants.create({ name: 'B', sipDomain: 'b.example.ru' }).id;
  // The tenant routes act on C, which the allowed DELETE may remove.
  tenantC = h.store.tenants.create({ name: 'C', sipDomain: 'c.example.ru' }).id;
  for (const role of roles) clients.set(role, (await h.as(role, role === 'superadmin' ? null : tenantA)).client);
  victimInA = h.store.users.create({ tenantId: tenantA, username: 'victim', role: 'employee', passwordHash: 'x' }).id;
});
afterAll(() => h.close());

function concrete(route: string): { method: string; url: string; body?: unknown } {
  const [method, path] = route.split(' ') as [string, string];
  const id = path.startsWith('/api/tenants') ? tenantC : victimInA;
  const url = path.replace(':id', String(id));
  const body = method === 'GET' ? undefined : {};
  return { method, url, body };
}

describe('RBAC', () => {
  it('has a rule for every registered route', () => {
    expect(registeredRoutes()).toEqual(Object.keys(table).sort());
  });

  for (const [route, rule] of Object.entries(table)) {
    if (rule === 'public' || rule === 'signed-in') continue;
    for (const role of roles) {
      const allowed = rule.includes(role);
      it(`${route} ${allowed ? 'lets' : 'refuses'} ${role}`, async () => {
        const { method, url, body } = concrete(route);
        const r = await clients.get(role)!.request(method, url, body);
        if (allowed) expect(r.body?.code).not.toBe('forbidden');
        else {
          expect(r.status).toBe(403);
          expect(r.body.code).toBe('forbidden');
        }
      });
    }
  }

  it('refuses every non-public route without a session', async () => {
    for (const [route, rule] of Object.entries(table)) {
      if (rule === 'public') continue;
      const { method, url, body } = concrete(route);
      const r = await h.client().request(method, url, body);
      expect(r.status, route).toBe(401);
    }
  });

  it('audits refusals', () => {
    const denied = h.store.audit.list({ action: 'access.denied' }).rows;
    expect(denied.length).toBeGreaterThan(10);
    expect(denied[0]).toMatchObject({ outcome: 'denied' });
  });
});

describe('tenant isolation', () => {
  it('a tenant admin sees only their tenant, and another tenant\'s user looks missing', async () => {
    const inB = h.store.users.create({ tenantId: tenantB, username: 'bob-b', role: 'employee', passwordHash: 'x' });
    const admin = clients.get('tenant-admin')!;
    const list = await admin.request('GET', '/api/users');
    expect(list.body.users.every((u: { tenantId: number }) => u.tenantId === tenantA)).toBe(true);
    const other = await admin.request('GET', '/api/users?tenantId=' + tenantB);
    expect(other.body.users.some((u: { id: number }) => u.id === inB.id)).toBe(false);
    for (const [method, suffix] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/reset-password']] as const) {
      const r = await admin.request(method, `/api/users/${inB.id}${suffix}`, method === 'GET' ? undefined : { displayName: 'x' });
      expect(r.status, `${method} ${suffix}`).toBe(404);
      expect(r.body.code).toBe('user-not-found');
    }
    expect(h.store.users.get(inB.id)).toMatchObject({ displayName: '', disabled: false });
  });

  it('a tenant admin cannot create a superadmin', async () => {
    const r = await clients.get('tenant-admin')!.request('POST', '/api/users', { username: 'sneaky', role: 'superadmin' });
    expect(r.status).toBe(403);
    expect(h.store.users.byUsername('sneaky')).toBeUndefined();
  });

  it('a tenant auditor reads only their tenant\'s audit rows', async () => {
    h.store.audit.append({ actorId: null, actor: 'x', tenantId: tenantB, action: 'secret.b' });
    const r = await clients.get('auditor')!.request('GET', '/api/audit?limit=1000');
    expect(r.status).toBe(200);
    expect(r.body.rows.length).toBeGreaterThan(0);
    expect(r.body.rows.every((row: { tenantId: number }) => row.tenantId === tenantA)).toBe(true);
  });
});
