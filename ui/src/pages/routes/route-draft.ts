// The page's editable copy of a route and of the numbering plan (text as
// typed), to and from the api's shapes, and the api's field problems
// grouped under the field they belong to.
import type { FieldErrors } from '../../components/field-errors';
import type { NumberingConfig, OutboundRoute, RouteInput } from '../../data/dialplan';

export interface RouteDraft {
  /** Absent until the api has stored the route. */
  id?: string;
  name: string;
  enabled: boolean;
  /** One pattern per line. */
  patterns: string;
  strip: string;
  prepend: string;
  /** Trunk references in failover order: a trunk id in decimal, or a name written by hand. */
  trunks: string[];
}

export interface NumberingDraft {
  cityCode: string;
  /** Separated by commas or spaces. */
  localAreaCodes: string;
  extensionMinLength: string;
  extensionMaxLength: string;
  outsideLinePrefix: NumberingConfig['outsideLinePrefix'];
}

export const emptyRoute = (): RouteDraft => ({ name: '', enabled: true, patterns: '', strip: '0', prepend: '', trunks: [] });

export const routeDraftOf = (r: OutboundRoute): RouteDraft => ({ id: r.id, name: r.name, enabled: r.enabled, patterns: r.patterns.join('\n'), strip: String(r.strip), prepend: r.prepend, trunks: [...r.trunks] });

/** Numbers typed badly are sent as they are, so the api names the field. */
const num = (s: string): number | string => (/^\s*\d+\s*$/.test(s) ? Number(s) : s.trim());

export function routeInputOf(d: RouteDraft): RouteInput {
  const patterns = d.patterns.split('\n').map((p) => p.trim()).filter(Boolean);
  return { ...(d.id ? { id: d.id } : {}), name: d.name.trim(), enabled: d.enabled, patterns, strip: num(d.strip) as number, prepend: d.prepend.trim(), trunks: d.trunks };
}

export const numberingDraftOf = (n: NumberingConfig): NumberingDraft => ({
  cityCode: n.cityCode,
  localAreaCodes: n.localAreaCodes.join(', '),
  extensionMinLength: String(n.extensionMinLength),
  extensionMaxLength: String(n.extensionMaxLength),
  outsideLinePrefix: n.outsideLinePrefix,
});

export function numberingInputOf(d: NumberingDraft): NumberingConfig {
  return {
    cityCode: d.cityCode.trim(),
    localAreaCodes: d.localAreaCodes.split(/[\s,;]+/).filter(Boolean),
    extensionMinLength: num(d.extensionMinLength) as number,
    extensionMaxLength: num(d.extensionMaxLength) as number,
    outsideLinePrefix: d.outsideLinePrefix,
  };
}

export type RouteField = 'id' | 'name' | 'enabled' | 'patterns' | 'strip' | 'prepend' | 'trunks';

/**
 * The problems of route `i` per form field: `routes[1].patterns[0]` goes
 * under patterns as "line 1: …" (the caller words the line prefix).
 */
export function routeErrors(errors: FieldErrors, i: number, line: (n: number, message: string) => string): Partial<Record<RouteField, string>> {
  const out: Partial<Record<RouteField, string[]>> = {};
  const prefix = `routes[${i}].`;
  for (const [field, message] of Object.entries(errors)) {
    if (!field.startsWith(prefix)) continue;
    const m = /^(\w+)(?:\[(\d+)\])?/.exec(field.slice(prefix.length));
    if (!m) continue;
    const key = (m[1] === 'id' ? 'name' : m[1]) as RouteField;
    const text = m[2] !== undefined && key === 'patterns' ? line(Number(m[2]) + 1, message) : message;
    (out[key] ??= []).push(text);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.join('; ')]));
}

/** `numbering.localAreaCodes.1` → `localAreaCodes`. */
export function numberingErrors(errors: FieldErrors): Partial<Record<keyof NumberingDraft, string>> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors)) {
    const key = field.replace(/^numbering\./, '').split('.')[0]!;
    out[key] = out[key] ? `${out[key]}; ${message}` : message;
  }
  return out;
}
