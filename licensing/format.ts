// Small formatting helpers shared by describeLicence, verify, the vendor tool
// and `korobka license status`. Apart from describe.ts, which reads a
// LicenceEvaluation, so that verify.ts and licence.ts can use them without an
// import cycle.
import type { FingerprintComponent } from './fingerprint';

/** 2027-12-31 from an ISO time (UTC). */
export function formatDay(iso: string): string {
  return iso.slice(0, 10);
}

/** "6 components (system-uuid, system-serial, nic-mac ×2, disk-serial, cpu), 3 must match" */
export function describeFingerprint(f: { k: number; components: readonly FingerprintComponent[] }): string {
  const counts = new Map<string, number>();
  for (const c of f.components) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  const kinds = [...counts].map(([kind, n]) => (n > 1 ? `${kind} ×${n}` : kind)).join(', ');
  return `${f.components.length} components (${kinds}), ${f.k} must match`;
}

/** Decimal gigabytes with one decimal for disks, binary for memory (as free(1) prints). */
export function formatDiskGB(bytes: number): string {
  return `${trim(bytes / 1e9)} GB`;
}

export function formatRamGB(bytes: number): string {
  return `${trim(bytes / 2 ** 30)} GB`;
}

function trim(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 10) / 10);
}
