// Server transaction state machines (RFC 3261 §17.2, §9.2, RFC 6026) with a
// remote UA on a real UDP socket and a short T1.
import { afterEach, describe, expect, it } from 'vitest';
import type { SipRequest } from '../../../services/sip-core/sip/message';
import { createResponse } from '../../../services/sip-core/sip/serializer';
import type { MessageSource, ServerTransaction } from '../../../services/sip-core/sip/types';
import { TcpPeer, UdpPeer, remoteRequest, sleep, startStack, until, type Stack } from './helpers/sip-peer';
import net from 'node:net';

const T1 = 40;
const T2 = 160;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface World {
  stack: Stack;
  peer: UdpPeer;
  requests: Array<{ req: SipRequest; txn: ServerTransaction }>;
  acks: Array<{ req: SipRequest; source: MessageSource }>;
  cancels: Array<{ req: SipRequest; txn: ServerTransaction }>;
}

async function setup(): Promise<World> {
  const stack = await startStack({ t1: T1, t2: T2, t4: 200 });
  const peer = await UdpPeer.start();
  cleanups.push(() => stack.stop(), () => peer.close());
  const w: World = { stack, peer, requests: [], acks: [], cancels: [] };
  stack.layer.on('request', (req, txn) => w.requests.push({ req, txn }));
  stack.layer.on('ack', (req, source) => w.acks.push({ req, source }));
  stack.layer.on('cancel', (req, txn) => w.cancels.push({ req, txn }));
  return w;
}

const statuses = (peer: UdpPeer) => peer.got.flatMap((g) => (g.msg.kind === 'response' ? [g.msg.status] : []));

