// The `proxy` command (notes A.8). Not implemented yet: answered NOK so srf's
// proxyRequest() rejects with a clear reason instead of hanging.
import type { AppConnection } from '../drachtio/app-connection';
import type { Controller } from '../drachtio/controller';
import type { WireMessage } from '../drachtio/leader';
import { replyNok } from '../drachtio/sip-build';

export async function onAppProxy(_c: Controller, conn: AppConnection, msg: WireMessage): Promise<void> {
  replyNok(conn, msg.id, 'proxy is not supported by this server yet');
}
