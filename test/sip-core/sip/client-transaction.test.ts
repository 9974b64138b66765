// Client transaction state machines (RFC 3261 §17.1) against a real UDP/TCP
// peer on 127.0.0.1 with a short T1.
import { afterEach, describe, expect, it } from 'vitest';
import { SipHeaders, SipRequest, type SipResponse } from '../../../services/sip-core/sip/message';
import { createResponse } from '../../../services/sip-core/sip/serializer';
import type { MessageSource } from '../../../services/sip-core/sip/types';
import { TcpPeer, UdpPeer, sleep, startStack, until, type Stack } from './helpers/sip-peer';

const T1 = 50;
const T2 = 200;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ stack: Stack; peer: UdpPeer }> {
  const stack = await startStack({ t1: T1, t2: T2, t4: 250 });
  const peer = await UdpPeer.start();
  cleanups.push(() => stack.stop(), () => peer.close());
  return { stack, peer };
}

function localRequest(method: string, port: number): SipRequest {
  const h = new SipHeaders([
    ['From', '<sip:stack@127.0.0.1>;tag=st1'],
    ['To', `<sip:peer@127.0.0.1:${port}>`],
    ['Call-ID', `${method}-${Math.random().toString(16).slice(2)}@stack`],
    ['CSeq', `1 ${method}`],
  ]);
  return new SipRequest(method, `sip:peer@127.0.0.1:${port}`, h);
}

