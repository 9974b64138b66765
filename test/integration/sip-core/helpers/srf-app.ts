// An unmodified drachtio-srf app in the test process, connected to sip-core.
import { newSrf, type Loose } from '../../../sip-core/drachtio/loose-srf';
import type { SipCoreProcess } from './sip-core-process';

export interface SrfApp {
  srf: Loose;
  hostport: string;
  /** cdr:* records received, in order. */
  cdrs: Array<{ event: string; source: string; detail?: string; callId: string }>;
  close(): void;
}

export async function connectSrf(core: SipCoreProcess, opts: { cdr?: boolean; before?: (srf: Loose) => void } = {}): Promise<SrfApp> {
  const srf = newSrf();
  const cdrs: SrfApp['cdrs'] = [];
  if (opts.cdr) {
    srf.on('cdr:attempt', (source: string, _t: string, msg: Loose) => cdrs.push({ event: 'attempt', source, callId: msg.get('Call-ID') }));
    srf.on('cdr:start', (source: string, _t: string, role: string, msg: Loose) => cdrs.push({ event: 'start', source, detail: role, callId: msg.get('Call-ID') }));
    srf.on('cdr:stop', (source: string, _t: string, reason: string, msg: Loose) => cdrs.push({ event: 'stop', source, detail: reason, callId: msg.get('Call-ID') }));
  }
  opts.before?.(srf);
  srf.on('error', () => undefined);
  const hostport = await new Promise<string>((resolve, reject) => {
    srf.on('connect', (err: unknown, hp: string) => (err ? reject(err) : resolve(hp)));
    srf.connect({ host: '127.0.0.1', port: core.adminPort, secret: core.secret });
  });
  return {
    srf,
    hostport,
    cdrs,
    close: () => srf.disconnect(),
  };
}
