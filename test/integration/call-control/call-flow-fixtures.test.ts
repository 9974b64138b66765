// The call-flow fixture table (call-flow-fixtures.json, as drachtio-server's
// test-fixtures-*.json: config, caller, expected path and final status). Each
// case gets a FRESH appliance (supervisor, sip-core, call-control, rtpengine,
// api on its own free ports and data directory, its log kept as
// test-output/appliance/flow-fixture-<n>.log), configured through the real
// admin api as an administrator would (trunk, DID, prompts uploaded, ring
// groups, menus, schedules, lists, recording notices); only the extensions and
// the admin user are seeded in its SQLite file before start. A sipp operator
// calls the DID over the trunk (RFC 4733 keys through rtpengine where the case
// presses any); the CDR's path, who answered and the final status are
// asserted, and the api's dry run for the same number, caller, time and keys
// must predict the very path the CDR records.
//
// Cases run FIXTURE_CONCURRENCY at a time (default 3: three appliances on
// separate ports) so that a fresh PBX per case stays within a few minutes on
// the 2-core machine; KOROBKA_FIXTURE_CONCURRENCY=1 runs them one by one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, type ExpectStatic } from 'vitest';
import { hashPassword } from '../../../services/api/password';
import type { ScheduleInput } from '../../../services/call-flows';
import { freeLowUdpPorts } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { uacScenario, uasScenario, type UasKind } from './call-scenarios';
import { adminApi, type AdminApi } from './flow-fixture-api';
import { ivrCallerArgs, ivrCallerScenario, type DtmfMode } from './ivr-caller';
import { wavTone } from './rtp-endpoint';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';
import { receivedAt } from './sipp-trace';

type Json = unknown;
interface FixtureCase {
  name: string;
  extensions: string[];
  config: {
    prompts: Record<string, number>;
    objects: Array<{ ref: string; kind: string; hours?: 'open' | 'closed'; body: Record<string, Json> }>;
    did: Json;
    /** Recording notices: on the DID (no `ref`) or on a queue of `objects` (`ref`), playing prompt "$name". */
    notices?: Array<{ scope: 'did' | 'queue'; ref?: string; prompt: string }>;
    refused?: { ref: string; body: Record<string, Json>; field: string; message: string };
  };
  /**
   * An outbound case: extension `from` (outbound permission national) dials `dial` through the trunk
   * (a route for +7 numbers); no DID, and no dry run (it is for inbound numbers). `caller.then`: refused.
   */
  outbound?: { from: string; dial: string };
  phones: Record<string, string>;
  /** `dtmf: inband`: the caller offers PCMA alone and its keys are tones in the audio (ivr-caller.ts). */
  caller: { number: string; keys: string; then: 'connect' | 'talk' | 'hungup' | 'refused'; status?: number; dtmf?: DtmfMode };
  dryRun: { keys?: string[]; noAnswer?: boolean } | null;
  expect: {
    path: string[];
    answeredBy: string | null;
    disposition: string;
    hangupSide?: string;
    hangupReason?: string;
    hangupSipStatus?: number;
    /** Phones' first INVITE, in ms after the earliest phone's: [at least, at most] (a ring group member's delay). */
    rungAfterMs?: Record<string, [number, number]>;
  };
}

const CASES = (
  JSON.parse(readFileSync(path.resolve('test/integration/call-control/call-flow-fixtures.json'), 'utf8')) as { cases: FixtureCase[] }
).cases;
const CONCURRENCY = Math.max(1, Number(process.env.KOROBKA_FIXTURE_CONCURRENCY ?? 3));
const OUT = testOutputDir('call-control', 'call-flow-fixtures');
const SCENARIOS = path.resolve('test/integration/call-control/scenarios');
const DID = '+74957654351';
const DIALLED = '84957654351';
const ADMIN = { username: 'flows-admin', password: 'flows-admin-password-1' };
const PREFIX: Record<string, string> = {
  'ring-group': '/api/ring-groups',
  ivr: '/api/ivr-menus',
  schedule: '/api/schedules',
  announcement: '/api/announcements',
  list: '/api/call-lists',
  queue: '/api/queues',
};

