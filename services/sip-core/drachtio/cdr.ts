// CDR streams (notes A.5): `cdr:attempt|<source>|<time>`, `cdr:start|…|<role>`,
// `cdr:stop|…|<reason>`, each followed by the SIP message, sent to one app
// (round robin) among those that routed that cdr verb.
import type { AppRegistry } from './app-registry';
import { wireTime } from './leader';

export type CdrSource = 'network' | 'application';
export type CdrRole = 'uac' | 'uas' | 'proxy-uac' | 'proxy-uas';
export type CdrStopReason =
  | 'call-rejected'
  | 'call-canceled'
  | 'normal-release'
  | 'session-expired'
  | 'system-initiated-termination'
  | 'system-error-initiated-termination';

export class CdrEmitter {
  counters = { attempt: 0, start: 0, stop: 0 };

  constructor(private readonly registry: AppRegistry) {}

  attempt(source: CdrSource, raw: string): void {
    this.counters.attempt++;
    this.emit('cdr:attempt', [source, wireTime()], raw);
  }

  start(source: CdrSource, role: CdrRole, raw: string): void {
    this.counters.start++;
    this.emit('cdr:start', [source, wireTime(), role], raw);
  }

  stop(source: CdrSource, reason: CdrStopReason, raw: string): void {
    this.counters.stop++;
    this.emit('cdr:stop', [source, wireTime(), reason], raw);
  }

  private emit(verb: string, tokens: string[], raw: string): void {
    const conn = this.registry.pick(verb);
    conn?.send([verb, ...tokens], raw);
  }
}
