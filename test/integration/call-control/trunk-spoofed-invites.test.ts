// Issue 16 item 4 as the attack test ran it, against the real appliance on an
// eval licence (4 concurrent calls): INVITEs forged from the operator's
// address (a UDP socket bound to 127.0.6.1 that never answers anything back,
// as a spoofer cannot) to a DID whose phone rings. Before the fix each took a
// licence slot until the ring timeout and four of them blocked every call on
// the box. Now unanswered trunk calls share half the licence: two ring, the
// rest are refused 503, and an internal call still gets through.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../helpers/pd-open-store';
import type { Started } from '../../helpers/processes';
import { uacScenario, uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';

const OPERATOR = '127.0.6.1';
let pbx: Pbx;
const peers: Started[] = [];

beforeAll(async () => {
  pbx = await startPbx('trunk-spoofed', ['201', '202', '204'], { calls: { ringTimeoutSeconds: 60 } }, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const t = store.tenants.defaultTenant()!;
      const trunk = store.trunks.create(t.id, { name: 'МТС', kind: 'ip', host: OPERATOR, port: 5060, transport: 'udp', username: null, registerExpiry: 300, addresses: [OPERATOR], optionsInterval: 0, channelLimit: 0, outboundCallerId: '', enabled: true }, null);
      store.trunks.createDid(t.id, { number: '+74957654321', trunkId: trunk.id, destination: { type: 'extension', extension: '204' } });
    } finally {
      store.close();
    }
  });
}, 120_000);
afterAll(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
  await pbx?.close();
});

function forgedInvite(port: number): string {
  const sdp = ['v=0', `o=op 1 1 IN IP4 ${OPERATOR}`, 's=-', `c=IN IP4 ${OPERATOR}`, 't=0 0', 'm=audio 40000 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000', ''].join('\r\n');
  return [
    `INVITE sip:84957654321@127.0.0.1:${pbx.app.ports.sip} SIP/2.0`,
    `Via: SIP/2.0/UDP ${OPERATOR}:${port};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    'Max-Forwards: 70',
    `From: <sip:89161234567@${OPERATOR}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:84957654321@127.0.0.1>`,
    `Call-ID: forged-${randomBytes(8).toString('hex')}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:op@${OPERATOR}:${port}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

type Health = { unconfirmedTrunkCalls?: { held: number; cap: number; refused: number }; activeCalls: number };

describe('forged INVITEs from a trunk address (issue 16 item 4)', () => {
  it('take at most half the licence while they ring; the rest are refused and an internal call still goes through', async () => {
    const ringing = await startCallee(uasScenario('ring-until-cancel'), 4);
    peers.push(ringing);
    await registerPhone(pbx, '204', ringing.port);
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, OPERATOR, () => r()));
    const refusals: number[] = [];
    sock.on('message', (m) => {
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(m.toString())?.[1]);
      if (status >= 300) refusals.push(status);
    });
    try {
      const port = sock.address().port;
      for (let i = 0; i < 4; i++) sock.send(forgedInvite(port), pbx.app.ports.sip, '127.0.0.1');
      await waitFor(async () => ((await pbx.health()) as Health).unconfirmedTrunkCalls?.refused === 2, 20_000, 'two forged INVITEs refused');
      const h = (await pbx.health()) as Health;
      expect(h.unconfirmedTrunkCalls).toEqual({ held: 2, cap: 2, refused: 2 });
      await waitFor(() => refusals.length >= 2, 5_000, 'the 503s');
      expect(refusals.slice(0, 2)).toEqual([503, 503]);
      // The licence's other two slots: an internal call is answered and completes.
      const callee = await startCallee(uasScenario('answer'));
      peers.push(callee);
      await registerPhone(pbx, '202', callee.port);
      const caller = await startCaller(pbx, uacScenario('spoof-internal', { answer: true }), '201', '202', { holdMs: 1000 });
      peers.push(caller);
      expect(await caller.exited).toBe(0);
      expect(await callee.exited).toBe(0);
      const internal = () => pbx.store.cdrs.list({ tenantId: pbx.store.tenants.defaultTenant()!.id, limit: 50 }).find((c) => c.direction === 'internal');
      await waitFor(() => internal()?.status === 'completed', 10_000, 'the internal call’s CDR completed');
      expect(internal()).toMatchObject({ disposition: 'answered' });
      const refusedCdrs = pbx.store.cdrs.list({ tenantId: pbx.store.tenants.defaultTenant()!.id, limit: 50 }).filter((c) => c.hangupReason === 'trunk-unconfirmed-limit');
      expect(refusedCdrs).toHaveLength(2);
    } finally {
      sock.close();
    }
  }, 120_000);
});
