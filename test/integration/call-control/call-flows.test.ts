// A business's main number end to end on the real appliance (supervisor,
// sip-core, call-control, rtpengine; flows stored as the api stores them):
// the operator's caller reaches a DID → schedule → IVR and presses keys as
// RFC 4733 events that rtpengine reports to call-control. In business hours
// "1" rings the sales group (hunt: 202 busy, 203 answers), "2" opens a
// dial-by-extension menu where "304#" rings 304, silence goes to the closing
// announcement; after hours the same DID goes to the announcement.
// (304, not 204: sipp replays the same dtmf_2833_2.pcap for a second "2",
// same SSRC and timestamp, and rtpengine rightly takes it for the first.)
//
// The announcement is a 2 s tone uploaded to the prompt store; that rtpengine
// played it shows in the call's length: the play action waits for the
// duration in rtpengine's `play media` answer (none: it would end at once).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { announcementSchema, ivrMenuSchema, ringGroupSchema, scheduleSchema, type ScheduleInput } from '../../../services/call-flows';
import { parseCallStats } from '../../../services/call-control/media/call-stats';
import { createNgClient, type NgClient } from '../../../services/call-control/media/ng-client';
import { createLogger } from '../../../services/common/logger';
import { PromptLibrary } from '../../../services/prompts';
import { openStore } from '../../helpers/pd-open-store';
import { freeLowUdpPorts } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { uasScenario } from './call-scenarios';
import { ivrCallerArgs, ivrCallerScenario } from './ivr-caller';
import { wavTone } from './rtp-endpoint';
import { registerPhone, startCallee, startPbx, waitFor, type Pbx } from './pbx';

const NAME = 'call-flows';
const OUT = testOutputDir('call-control', NAME);
const APP_LOG = path.join(testOutputDir('appliance'), `${NAME}.log`);
const DID = '+74957654331';
const DIALLED = '84957654331';
let pbx: Pbx;
let ng: NgClient;
let operatorPort = 0;
let scheduleId = 0;
const ids = { group: 0, ivr: 0, dial: 0, closed: 0 };
const peers: Started[] = [];

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
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Business hours around now (every day, now ± 90 min, clipped to the day) or a window that excludes now by 2 h. */
function schedule(open: boolean): ScheduleInput {
  const m = moscowMinutes();
  const window = open
    ? { from: hhmm(Math.max(0, m - 90)), to: hhmm(Math.min(1440, m + 90)) }
    : m < 720
      ? { from: hhmm(m + 120), to: '24:00' }
      : { from: '00:00', to: hhmm(m - 120) };
  return {
    name: 'Часы работы',
    timeZone: 'Europe/Moscow',
    branches: [{ name: 'Рабочее время', days: [...ALL_DAYS], ...window, destination: { type: 'feature', feature: 'ivr', id: ids.ivr } }],
    closed: { type: 'feature', feature: 'announcement', id: ids.closed },
  };
}

beforeAll(async () => {
  operatorPort = await freeLowUdpPorts(1);
  pbx = await startPbx(NAME, ['202', '203', '304'], {}, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const tenant = store.tenants.defaultTenant()!;
      const trunk = store.trunks.create(
        tenant.id,
        {
          name: 'Оператор',
          kind: 'ip',
          host: '127.0.0.1',
          port: operatorPort,
          transport: 'udp',
          username: null,
          registerExpiry: 300,
          addresses: ['127.0.0.1'],
          optionsInterval: 0,
          channelLimit: 4,
          outboundCallerId: '',
          enabled: true,
        },
        null,
      );
      const flows = store.callFlows;
      ids.group = flows.create(
        'ring-group',
        tenant.id,
        ringGroupSchema.parse({
          name: 'Продажи',
          strategy: 'hunt',
          members: [
            { extension: '202', timeout: 10 },
            { extension: '203', timeout: 10 },
          ],
          timeout: 30,
        }),
      ).id;
      // A 2 s tone uploaded as an admin uploads one: decoded by ffmpeg into the A-law file call-control plays.
      const closedPrompt = await new PromptLibrary(store, app.dataDir).upload({
        tenantId: tenant.id,
        name: 'Мы закрыты',
        language: 'ru',
        createdBy: null,
        kind: 'upload',
        data: wavTone(2, 1000),
      });
      ids.closed = flows.create('announcement', tenant.id, announcementSchema.parse({ name: 'Мы закрыты', prompt: closedPrompt.id })).id;
      ids.dial = flows.create(
        'ivr',
        tenant.id,
        ivrMenuSchema.parse({
          name: 'Набор добавочного',
          options: [],
          dialByExtension: true,
          timeout: 5,
          retries: 0,
          final: { type: 'feature', feature: 'announcement', id: ids.closed },
        }),
      ).id;
      ids.ivr = flows.create(
        'ivr',
        tenant.id,
        ivrMenuSchema.parse({
          name: 'Главное меню',
          options: [
            { digit: '1', destination: { type: 'feature', feature: 'ring-group', id: ids.group } },
            { digit: '2', destination: { type: 'feature', feature: 'ivr', id: ids.dial } },
          ],
          timeout: 3,
          retries: 0,
          final: { type: 'feature', feature: 'announcement', id: ids.closed },
        }),
      ).id;
      scheduleId = flows.create('schedule', tenant.id, scheduleSchema.parse(schedule(true))).id;
      store.trunks.createDid(tenant.id, {
        number: DID,
        trunkId: trunk.id,
        destination: { type: 'feature', feature: 'schedule', id: scheduleId },
      });
    } finally {
      store.close();
    }
  });
  ng = await createNgClient({
    host: '127.0.0.1',
    port: pbx.app.ports.ng,
    timeoutMs: 1000,
    log: createLogger({ level: 'warn', sink: () => undefined }),
  });
}, 180_000);

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
});

