// Is a call still up in rtpengine? Asked before a capture whose metadata is
// still in tmp/ is treated as an orphan (spool.ts): a call silent for over
// orphanIdleMs but still known to rtpengine is not converted under its feet.
// ng `query` (rtpengine's ng protocol): result "ok" = the call exists. An
// error reply or no reply at all (rtpengine dead: what makes orphans) = gone.
import rtpengine from 'rtpengine-client';
import type { Logger } from '../common/logger';

export interface CallLiveness {
  isCallLive(callId: string): Promise<boolean>;
  close(): void;
}

export async function rtpengineLiveness(opts: { host: string; port: number; timeoutMs?: number; log: Logger }): Promise<CallLiveness> {
  const client = new rtpengine.Client({ localPort: 0, ...(opts.host === '127.0.0.1' ? { localAddress: '127.0.0.1' } : {}), timeout: opts.timeoutMs ?? 2000 });
  await new Promise<void>((resolve, reject) => {
    client.once('listening', () => resolve());
    client.once('error', reject);
  });
  // Late replies after a timeout surface as 'error' events; they must not crash the process.
  client.on('error', (err: unknown) => opts.log.warn('rtpengine ng socket error', { err }));
  return {
    async isCallLive(callId) {
      try {
        const r = await client.query(opts.port, opts.host, { 'call-id': callId });
        return r.result === 'ok';
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}
