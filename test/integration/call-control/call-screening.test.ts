// Black/white lists and the recording notice on the real appliance
// (supervisor, sip-core, call-control, rtpengine; lists and notices stored
// as the api stores them): an operator's caller on a block list is refused
// busy before admission — no licence slot, no media, the phone never rings —
// and a caller to a DID with the recording notice hears it (the PBX answers,
// rtpengine plays the 2 s prompt: the caller's sipp echoes what it hears and
// rtpengine counts it) before the extension is rung, then talks to it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listSchema } from '../../../services/call-flows';
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

const NAME = 'call-screening';
const OUT = testOutputDir('call-control', NAME);
const APP_LOG = path.join(testOutputDir('appliance'), `${NAME}.log`);
const DID = '+74957654341';
const DIALLED = '84957654341';
const BLOCKED = '89169990000';
let pbx: Pbx;
let ng: NgClient;
let operatorPort = 0;
const ids = { list: 0, notice: 0 };
const peers: Started[] = [];

beforeAll(async () => {
  operatorPort = await freeLowUdpPorts(1);
  pbx = await startPbx(NAME, ['202'], {}, async (app) => {
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
      // Busy is the default treatment; the national form is stored canonical (+7916…) and matches the From as sent.
      ids.list = store.callFlows.create(
        'list',
        tenant.id,
        listSchema.parse({ name: 'Должники-спамеры', kind: 'block', entries: [{ match: 'number', value: BLOCKED }] }),
      ).id;
      const notice = await new PromptLibrary(store, app.dataDir).upload({
        tenantId: tenant.id,
        name: 'Разговор записывается',
        language: 'ru',
        createdBy: null,
        kind: 'upload',
        data: wavTone(2, 800),
      });
      ids.notice = notice.id;
      store.trunks.createDid(tenant.id, { number: DID, trunkId: trunk.id, destination: { type: 'extension', extension: '202' } });
      store.callFlows.setNotice(tenant.id, 'did', DID, { enabled: true, prompt: notice.id, toCalled: false });
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

async function operator(caller: string, then: 'connect' | 'refused', holdMs: number): Promise<Started> {
  const tag = `${caller}-${then}-${Date.now()}`;
  const scenario = ivrCallerScenario(OUT, tag, '', then, 486);
  // Echo what the caller hears back to rtpengine, whose counters then show the notice it played.
  const args = await ivrCallerArgs({ scenario, port: operatorPort, out: OUT, tag, timeoutS: 60, dialled: DIALLED, caller, holdMs, pbx: `127.0.0.1:${pbx.app.ports.sip}`, extra: ['-rtp_echo'] });
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

/** Packets rtpengine received from each party of each session while sampling (the highest seen). */
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
      await new Promise((r) => setTimeout(r, 200));
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

/** When sipp (run with -trace_msg) first received a message starting with `first`, in ms since the epoch. */
function receivedAt(messageFile: string, first: string): number | undefined {
  const blocks = readFileSync(messageFile, 'utf8').split(/^-{20,}\s*/m);
  for (const b of blocks) {
    const m = /^(\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d\.\d+)/.exec(b);
    if (!m || !/message received/.test(b) || !b.includes(`\n${first}`)) continue;
    return new Date(`${m[1]}T${m[2]!.slice(0, 12)}`).getTime();
  }
  return undefined;
}

describe('black list and recording notice on inbound calls', () => {
  it('a black-listed caller is refused busy before admission: no notice, no ring, CDR reason caller-blocked', async () => {
    const before = cdrs().length;
    const media = sampleMedia();
    const op = await operator(BLOCKED, 'refused', 0);
    expect(await op.exited).toBe(0);
    const seen = await media.stop();
    await waitFor(() => cdrs().length > before, 15_000, 'CDR of the blocked call');
    const cdr = cdrs()[0]!;
    expect(cdr).toMatchObject({
      direction: 'inbound',
      caller: { dialled: BLOCKED },
      callee: { dialled: DIALLED, number: DID },
      disposition: 'busy',
      hangupSipStatus: 486,
      hangupReason: 'caller-blocked',
      status: 'completed',
    });
    expect(cdr.answeredAt).toBeUndefined();
    // Refused before admission: rtpengine never had a session for it.
    expect([...seen.keys()]).not.toContain(cdr.callId);
    expect(paths().at(-1)).toBe(`list:block:${ids.list} → refuse:486`);
    // The CDR names the list that turned the caller away (migration 0095).
    expect(cdr.path).toEqual([`list:block:${ids.list}`, 'refuse:486']);
    expect(cdr.answeredBy).toBeUndefined();
    expect((await pbx.health()).activeCalls).toBe(0);
  }, 120_000);

  it('another caller hears the 2 s notice (rtpengine counts it back from the caller) before 202 rings, then talks to 202', async () => {
    const msgFile = path.join(OUT, `phone-202-${Date.now()}.msg`);
    const phone = await startCallee(uasScenario('answer-play'), 1, ['-trace_msg', '-message_file', msgFile]);
    peers.push(phone);
    await registerPhone(pbx, '202', phone.port);
    const before = cdrs().filter((c) => c.status === 'completed').length;
    const media = sampleMedia();
    const op = await operator('89161112233', 'connect', 3000);
    expect(await op.exited).toBe(0);
    expect(await phone.exited).toBe(0);
    const seen = await media.stop();
    await waitFor(() => cdrs().filter((c) => c.status === 'completed').length > before, 15_000, 'CDR completed');
    const cdr = cdrs()[0]!;
    expect(cdr).toMatchObject({
      direction: 'inbound',
      callee: { dialled: DIALLED, number: DID },
      disposition: 'answered',
      hangupSide: 'caller',
    });
    expect(paths().at(-1)).toBe(`notice:${ids.notice} → extension:202`);
    // The CDR logs the notice played before connecting (Minjust order No. 134) and who answered.
    expect(cdr.path).toEqual([`notice:${ids.notice}`, 'extension:202']);
    expect(cdr.answeredBy).toBe('202');
    // The PBX answered the caller for the notice; 202's INVITE came after the whole prompt.
    const rang = receivedAt(msgFile, 'INVITE ');
    expect(rang).toBeDefined();
    expect(rang! - cdr.answeredAt!).toBeGreaterThanOrEqual(1900);
    // rtpengine played the notice to the caller, who echoed it: ~50 packets a second for 2 s in the call's first session.
    const first = seen.get(cdr.callId);
    expect(Math.max(...(first?.values() ?? [0]))).toBeGreaterThanOrEqual(80);
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'slot freed');
  }, 120_000);
});
