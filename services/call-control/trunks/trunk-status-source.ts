// Trunks as signalling reads them from the shared trunk directory (enabled
// trunks, passwords already opened), and the alarms table as signalling
// raises and clears its alarms.
import { createHash } from 'node:crypto';
import type { Store } from '../../store';
import type { DirectoryTrunk } from './trunk-directory';
import type { AlarmSink, SignallingTrunk } from './trunk-status';

export function signallingTrunks(list: () => readonly DirectoryTrunk[]): () => SignallingTrunk[] {
  return () =>
    list().map((t) => ({
      id: t.id,
      tenantId: t.tenantId,
      name: t.name,
      kind: t.kind,
      host: t.host,
      port: t.port,
      transport: t.transport,
      username: t.username,
      password: () => {
        if (t.passwordError) throw new Error(t.passwordError);
        return t.password ?? null;
      },
      version: signallingVersion(t),
      registerExpiry: t.registerExpiry,
      optionsInterval: t.optionsInterval,
      enabled: true, // the directory holds enabled trunks only; a disabled one leaves it and is un-registered
    }));
}

/**
 * Changes only with what signalling uses: an edit of the channel limit or
 * caller ID must not un-register and re-register the trunk. The password
 * enters as a hash, kept in memory only.
 */
export function signallingVersion(t: DirectoryTrunk): string {
  const pw = t.password === undefined ? '' : createHash('sha256').update(t.password).digest('hex');
  return JSON.stringify([t.kind, t.host, t.port, t.transport, t.username, t.registerExpiry, t.optionsInterval, pw, t.passwordError ?? '']);
}

export function storeAlarms(store: Store): AlarmSink {
  return {
    raise: (a) => void store.alarms.raise(a),
    clear: (code, tenantId) => void store.alarms.clear(code, tenantId),
    activeTenants: (code) =>
      store.alarms
        .list({ active: true, limit: 500 })
        .rows.filter((a) => a.code === code && a.tenantId !== null)
        .map((a) => a.tenantId as number),
  };
}
