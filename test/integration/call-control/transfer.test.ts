// Blind and attended transfer through the real appliance (supervisor,
// sip-core, call-control, rtpengine), sipp as the three phones, each
// registered with digest auth. The sipp scenarios check the SIP side (202,
// NOTIFY sipfrag and Subscription-State, the transferee's re-INVITEs);
// rtpengine's counters prove where the media went; the CDR row is read from
// the appliance's SQLite file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { saveNumbering, saveRoutes } from '../../../services/dialplan/dial-plan-store';
import { createLogger } from '../../../services/common/logger';
import { defaultFeatures } from '../../../services/store';
import { openStore } from '../../helpers/pd-open-store';
import { freePort } from '../../helpers/ports';
import { uacScenario, uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';
import { startProcess, testOutputDir } from '../../helpers/processes';

const log = createLogger({ level: 'warn', sink: () => undefined });
const scenario = (name: string) => path.resolve(`test/integration/call-control/scenarios/${name}.xml`);
let pbx: Pbx;
let media: RtpengineMedia;
let close: () => void;
/** The operator's SIP port: an IP trunk that sipp plays for transfers to external numbers. */
let trunkPort = 0;

beforeAll(async () => {
  trunkPort = await freePort();
  pbx = await startPbx('transfer', ['201', '202', '203', '204', '211', '212', '213', '221', '222', '223', '231', '232', '241', '242', '243', '251', '252', '253'], { calls: { ringTimeoutSeconds: 5 } }, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const tenant = store.tenants.defaultTenant()!;
      const trunk = store.trunks.create(tenant.id, { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: trunkPort, transport: 'udp', username: null, registerExpiry: 300, addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 2, outboundCallerId: '+74950000001', enabled: true }, null);
      store.extensions.update(tenant.id, '232', { outboundPermission: 'national' });
      const stores = { settings: store.settings, routes: store.outboundRoutes };
      saveNumbering(stores, tenant.id, { cityCode: '495' });
      saveRoutes(stores, tenant.id, [{ id: 'russia', patterns: ['_+7XXXXXXXXXX'], strip: 1, trunks: [String(trunk.id)] }]);
    } finally {
      store.close();
    }
  });
  const ng = await createNgClient({ host: '127.0.0.1', port: pbx.app.ports.ng, log });
  media = new RtpengineMedia({ ng, log });
  close = () => ng.close();
}, 120_000);

afterAll(async () => {
  close?.();
  await pbx?.close();
});

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrsTo = (ext: string) => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 500 }).filter((c) => c.callee.dialled === ext);
const gone = (id: string) => media.query(id).then(
  () => false,
  (e: { code?: string }) => e.code === 'media-call-not-found',
);
/** Packets rtpengine received from each party of a session. */
const packets = async (id: string) => Object.values((await media.query(id)).parties).map((p) => p.rtp.packets);

