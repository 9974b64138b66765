// What a gateway config means at call time: which port a call from the
// gateway came through, and what to send to reach a number through a port.
// Pure, so call-control and the api's dry views share one reading.
import { normaliseNumber } from './numbers';
import type { GatewayConfig, GatewayPort } from './templates';

/** How an INVITE from a gateway identifies itself. */
export interface InboundHint {
  /** line mode: the authenticated/registered user, or the From user the port registered as. */
  username?: string | null;
  /** trunk mode: the Request-URI user (the per-port forward number). */
  requestUser?: string | null;
}

/** The port a call from the gateway came through; null when it names none of this gateway's enabled ports. */
export function inboundPort(c: GatewayConfig, hint: InboundHint): GatewayPort | null {
  if (c.mode === 'line' && hint.username) return c.ports.find((p) => p.enabled && p.username?.toLowerCase() === hint.username!.toLowerCase()) ?? null;
  if (c.mode === 'trunk' && hint.requestUser) return c.ports.find((p) => p.enabled && p.did === hint.requestUser) ?? null;
  return null;
}

/** The number as the gateway should dial it on the GSM network. */
export function dialString(c: GatewayConfig, e164: string): string {
  if (c.dialFormat === 'national8' && e164.startsWith('+7') && e164.length === 12) return `8${e164.slice(2)}`;
  return e164;
}

/**
 * The Request-URI user to send for a call out through `port`: in trunk mode
 * the port's routing prefix before the number (the gateway strips it and
 * dials the rest); in line mode the number alone (it goes to the port's own
 * registered contact). Null for a number the gateway cannot dial.
 */
export function outboundUser(c: GatewayConfig, port: GatewayPort | null, number: string): string | null {
  const n = normaliseNumber(number, { cityCode: c.cityCode });
  if (!n.ok) return null;
  const dial = dialString(c, n.e164);
  if (c.mode === 'trunk') return port?.prefix ? `${port.prefix}${dial}` : null;
  return dial;
}

/** Free ports in the order to try: enabled, not busy, not failed; the least used first (as GoIP's "idle channel used the least"). */
export function portOrder<P extends { port: number; enabled: boolean }>(ports: readonly P[], state: (port: number) => { busy: boolean; up: boolean; callsToday: number }): P[] {
  return ports
    .filter((p) => p.enabled)
    .map((p) => ({ p, s: state(p.port) }))
    .filter(({ s }) => s.up && !s.busy)
    .sort((a, b) => a.s.callsToday - b.s.callsToday || a.p.port - b.p.port)
    .map(({ p }) => p);
}
