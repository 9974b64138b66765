// Small formatting helpers shared by describeLicence, the vendor tool and
// `korobka license status`.
import type { FingerprintComponent } from './fingerprint';
import type { LicenceEvaluation } from './verify';

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

/** `korobka license status` and the doctor: the evaluation as labelled lines. */
export function describeEvaluation(e: LicenceEvaluation): string {
  const rows: [string, string][] = [['State', e.reason === undefined ? e.state : `${e.state} (${e.reason})`]];
  if (e.licence !== undefined) rows.push(['Licence', `${e.licence.licenceId} for ${e.licence.customer}, profile ${e.licence.profile}`]);
  rows.push(['Limits', `${e.limits.concurrentCalls} concurrent calls, ${e.limits.extensions} extensions, ${e.limits.tenants} tenant(s)`]);
  if (e.licence !== undefined && e.state !== 'invalid') rows.push(['Expires', `${formatDay(e.licence.expires)} (${e.daysLeft} day(s))`]);
  if (e.fingerprint !== undefined) rows.push(['Machine', `${e.fingerprint.matched} of ${e.fingerprint.total} components match, ${e.fingerprint.required} required`]);
  if (e.maintenance !== undefined) rows.push(['Maintenance', `until ${formatDay(e.maintenance.until)}${e.maintenance.coversRelease ? '' : ', does not cover this version'}`]);
  return [...rows.map(([k, v]) => `${(k + ':').padEnd(14)}${v}`), e.message].join('\n');
}