/** At most CONCURRENCY cases hold an appliance at once. */
let running = 0;
const waiting: Array<() => void> = [];
async function slot(): Promise<() => void> {
  if (running >= CONCURRENCY) await new Promise<void>((r) => waiting.push(r));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

/** Minutes since local midnight in Moscow now. */
function moscowMinutes(at = Date.now()): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Moscow',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return n('hour') * 60 + n('minute');
}
const hhmm = (m: number) => (m >= 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);

/** A schedule open every day around now (± 90 min) or one whose only window excludes now by 2 h. */
function schedule(body: Record<string, Json>, hours: 'open' | 'closed'): ScheduleInput {
  const m = moscowMinutes();
  const window =
    hours === 'open'
      ? { from: hhmm(Math.max(0, m - 90)), to: hhmm(Math.min(1440, m + 90)) }
      : m < 720
        ? { from: hhmm(m + 120), to: '24:00' }
        : { from: '00:00', to: hhmm(m - 120) };
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
  return {
    name: String(body.name),
    timeZone: 'Europe/Moscow',
    branches: [{ name: 'Рабочее время', days: [...days], ...window, destination: body.open as ScheduleInput['closed'] }],
    closed: body.closed as ScheduleInput['closed'],
  };
}

/** `{ref: name}` in a destination → `id`; "$name" → that prompt's id. */
function resolve(v: Json, ids: Map<string, number>, prompts: Map<string, number>): Json {
  if (typeof v === 'string' && v.startsWith('$')) return need(prompts, v.slice(1));
  if (Array.isArray(v)) return v.map((x) => resolve(x, ids, prompts));
  if (v && typeof v === 'object') {
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, ids, prompts)]));
    if (typeof o.ref === 'string' && o.type === 'feature') {
      o.id = need(ids, o.ref);
      delete o.ref;
    }
    return o;
  }
  return v;
}
function need(m: Map<string, number>, key: string): number {
  const v = m.get(key);
  if (v === undefined) throw new Error(`fixture refers to ${key}, not created before`);
  return v;
}
const expandPath = (steps: string[], ids: Map<string, number>, prompts: Map<string, number>) =>
  steps.map((s) => s.replace(/\{(\$?)([^}]+)\}/g, (_, $: string, name: string) => String(need($ ? prompts : ids, name))));

function ok(r: { status: number; body: unknown }, what: string, expect: ExpectStatic, status = 201): void {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(status);
}

