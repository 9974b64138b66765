// What choosing a GSM port costs a call (issue 14: "port selection adds
// under 1 ms per call"), on a real SQLite store: two trunk-mode gateways of
// 32 ports (64 SIMs of five operators), the sample numbering plan, a month
// of CDRs through the SIMs (the minute limits are summed from them), and the
// live port table with a third of the ports busy. Each selection is what an
// outbound mobile call does before its INVITE: least-cost routing's choices
// for a random mobile number, the first port leased and released; and what
// a call to an extension with a mobile does: the ringer's ways out.
// This measures the selection itself, in-process; the SIP path around it is
// bench/calls'.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { planRangeImport } from '../../services/api/commands/import-number-ranges';
import { LeastCostRouter } from '../../services/call-control/fmc/lcr';
import { MobileRinger } from '../../services/call-control/fmc/mobile-ring';
import { PortTable } from '../../services/call-control/fmc/port-table';
import { createLogger } from '../../services/common/logger';
import { buildGateway, luhnCheckDigit, type SimOperator } from '../../services/fmc';
import { openStore } from '../../services/store';
import { tempDir } from '../../test/helpers/tmp';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SELECTIONS = arg('selections', 5000);
const CDRS = arg('cdrs', 20000);
const log = createLogger({ level: 'error', sink: () => undefined });
const t = tempDir('fmc-bench-');
const store = openStore(path.join(t.dir, 'korobka.db'));
const tenant = store.tenants.create({ name: 'Bench', sipDomain: 'bench.example.ru' });
const plan = planRangeImport(readFileSync(path.resolve('services/fmc/data/def-sample.csv'), 'utf8'));
store.numberRanges.replace(tenant.id, plan.ranges);

const OPS: Array<[SimOperator, string]> = [['mts', '916'], ['megafon', '926'], ['beeline', '903'], ['t2', '977'], ['yota', '999']];
const simIds: number[] = [];
const gateways: number[] = [];
for (const [g, host] of [['A', '127.0.0.1'], ['B', '127.0.0.2']] as const) {
  const built = buildGateway('goip-trunk', `GoIP ${g}`, { portCount: 32, host, sipPort: 5070, optionsInterval: 0, ports: Array.from({ length: 32 }, (_, i) => ({ port: i + 1, prefix: `${g === 'A' ? 5 : 6}${String(i + 1).padStart(2, '0')}`, did: `${g === 'A' ? 5 : 6}${String(i + 1).padStart(2, '0')}` })) });
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  const gw = store.gateways.create(tenant.id, `GoIP ${g}`, true, built.config, () => ({ MD5: '', 'SHA-256': '' }));
  gateways.push(gw.id);
  for (let p = 1; p <= 32; p++) {
    const n = simIds.length;
    const [op, def] = OPS[n % OPS.length]!;
    const body = `89701${String(n).padStart(13, '0')}`;
    simIds.push(store.sims.create(tenant.id, { iccid: `${body}${luhnCheckDigit(body)}`, msisdn: `+7${def}${String(1000000 + n).slice(-7)}`, operator: op, state: 'active', gatewayId: gw.id, port: p, extensionId: null, userRegistered: true, contract: 'bench', monthlyMinuteLimit: n % 7 === 0 ? 1 : 3000, ringMode: 'off', ringDelay: 10 }).id);
  }
}
// A month of calls through the SIMs: the CDRs the minute limits are summed from.
const now = Date.now();
const monthStart = Date.parse(`${new Date(now).toISOString().slice(0, 7)}-01T00:00:00Z`);
store.transaction(() => {
  for (let i = 0; i < CDRS; i++) {
    const at = monthStart + Math.floor(((now - monthStart) * i) / CDRS);
    const base = { callId: `bench-${i}`, tenantId: tenant.id, direction: 'outbound' as const, caller: { dialled: '201', number: '201' }, callee: { dialled: '8916', number: '+79160000000' }, startedAt: at, durationSeconds: 95, billableSeconds: 90, transfers: [], lastSeenAt: at };
    store.cdrs.open({ ...base, status: 'in-progress' }, 'bench');
    store.cdrs.close({ ...base, answeredAt: at, endedAt: at + 90_000, disposition: 'answered', hangupSide: 'caller', status: 'completed' });
    store.numberRanges.recordSimCall(tenant.id, simIds[i % simIds.length]!, `bench-${i}`, new Date(at));
  }
}, 'immediate');

const ports = new PortTable();
// A third of the ports carry a call.
for (const gw of gateways) for (let p = 1; p <= 32; p += 3) ports.acquire(gw, p, `busy-${gw}-${p}`);
const lcr = new LeastCostRouter({ store, ports, bindings: () => [], log });
const ringer = new MobileRinger({ store, ports, bindings: () => [], proxyFor: () => undefined, log });
const someSim = store.sims.get(simIds[1]!)!;

function measure(run: (i: number) => void): { meanMs: number; p50Ms: number; p99Ms: number } {
  for (let i = 0; i < 200; i++) run(i); // warm the statements and the JIT
  const times: number[] = [];
  for (let i = 0; i < SELECTIONS; i++) {
    const t0 = performance.now();
    run(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { meanMs: round(times.reduce((a, b) => a + b, 0) / times.length), p50Ms: round(times[Math.floor(times.length / 2)]!), p99Ms: round(times[Math.floor(times.length * 0.99)]!) };
}

let found = 0;
const lcrTimes = measure((i) => {
  const [, def] = OPS[i % OPS.length]!;
  const ways = lcr.ways(tenant.id, `+7${def}${String(2000000 + i).slice(-7)}`, `call-${i}`);
  const lease = ways[0]?.take();
  if (lease) found++;
  lease?.release();
});
const ringTimes = measure(() => {
  ringer.targets(tenant.id, someSim);
});
const result = { bench: 'fmc-port-selection', ports: 64, sims: simIds.length, cdrsThisMonth: CDRS, busyPorts: gateways.length * 11, selections: SELECTIONS, lcr: lcrTimes, mobileRing: ringTimes, lcrCallsWithAPort: found };
console.log(JSON.stringify(result));
console.log(`LCR choice + port lease: mean ${lcrTimes.meanMs} ms, p99 ${lcrTimes.p99Ms} ms per call (64 ports, ${CDRS} CDRs this month)`);
console.log(`mobile ring ways out:    mean ${ringTimes.meanMs} ms, p99 ${ringTimes.p99Ms} ms per call`);
store.close();
t.cleanup();
// The target is for least-cost routing's port selection (this bench's headline); the ringer's figure is reported beside it.
const ok = lcrTimes.meanMs < 1;
console.log(ok ? 'target met: LCR port selection under 1 ms per call' : 'target missed: LCR port selection over 1 ms per call');
if (ringTimes.meanMs >= 1) console.log('mobile ring ways out over 1 ms per call (reads every gateway of the tenant from the store each call)');
process.exit(ok ? 0 : 1);
