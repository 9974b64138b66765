// Forwarding to an outside number through the real appliance: the forward
// goes out as a dialled external number does (the dial plan's outbound route,
// the trunk, the forwarding extension's permission and caller ID). sipp plays
// the operator on an IP trunk and the phones; rtpengine's counters prove the
// speech; the CDR names the dialled extension, the forward and the trunk.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveNumbering, saveRoutes } from '../../../services/dialplan/dial-plan-store';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { defaultFeatures, type ExtensionFeatures } from '../../../services/store';
import { openStore } from '../../helpers/pd-open-store';
import { freePort } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { uacScenario, uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';

const log = createLogger({ level: 'warn', sink: () => undefined });
const SCENARIOS = path.resolve('test/integration/call-control/scenarios');
const OUT = testOutputDir('call-control', 'forwarding-external');
let pbx: Pbx;
let media: RtpengineMedia;
let closeNg: () => void;
let operatorPort = 0;

beforeAll(async () => {
  operatorPort = await freePort();
  pbx = await startPbx('forwarding-external', ['501', '502', '503'], { calls: { ringTimeoutSeconds: 8 } }, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const tenant = store.tenants.defaultTenant()!;
      const trunk = store.trunks.create(
        tenant.id,
        { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: operatorPort, transport: 'udp', username: null, registerExpiry: 300, addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 2, outboundCallerId: '+74950000009', enabled: true },
        null,
      );
      // The forwarding extensions may call national numbers; the caller 501 may not (the forwarder's permission counts).
      for (const ext of ['502', '503']) store.extensions.update(tenant.id, ext, { outboundPermission: 'national' });
      const stores = { settings: store.settings, routes: store.outboundRoutes };
      saveNumbering(stores, tenant.id, { cityCode: '495' });
      saveRoutes(stores, tenant.id, [{ id: 'russia', patterns: ['_+7XXXXXXXXXX'], strip: 1, trunks: [String(trunk.id)] }]);
    } finally {
      store.close();
    }
  });
  const ng = await createNgClient({ host: '127.0.0.1', port: pbx.app.ports.ng, log });
  media = new RtpengineMedia({ ng, log });
  closeNg = () => ng.close();
}, 120_000);

const peers: Started[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
});

afterAll(async () => {
  closeNg?.();
  await pbx?.close();
});

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrsTo = (ext: string) => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 500 }).filter((c) => c.callee.dialled === ext);

function setForwarding(ext: string, forward: Partial<ExtensionFeatures['forward']>): void {
  const e = pbx.store.extensions.get(tenantId(), ext)!;
  const d = defaultFeatures();
  pbx.store.extensionFeatures.set(e.id, { ...d, forward: { ...d.forward, ...forward } });
}

/** sipp as the operator answering on the trunk's port (trunk-answer.xml: 180, 200, speech, the PBX's BYE). */
async function operator(): Promise<Started> {
  const tag = `operator-${Date.now()}`;
  const args = ['-sf', path.join(SCENARIOS, 'trunk-answer.xml'), '-i', '127.0.0.1', '-p', String(operatorPort), '-mi', '127.0.0.1', '-mp', String(await freePort()), '-t', 'u1', '-nostdin', '-m', '1', '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(OUT, `${tag}-errors.log`)];
  const p = startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 90_000 });
  peers.push(p);
  return p;
}

async function speechBothWays(callId: string): Promise<void> {
  await waitFor(
    async () => {
      const tagged = Object.entries((await media.query(callId)).parties).filter(([tag]) => !tag.startsWith('<untagged'));
      return tagged.length >= 2 && tagged.every(([, p]) => p.rtp.packets >= 60);
    },
    15_000,
    'speech relayed both ways',
  );
}

describe('forwarding to an outside number', () => {
  it('busy: 502’s phone answers 486, the call goes out through the trunk to +74951234567, speech both ways', async () => {
    setForwarding('502', { busy: '84951234567' });
    const op = await operator();
    const busy = await startCallee(uasScenario('busy'));
    peers.push(busy);
    await registerPhone(pbx, '502', busy.port);
    const caller = await startCaller(pbx, uacScenario('fwd-ext-busy', { answer: true, play: true }), '501', '502', { holdMs: 4000 });
    peers.push(caller);
    await waitFor(() => cdrsTo('502').some((c) => c.status === 'in-progress'), 20_000, 'answered by the operator');
    const callId = cdrsTo('502').find((c) => c.status === 'in-progress')!.callId;
    await speechBothWays(callId);
    expect(await busy.exited).toBe(0);
    expect(await caller.exited).toBe(0);
    expect(await op.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    expect(pbx.store.cdrs.get(callId)).toMatchObject({
      callee: { dialled: '502', number: '502' },
      trunk: 'Оператор',
      disposition: 'answered',
      forwards: [{ from: '502', to: '+74951234567', reason: 'busy' }],
    });
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'slot released');
  }, 60_000);

  it('unconditional: 503 forwards everything to +74951234567, the trunk answers', async () => {
    setForwarding('503', { always: '84951234567' });
    const op = await operator();
    const caller = await startCaller(pbx, uacScenario('fwd-ext-always', { answer: true }), '501', '503', { holdMs: 500 });
    peers.push(caller);
    expect(await caller.exited).toBe(0);
    expect(await op.exited).toBe(0);
    await waitFor(() => cdrsTo('503')[0]?.status === 'completed', 10_000, 'CDR completed');
    expect(cdrsTo('503')[0]).toMatchObject({ trunk: 'Оператор', disposition: 'answered', forwards: [{ from: '503', to: '+74951234567', reason: 'always' }] });
  }, 60_000);
});
