// Calls through a drachtio-srf B2BUA on sip-core over a lossy path. Over UDP
// each phone reaches sip-core through a relay (helpers/lossy-link.ts) that
// drops chosen packets, and the retransmission RFC 3261 prescribes must
// repair each loss: the call completes and the app sees exactly one of each
// request. Over TCP the same scenarios run without loss and nothing may be
// retransmitted (§17.1.1.2, §17.1.2.2: Timers A and E only on unreliable
// transports; sip-core also sends its 2xx once over TCP, §13.3.1.4).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports';
import { stopAll } from '../../helpers/processes';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';
import { connectSrf, type SrfApp } from './helpers/srf-app';
import { startSipp, sippReceived } from './helpers/sipp';
import { startLossyLink, type DropRule, type LinkPacket, type LossyLink } from './helpers/lossy-link';
import { counter } from './helpers/sdp';
import type { Loose } from '../../sip-core/drachtio/loose-srf';

let core: SipCoreProcess;
let app: SrfApp | undefined;
const links: LossyLink[] = [];
const idle = (h: Record<string, unknown>) => h.dialogs === 0 && h.pendingInbound === 0 && h.pendingOutbound === 0;

beforeAll(async () => {
  core = await startSipCore('lossy');
});
afterEach(() => {
  app?.close();
  app = undefined;
  for (const l of links.splice(0)) l.close();
});
afterAll(async () => {
  await stopAll();
});

/** What the B2BUA app saw. */
function b2bApp(calleePort: () => number, transport: 'udp' | 'tcp') {
  const invites = counter();
  const byes = counter();
  const connect = () =>
    connectSrf(core, {
      before: (srf: Loose) =>
        srf.invite(async (req: Loose, res: Loose) => {
          invites.hit();
          const tp = transport === 'tcp' ? ';transport=tcp' : '';
          const { uas, uac } = await srf.createB2BUA(req, res, `sip:1000@127.0.0.1:${calleePort()}${tp}`, { localSdpB: req.body });
          uas.on('destroy', () => (byes.hit(), uac.destroy()));
          uac.on('destroy', () => uas.destroy());
        }),
    });
  return { invites, byes, connect };
}

interface LossyCall {
  caller: { code: number | null; received: string[] };
  callee: { code: number | null; received: string[] };
  callerLink?: LossyLink;
  calleeLink?: LossyLink;
  invites: number;
  byes: number;
}

/** One call caller → sip-core → B2BUA → sip-core → callee; over UDP through two lossy links. */
async function call(name: string, transport: 'udp' | 'tcp', drops: { caller?: DropRule[]; callee?: DropRule[] } = {}, holdMs = 0): Promise<LossyCall> {
  const lossy = transport === 'udp';
  const callerLink = lossy ? await startLossyLink(core.sipPort, drops.caller) : undefined;
  const calleeLink = lossy ? await startLossyLink(core.sipPort, drops.callee) : undefined;
  links.push(...[callerLink, calleeLink].filter((l): l is LossyLink => l !== undefined));
  const calleePort = await freePort();
  const callerPort = await freePort();
  const seen = b2bApp(() => calleeLink?.port ?? calleePort, transport);
  app = await seen.connect();
  const callee = await startSipp({
    name: `${name}-callee-${transport}`, scenario: 'lossy-uas.xml', transport, port: calleePort, traceMessages: true,
    extra: ['-set', 'relay', String(calleeLink?.port ?? calleePort), '-d', String(holdMs)],
  });
  calleeLink?.setPhone(calleePort);
  callerLink?.setPhone(callerPort);
  const caller = await startSipp({
    name: `${name}-caller-${transport}`, scenario: 'lossy-uac.xml', transport, port: callerPort, traceMessages: true,
    remote: `127.0.0.1:${callerLink?.port ?? core.sipPort}`, extra: ['-set', 'relay', String(callerLink?.port ?? callerPort)],
  });
  const [a, b] = await Promise.all([caller.done, callee.done]);
  await seen.byes.reached(1);
  await core.waitHealth(idle);
  return {
    caller: { code: a.code, received: sippReceived(caller.messageFile!) },
    callee: { code: b.code, received: sippReceived(callee.messageFile!) },
    ...(callerLink ? { callerLink } : {}),
    ...(calleeLink ? { calleeLink } : {}),
    invites: seen.invites.value,
    byes: seen.byes.value,
  };
}

/** 2xx retransmissions sent after the first ACK got through (allowing 100 ms for one already in flight): Timer G must stop. */
function retransmittedAfterAck(link: LossyLink): LinkPacket[] {
  const ack = link.packets.find((p) => p.dir === 'to-core' && p.kind === 'ACK' && !p.dropped);
  if (!ack) return [{ dir: 'to-core', kind: 'ACK', dropped: true, at: 0 }];
  return link.packets.filter((p) => p.dir === 'to-phone' && p.kind === '200 INVITE' && p.at > ack.at + 100);
}

const once = (received: string[], kind: string) => received.filter((k) => k === kind).length;