describe('blind transfer (REFER)', () => {
  it('201 calls 202, 202 holds and refers to 203: 203 answers, media flows 201↔203 through rtpengine, 202 gets NOTIFY 200 and leaves, one CDR row with the transfer', async () => {
    const target = await startCallee(scenario('transfer-target'));
    await registerPhone(pbx, '203', target.port);
    const transferor = await startCallee(scenario('transfer-transferor-blind'), 1, ['-key', 'xfer', '203']);
    await registerPhone(pbx, '202', transferor.port);
    const transferee = await startCaller(pbx, scenario('transfer-transferee'), '201', '202');
    await waitFor(() => cdrsTo('202').some((c) => c.status === 'in-progress'), 20_000, 'call answered');
    const callId = cdrsTo('202').find((c) => c.status === 'in-progress')!.callId;
    // The licence ledger counts one call throughout (health reaches the supervisor every 2 s).
    await waitFor(async () => (await pbx.health()).activeCalls === 1, 10_000, 'one licence slot');
    // The transfer's session: both 201 and 203 speak into it (67 packets of g711a.pcap each).
    const moved = `${callId}~x1`;
    let seen: number[] = [];
    await waitFor(
      async () => {
        seen = await packets(moved).catch(() => []);
        return seen.length === 2 && seen.every((n) => n >= 60);
      },
      20_000,
      'speech both ways on the transferred session',
    );
    // The original session is gone.
    expect(await gone(callId)).toBe(true);
    expect(await transferor.exited).toBe(0); // 202, NOTIFY 100 (active), NOTIFY 200 (terminated), then its BYE
    expect(await transferee.exited).toBe(0);
    expect(await target.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    const cdr = pbx.store.cdrs.get(callId)!;
    expect(cdr).toMatchObject({ caller: { number: '201' }, callee: { number: '202' }, disposition: 'answered', hangupSide: 'caller', hangupSipStatus: 200 });
    expect(cdr.transfers).toEqual([expect.objectContaining({ kind: 'blind', to: '203', by: 'callee' })]);
    expect(cdr.transfers[0]!.at).toBeGreaterThan(cdr.answeredAt!);
    // One row for the whole conversation: billable from the answer to 201's BYE, nothing counted twice.
    expect(cdrsTo('203')).toHaveLength(0);
    expect(cdr.billableSeconds).toBe(Math.ceil((cdr.endedAt! - cdr.answeredAt!) / 1000));
    await waitFor(() => gone(moved), 5_000, 'transfer session deleted');
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'slot released');
  }, 90_000);

  it('a busy target: NOTIFY 486 to the transferor, the transferee is resumed and 201↔202 goes on', async () => {
    const target = await startCallee(uasScenario('busy'));
    await registerPhone(pbx, '204', target.port);
    const transferor = await startCallee(scenario('transfer-transferor-busy'), 1, ['-key', 'xfer', '204']);
    await registerPhone(pbx, '202', transferor.port);
    const before = cdrsTo('202').length;
    const transferee = await startCaller(pbx, scenario('transfer-transferee'), '201', '202');
    await waitFor(() => cdrsTo('202').length > before && cdrsTo('202')[0]!.status === 'in-progress', 20_000, 'call answered');
    const callId = cdrsTo('202')[0]!.callId;
    expect(await target.exited).toBe(0);
    // After the failure both still speak into the call's own session: 67 packets each before the hold, 67 more after.
    await waitFor(async () => (await packets(callId).catch(() => [])).filter((n) => n >= 120).length === 2, 20_000, 'speech both ways after the failed transfer');
    expect(await transferor.exited).toBe(0); // NOTIFY 486 Busy Here, then the caller's BYE
    expect(await transferee.exited).toBe(0); // held, then resumed with sendrecv
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    expect(pbx.store.cdrs.get(callId)).toMatchObject({ disposition: 'answered', hangupSide: 'caller', transfers: [] });
    expect(cdrsTo('204')).toHaveLength(0);
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'slot released');
  }, 90_000);
});

