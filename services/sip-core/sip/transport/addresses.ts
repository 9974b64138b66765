// Address helpers for the transports: families, IPv4-mapped IPv6, and what
// to advertise for a listener bound to a wildcard address.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';

export function familyOf(address: string): 4 | 6 {
  return net.isIPv6(address) ? 6 : 4;
}

/** `::ffff:192.0.2.1` → `192.0.2.1`: a dual-stack socket reports IPv4 peers this way. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** This box's own processes (call-control, sipp in tests): trusted by the per-source limits. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

const wildcard = new Set(['0.0.0.0', '::', '']);

/**
 * Host for Via/Contact: the configured public address, else the bound one,
 * else (wildcard bind) the first non-internal interface of the family, else loopback.
 */
export function advertisedHostFor(host: string, family: 4 | 6, publicAddress?: string): string {
  if (publicAddress) return publicAddress;
  if (!wildcard.has(host)) return host;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal || a.family !== (family === 6 ? 'IPv6' : 'IPv4')) continue;
      if (family === 6 && a.address.startsWith('fe80')) continue;
      return a.address;
    }
  }
  return family === 6 ? '::1' : '127.0.0.1';
}

/** Random token for tags and branches: 16 hex digits. */
export function randomToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}
