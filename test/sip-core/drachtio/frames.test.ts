// Golden frames: what the server writes, read back with the token positions
// drachtio-srf's agent uses (lib/drachtio-agent.js _onMsg), so a shifted token
// fails here rather than as a silent misbehaviour in an app.
import { describe, expect, it } from 'vitest';
import type { AppConnection } from '../../../services/sip-core/drachtio/app-connection';
import { deliverToApp, deliverUnsolicited, replyNok, replySent } from '../../../services/sip-core/drachtio/sip-build';
import { CdrEmitter } from '../../../services/sip-core/drachtio/cdr';
import { AppRegistry } from '../../../services/sip-core/drachtio/app-registry';
import type { ListenerInfo, MessageSource, SendResult } from '../../../services/sip-core/sip/types';

/** Captures frames the way AppConnection builds them: `<uuid>|tokens…[CRLF sip]`. */
function fakeConn() {
  const frames: string[] = [];
  let n = 0;
  const conn = {
    authenticated: true,
    closed: false,
    routes: new Set<string>(['cdr:attempt', 'cdr:start', 'cdr:stop']),
    send(tokens: string[], sip?: string) {
      const id = `id${++n}`;
      frames.push(`${id}|${tokens.join('|')}${sip === undefined ? '' : `\r\n${sip}`}`);
      return id;
    },
    reply(rid: string, tokens: string[], sip?: string) {
      return conn.send(['response', rid, ...tokens], sip);
    },
  };
  return { conn: conn as unknown as AppConnection, frames };
}

/** srf: leader = text before the first CR, tokens = leader.split('|'), raw = after CRLF. */
function srfRead(frame: string) {
  const pos = frame.indexOf('\r');
  const leader = pos === -1 ? frame : frame.slice(0, pos);
  return { token: leader.split('|'), raw: pos === -1 ? undefined : frame.slice(pos + 2) };
}

const local: ListenerInfo = {
  id: 'udp:127.0.0.1:5060', transport: 'udp', host: '127.0.0.1', port: 5060, family: 4, advertisedHost: '10.0.0.1', advertisedPort: 5060,
};
const src: MessageSource = { transport: 'udp', address: '192.0.2.7', port: 5062, local, receivedAt: 0 };
const raw = Buffer.from('INVITE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n');

describe('frames as drachtio-srf reads them', () => {
  it('a network request: meta at 2–9, receivedOn at 10–11', () => {
    const { conn, frames } = fakeConn();
    deliverToApp(conn, raw, src, 'txn-1', 'x;from-tag=t');
    const { token, raw: sip } = srfRead(frames[0]!);
    expect(token[1]).toBe('sip');
    expect({ source: token[2], bytes: token[3], protocol: token[4], address: token[5], port: token[6] }).toEqual({
      source: 'network', bytes: String(raw.length), protocol: 'udp', address: '192.0.2.7', port: '5062',
    });
    expect(token[7]).toMatch(/^\d\d:\d\d:\d\d\.\d{6}$/);
    expect(token[8]).toBe('txn-1');
    expect(token[9]).toBe('x;from-tag=t');
    expect(token.length).toBeGreaterThan(11);
    expect(`${token[10]}:${token[11]}`).toBe('10.0.0.1:5060');
    expect(sip).toBe(raw.toString());
  });

  it('the echo of a sent message: srf meta2 at 4–11 and token[7] of the slice = transaction id', () => {
    const { conn, frames } = fakeConn();
    replySent(conn, 'rid-9', raw, local, 'txn-2', 'd-2');
    const { token, raw: sip } = srfRead(frames[0]!);
    expect(token.slice(1, 4)).toEqual(['response', 'rid-9', 'OK']);
    const meta2 = { source: token[4], address: token[7], port: token[8], protocol: token[6], transactionId: token[10], dialogId: token[11] };
    expect(meta2).toEqual({ source: 'application', address: '10.0.0.1', port: '5060', protocol: 'udp', transactionId: 'txn-2', dialogId: 'd-2' });
    const sliced = token.slice(3);
    expect(sliced[0]).toBe('OK');
    expect(sliced[1]).toBe('application');
    expect(sliced[7]).toBe('txn-2');
    expect(token[12]).not.toBe('continue');
    expect(sip).toBe(raw.toString());
  });

  it('a failure: NOK and a reason without separators', () => {
    const { conn, frames } = fakeConn();
    replyNok(conn, 'rid-1', 'bad|thing\r\nhere');
    const { token } = srfRead(frames[0]!);
    expect(token.slice(1)).toEqual(['response', 'rid-1', 'NOK', 'bad thing  here']);
  });

  it('an unsolicited BYE: source application, transaction id "unsolicited", the dialog id', () => {
    const { conn, frames } = fakeConn();
    const sent: SendResult = { local, destination: { transport: 'udp', address: '192.0.2.7', port: 5062 }, raw };
    deliverUnsolicited(conn, raw, sent, 'x;from-tag=t');
    const { token } = srfRead(frames[0]!);
    expect([token[1], token[2], token[8], token[9]]).toEqual(['sip', 'application', 'unsolicited', 'x;from-tag=t']);
    expect(token.length).toBeGreaterThan(9);
  });

  it('CDR records: source and time, then role or reason at token 4', () => {
    const registry = new AppRegistry();
    const { conn, frames } = fakeConn();
    registry.add(conn);
    const cdr = new CdrEmitter(registry);
    cdr.attempt('network', 'INVITE sip:a SIP/2.0\r\n\r\n');
    cdr.start('application', 'uas', 'SIP/2.0 200 OK\r\n\r\n');
    cdr.stop('network', 'normal-release', 'BYE sip:a SIP/2.0\r\n\r\n');
    const t = frames.map((f) => srfRead(f).token);
    expect(t.map((x) => x[1])).toEqual(['cdr:attempt', 'cdr:start', 'cdr:stop']);
    expect(t.map((x) => x[2])).toEqual(['network', 'application', 'network']);
    expect([t[1]![4], t[2]![4]]).toEqual(['uas', 'normal-release']);
    expect(srfRead(frames[0]!).raw).toBe('INVITE sip:a SIP/2.0\r\n\r\n');
  });
});
