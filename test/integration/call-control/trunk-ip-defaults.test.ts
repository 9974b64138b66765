// Issue 16 item 4, the rest, against the real appliance (supervisor, api,
// sip-core, call-control): INVITEs forged from an IP trunk's address (a UDP
// socket bound to 127.0.7.1, the operator's address, that never answers
// anything back, as a spoofer cannot).
// - An IP trunk that sets no channel limit of its own is held to the box's
//   default (`calls.ipTrunkChannels`, 1 here): before, it had none, so
//   forged calls were bounded only by the licence.
// - A flood to numbers nobody holds writes a few CDRs and one counted
//   alarm, not one CDR (and log line) per packet.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../services/api/password';
import { openStore } from '../../../services/store';
import { Client } from '../../api/harness';
import { freeLowUdpPorts } from '../../helpers/ports';
import type { Started } from '../../helpers/processes';
import { uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startPbx, waitFor, type Pbx } from './pbx';

const OPERATOR = '127.0.7.1';
const PASSWORD = 'a long passphrase for tests 1';
let pbx: Pbx;
let trunkId = 0;
/** The operator's SIP port: an unknown number counts as the trunk's call only from the trunk's own address and port. */
let opPort = 0;
let root: Client;
const peers: Started[] = [];

beforeAll(async () => {
  opPort = await freeLowUdpPorts(1);
  pbx = await startPbx('trunk-ip-defaults', ['204'], { calls: { ringTimeoutSeconds: 60, ipTrunkChannels: 1 } }, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const t = store.tenants.defaultTenant()!;
      const trunk = store.trunks.create(t.id, { name: 'МТС', kind: 'ip', host: OPERATOR, port: opPort, transport: 'udp', username: null, registerExpiry: 300, addresses: [OPERATOR], optionsInterval: 0, channelLimit: 0, outboundCallerId: '', enabled: true }, null);
      trunkId = trunk.id;
      store.trunks.createDid(t.id, { number: '+74957654321', trunkId: trunk.id, destination: { type: 'extension', extension: '204' } });
      store.users.create({ tenantId: null, username: 'root-2', role: 'superadmin', passwordHash: await hashPassword(PASSWORD) });
    } finally {
      store.close();
    }
  });
  root = new Client(pbx.app.ports.api, readFileSync(path.join(pbx.app.dataDir, 'tls', 'ca.crt')));
  const r = await root.login('root-2', PASSWORD);
  if (r.status !== 200) throw new Error(`login: ${JSON.stringify(r.body)}`);
}, 120_000);
afterAll(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
  await pbx?.close();
});

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;

function forgedInvite(port: number, dialled: string, callId: string): string {
  const sdp = ['v=0', `o=op 1 1 IN IP4 ${OPERATOR}`, 's=-', `c=IN IP4 ${OPERATOR}`, 't=0 0', 'm=audio 40000 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000', ''].join('\r\n');
  return [
    `INVITE sip:${dialled}@127.0.0.1:${pbx.app.ports.sip} SIP/2.0`,
    `Via: SIP/2.0/UDP ${OPERATOR}:${port};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    'Max-Forwards: 70',
    `From: <sip:89161234567@${OPERATOR}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${dialled}@127.0.0.1>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:op@${OPERATOR}:${port}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

/** A socket on the operator's address; final responses by Call-ID. */
async function forger(bindPort = 0): Promise<{ send(dialled: string): string; finals: Map<string, number>; close(): void }> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(bindPort, OPERATOR, () => r()));
  const finals = new Map<string, number>();
  sock.on('message', (m) => {
    const text = m.toString();
    const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1]);
    const callId = /^Call-ID:\s*(\S+)/im.exec(text)?.[1];
    if (callId && status >= 300) finals.set(callId, status);
  });
  const port = sock.address().port;
  return {
    send: (dialled) => {
      const callId = `forged-${randomBytes(8).toString('hex')}`;
      sock.send(forgedInvite(port, dialled, callId), pbx.app.ports.sip, '127.0.0.1');
      return callId;
    },
    finals,
    close: () => sock.close(),
  };
}

describe('IP trunks by default (issue 16 item 4)', () => {
  it('an IP trunk with no channel limit of its own is held to calls.ipTrunkChannels, and the api shows the limit in force', async () => {
    const shown = await root.request('GET', `/api/trunks/${trunkId}`);
    expect(shown.status).toBe(200);
    expect(shown.body.trunk).toMatchObject({ channelLimit: 0, effectiveChannelLimit: 1 });
    const ringing = await startCallee(uasScenario('ring-until-cancel'), 2);
    peers.push(ringing);
    await registerPhone(pbx, '204', ringing.port);
    const f = await forger();
    try {
      const first = f.send('84957654321');
      await waitFor(async () => ((await pbx.health()).trunkChannels as Record<string, number>)[String(trunkId)] === 1, 20_000, 'the first forged call holds the channel');
      const second = f.send('84957654321');
      await waitFor(() => f.finals.has(second), 20_000, 'the second forged INVITE answered');
      expect(f.finals.get(second)).toBe(503);
      expect(f.finals.has(first)).toBe(false); // still ringing: only the default limit refused the second
      const refused = () => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).filter((c) => c.hangupReason === 'trunk-channels-busy');
      await waitFor(() => refused().length === 1, 10_000, 'the refusal CDR');
      expect(refused()[0]).toMatchObject({ direction: 'inbound', trunk: 'МТС', hangupSipStatus: 503 });
    } finally {
      f.close();
    }
  }, 120_000);

  it('60 forged INVITEs to numbers nobody holds: each answered 404, five CDRs, one alarm counting all 60', async () => {
    const unknown = () => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 500 }).filter((c) => c.hangupReason === 'did-not-found');
    expect(unknown()).toHaveLength(0);
    const f = await forger(opPort);
    try {
      const sent: string[] = [];
      // 60 stays inside sip-core's budget for an unknown source (burst 100): every packet reaches call-control.
      for (let i = 0; i < 60; i++) sent.push(f.send(`8495000${String(1000 + i)}`));
      await waitFor(() => sent.every((id) => f.finals.has(id)), 30_000, 'every forged INVITE answered');
      expect(new Set(sent.map((id) => f.finals.get(id)))).toEqual(new Set([404]));
      const alarm = () => pbx.store.alarms.list({ active: true, tenantId: tenantId() }).rows.find((a) => a.code === 'trunk-unknown-did');
      await waitFor(() => alarm()?.details.total === 60, 30_000, 'the alarm counts all 60');
      expect(alarm()).toMatchObject({ severity: 'warning', tenantId: tenantId(), details: { trunks: { МТС: 60 } } });
      expect((alarm()!.details.numbers as string[]).length).toBeLessThanOrEqual(10);
      // A few CDRs a minute keep a misconfigured DID visible; the flood itself is one alarm row.
      expect(unknown()).toHaveLength(5);
      expect(pbx.store.alarms.list({ tenantId: tenantId() }).rows.filter((a) => a.code === 'trunk-unknown-did')).toHaveLength(1);
    } finally {
      f.close();
    }
  }, 120_000);
});
