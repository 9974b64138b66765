// The api's FMC messages (services/fmc, sim-rules, import-sims) in the UI's
// language; anything not known here goes through the shared table.
import { serverText, type FieldErrors } from '../../components/field-errors';
import { isApiError } from '../../data/api';
import { t, type MessageKey } from '../../i18n';

const patterns: Array<[RegExp, MessageKey, string[]]> = [
  [/^bad check digit: the last digit should be (\d)$/, 'fmc.srv.checkDigit', ['d']],
  [/^must be a Russian mobile number/, 'fmc.srv.notMobile', []],
  [/^must be 19 or 20 digits/, 'fmc.srv.iccidLength', []],
  [/^another SIM sits in port (\d+)$/, 'fmc.srv.portTaken', ['n']],
  [/^extension (\S+) already has a SIM \((.+)\)$/, 'fmc.srv.extensionHasSim', ['n', 'msisdn']],
  [/^no extension (\S+) in this organisation$/, 'fmc.srv.noExtension', ['n']],
  [/^no gateway named "(.*)"$/, 'fmc.srv.noGateway', ['n']],
  [/^this (?:ICCID|number|extension|port) is also on line (\d+) of the file$/, 'fmc.srv.alsoOnLine', ['n']],
  [/, Yota, MCN or other$/, 'fmc.srv.operator', []],
  [/^must be yes\/no/, 'fmc.srv.yesNo', []],
  [/^must be 1–(\d+)$/, 'fmc.srv.portRange', ['n']],
  [/^must be 1–(\d+) for (\S+)$/, 'fmc.srv.portCount', ['max', 'tpl']],
  [/^required: the (?:operator's|gateway's) SIP address$/, 'fmc.srv.hostRequired', []],
  [/^a SIM with this (?:ICCID|number) is already listed$/, 'fmc.srv.exists', []],
];

export function fmcText(message: string): string {
  for (const [re, key, names] of patterns) {
    const m = re.exec(message);
    if (m) return t(key, Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? ''])));
  }
  return serverText(message);
}

export function fmcFieldErrors(e: unknown): FieldErrors {
  if (!isApiError(e)) return {};
  return Object.fromEntries(Object.entries(e.fields).map(([f, m]) => [f, fmcText(m)]));
}

/** A field's name in the UI's language, for the import's row errors. */
export function fmcFieldName(field: string): string {
  const key = `fmc.field.${field}` as MessageKey;
  const s = t(key);
  return s === key ? field : s;
}