type Got = Array<{ res: SipResponse; source: MessageSource | undefined; at: number }>;
const collector = (got: Got) => ({ onResponse: (res: SipResponse, source: MessageSource | undefined) => got.push({ res, source, at: Date.now() }) });

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('INVITE client transaction', () => {
  it('retransmits with Timer A doubling and reports 408 on Timer B (§17.1.1.2)', async () => {
    const { stack, peer } = await setup();
    const got: Got = [];
    const started = Date.now();
    const txn = stack.layer.sendRequest(localRequest('INVITE', peer.port), { transport: 'udp', address: '127.0.0.1', port: peer.port }, collector(got));
    expect(txn.request.topVia).toMatchObject({ host: '127.0.0.1', port: stack.port, rport: null });
    expect(txn.request.topVia.branch).toMatch(/^z9hG4bK/);
    await until(() => got.length === 1, 6000);
    expect(got[0]!.res.status).toBe(408);
    expect(got[0]!.source).toBeUndefined();
    expect(got[0]!.at - started).toBeGreaterThanOrEqual(64 * T1 - 5);
    // Sent at 0, T1, 3T1, 7T1, 15T1, 31T1, 63T1 (the last may race Timer B at 64T1).
    const sent = peer.got.map((g) => g.at);
    expect(sent.length === 6 || sent.length === 7).toBe(true);
    // Timer A doubles: the i-th send is due (2^i - 1)*T1 after the first.
    sent.slice(0, 6).forEach((at, i) => {
      expect(at - started).toBeGreaterThanOrEqual((2 ** i - 1) * T1 - 5);
      expect(at - started).toBeLessThan((2 ** i - 1) * T1 + 80);
    });
    expect(new Set(peer.got.map((x) => x.msg.topVia.branch)).size).toBe(1);
    expect(stack.layer.counters().clientTransactions).toBe(0);
  });

  it('ACKs a non-2xx final itself, absorbs its retransmission, and passes it up once (§17.1.1.3)', async () => {
    const { stack, peer } = await setup();
    const got: Got = [];
    const txn = stack.layer.sendRequest(localRequest('INVITE', peer.port), { transport: 'udp', address: '127.0.0.1', port: peer.port }, collector(got));
    await until(() => peer.got.length >= 1);
    const invite = peer.got[0]!.msg as SipRequest;
    const busy = createResponse(invite, 486, undefined, 'peerTag');
    peer.send(busy, stack.port);
    await until(() => peer.got.some((g) => g.msg.kind === 'request' && g.msg.method === 'ACK'));
    peer.send(busy, stack.port);
    await until(() => peer.got.filter((g) => g.msg.kind === 'request' && g.msg.method === 'ACK').length === 2);
    const ack = peer.got.find((g) => g.msg.kind === 'request' && g.msg.method === 'ACK')!.msg as SipRequest;
    expect(ack.uri).toBe(invite.uri);
    expect(ack.topVia.branch).toBe(invite.topVia.branch);
    expect(ack.cseq).toEqual({ seq: 1, method: 'ACK' });
    expect(ack.to.tag).toBe('peerTag');
    expect(ack.from.tag).toBe('st1');
    expect(got.map((g) => g.res.status)).toEqual([486]);
    expect(got[0]!.source).toMatchObject({ transport: 'udp', address: '127.0.0.1', port: peer.port });
    expect(txn.state).toBe('completed');
    // Retransmissions of the INVITE stopped at the final response.
    const invites = peer.got.filter((g) => g.msg.kind === 'request' && g.msg.method === 'INVITE').length;
    await sleep(4 * T1);
    expect(peer.got.filter((g) => g.msg.kind === 'request' && g.msg.method === 'INVITE').length).toBe(invites);
  });

  it('passes 1xx and the first 2xx up, and extra 2xx as stray responses (RFC 6026)', async () => {
    const { stack, peer } = await setup();
    const got: Got = [];
    const strays: SipResponse[] = [];
    stack.layer.on('strayResponse', (res) => strays.push(res));
    stack.layer.sendRequest(localRequest('INVITE', peer.port), { transport: 'udp', address: '127.0.0.1', port: peer.port }, collector(got));
    await until(() => peer.got.length >= 1);
    const invite = peer.got[0]!.msg as SipRequest;
    peer.send(createResponse(invite, 180, undefined, 'b1'), stack.port);
    await until(() => got.length === 1);
    const ok = createResponse(invite, 200, undefined, 'b1');
    peer.send(ok, stack.port);
    await until(() => got.length === 2);
    peer.send(ok, stack.port);
    await until(() => strays.length === 1);
    expect(got.map((g) => g.res.status)).toEqual([180, 200]);
    expect(strays[0]!.to.tag).toBe('b1');
    // No ACK from the transaction layer for a 2xx: that is the dialog's (§13.2.2.4).
    expect(peer.got.some((g) => g.msg.kind === 'request' && g.msg.method === 'ACK')).toBe(false);
  });

  it('defers CANCEL until a provisional arrives, then sends it with the INVITE branch (§9.1)', async () => {
    const { stack, peer } = await setup();
    const got: Got = [];
    const txn = stack.layer.sendRequest(localRequest('INVITE', peer.port), { transport: 'udp', address: '127.0.0.1', port: peer.port }, collector(got));
    await until(() => peer.got.length >= 1);
    txn.cancel([['Reason', 'SIP;cause=487;text="caller hung up"']]);
    await sleep(3 * T1);
    expect(peer.got.some((g) => g.msg.kind === 'request' && g.msg.method === 'CANCEL')).toBe(false);
    const invite = peer.got[0]!.msg as SipRequest;
    peer.send(createResponse(invite, 180, undefined, 'c1'), stack.port);
    await until(() => peer.got.some((g) => g.msg.kind === 'request' && g.msg.method === 'CANCEL'));
    const cancel = peer.got.find((g) => g.msg.kind === 'request' && g.msg.method === 'CANCEL')!.msg as SipRequest;
    expect(cancel.uri).toBe(invite.uri);
    expect(cancel.topVia.branch).toBe(invite.topVia.branch);
    expect(cancel.cseq).toEqual({ seq: 1, method: 'CANCEL' });
    expect(cancel.to.tag).toBeUndefined();
    expect(cancel.get('reason')).toBe('SIP;cause=487;text="caller hung up"');
    peer.send(createResponse(cancel, 200), stack.port);
    peer.send(createResponse(invite, 487, undefined, 'c1'), stack.port);
    await until(() => got.length === 2);
    expect(got.map((g) => g.res.status)).toEqual([180, 487]);
    await until(() => peer.got.some((g) => g.msg.kind === 'request' && g.msg.method === 'ACK'));
    // The CANCEL's own transaction stopped retransmitting at its 200.
    const cancels = peer.got.filter((g) => g.msg.kind === 'request' && g.msg.method === 'CANCEL').length;
    await sleep(3 * T1);
    expect(peer.got.filter((g) => g.msg.kind === 'request' && g.msg.method === 'CANCEL').length).toBe(cancels);
  });
});