describe('INVITE server transaction', () => {
  it('sends 100 Trying at once, absorbs retransmissions, and resends the last provisional (§17.2.1)', async () => {
    const w = await setup();
    const invite = remoteRequest('INVITE', { branch: 'z9hG4bKsi1', port: w.peer.port });
    w.peer.send(invite, w.stack.port);
    await until(() => w.requests.length === 1 && statuses(w.peer).length === 1);
    expect(statuses(w.peer)).toEqual([100]);
    const trying = w.peer.got[0]!.msg;
    expect(trying.to.tag).toBeUndefined();
    expect(trying.topVia).toMatchObject({ branch: 'z9hG4bKsi1', received: '127.0.0.1', rport: w.peer.port });
    const { txn, req } = w.requests[0]!;
    await txn.respond(createResponse(req, 180, undefined, 'uas1'));
    w.peer.send(invite, w.stack.port);
    await until(() => statuses(w.peer).length === 3);
    expect(statuses(w.peer)).toEqual([100, 180, 180]);
    expect(w.requests).toHaveLength(1);
    expect(txn.state).toBe('proceeding');
  });

  it('retransmits a non-2xx final with Timer G up to T2 until the ACK, which it absorbs', async () => {
    const w = await setup();
    w.peer.send(remoteRequest('INVITE', { branch: 'z9hG4bKsi2', port: w.peer.port }), w.stack.port);
    await until(() => w.requests.length === 1);
    const { txn, req } = w.requests[0]!;
    const sentAt = Date.now();
    await txn.respond(createResponse(req, 486, undefined, 'uas2'));
    // Sent at 0, then T1, 2T1, 4T1 (=T2), T2, T2 later: 0, 40, 120, 280, 440, 600.
    await until(() => statuses(w.peer).filter((s) => s === 486).length === 6, 3000);
    const times = w.peer.got.filter((g) => g.msg.kind === 'response' && g.msg.status === 486).map((g) => g.at - sentAt);
    [0, 40, 120, 280, 440, 600].forEach((due, i) => {
      expect(times[i]).toBeGreaterThanOrEqual(due - 5);
      expect(times[i]).toBeLessThan(due + 60);
    });
    w.peer.send(remoteRequest('ACK', { branch: 'z9hG4bKsi2', port: w.peer.port, toTag: 'uas2' }), w.stack.port);
    await until(() => txn.state === 'confirmed');
    const count = statuses(w.peer).length;
    await sleep(3 * T2);
    expect(statuses(w.peer).length).toBe(count);
    expect(w.acks).toHaveLength(0);
    await until(() => txn.state === 'terminated', 1000);
  });

  it('gives up on a missing ACK after Timer H (64*T1)', async () => {
    const w = await setup();
    w.peer.send(remoteRequest('INVITE', { branch: 'z9hG4bKsi3', port: w.peer.port }), w.stack.port);
    await until(() => w.requests.length === 1);
    const { txn, req } = w.requests[0]!;
    const sentAt = Date.now();
    await txn.respond(createResponse(req, 603, undefined, 'uas3'));
    await until(() => txn.state === 'terminated', 5000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(64 * T1 - 5);
    const count = statuses(w.peer).length;
    await sleep(2 * T2);
    expect(statuses(w.peer).length).toBe(count);
    expect(w.stack.layer.counters().serverTransactions).toBe(0);
  });

  it('after a 2xx absorbs INVITE retransmissions and hands the ACK (new branch) to the TU', async () => {
    const w = await setup();
    const invite = remoteRequest('INVITE', { branch: 'z9hG4bKsi4', port: w.peer.port });
    w.peer.send(invite, w.stack.port);
    await until(() => w.requests.length === 1);
    const { txn, req } = w.requests[0]!;
    await txn.respond(createResponse(req, 200, undefined, 'uas4'));
    expect(txn.state).toBe('accepted');
    w.peer.send(invite, w.stack.port);
    w.peer.send(remoteRequest('ACK', { branch: 'z9hG4bKsi4ack', port: w.peer.port, toTag: 'uas4' }), w.stack.port);
    await until(() => w.acks.length === 1);
    await sleep(2 * T1);
    expect(statuses(w.peer)).toEqual([100, 200]);
    expect(w.requests).toHaveLength(1);
    expect(w.acks[0]!.req.to.tag).toBe('uas4');
    // RFC 6026 Timer L: only the key lingers, for 64*T1; then the INVITE would be new.
    expect(w.stack.layer.counters()).toMatchObject({ serverTransactions: 0, lingering: 1 });
    await until(() => w.stack.layer.counters().lingering === 0, 64 * T1 + 500);
    w.peer.send(invite, w.stack.port);
    await until(() => w.requests.length === 2);
  });

  it('answers 200 to a matching CANCEL and tells the TU, which sends 487 (§9.2)', async () => {
    const w = await setup();
    w.peer.send(remoteRequest('INVITE', { branch: 'z9hG4bKsi5', port: w.peer.port }), w.stack.port);
    await until(() => w.requests.length === 1);
    const { txn, req } = w.requests[0]!;
    w.peer.send(remoteRequest('CANCEL', { branch: 'z9hG4bKsi5', port: w.peer.port, callId: 'z9hG4bKsi5@peer' }), w.stack.port);
    await until(() => w.cancels.length === 1);
    expect(w.cancels[0]!.txn).toBe(txn);
    expect(txn.cancelled).toBe(true);
    await txn.respond(createResponse(req, 487, undefined, 'uas5'));
    await until(() => statuses(w.peer).includes(487));
    const cancelOk = w.peer.got.find((g) => g.msg.kind === 'response' && g.msg.status === 200)!.msg;
    expect(cancelOk.cseq.method).toBe('CANCEL');
    expect(w.requests).toHaveLength(1);
  });

  it('answers 200 to a CANCEL that comes after the final response and changes nothing (§9.2)', async () => {
    const w = await setup();
    w.peer.send(remoteRequest('INVITE', { branch: 'z9hG4bKsi7', port: w.peer.port }), w.stack.port);
    await until(() => w.requests.length === 1);
    const { txn, req } = w.requests[0]!;
    await txn.respond(createResponse(req, 200, undefined, 'uas7'));
    w.peer.send(remoteRequest('CANCEL', { branch: 'z9hG4bKsi7', port: w.peer.port, callId: 'z9hG4bKsi7@peer' }), w.stack.port);
    await until(() => w.peer.got.some((g) => g.msg.kind === 'response' && g.msg.cseq.method === 'CANCEL'));
    const answer = w.peer.got.find((g) => g.msg.kind === 'response' && g.msg.cseq.method === 'CANCEL')!.msg;
    expect(answer).toMatchObject({ status: 200 });
    expect(w.cancels).toHaveLength(0);
    expect(w.requests).toHaveLength(1);
    expect(txn).toMatchObject({ state: 'accepted', cancelled: false });
  });

  it('passes a CANCEL that matches nothing to the TU (which answers 481)', async () => {
    const w = await setup();
    w.peer.send(remoteRequest('CANCEL', { branch: 'z9hG4bKnomatch', port: w.peer.port }), w.stack.port);
    await until(() => w.requests.length === 1);
    expect(w.requests[0]!.req.method).toBe('CANCEL');
    expect(w.cancels).toHaveLength(0);
  });

  it('answers 483 when Max-Forwards is 0 and does not bother the TU', async () => {
    const w = await setup();
    w.peer.send(remoteRequest('OPTIONS', { branch: 'z9hG4bKmf0', port: w.peer.port, maxForwards: 0 }), w.stack.port);
    await until(() => statuses(w.peer).length === 1);
    expect(w.peer.got[0]!.msg).toMatchObject({ status: 483, reason: 'Too Many Hops' });
    expect(w.requests).toHaveLength(0);
  });

  it('answers 482 to the same request arriving again by another path (§8.2.2.2)', async () => {
    const w = await setup();
    w.peer.send(remoteRequest('INVITE', { branch: 'z9hG4bKfork1', port: w.peer.port, callId: 'merged@peer' }), w.stack.port);
    await until(() => w.requests.length === 1);
    w.peer.send(remoteRequest('INVITE', { branch: 'z9hG4bKfork2', port: w.peer.port, callId: 'merged@peer' }), w.stack.port);
    await until(() => statuses(w.peer).includes(482));
    const loop = w.peer.got.find((g) => g.msg.kind === 'response' && g.msg.status === 482)!.msg;
    expect(loop.topVia.branch).toBe('z9hG4bKfork2');
    expect(w.requests).toHaveLength(1);
    // A new CSeq is a new request, not a merge.
    w.peer.send(remoteRequest('INVITE', { branch: 'z9hG4bKfork3', port: w.peer.port, callId: 'merged@peer', cseq: 2 }), w.stack.port);
    await until(() => w.requests.length === 2);
  });

  it('matches retransmissions and ACK of RFC 2543 clients without the magic cookie', async () => {
    const w = await setup();
    const invite = remoteRequest('INVITE', { branch: 'old2543', port: w.peer.port });
    w.peer.send(invite, w.stack.port);
    await until(() => w.requests.length === 1);
    w.peer.send(invite, w.stack.port);
    const { txn, req } = w.requests[0]!;
    await until(() => statuses(w.peer).length === 2);
    await txn.respond(createResponse(req, 404, undefined, 'uas6'));
    w.peer.send(remoteRequest('ACK', { branch: 'old2543', port: w.peer.port, toTag: 'uas6' }), w.stack.port);
    await until(() => txn.state === 'confirmed');
    expect(w.requests).toHaveLength(1);
    expect(w.acks).toHaveLength(0);
  });
});

describe('non-INVITE server transaction', () => {
  it('absorbs retransmissions while Trying and resends the final while Completed (Timer J)', async () => {
    const w = await setup();
    const msg = remoteRequest('MESSAGE', { branch: 'z9hG4bKsn1', port: w.peer.port });
    w.peer.send(msg, w.stack.port);
    await until(() => w.requests.length === 1);
    w.peer.send(msg, w.stack.port);
    await sleep(T1);
    expect(statuses(w.peer)).toEqual([]);
    const { txn, req } = w.requests[0]!;
    await txn.respond(createResponse(req, 202, undefined, 'm1'));
    expect(txn.state).toBe('completed');
    w.peer.send(msg, w.stack.port);
    await until(() => statuses(w.peer).length === 2);
    expect(statuses(w.peer)).toEqual([202, 202]);
    expect(w.requests).toHaveLength(1);
    await expect(txn.respond(createResponse(req, 500))).rejects.toThrow(/state completed/);
    // Only the key and the response's bytes linger, for 64*T1 (Timer J).
    expect(w.stack.layer.counters()).toMatchObject({ serverTransactions: 0, lingering: 1 });
    await until(() => w.stack.layer.counters().lingering === 0, 64 * T1 + 500);
    // After Timer J the same request is new again.
    w.peer.send(msg, w.stack.port);
    await until(() => w.requests.length === 2);
  });
});

describe('server transactions over TCP', () => {
  it('answers on the same connection and never retransmits', async () => {
    const stack = await startStack({ t1: 20, t2: 80, t4: 100 });
    cleanups.push(() => stack.stop());
    const requests: Array<{ req: SipRequest; txn: ServerTransaction }> = [];
    stack.layer.on('request', (req, txn) => requests.push({ req, txn }));
    const sock = net.connect(stack.port, '127.0.0.1');
    cleanups.push(() => sock.destroy());
    let data = '';
    sock.on('data', (d) => (data += d.toString()));
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(remoteRequest('INVITE', { branch: 'z9hG4bKst1', port: 5099, transport: 'TCP' }));
    await until(() => requests.length === 1);
    await requests[0]!.txn.respond(createResponse(requests[0]!.req, 486, undefined, 't1'));
    await sleep(300);
    expect(data.match(/^SIP\/2.0 \d+/gm)).toEqual(['SIP/2.0 100', 'SIP/2.0 486']);
    // Still waiting for the ACK (Timer H), which ends it at once on TCP (Timer I = 0).
    expect(requests[0]!.txn.state).toBe('completed');
    sock.write(remoteRequest('ACK', { branch: 'z9hG4bKst1', port: 5099, transport: 'TCP', toTag: 't1' }));
    await until(() => requests[0]!.txn.state === 'terminated', 1000);
  });

  it('accepts the TcpPeer helper as the far end of a stack request', async () => {
    // Guards the helper used by client tests: it must see one message per request.
    const peer = await TcpPeer.start();
    cleanups.push(() => peer.close());
    const c = net.connect(peer.port, '127.0.0.1');
    cleanups.push(() => c.destroy());
    await new Promise<void>((r) => c.once('connect', () => r()));
    c.write(remoteRequest('OPTIONS', { branch: 'z9hG4bKh1', port: 1 }) + remoteRequest('OPTIONS', { branch: 'z9hG4bKh2', port: 1 }));
    await until(() => peer.got.length === 2);
    expect(peer.got.map((g) => g.msg.topVia.branch)).toEqual(['z9hG4bKh1', 'z9hG4bKh2']);
  });
});