async function configure(api: AdminApi, c: FixtureCase, operatorPort: number, expect: ExpectStatic) {
  const ids = new Map<string, number>();
  const prompts = new Map<string, number>();
  const trunk = await api.post('/api/trunks', {
    name: 'Оператор',
    kind: 'ip',
    host: '127.0.0.1',
    port: operatorPort,
    transport: 'udp',
    addresses: ['127.0.0.1'],
    optionsInterval: 0,
    channelLimit: 4,
  });
  ok(trunk, 'trunk', expect);
  for (const [name, seconds] of Object.entries(c.config.prompts)) {
    const r = await api.post('/api/prompts/upload', {
      name,
      language: 'ru',
      filename: `${name}.wav`,
      data: wavTone(seconds, 1000).toString('base64'),
    });
    ok(r, `prompt ${name}`, expect);
    prompts.set(name, r.body.prompt.id as number);
  }
  for (const o of c.config.objects) {
    const body = resolve(o.kind === 'schedule' ? schedule(o.body, o.hours ?? 'open') : o.body, ids, prompts);
    const r = await api.post(PREFIX[o.kind]!, body);
    ok(r, `${o.kind} ${o.ref}`, expect);
    ids.set(o.ref, (Object.values(r.body as object)[0] as { id: number }).id);
  }
  if (c.outbound) {
    // Out through the trunk as an admin sets it up: numbering, a route for +7 numbers, the caller allowed national calls.
    ok(await api.put('/api/dialplan/numbering', { cityCode: '495' }), 'numbering', expect, 200);
    const routes = [{ id: 'russia', patterns: ['_+7XXXXXXXXXX'], strip: 1, trunks: [String(trunk.body.trunk.id)] }];
    ok(await api.put('/api/dialplan/routes', { routes }), 'outbound route', expect, 200);
    const from = c.outbound.from;
    const ext = ((await api.get('/api/extensions')).body.extensions as Array<{ id: number; extension: string }>).find(
      (e) => e.extension === from,
    )!;
    ok(await api.patch(`/api/extensions/${ext.id}`, { outboundPermission: 'national' }), `extension ${from}`, expect, 200);
  } else
    ok(
      await api.post('/api/dids', { number: DID, trunkId: trunk.body.trunk.id, destination: resolve(c.config.did, ids, prompts) }),
      'DID',
      expect,
    );
  for (const n of c.config.notices ?? []) {
    const notice = { enabled: true, prompt: need(prompts, n.prompt.slice(1)), toCalled: false };
    const ref = n.scope === 'did' ? DID : String(need(ids, n.ref ?? ''));
    ok(
      await api.put('/api/call-flows/recording-notices', { scope: n.scope, ref, notice }),
      `recording notice on ${n.scope} ${ref}`,
      expect,
      200,
    );
  }
  const refused = c.config.refused;
  if (refused) {
    // Refused when saved, the field named, nothing changed: the stored object is as before.
    const kind = c.config.objects.find((o) => o.ref === refused.ref)!.kind;
    const url = `${PREFIX[kind]}/${need(ids, refused.ref)}`;
    const before = (await api.get(url)).body;
    const r = await api.put(url, resolve(refused.body, ids, prompts));
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'call-flow-invalid' });
    expect(r.body.details.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: refused.field, message: expect.stringContaining(refused.message) })]),
    );
    expect((await api.get(url)).body).toEqual(before);
  }
  return { ids, prompts, trunkId: trunk.body.trunk.id as number };
}

async function placeCall(pbx: Pbx, c: FixtureCase, operatorPort: number, tag: string): Promise<Started> {
  const k = c.caller;
  if (c.outbound)
    return startCaller(pbx, uacScenario(`fixture-out-${k.status ?? 480}`, { fail: k.status ?? 480 }), c.outbound.from, c.outbound.dial);
  const scenario =
    k.then === 'talk' ? path.join(SCENARIOS, 'trunk-inbound.xml') : ivrCallerScenario(OUT, tag, k.keys, k.then, k.status ?? 480, k.dtmf);
  const args = await ivrCallerArgs({
    scenario,
    port: operatorPort,
    out: OUT,
    tag,
    timeoutS: 60,
    dialled: DIALLED,
    caller: k.number,
    holdMs: 3000,
    pbx: `127.0.0.1:${pbx.app.ports.sip}`,
  });
  return startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 90_000 });
}

