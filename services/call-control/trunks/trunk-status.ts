// Every trunk's signalling state in one place: a registration for each
// enabled `register` trunk, an OPTIONS keepalive for each trunk with an
// interval, kept in step with the trunks table (sync() runs every few
// seconds), summarised for call-control's health, and turned into alarms:
// `trunk-registration-failed` and `trunk-unreachable`, one per tenant (the
// alarms table holds one active alarm per code and tenant) naming every
// trunk concerned, cleared when the last one recovers.
import type { Logger } from '../../common/logger';
import { OptionsKeepalive, type Reachability } from './options-keepalive';
import { TrunkRegistration, type RegistrationOptions, type RegistrationState } from './trunk-registration';
import type { Clock, SendRequest } from './trunk-registration-transport';

export const ALARM_TRUNK_REGISTRATION = 'trunk-registration-failed';
export const ALARM_TRUNK_UNREACHABLE = 'trunk-unreachable';
const ALARM_SOURCE = 'call-control';

/** A trunk as signalling needs it; what `trunk-directory` will hand over once it lands. */
export interface SignallingTrunk {
  id: number;
  tenantId: number;
  name: string;
  kind: 'register' | 'ip';
  host: string | null;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  username: string | null;
  /** Opens the sealed password; throws when it cannot be opened. */
  password: () => string | null;
  /** Changes whenever the stored trunk changes, its sealed password included. */
  version: string;
  registerExpiry: number;
  optionsInterval: number;
  enabled: boolean;
}

/** Per trunk, as health, the api and the UI show it. */
export interface TrunkStatus {
  id: number;
  tenantId: number;
  name: string;
  /** null: the trunk does not register (IP trunk, or disabled). */
  registration: RegistrationState | null;
  /** null: no OPTIONS keepalive (interval 0, or disabled). */
  reachability: Reachability | null;
  lastError: string | null;
  /** ISO time of the last change of either state. */
  changedAt: string;
  registeredUntil: string | null;
  /** false when calls should skip it: unreachable, or its registration failed. */
  usable: boolean;
}

export interface AlarmSink {
  raise(a: { code: string; severity: 'warning' | 'critical'; tenantId: number; source: string; message: string; details: Record<string, unknown> }): void;
  clear(code: string, tenantId: number): void;
  /** Tenants with an active alarm of this code (left by an earlier process, too). */
  activeTenants(code: string): number[];
}

export interface TrunkSignallingDeps {
  load: () => SignallingTrunk[];
  send: SendRequest;
  /** sip-core's `host:port` for a transport; undefined while not connected. */
  contactHost: (transport: 'udp' | 'tcp' | 'tls') => string | undefined;
  alarms: AlarmSink;
  clock: Clock;
  log: Logger;
  registration?: RegistrationOptions;
  /** OPTIONS misses in a row before a trunk is down. */
  missesToDown?: number;
}

interface Entry {
  trunk: SignallingTrunk;
  registration?: TrunkRegistration;
  keepalive?: OptionsKeepalive;
  /** A problem found before any SIP was sent (the password does not open). */
  setupError?: string;
  lastError: string | null;
  changedAt: number;
}

export class TrunkSignalling {
  private readonly entries = new Map<number, Entry>();
  /** What each alarm says now, per code and tenant, so unchanged ones are not rewritten. */
  private readonly raised = new Map<string, string>();
  private alarmsPrimed = false;

  constructor(private readonly deps: TrunkSignallingDeps) {}

  /** Brings the running registrations and keepalives in line with the trunks table. */
  async sync(): Promise<void> {
    const wanted = new Map(this.deps.load().map((t) => [t.id, t]));
    const stops: Promise<void>[] = [];
    for (const [id, e] of this.entries) {
      const t = wanted.get(id);
      if (t && t.version === e.trunk.version) continue;
      this.entries.delete(id);
      stops.push(this.retire(e));
    }
    await Promise.all(stops);
    for (const t of wanted.values()) if (!this.entries.has(t.id)) this.begin(t);
    this.refreshAlarms();
  }

  snapshot(): TrunkStatus[] {
    return [...this.entries.values()].sort((a, b) => a.trunk.id - b.trunk.id).map((e) => this.statusOf(e));
  }

  /** For call routing: false when the trunk is down or its registration failed; unknown trunks are not judged. */
  isUsable(trunkId: number): boolean {
    const e = this.entries.get(trunkId);
    return e === undefined || this.statusOf(e).usable;
  }