describe('Timer C (§16.8) on request', () => {
  it('CANCELs an INVITE that rang without a final response, restarted by each provisional', async () => {
    const { stack, peer } = await setup();
    const got: Got = [];
    const started = Date.now();
    stack.layer.sendRequest(localRequest('INVITE', peer.port), { transport: 'udp', address: '127.0.0.1', port: peer.port }, collector(got), { timerC: 300 });
    await until(() => peer.got.length >= 1);
    const invite = peer.got[0]!.msg as SipRequest;
    await sleep(150);
    peer.send(createResponse(invite, 180, undefined, 'tc'), stack.port);
    await until(() => peer.got.some((g) => g.msg.kind === 'request' && g.msg.method === 'CANCEL'), 2000);
    const cancelAt = peer.got.find((g) => g.msg.kind === 'request' && g.msg.method === 'CANCEL')!.at;
    // 150 ms to the 180, then a fresh 300 ms.
    expect(cancelAt - started).toBeGreaterThanOrEqual(440);
    expect((peer.got.find((g) => g.msg.kind === 'request' && g.msg.method === 'CANCEL')!.msg as SipRequest).get('reason')).toBe('SIP;cause=408;text="Timer C"');
  });

  it('reports a timeout when Timer C fires before any provisional', async () => {
    const { stack, peer } = await setup();
    let kind: string | undefined;
    const started = Date.now();
    stack.layer.sendRequest(localRequest('INVITE', peer.port), { transport: 'udp', address: '127.0.0.1', port: peer.port }, { onResponse: () => undefined, onTimeout: (k) => (kind = k) }, { timerC: 200 });
    await until(() => kind !== undefined);
    expect(kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(64 * T1);
  });
});

describe('non-INVITE client transaction', () => {
  it('retransmits with Timer E capped at T2 and times out on Timer F', async () => {
    const { stack, peer } = await setup();
    const got: Got = [];
    let timedOut: string | undefined;
    stack.layer.sendRequest(localRequest('OPTIONS', peer.port), { transport: 'udp', address: '127.0.0.1', port: peer.port }, {
      ...collector(got),
      onTimeout: (kind) => (timedOut = kind),
    });
    await until(() => timedOut !== undefined, 6000);
    expect(timedOut).toBe('timeout');
    expect(got).toHaveLength(0);
    const g = gaps(peer.got.map((x) => x.at));
    // T1, 2T1, then T2 each time.
    expect(g[0]).toBeGreaterThanOrEqual(T1 - 5);
    expect(g[1]).toBeGreaterThanOrEqual(2 * T1 - 5);
    for (const gap of g.slice(2)) {
      expect(gap).toBeGreaterThanOrEqual(T2 - 5);
      expect(gap).toBeLessThan(T2 + 60);
    }
    // 64*T1 = 3200 ms: sends at 0, 50, 150, 350, then every 200 ms up to 3150: 19 in all.
    expect(peer.got.length).toBeGreaterThanOrEqual(17);
    expect(peer.got.length).toBeLessThanOrEqual(19);
  });

  it('absorbs a retransmitted final (Timer K) and delivers the final once', async () => {
    const { stack, peer } = await setup();
    const got: Got = [];
    const txn = stack.layer.sendRequest(localRequest('MESSAGE', peer.port), { transport: 'udp', address: '127.0.0.1', port: peer.port }, collector(got));
    await until(() => peer.got.length >= 1);
    const ok = createResponse(peer.got[0]!.msg as SipRequest, 200, undefined, 'm1');
    peer.send(ok, stack.port);
    peer.send(ok, stack.port);
    // Completed: the layer keeps only the key, for T4 (Timer K), then forgets it.
    await until(() => txn.state === 'completed');
    expect(stack.layer.counters()).toMatchObject({ clientTransactions: 0, lingering: 1 });
    await until(() => stack.layer.counters().lingering === 0, 2000);
    expect(got.map((g) => g.res.status)).toEqual([200]);
  });
});

describe('client transactions over TCP', () => {
  it('never retransmits on a reliable transport, and Timer B still fires', async () => {
    const stack = await startStack({ t1: 20, t2: 80, t4: 100 });
    const peer = await TcpPeer.start();
    cleanups.push(() => stack.stop(), () => peer.close());
    const got: Got = [];
    const txn = stack.layer.sendRequest(localRequest('INVITE', peer.port), { transport: 'tcp', address: '127.0.0.1', port: peer.port }, collector(got));
    expect(txn.request.topVia.transport).toBe('TCP');
    await until(() => got.length === 1, 4000);
    expect(got[0]!.res.status).toBe(408);
    expect(peer.got).toHaveLength(1);
  });

  it('reports 503 when the destination refuses the connection', async () => {
    const stack = await startStack({ t1: 20 });
    cleanups.push(() => stack.stop());
    const closed = await TcpPeer.start();
    const port = closed.port;
    closed.close();
    const got: Got = [];
    stack.layer.sendRequest(localRequest('OPTIONS', port), { transport: 'tcp', address: '127.0.0.1', port }, collector(got));
    await until(() => got.length === 1);
    expect(got[0]!.res.status).toBe(503);
  });
});
