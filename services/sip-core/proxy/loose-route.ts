// After a record-routed proxy (remainInDialog), in-dialog requests arrive with
// a Route naming us: forward them (RFC 3261 §16.4 loose routing, §16.6), ACK
// statelessly, and pass 2xx retransmissions upstream by their next Via.
import type { SipRequest, SipResponse } from '../sip/message';
import type { ServerTransaction } from '../sip/types';
import type { Controller } from '../drachtio/controller';
import { tryParseUri } from '../dialog/dialog-requests';
import { resolveNextHop } from '../dialog/next-hop';
import { responseFor } from '../drachtio/sip-build';

function uriOf(route: string): string {
  return (/<([^>]+)>/.exec(route)?.[1] ?? route.split(';')[0] ?? '').trim();
}

/** The top Route names one of our listeners. */
export function routedToUs(c: Controller, req: SipRequest): boolean {
  const top = req.get('route');
  const uri = top ? tryParseUri(uriOf(top)) : undefined;
  return uri !== undefined && c.isOwnAddress(uri.host, uri.port ?? 5060);
}

/** Pops our Route and finds the next hop: the next Route, else the Request-URI (§16.4, §16.6 step 7). */
async function nextHop(c: Controller, req: SipRequest) {
  req.headers.removeFirst('route');
  const next = req.get('route');
  req.headers.set('Max-Forwards', String(Math.max(0, (req.maxForwards ?? 70) - 1)));
  return resolveNextHop(next ? uriOf(next) : req.uri, c.availableTransports());
}

export async function forwardInDialog(c: Controller, req: SipRequest, txn: ServerTransaction): Promise<void> {
  c.counters.proxiedInDialog++;
  if (req.method === 'BYE') c.cdr.stop('network', 'normal-release', c.serialize(req).toString('utf8'));
  const out = req.clone();
  let dest;
  try {
    dest = await nextHop(c, out);
  } catch {
    txn.respond(responseFor(req, 404, 'Not Found')).catch(() => undefined);
    return;
  }
  c.stack.sendRequest(out, dest, {
    onResponse: (res) => {
      if (res.status === 100) return;
      const up = res.clone();
      up.headers.removeFirst('via');
      txn.respond(up).catch((e: unknown) => c.log.debug('proxied response not sent', { err: e }));
    },
  });
}

export async function forwardAck(c: Controller, req: SipRequest): Promise<void> {
  c.counters.proxiedInDialog++;
  const out = req.clone();
  const dest = await nextHop(c, out);
  await c.stack.sendStateless(out, dest, { addVia: true });
}

/** A 2xx retransmission for a proxied INVITE: strip our Via and send it on (RFC 6026 §8.4). */
export function forwardStray(c: Controller, res: SipResponse): boolean {
  const vias = res.vias;
  const top = vias[0];
  if (vias.length < 2 || !top || !c.isOwnAddress(top.host, top.port ?? 5060)) return false;
  const out = res.clone();
  out.headers.removeFirst('via');
  const dest = c.opts.transports.responseDestination(out);
  c.stack.sendStateless(out, dest).catch((e: unknown) => c.log.debug('stray 2xx not forwarded', { err: e }));
  return true;
}
