// No personal data in plain text in the logs (issue 15): real calls through
// the whole appliance (debug log level, so every log line the services have is
// written) dial known outside numbers through an IP trunk — directly and by an
// unconditional forward — then every log file the appliance wrote is scanned:
// none of the numbers appears whole, and their masked forms do (so the scan
// looks at lines that really were about these calls). sipp plays the phones and
// the operator; its own trace files are the peers' logs, not ours, and are not scanned.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveNumbering, saveRoutes } from '../../../services/dialplan/dial-plan-store';
import { defaultFeatures } from '../../../services/store';
import { openStore } from '../../helpers/pd-open-store';
import { freePort } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { uacScenario } from '../call-control/call-scenarios';
import { startCaller, startPbx, waitFor, type Pbx } from '../call-control/pbx';

const SCENARIOS = path.resolve('test/integration/call-control/scenarios');
const OUT = testOutputDir('logs', 'log-masking');
const NAME = 'log-masking';
/** Dialled directly (8 495 …) and the forward target (8 916 …); the trunk's caller ID too. */
const DIALLED = '84951234567';
const FORWARD = '89167654321';
const CALLER_ID = '+74950000009';
let pbx: Pbx;
let operatorPort = 0;
const peers: Started[] = [];

beforeAll(async () => {
  operatorPort = await freePort();
  pbx = await startPbx(NAME, ['501', '502'], { logLevel: 'debug', calls: { ringTimeoutSeconds: 8 } }, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const tenant = store.tenants.defaultTenant()!;
      const trunk = store.trunks.create(
        tenant.id,
        { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: operatorPort, transport: 'udp', username: null, registerExpiry: 300, addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 2, outboundCallerId: CALLER_ID, enabled: true },
        null,
      );
      for (const ext of ['501', '502']) store.extensions.update(tenant.id, ext, { outboundPermission: 'national' });
      const stores = { settings: store.settings, routes: store.outboundRoutes };
      saveNumbering(stores, tenant.id, { cityCode: '495' });
      saveRoutes(stores, tenant.id, [{ id: 'russia', patterns: ['_+7XXXXXXXXXX'], strip: 1, trunks: [String(trunk.id)] }]);
      const e502 = store.extensions.get(tenant.id, '502')!;
      const d = defaultFeatures();
      store.extensionFeatures.set(e502.id, { ...d, forward: { ...d.forward, always: FORWARD } });
    } finally {
      store.close();
    }
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
  await pbx?.close();
});

async function operator(tag: string): Promise<Started> {
  const args = ['-sf', path.join(SCENARIOS, 'trunk-answer.xml'), '-i', '127.0.0.1', '-p', String(operatorPort), '-mi', '127.0.0.1', '-mp', String(await freePort()), '-t', 'u1', '-nostdin', '-m', '1', '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(OUT, `${tag}-errors.log`)];
  const p = startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 90_000 });
  peers.push(p);
  return p;
}

/** Every file under `dir` (the appliance's own log and <dataDir>/logs). */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('logs of a call-flow run', () => {
  it('hold no dialled number, forward target or caller ID in plain text, only their masked forms', async () => {
    const tenantId = pbx.store.tenants.defaultTenant()!.id;
    const cdrs = () => pbx.store.cdrs.list({ tenantId, limit: 50 });

    let op = await operator('direct');
    const direct = await startCaller(pbx, uacScenario('log-mask-direct', { answer: true }), '501', DIALLED, { holdMs: 500 });
    peers.push(direct);
    expect(await direct.exited).toBe(0);
    expect(await op.exited).toBe(0);

    op = await operator('forward');
    const forwarded = await startCaller(pbx, uacScenario('log-mask-forward', { answer: true }), '501', '502', { holdMs: 500 });
    peers.push(forwarded);
    expect(await forwarded.exited).toBe(0);
    expect(await op.exited).toBe(0);
    await waitFor(() => cdrs().length >= 2 && cdrs().every((c) => c.status === 'completed'), 15_000, 'both CDRs completed');
    expect(cdrs().find((c) => c.callee.dialled === '502')?.forwards).toMatchObject([{ from: '502', to: '+79167654321' }]);

    // Stop the appliance so every process has flushed its last lines.
    await pbx.app.supervisor?.stop('SIGTERM', 15_000);
    const logFiles = [path.join(testOutputDir('appliance'), `${NAME}.log`), ...files(path.join(pbx.app.dataDir, 'logs'))];
    const text = logFiles.filter(existsSync).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(text.split('\n').length).toBeGreaterThan(20);

    // The significant digits of each number, whatever prefix (+7, 7, 8) a line gave it.
    for (const plain of ['4951234567', '9167654321', '4950000009']) {
      const hits = text.split('\n').filter((l) => l.includes(plain));
      expect(hits, `log lines with ${plain} in plain text`).toEqual([]);
    }
    // The masked forms are there: the scan did see the lines about these calls.
    expect(text).toMatch(/[78]495\*\*\*4567/);
    expect(text).toMatch(/[78]916\*\*\*4321/);
    // Call-IDs stay readable for admins: each call's lines are still found by it.
    for (const c of cdrs()) expect(text).toContain(`"callId":"${c.callId}"`);
  }, 120_000);
});