async function runCase(c: FixtureCase, n: number, expect: ExpectStatic): Promise<void> {
  const name = `flow-fixture-${n}`;
  const operatorPort = await freeLowUdpPorts(1);
  const pbx = await startPbx(name, c.extensions, {}, async (_app, store) => {
    const tenant = store.tenants.defaultTenant()!;
    store.users.create({
      tenantId: tenant.id,
      username: ADMIN.username,
      role: 'tenant-admin',
      passwordHash: await hashPassword(ADMIN.password),
      mustChangePassword: false,
    });
  });
  const peers: Started[] = [];
  try {
    const api = await adminApi(pbx.app, ADMIN);
    const { ids, prompts, trunkId } = await configure(api, c, operatorPort, expect);
    // call-control reads the trunks table itself: the operator calls once its health lists the new trunk
    // (in one run of 13 an INVITE sent right after the api created the trunk was challenged 407 as from nobody).
    await waitFor(
      async () => ((await pbx.health()).trunks as Array<{ id: number }> | undefined)?.some((t) => t.id === trunkId) ?? false,
      20_000,
      'call-control knows the trunk',
    );
    const want = expandPath(c.expect.path, ids, prompts);

    // What the dry run predicts for this caller now, with these keys.
    const dry = c.dryRun ? await api.post('/api/call-flows/dry-run', { number: DIALLED, caller: c.caller.number, ...c.dryRun }) : undefined;
    if (dry) {
      ok(dry, 'dry run', expect, 200);
      expect(dry.body.result.callPath, dry.body.result.summary).toEqual(want);
    }

    const traces = new Map<string, string>();
    for (const [ext, kind] of Object.entries(c.phones)) {
      const trace = path.join(OUT, `${name}-${ext}-${Date.now()}.msg`);
      const phone = await startCallee(uasScenario(kind as UasKind), 1, ['-trace_msg', '-message_file', trace]);
      peers.push(phone);
      traces.set(ext, trace);
      await registerPhone(pbx, ext, phone.port);
    }
    const caller = await placeCall(pbx, c, operatorPort, `${name}-${Date.now()}`);
    peers.push(caller);
    expect(await caller.exited, `sipp caller, see ${caller.logFile}`).toBe(0);
    for (const p of peers.slice(0, -1)) expect(await p.exited, `sipp phone, see ${p.logFile}`).toBe(0);

    const tenantId = pbx.store.tenants.defaultTenant()!.id;
    const dialled = c.outbound?.dial ?? DIALLED;
    const cdrs = () => pbx.store.cdrs.list({ tenantId, limit: 10 }).filter((r) => r.callee.dialled === dialled && r.status === 'completed');
    await waitFor(() => cdrs().length > 0, 20_000, 'CDR completed');
    const cdr = cdrs()[0]!;
    const { path: wantPath, answeredBy, rungAfterMs, ...status } = { ...c.expect, path: want };
    if (rungAfterMs) {
      const rung = new Map([...traces].map(([ext, f]) => [ext, receivedAt(f, 'INVITE ')]));
      const first = Math.min(...[...rung.values()].filter((t): t is number => t !== undefined));
      for (const [ext, [min, max]] of Object.entries(rungAfterMs)) {
        const at = rung.get(ext);
        expect(at, `${ext} was rung`).toBeDefined();
        expect(at! - first, `${ext} rung after the first phone`).toBeGreaterThanOrEqual(min);
        expect(at! - first, `${ext} rung after the first phone`).toBeLessThanOrEqual(max);
      }
    }
    expect(cdr.path).toEqual(wantPath);
    // And so the dry run agrees with what the call did.
    if (dry) expect(cdr.path).toEqual(dry.body.result.callPath);
    if (answeredBy === null) expect(cdr.answeredBy).toBeUndefined();
    else expect(cdr.answeredBy).toBe(answeredBy);
    if (c.outbound)
      expect(cdr).toMatchObject({ direction: 'outbound', caller: { dialled: c.outbound.from }, callee: { dialled }, ...status });
    else expect(cdr).toMatchObject({ direction: 'inbound', callee: { dialled: DIALLED, number: DID }, ...status });
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 15_000, 'licence slot freed');
  } finally {
    await Promise.all(peers.map((p) => p.stop('SIGTERM', 2000)));
    await pbx.close();
  }
}

describe.concurrent('call-flow fixture table: each case on a fresh appliance', () => {
  CASES.forEach((c, i) => {
    it(`${i + 1}. ${c.name}`, async ({ expect }) => {
      const release = await slot();
      try {
        await runCase(c, i + 1, expect);
      } finally {
        release();
      }
    }, 600_000);
  });
});
