// Small builders shared by the controller modules: tags, branches, responses
// (RFC 3261 §8.2.6), the `sip` delivery and `response` echo frames (notes A.5).
import { randomBytes } from 'node:crypto';
import { SipHeaders, SipResponse, type SipRequest } from '../sip/message';
import type { MessageSource, SendResult, Transport } from '../sip/types';
import { formatHost } from '../sip/header-values';
import type { AppConnection } from './app-connection';
import { wireTime } from './leader';

export const newTag = (): string => randomBytes(6).toString('hex');
/** RFC 3261 §8.1.1.7: branch starts with the magic cookie. */
export const newBranch = (): string => `z9hG4bK${randomBytes(9).toString('base64url')}`;
export const newCallId = (): string => randomBytes(12).toString('hex');
/** RFC 3261 §8.1.1.5: initial CSeq below 2**31. */
export const newCSeq = (): number => 1 + (randomBytes(3).readUIntBE(0, 3) % 100_000);

/** RFC 3261 §8.2.6.2: a response copies Via, From, To, Call-ID and CSeq from the request. */
export function responseFor(req: SipRequest, status: number, reason: string): SipResponse {
  const h = new SipHeaders();
  for (const v of req.getAll('via')) h.append('Via', v);
  for (const name of ['From', 'To', 'Call-ID', 'CSeq']) {
    const v = req.get(name);
    if (v !== undefined) h.append(name, v);
  }
  return new SipResponse(status, reason, h);
}

export function hostPort(host: string, port: number): string {
  return `${formatHost(host)}:${port}`;
}

/** `<sip:host:port;transport=…>` for Contact/From filled in by the server. */
export function contactUri(host: string, port: number, transport: Transport): string {
  const tp = transport === 'udp' ? '' : `;transport=${transport}`;
  return `<sip:${hostPort(host, port)}${tp}>`;
}

/** Replaces or adds the `tag` parameter of a From/To header value. */
export function withTag(value: string, tag: string): string {
  const stripped = stripTag(value);
  return `${stripped};tag=${tag}`;
}

/** Removes a `;tag=` header parameter (outside <>). */
export function stripTag(value: string): string {
  const close = value.lastIndexOf('>');
  const head = close >= 0 ? value.slice(0, close + 1) : '';
  const params = close >= 0 ? value.slice(close + 1) : value;
  return head + params.replace(/;\s*tag=[^;]*/i, '');
}

/** `sip|network|…` delivery of a received SIP message to an app (notes A.5). */
export function deliverToApp(
  conn: AppConnection,
  raw: Buffer,
  src: MessageSource,
  transactionId: string,
  dialogId: string,
): void {
  conn.send(
    [
      'sip', 'network', String(raw.length), src.transport, src.address, String(src.port), wireTime(),
      transactionId, dialogId, src.local.advertisedHost, String(src.local.advertisedPort), '',
    ],
    raw.toString('utf8'),
  );
}

/** A request sent by the server on its own (ACK-timeout BYE …): `…|unsolicited|<dialogId>|`. */
export function deliverUnsolicited(conn: AppConnection, raw: Buffer, sent: SendResult, dialogId: string): void {
  conn.send(
    [
      'sip', 'application', String(raw.length), sent.local.transport, sent.local.advertisedHost,
      String(sent.local.advertisedPort), wireTime(), 'unsolicited', dialogId, '',
    ],
    raw.toString('utf8'),
  );
}

/** `OK|application|<bytes>|<proto>|<address>|<port>|<time>|<txnId>|<dialogId>||Msg sent:|` + what went out. */
export function replySent(
  conn: AppConnection,
  rid: string,
  raw: Buffer,
  local: { transport: Transport; advertisedHost: string; advertisedPort: number },
  transactionId: string,
  dialogId: string,
): void {
  conn.reply(
    rid,
    [
      'OK', 'application', String(raw.length), local.transport, local.advertisedHost,
      String(local.advertisedPort), wireTime(), transactionId, dialogId, '', 'Msg sent:', '',
    ],
    raw.toString('utf8'),
  );
}

export function replyNok(conn: AppConnection, rid: string, reason: string): void {
  conn.reply(rid, ['NOK', reason.replace(/[|\r\n]/g, ' ')]);
}