afterAll(async () => {
  ng?.close();
  await pbx?.close();
});

async function operator(keys: string, then: 'connect' | 'hungup' | 'refused', holdMs: number): Promise<Started> {
  const tag = `ivr-${keys.replace('#', 'p') || 'none'}-${then}-${Date.now()}`;
  const scenario = ivrCallerScenario(OUT, tag, keys, then);
  const args = await ivrCallerArgs({ scenario, port: operatorPort, out: OUT, tag, timeoutS: 60, dialled: DIALLED, caller: '89161234567', holdMs, pbx: `127.0.0.1:${pbx.app.ports.sip}` });
  const p = startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 90_000 });
  peers.push(p);
  return p;
}

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrs = () => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).filter((c) => c.callee.dialled === DIALLED);

/** The destinations call-control ran for each ended call (its "call ended" log line), newest last. */
function paths(): string[] {
  return readFileSync(APP_LOG, 'utf8')
    .split('\n')
    .filter((l) => l.includes('call ended') && l.includes('"path"'))
    .map((l) => /"path":"([^"]*)"/.exec(l)?.[1] ?? '');
}

/** The appliance's log lines (JSON) about one SIP call. */
function logOf(callId: string): Array<Record<string, unknown>> {
  return readFileSync(APP_LOG, 'utf8')
    .split('\n')
    .filter((l) => l.includes(callId))
    .flatMap((l) => {
      try {
        return [JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/**
 * Samples rtpengine's counters (ng list + query) until stopped: packets
 * received from each party of each media session, the highest seen. The
 * session of a member joined after the IVR is a new one, so all are sampled.
 */
function sampleMedia(): { stop(): Promise<Map<string, Map<string, number>>> } {
  const seen = new Map<string, Map<string, number>>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const list = await ng.command('list', {}).catch(() => ({ calls: [] }));
      for (const id of (list.calls as unknown[] | undefined) ?? []) {
        const q = await ng.command('query', { 'call-id': String(id) }).catch(() => undefined);
        if (!q || q.result !== 'ok') continue;
        const parties = seen.get(String(id)) ?? new Map<string, number>();
        for (const [tag, p] of Object.entries(parseCallStats(q).parties)) parties.set(tag, Math.max(parties.get(tag) ?? 0, p.rtp.packets));
        seen.set(String(id), parties);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** Some rtpengine session carried media both ways: two parties each sent it at least `min` packets. */
function bothWays(seen: Map<string, Map<string, number>>, min: number): boolean {
  return [...seen.values()].some((parties) => [...parties.values()].filter((n) => n >= min).length >= 2);
}

async function completedCdr(before: number) {
  await waitFor(() => cdrs().filter((c) => c.status === 'completed').length > before, 15_000, 'CDR completed');
  await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'slot freed');
  return cdrs()[0]!;
}

describe('DID → schedule → IVR with RFC 4733 keys', () => {
  it('in business hours "1" rings the sales group (hunt): 202 busy, 203 answers; media both ways through rtpengine', async () => {
    const busy = await startCallee(uasScenario('busy'));
    const answers = await startCallee(uasScenario('answer-play'));
    peers.push(busy, answers);
    await registerPhone(pbx, '202', busy.port);
    await registerPhone(pbx, '203', answers.port);
    const before = cdrs().filter((c) => c.status === 'completed').length;
    const media = sampleMedia();
    const op = await operator('1', 'connect', 5000);
    expect(await op.exited).toBe(0);
    const seen = await media.stop();
    expect(await busy.exited).toBe(0);
    expect(await answers.exited).toBe(0);
    const cdr = await completedCdr(before);
    expect(cdr).toMatchObject({
      direction: 'inbound',
      callee: { dialled: DIALLED, number: DID },
      trunk: 'Оператор',
      disposition: 'answered',
      hangupSide: 'caller',
    });
    expect(cdr.billableSeconds).toBeGreaterThanOrEqual(4);
    expect(paths().at(-1)).toBe(`feature:schedule:${scheduleId} → feature:ivr:${ids.ivr} → feature:ring-group:${ids.group}`);
    // The CDR names the path taken and the member who answered (migration 0095).
    expect(cdr.path).toEqual([`feature:schedule:${scheduleId}`, `feature:ivr:${ids.ivr}`, `feature:ring-group:${ids.group}`]);
    expect(cdr.answeredBy).toBe('203');
    const log = logOf(cdr.callId);
    expect(log.find((l) => l.msg === 'ivr input')).toMatchObject({ result: 'option', digits: 1 });
    expect(log.find((l) => l.msg === 'ring group answered')).toMatchObject({ strategy: 'hunt', member: '203' });
    expect(bothWays(seen, 50)).toBe(true);
  }, 120_000);

  it('in business hours "2" opens dial-by-extension; "304#" rings 304, who answers', async () => {
    const answers = await startCallee(uasScenario('answer-play'));
    peers.push(answers);
    await registerPhone(pbx, '304', answers.port);
    const before = cdrs().filter((c) => c.status === 'completed').length;
    const op = await operator('2304#', 'connect', 3000);
    expect(await op.exited).toBe(0);
    expect(await answers.exited).toBe(0);
    const cdr = await completedCdr(before);
    expect(cdr).toMatchObject({
      direction: 'inbound',
      callee: { dialled: DIALLED, number: DID },
      disposition: 'answered',
      hangupSide: 'caller',
    });
    expect(paths().at(-1)).toBe(`feature:schedule:${scheduleId} → feature:ivr:${ids.ivr} → feature:ivr:${ids.dial} → extension:304`);
    expect(cdr.path).toEqual([`feature:schedule:${scheduleId}`, `feature:ivr:${ids.ivr}`, `feature:ivr:${ids.dial}`, 'extension:304']);
    expect(cdr.answeredBy).toBe('304');
    expect(
      logOf(cdr.callId)
        .filter((l) => l.msg === 'ivr input')
        .map((l) => [l.result, l.digits]),
    ).toEqual([
      ['option', 1],
      ['option', 3],
    ]);
  }, 120_000);

  it('in business hours silence: the IVR times out to the closing announcement', async () => {
    const before = cdrs().filter((c) => c.status === 'completed').length;
    const op = await operator('', 'hungup', 0);
    expect(await op.exited).toBe(0);
    const cdr = await completedCdr(before);
    expect(
      logOf(cdr.callId)
        .filter((l) => l.msg === 'ivr input')
        .map((l) => l.result),
    ).toEqual(['timeout']);
    expect(paths().at(-1)).toBe(`feature:schedule:${scheduleId} → feature:ivr:${ids.ivr} → feature:announcement:${ids.closed}`);
    expect(cdr.path).toEqual([`feature:schedule:${scheduleId}`, `feature:ivr:${ids.ivr}`, `feature:announcement:${ids.closed}`]);
    // Only the PBX answered: nobody is named.
    expect(cdr.answeredBy).toBeUndefined();
    // Answered by the IVR; 3 s of silence, then the 2 s announcement played to its end, then the PBX hangs up.
    expect(cdr).toMatchObject({ disposition: 'answered', hangupSide: 'system', hangupReason: 'announcement' });
    expect(cdr.endedAt! - cdr.answeredAt!).toBeGreaterThanOrEqual(4900);
  }, 120_000);

  it('after hours the same DID goes to the closing announcement, no menu', async () => {
    pbx.store.callFlows.update('schedule', scheduleId, scheduleSchema.parse(schedule(false)));
    const before = cdrs().filter((c) => c.status === 'completed').length;
    const op = await operator('', 'hungup', 0);
    expect(await op.exited).toBe(0);
    const cdr = await completedCdr(before);
    expect(logOf(cdr.callId).find((l) => l.msg === 'schedule decided')).toMatchObject({ state: 'closed' });
    expect(logOf(cdr.callId).some((l) => l.msg === 'ivr input')).toBe(false);
    expect(paths().at(-1)).toBe(`feature:schedule:${scheduleId} → feature:announcement:${ids.closed}`);
    expect(cdr.path).toEqual([`feature:schedule:${scheduleId}`, `feature:announcement:${ids.closed}`]);
    // Answered by the announcement, played to its end (2 s), then hung up by the PBX.
    expect(cdr).toMatchObject({ disposition: 'answered', hangupSide: 'system', hangupReason: 'announcement' });
    expect(cdr.endedAt! - cdr.answeredAt!).toBeGreaterThanOrEqual(1900);
  }, 120_000);
});
