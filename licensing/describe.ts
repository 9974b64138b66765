// The licence evaluation as text for `korobka license status` and the
// doctor; the small formatters it uses are in format.ts.
import { formatDay } from './format';
import type { LicenceEvaluation } from './verify';

export { describeFingerprint, formatDay, formatDiskGB, formatRamGB } from './format';

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