describe('over UDP, each loss is repaired by a retransmission', () => {
  it('a lost INVITE: the caller retransmits it (Timer A), sip-core absorbs the copies and the app sees one INVITE', async () => {
    const r = await call(
      'lost-invite', 'udp',
      { caller: [{ dir: 'to-core', kind: 'INVITE' }, { dir: 'to-phone', kind: '100 INVITE' }], callee: [{ dir: 'to-phone', kind: 'INVITE' }] },
      1600,
    );
    expect([r.caller.code, r.callee.code]).toEqual([0, 0]);
    // caller: copy 1 lost, copy 2 reached sip-core but its 100 was lost, copy 3 reached it too.
    expect(r.callerLink!.count('to-core', 'INVITE', { delivered: true })).toBeGreaterThanOrEqual(2);
    expect(r.invites).toBe(1);
    // sip-core's own INVITE to the held callee: first copy lost, Timer A resends it.
    expect(r.calleeLink!.count('to-phone', 'INVITE')).toBeGreaterThanOrEqual(2);
    expect(r.calleeLink!.count('to-phone', 'INVITE', { delivered: true })).toBeGreaterThanOrEqual(1);
    expect(r.byes).toBe(1);
  });

  it('a lost 200 to the caller: sip-core retransmits it until the ACK (§13.3.1.4); the callee gets one ACK', async () => {
    const r = await call('lost-200', 'udp', { caller: [{ dir: 'to-phone', kind: '200 INVITE' }] });
    expect([r.caller.code, r.callee.code]).toEqual([0, 0]);
    expect(r.callerLink!.count('to-phone', '200 INVITE')).toBeGreaterThanOrEqual(2);
    expect(r.callerLink!.count('to-core', 'ACK')).toBeGreaterThanOrEqual(1);
    expect(retransmittedAfterAck(r.callerLink!)).toEqual([]);
    expect(r.calleeLink!.count('to-phone', 'ACK')).toBe(1);
    expect([r.invites, r.byes]).toEqual([1, 1]);
  });

  it('a lost ACK: sip-core retransmits the 200, the caller ACKs again, the call stays up', async () => {
    const ackTimeouts = Number(core.health().ackTimeouts ?? 0);
    const r = await call('lost-ack', 'udp', { caller: [{ dir: 'to-core', kind: 'ACK' }] });
    expect([r.caller.code, r.callee.code]).toEqual([0, 0]);
    expect(r.callerLink!.count('to-phone', '200 INVITE')).toBeGreaterThanOrEqual(2);
    expect(r.callerLink!.count('to-core', 'ACK', { delivered: true })).toBeGreaterThanOrEqual(1);
    expect(retransmittedAfterAck(r.callerLink!)).toEqual([]);
    expect(r.calleeLink!.count('to-phone', 'ACK')).toBe(1);
    expect(Number(core.health().ackTimeouts ?? 0)).toBe(ackTimeouts);
    expect([r.invites, r.byes]).toEqual([1, 1]);
  });

  it('a lost BYE is retransmitted (Timer E) and answered once, both from the caller and from sip-core to the callee', async () => {
    const r = await call('lost-bye', 'udp', { caller: [{ dir: 'to-core', kind: 'BYE' }], callee: [{ dir: 'to-phone', kind: 'BYE' }] });
    expect([r.caller.code, r.callee.code]).toEqual([0, 0]);
    // Each copy that got through is answered (the transaction resends its 200, §17.2.2); the app sees one BYE.
    expect(r.callerLink!.count('to-core', 'BYE')).toBeGreaterThanOrEqual(2);
    expect(r.callerLink!.count('to-phone', '200 BYE')).toBe(r.callerLink!.count('to-core', 'BYE', { delivered: true }));
    expect(r.byes).toBe(1);
    expect(r.calleeLink!.count('to-phone', 'BYE')).toBeGreaterThanOrEqual(2);
    expect(r.calleeLink!.count('to-core', '200 BYE')).toBe(r.calleeLink!.count('to-phone', 'BYE', { delivered: true }));
  });

  it('a lost 180: nothing retransmits a provisional, the 200 still connects the call', async () => {
    const r = await call('lost-180', 'udp', { callee: [{ dir: 'to-core', kind: '180 INVITE' }] });
    expect([r.caller.code, r.callee.code]).toEqual([0, 0]);
    expect(once(r.caller.received, '180 INVITE')).toBe(0);
    expect(once(r.caller.received, '200 INVITE')).toBeGreaterThanOrEqual(1);
    expect([r.invites, r.byes]).toEqual([1, 1]);
  });
});

describe('over TCP, the same call crosses without any retransmission', () => {
  it('a held callee gets one INVITE, the caller one 200 and the BYE one answer (§17.1.1.2)', async () => {
    const r = await call('no-retransmit', 'tcp', {}, 1600);
    expect([r.caller.code, r.callee.code]).toEqual([0, 0]);
    expect(r.callee.received).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(r.caller.received.filter((k) => k !== '100 INVITE')).toEqual(['180 INVITE', '200 INVITE', '200 BYE']);
    expect(once(r.caller.received, '100 INVITE')).toBe(1);
    expect([r.invites, r.byes]).toEqual([1, 1]);
  });
});
