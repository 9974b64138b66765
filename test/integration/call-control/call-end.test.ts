// The Call's one end() (call/call.ts) on the real appliance: an exception
// thrown after admission still frees the licence slot and the rtpengine
// session, and closes the CDR with its reason. The throw is a real one: a
// store read the outbound flow makes after admission (the calling
// extension's caller ID settings) fails because its table is gone under the
// running process, as a damaged database would make it fail.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveNumbering, saveRoutes } from '../../../services/dialplan/dial-plan-store';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { isAppError } from '../../../services/common/errors';
import { openStore } from '../../helpers/pd-open-store';
import { freeLowUdpPorts } from '../../helpers/ports';
import { uacScenario } from './call-scenarios';
import { startCaller, startPbx, waitFor, type Pbx } from './pbx';

const log = createLogger({ level: 'warn', sink: () => undefined });
let pbx: Pbx;
let media: RtpengineMedia;
let closeNg: () => void;

beforeAll(async () => {
  // The operator's port: nothing listens there, the call never gets that far.
  const trunkPort = await freeLowUdpPorts(1);
  pbx = await startPbx('call-end', ['201'], {}, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const tenant = store.tenants.defaultTenant()!;
      store.extensions.update(tenant.id, '201', { outboundPermission: 'national' });
      const trunk = store.trunks.create(tenant.id, { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: trunkPort, transport: 'udp', username: null, registerExpiry: 300, addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 2, outboundCallerId: '', enabled: true }, null);
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

afterAll(async () => {
  closeNg?.();
  await pbx?.close();
});

describe('a call that fails after admission', () => {
  it('is answered 500 and ends once: licence slot, rtpengine session and trunk channel freed, CDR completed with internal-error', async () => {
    const tenantId = pbx.store.tenants.defaultTenant()!.id;
    // A table read only once the call is admitted (least-cost routing's number ranges, fmc/lcr.ts); the
    // extension features it used to drop are now read before admission too (the TLS-only check).
    pbx.store.db.exec('DROP TABLE number_ranges');
    const caller = await startCaller(pbx, uacScenario('fails-after-admission', { fail: 500 }), '201', '84951234567');
    expect(await caller.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.list({ tenantId, limit: 10 }).some((c) => c.callee.dialled === '84951234567' && c.status === 'completed'), 15_000, 'CDR completed');
    const cdr = pbx.store.cdrs.list({ tenantId, limit: 10 }).find((c) => c.callee.dialled === '84951234567')!;
    expect(cdr).toMatchObject({ direction: 'outbound', status: 'completed', disposition: 'failed', hangupSide: 'system', hangupSipStatus: 500, hangupReason: 'internal-error' });
    // Admitted: the call held a slot and an rtpengine session — both gone now.
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'licence slot freed');
    expect((await pbx.health()).trunkChannels).toEqual({});
    const gone = await media.query(cdr.callId).then(
      () => 'still there',
      (err: unknown) => (isAppError(err) ? err.code : String(err)),
    );
    expect(gone).toBe('media-call-not-found');
    // Health is reported every 2 s: wait for the attempt to show, never answered.
    const counted = async () => (await pbx.health()).calls as { attempts: number; answered: number };
    await waitFor(async () => (await counted()).attempts === 1, 10_000, 'the attempt counted');
    expect((await counted()).answered).toBe(0);
  }, 90_000);
});
