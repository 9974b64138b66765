// Requests inside a dialog (RFC 3261 §12.2.1.1): Request-URI, Route set,
// From/To with tags, Call-ID and CSeq come from the dialog, plus the next hop.
import { SipHeaders, SipRequest } from '../sip/message';
import { formatHost, parseUri } from '../sip/header-values';
import type { ClientTransaction, Destination, SendResult, SipResponse } from '../sip/types';
import type { Controller } from '../drachtio/controller';
import type { CdrStopReason } from '../drachtio/cdr';
import { deliverUnsolicited, newBranch } from '../drachtio/sip-build';
import type { Dialog } from './dialog';
import { resolveNextHop } from './next-hop';
import { ownBytes } from '../sip/transaction/server-transaction';

export interface BuiltRequest {
  req: SipRequest;
  /** URI whose host/port/transport is the next hop: the first Route, else the Request-URI. */
  hop: string;
}

/** Builds the skeleton of a request in `dialog`; the caller adds method-specific headers and body. */
export function buildInDialog(dialog: Dialog, method: string, seq: number, extra?: SipHeaders): BuiltRequest {
  const h = new SipHeaders();
  let uri = dialog.remoteTarget;
  let routes = dialog.routeSet;
  const first = routes[0];
  if (first !== undefined && !isLooseRoute(first)) {
    // §12.2.1.1 strict routing: the first route becomes the Request-URI.
    uri = routeUri(first);
    routes = [...routes.slice(1), `<${dialog.remoteTarget}>`];
  }
  for (const r of routes) h.append('Route', r);
  h.append('Max-Forwards', '70');
  h.append('From', dialog.fromHeader);
  h.append('To', dialog.toHeader);
  h.append('Call-ID', dialog.callId);
  h.append('CSeq', `${seq} ${method}`);
  if (extra) for (const e of extra.entries()) h.append(e.name, e.value);
  const hop = routes[0] !== undefined && isLooseRoute(routes[0]) ? routeUri(routes[0]) : uri;
  return { req: new SipRequest(method, uri, h), hop };
}

function routeUri(route: string): string {
  const m = /<([^>]+)>/.exec(route);
  return (m ? m[1] : route.split(';')[0])!.trim();
}

function isLooseRoute(route: string): boolean {
  return /[;]lr(?=[;>=]|$)/i.test(routeUri(route)) || /;lr\b/i.test(route);
}

/** Next hop of an in-dialog request; a TCP peer that reached us is answered on its connection. */
export async function dialogDestination(c: Controller, dialog: Dialog, hop: string): Promise<Destination> {
  const dest = await resolveNextHop(hop, c.availableTransports());
  const peer = dialog.peer;
  if (peer?.connectionId && peer.transport === dest.transport && peer.address === dest.address) {
    dest.connectionId = peer.connectionId;
  }
  return dest;
}

/** Local Contact for the dialog's transport, when the app gave none. */
export function defaultContact(c: Controller, transport: Destination['transport'], address: string): string {
  const local = c.localFor(transport, address);
  const tp = transport === 'udp' ? '' : `;transport=${transport}`;
  return `<sip:${formatHost(local.advertisedHost)}:${local.advertisedPort}${tp}>`;
}

/** Sends an in-dialog request through a client transaction. */
export async function sendInDialog(
  c: Controller,
  dialog: Dialog,
  built: BuiltRequest,
  onResponse: (res: SipResponse) => void,
): Promise<{ ctxn: ClientTransaction; dest: Destination }> {
  const dest = await dialogDestination(c, dialog, built.hop);
  const ctxn = c.stack.sendRequest(built.req, dest, { onResponse: (res) => onResponse(res) });
  return { ctxn, dest };
}

/**
 * The server ends a confirmed dialog itself (ACK timeout, app gone, CANCEL after
 * 200): BYE to the far end, an `unsolicited` BYE to the owning app (notes A.5),
 * cdr:stop, and the dialog is removed.
 */
export async function sendByeInDialog(
  c: Controller,
  dialog: Dialog,
  why: string,
  cdrReason: CdrStopReason = 'system-initiated-termination',
): Promise<void> {
  if (dialog.ending) return;
  dialog.ending = true;
  const seq = ++dialog.localSeq;
  const extra = new SipHeaders([['Reason', `SIP;cause=200;text="${why}"`]]);
  const built = buildInDialog(dialog, 'BYE', seq, extra);
  c.dialogs.remove(dialog);
  const dest = await dialogDestination(c, dialog, built.hop);
  // From here on nothing awaits: the transaction only queues the BYE, and the
  // app's notice is written out first, so the app always learns that its call
  // ended before the far end can (the same order as response echoes).
  const ctxn = c.stack.sendRequest(built.req, dest, { onResponse: () => undefined });
  const raw = c.serialize(ctxn.request);
  c.cdr.stop('application', cdrReason, raw.toString('utf8'));
  if (!dialog.owner.closed) {
    const local = c.localFor(dest.transport, dest.address);
    const sent: SendResult = { local, destination: dest, raw };
    deliverUnsolicited(dialog.owner, raw, sent, dialog.id);
    dialog.owner.flush();
  }
}

/**
 * ACK for a 2xx (RFC 3261 §13.2.2.4): not a transaction; same CSeq number as the
 * INVITE, a new branch, the dialog's route set. Kept to answer 2xx retransmissions.
 */
export async function sendAckForTwoHundred(
  c: Controller,
  dialog: Dialog,
  inviteSeq: number,
  extra: SipHeaders,
  body: Buffer,
): Promise<SendResult> {
  const built = buildInDialog(dialog, 'ACK', inviteSeq, extra);
  built.req.body = body;
  const dest = await dialogDestination(c, dialog, built.hop);
  const local = c.localFor(dest.transport, dest.address);
  const via = `SIP/2.0/${dest.transport.toUpperCase()} ${formatHost(local.advertisedHost)}:${local.advertisedPort};branch=${newBranch()};rport`;
  built.req.headers.prepend('Via', via);
  const sent = await c.stack.sendStateless(built.req, dest);
  // Kept for 64×T1, as long as 2xx retransmissions may come (§13.3.1.4), in a
  // table one timer sweeps: no timer or closure per dialog.
  c.sentAcks.add(dialog.id, { raw: ownBytes(sent.raw), dest, seq: inviteSeq });
  return sent;
}

/** Parses a URI safely for comparisons; undefined when it is not a SIP URI. */
export function tryParseUri(text: string) {
  try {
    return parseUri(text);
  } catch {
    return undefined;
  }
}