  /** Stops everything; registered trunks are un-registered (call-control stopping cleanly). */
  async stop(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => this.retire(e)));
  }

  private begin(t: SignallingTrunk): void {
    const e: Entry = { trunk: t, lastError: null, changedAt: this.deps.clock.now() };
    this.entries.set(t.id, e);
    if (!t.enabled) return;
    const changed = (error: string | null) => {
      e.changedAt = this.deps.clock.now();
      if (error !== null) e.lastError = error;
      this.refreshAlarms();
    };
    if (t.kind === 'register') this.beginRegistration(e, changed);
    if (t.optionsInterval > 0 && t.host) {
      e.keepalive = new OptionsKeepalive(
        { id: t.id, host: t.host, port: t.port, transport: t.transport, intervalSeconds: t.optionsInterval },
        { send: this.deps.send, clock: this.deps.clock, log: this.deps.log, onChange: (s) => changed(s.lastError), ...(this.deps.missesToDown ? { missesToDown: this.deps.missesToDown } : {}) },
      );
      e.keepalive.start();
    }
  }

  private beginRegistration(e: Entry, changed: (error: string | null) => void): void {
    const t = e.trunk;
    let password: string | null = null;
    try {
      password = t.password();
    } catch (err) {
      this.deps.log.error('trunk password does not open', { trunkId: t.id, err: err instanceof Error ? err.message : String(err) });
    }
    if (!t.host || !t.username || !password) {
      e.setupError = password === null ? 'the stored password does not open' : 'host or username missing';
      e.lastError = e.setupError;
      return;
    }
    e.registration = new TrunkRegistration(
      { id: t.id, tenantId: t.tenantId, name: t.name, host: t.host, port: t.port, transport: t.transport, username: t.username, password, expiry: t.registerExpiry },
      { send: this.deps.send, contactHost: () => this.deps.contactHost(t.transport), clock: this.deps.clock, log: this.deps.log, onChange: (s) => changed(s.lastError) },
      this.deps.registration,
    );
    e.registration.start();
  }

  private async retire(e: Entry): Promise<void> {
    e.keepalive?.stop();
    await e.registration?.stop(true).catch((err: unknown) => this.deps.log.error('trunk un-register failed', { trunkId: e.trunk.id, err }));
  }

  private statusOf(e: Entry): TrunkStatus {
    const reg = e.registration?.status;
    const registration: RegistrationState | null = e.setupError ? 'failed' : (reg?.state ?? null);
    const reachability = e.keepalive?.status.state ?? null;
    return {
      id: e.trunk.id,
      tenantId: e.trunk.tenantId,
      name: e.trunk.name,
      registration,
      reachability,
      lastError: e.lastError,
      changedAt: new Date(e.changedAt).toISOString(),
      registeredUntil: reg?.expiresAt ? new Date(reg.expiresAt).toISOString() : null,
      usable: e.trunk.enabled && registration !== 'failed' && reachability !== 'down',
    };
  }

  /** One alarm per code and tenant, naming every trunk in trouble; cleared when none is. */
  private refreshAlarms(): void {
    const failing = new Map<string, { tenantId: number; code: string; trunks: { id: number; name: string; error: string | null }[] }>();
    const add = (code: string, e: Entry) => {
      const key = `${code}|${e.trunk.tenantId}`;
      const f = failing.get(key) ?? { tenantId: e.trunk.tenantId, code, trunks: [] };
      f.trunks.push({ id: e.trunk.id, name: e.trunk.name, error: e.lastError });
      failing.set(key, f);
    };
    for (const e of this.entries.values()) {
      const s = this.statusOf(e);
      if (s.registration === 'failed') add(ALARM_TRUNK_REGISTRATION, e);
      if (s.reachability === 'down') add(ALARM_TRUNK_UNREACHABLE, e);
    }
    try {
      this.primeAlarms();
      for (const [key, f] of failing) {
        const what = f.code === ALARM_TRUNK_REGISTRATION ? 'trunk registration failed' : 'trunk unreachable (no answer to OPTIONS)';
        const message = `${what}: ${f.trunks.map((t) => `${t.name}${t.error ? ` (${t.error})` : ''}`).join(', ')}`;
        if (this.raised.get(key) === message) continue;
        this.deps.alarms.raise({ code: f.code, severity: 'critical', tenantId: f.tenantId, source: ALARM_SOURCE, message, details: { trunks: f.trunks } });
        this.raised.set(key, message);
      }
      for (const key of [...this.raised.keys()]) {
        if (failing.has(key)) continue;
        const [code, tenant] = key.split('|') as [string, string];
        this.deps.alarms.clear(code, Number(tenant));
        this.raised.delete(key);
      }
    } catch (err) {
      // Alarms are for the admin; a failed write must never stop signalling.
      this.deps.log.error('trunk alarms could not be written', { err });
    }
  }

  /** Alarms an earlier process left active are ours to clear if their trunks are fine now. */
  private primeAlarms(): void {
    if (this.alarmsPrimed) return;
    for (const code of [ALARM_TRUNK_REGISTRATION, ALARM_TRUNK_UNREACHABLE]) {
      for (const tenantId of this.deps.alarms.activeTenants(code)) this.raised.set(`${code}|${tenantId}`, '');
    }
    this.alarmsPrimed = true;
  }
}
