// The `proxy` command (notes A.8): the app hands a pending incoming request
// to the server, which proxies it statefully to one or more targets.
import type { AppConnection } from '../drachtio/app-connection';
import type { Controller } from '../drachtio/controller';
import type { WireMessage } from '../drachtio/leader';
import { parseAppMessage } from '../drachtio/app-message';
import { replyNok } from '../drachtio/sip-build';
import { parseProxyTokens, ProxyOptionsError } from './proxy-options';
import { ProxySession } from './proxy-session';

export async function onAppProxy(c: Controller, conn: AppConnection, msg: WireMessage): Promise<void> {
  let opts;
  try {
    opts = parseProxyTokens(msg.tokens);
  } catch (e) {
    if (e instanceof ProxyOptionsError) return replyNok(conn, msg.id, e.message);
    throw e;
  }
  const entry = c.inbound.get(opts.txnId);
  if (!entry || entry.conn !== conn || entry.finalSent || entry.proxied) {
    return replyNok(conn, msg.id, `unknown transaction id: ${opts.txnId}`);
  }
  // Only the headers of the skeleton matter: they are added to every branch.
  const extra = msg.sip ? parseAppMessage(msg.sip).headers.entries() : [];
  entry.proxied = true;
  const session = new ProxySession(c, entry, opts, extra, conn, msg.id);
  await session.start();
}