describe('blind transfer: authorisation and the transferor leaving early', () => {
  it('refuses with 403 a transfer to a number the transferor may not call, and the call goes on', async () => {
    pbx.store.extensions.update(tenantId(), '222', { outboundPermission: 'internal' });
    const transferor = await startCallee(scenario('transfer-transferor-refused'), 1, ['-key', 'xfer', '84951234567']);
    await registerPhone(pbx, '222', transferor.port);
    const caller = await startCaller(pbx, uacScenario('refused-transfer', { answer: true }), '221', '222', { holdMs: 4000 });
    expect(await transferor.exited).toBe(0); // 403 to the REFER, then the caller's BYE
    expect(await caller.exited).toBe(0);
    await waitFor(() => cdrsTo('222')[0]?.status === 'completed', 10_000, 'CDR completed');
    const cdr = cdrsTo('222')[0]!;
    expect(cdr).toMatchObject({ disposition: 'answered', hangupSide: 'caller', transfers: [] });
    expect(cdr.billableSeconds).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('after a busy forward 252 → 253 the call is 253’s: 253 (internal only) may not transfer it out with 252’s national permission (issue 16 item 10)', async () => {
    const t = tenantId();
    pbx.store.extensions.update(t, '252', { outboundPermission: 'national' });
    pbx.store.extensions.update(t, '253', { outboundPermission: 'internal' });
    const e = pbx.store.extensions.get(t, '252')!;
    const d = defaultFeatures();
    pbx.store.extensionFeatures.set(e.id, { ...d, forward: { ...d.forward, busy: '253' } });
    const busy = await startCallee(uasScenario('busy'));
    await registerPhone(pbx, '252', busy.port);
    // 253 answers the forwarded call and REFERs the caller to a national number: it must get 403, not 202.
    const transferor = await startCallee(scenario('transfer-transferor-refused'), 1, ['-key', 'xfer', '84951234567']);
    await registerPhone(pbx, '253', transferor.port);
    const caller = await startCaller(pbx, uacScenario('forwarded-refused-transfer', { answer: true }), '251', '252', { holdMs: 4000 });
    expect(await busy.exited).toBe(0);
    expect(await transferor.exited).toBe(0);
    expect(await caller.exited).toBe(0);
    await waitFor(() => cdrsTo('252')[0]?.status === 'completed', 10_000, 'CDR completed');
    // The CDR names who answered: the forward target, whose call it became.
    expect(cdrsTo('252')[0]).toMatchObject({ disposition: 'answered', hangupSide: 'caller', answeredBy: '253', transfers: [], forwards: [expect.objectContaining({ from: '252', to: '253', reason: 'busy' })] });
  }, 60_000);

  it('the transferor hangs up right after 202 (RFC 5589 §6.1): the target still rings, answers and talks to the transferee', async () => {
    const target = await startCallee(scenario('transfer-target'), 1, ['-d', '2000']);
    await registerPhone(pbx, '223', target.port);
    const transferor = await startCallee(scenario('transfer-transferor-early-bye'), 1, ['-key', 'xfer', '223']);
    await registerPhone(pbx, '222', transferor.port);
    const before = cdrsTo('222').length;
    const transferee = await startCaller(pbx, scenario('transfer-transferee'), '221', '222');
    await waitFor(() => cdrsTo('222').length > before && cdrsTo('222')[0]!.status === 'in-progress', 20_000, 'call answered');
    const callId = cdrsTo('222')[0]!.callId;
    expect(await transferor.exited).toBe(0); // gone while 223 rings
    await waitFor(async () => (await packets(`${callId}~x1`).catch(() => [])).filter((n) => n >= 60).length === 2, 20_000, 'speech both ways between 221 and 223');
    expect(await transferee.exited).toBe(0);
    expect(await target.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    expect(pbx.store.cdrs.get(callId)).toMatchObject({ disposition: 'answered', hangupSide: 'caller', transfers: [expect.objectContaining({ kind: 'blind', to: '223', by: 'callee' })] });
  }, 60_000);
});

describe('blind transfer to an external number', () => {
  it('232 refers 231 to 8 495 123-45-67: out through the route’s trunk, media 231↔operator through rtpengine, the channel freed at the end', async () => {
    const dir = testOutputDir('call-control', 'calls');
    const operator = startProcess('sipp', ['-sf', scenario('transfer-target'), '-i', '127.0.0.1', '-p', String(trunkPort), '-mi', '127.0.0.1', '-mp', String(await freePort()), '-t', 'u1', '-m', '1', '-nostdin', '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(dir, `operator-${trunkPort}-errors.log`)], { logFile: path.join(dir, `operator-${trunkPort}.log`), timeoutMs: 90_000 });
    const transferor = await startCallee(scenario('transfer-transferor-blind'), 1, ['-key', 'xfer', '84951234567']);
    await registerPhone(pbx, '232', transferor.port);
    const transferee = await startCaller(pbx, scenario('transfer-transferee'), '231', '232');
    await waitFor(() => cdrsTo('232').some((c) => c.status === 'in-progress'), 20_000, 'call answered');
    const callId = cdrsTo('232').find((c) => c.status === 'in-progress')!.callId;
    await waitFor(async () => (await packets(`${callId}~x1`).catch(() => [])).filter((n) => n >= 60).length === 2, 20_000, 'speech both ways between 231 and the operator');
    expect(await transferor.exited).toBe(0); // NOTIFY 200 OK after the operator answered
    expect(await transferee.exited).toBe(0);
    expect(await operator.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    expect(pbx.store.cdrs.get(callId)).toMatchObject({ disposition: 'answered', hangupSide: 'caller', transfers: [expect.objectContaining({ kind: 'blind', to: '+74951234567', by: 'callee' })] });
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'slot released');
    await waitFor(async () => Object.values(((await pbx.health()).trunkChannels ?? {}) as Record<string, number>).every((n) => n === 0), 10_000, 'trunk channel released');
  }, 60_000);
});

/** The consultation call's dialog as its sipp caller logged it: `call-id;to-tag=…;from-tag=…`. */
function loggedReplaces(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return /replaces (\S+;to-tag=\S+;from-tag=\S+)/.exec(text)?.[1];
}

describe('attended transfer (REFER with Replaces)', () => {
  it('212 consults 213, then refers 211 to 213 with Replaces: 211 and 213 are joined through rtpengine, both of 212’s legs end, CDRs say so', async () => {
    const target = await startCallee(scenario('transfer-target-attended'));
    await registerPhone(pbx, '213', target.port);
    // Call 2 first: the transferor (212) consults the target (213); its sipp logs the dialog for Replaces.
    const logFile = path.join(testOutputDir('call-control', 'calls'), `consult-${process.pid}-${Date.now()}.log`);
    const consult = await startCaller(pbx, scenario('transfer-consult'), '212', '213', { extra: ['-trace_logs', '-log_file', logFile] });
    let replaces: string | undefined;
    await waitFor(() => (replaces = loggedReplaces(logFile)) !== undefined, 20_000, 'consultation call answered');
    // CDR writes are batched: the row may land a moment after sipp saw the 200.
    await waitFor(() => cdrsTo('213').some((c) => c.status === 'in-progress'), 5_000, 'consultation CDR open');
    const call2 = cdrsTo('213').find((c) => c.status === 'in-progress')!.callId;
    // Call 1: 211 calls 212, whose phone (another line of 212) holds 211 and refers it to 213, replacing call 2.
    const transferor = await startCallee(scenario('transfer-transferor-attended'), 1, ['-key', 'xfer', '213', '-key', 'replaces', encodeURIComponent(replaces!)]);
    await registerPhone(pbx, '212', transferor.port);
    const transferee = await startCaller(pbx, scenario('transfer-transferee'), '211', '212');
    await waitFor(() => cdrsTo('212').some((c) => c.status === 'in-progress'), 20_000, 'call 1 answered');
    const call1 = cdrsTo('212').find((c) => c.status === 'in-progress')!.callId;
    const joined = `${call1}~x1`;
    await waitFor(
      async () => {
        const seen = await packets(joined).catch(() => []);
        return seen.length === 2 && seen.every((n) => n >= 60);
      },
      20_000,
      'speech both ways between 211 and 213',
    );
    // One conversation left: call 2's slot and both old sessions are gone.
    await waitFor(async () => (await pbx.health()).activeCalls === 1, 10_000, 'one licence slot');
    expect(await gone(call1)).toBe(true);
    expect(await gone(call2)).toBe(true);
    expect(await consult.exited).toBe(0); // hung up by the PBX after the join
    expect(await transferor.exited).toBe(0); // 202, NOTIFY 100, NOTIFY 200, BYE
    expect(await transferee.exited).toBe(0); // held, then re-INVITEd onto the joined session
    expect(await target.exited).toBe(0); // re-INVITEd onto the joined session, then 211's BYE
    await waitFor(() => pbx.store.cdrs.get(call1)?.status === 'completed', 10_000, 'call 1 CDR completed');
    const c1 = pbx.store.cdrs.get(call1)!;
    const c2 = pbx.store.cdrs.get(call2)!;
    expect(c1).toMatchObject({ caller: { number: '211' }, callee: { number: '212' }, disposition: 'answered', hangupSide: 'caller', transfers: [expect.objectContaining({ kind: 'attended', to: '213', by: 'callee' })] });
    // Call 2 ends at the join: its billable time is the consultation only, the rest is in call 1's row.
    expect(c2).toMatchObject({ caller: { number: '212' }, callee: { number: '213' }, status: 'completed', disposition: 'answered', hangupSide: 'caller', hangupReason: 'transferred' });
    expect(c2.endedAt!).toBeLessThanOrEqual(c1.transfers[0]!.at + 1000);
    expect(c2.billableSeconds).toBe(Math.ceil((c2.endedAt! - c2.answeredAt!) / 1000));
    expect(c1.billableSeconds).toBe(Math.ceil((c1.endedAt! - c1.answeredAt!) / 1000));
    await waitFor(() => gone(joined), 5_000, 'joined session deleted');
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'slot released');
  }, 90_000);
});

describe('INVITE with Replaces (RFC 3891 §3)', () => {
  it('243 takes over 242’s leg of 241↔242: 241 is re-INVITEd onto 243’s media, 242 gets a BYE, the CDR notes it', async () => {
    const logFile = path.join(testOutputDir('call-control', 'calls'), `replaced-${process.pid}-${Date.now()}.log`);
    const replaced = await startCallee(scenario('transfer-replaced'), 1, ['-trace_logs', '-log_file', logFile]);
    await registerPhone(pbx, '242', replaced.port);
    const transferee = await startCaller(pbx, scenario('transfer-transferee'), '241', '242');
    let replaces: string | undefined;
    await waitFor(() => (replaces = loggedReplaces(logFile)) !== undefined, 20_000, '242 answered and holding');
    await waitFor(() => cdrsTo('242').some((c) => c.status === 'in-progress'), 5_000, 'CDR open');
    const callId = cdrsTo('242').find((c) => c.status === 'in-progress')!.callId;
    const replacer = await startCaller(pbx, scenario('transfer-replacer'), '243', '242', { extra: ['-key', 'replaces', replaces!] });
    await waitFor(async () => (await packets(`${callId}~x1`).catch(() => [])).filter((n) => n >= 60).length === 2, 20_000, 'speech both ways between 241 and 243');
    expect(await replaced.exited).toBe(0); // BYE from the PBX
    expect(await transferee.exited).toBe(0); // held by 242, then moved onto 243's session
    expect(await replacer.exited).toBe(0); // 200 with media, then 241's BYE
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    expect(pbx.store.cdrs.get(callId)).toMatchObject({ disposition: 'answered', hangupSide: 'caller', transfers: [expect.objectContaining({ kind: 'attended', to: '243', by: 'callee' })] });
    // The replacing INVITE is no new call: no CDR row of its own, no licence slot.
    expect(pbx.store.cdrs.list({ tenantId: tenantId(), limit: 500 }).filter((c) => c.caller.number === '243')).toHaveLength(0);
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'slot released');
  }, 60_000);
});
