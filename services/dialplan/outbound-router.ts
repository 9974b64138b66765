// Outbound routes: an ordered list, first match wins (as in FreePBX's
// outbound routes; Asterisk's "most specific pattern" rule surprises admins
// when two routes overlap). Patterns see the number in two spellings: the
// normalised E.164 (`+74951234567`, `+442079460958`) and the Russian dialling
// form admins write Asterisk patterns for (`84951234567`, `810442079460958`),
// whatever the user actually keyed. The route rewrites the spelling that
// matched (strip N leading characters, then prepend) and lists trunks in
// failover order.
import { z } from 'zod';
import { validationFailed, type FieldProblem } from '../common/errors';
import { compilePattern, type CompiledPattern } from './pattern';
import type { NormalisedNumber } from './normalise';

export const outboundRouteSchema = z.object({
  id: z.string().min(1, 'must not be empty').max(64),
  name: z.string().max(200).default(''),
  enabled: z.boolean().default(true),
  /** Asterisk-style patterns on the normalised number, e.g. `_+7495XXXXXXX`. */
  patterns: z.array(z.string()).min(1, 'expected at least one pattern').max(100),
  /** Characters removed from the front of the normalised number (`+7` → 2). */
  strip: z.number().int().min(0).max(15).default(0),
  /** Added after stripping, e.g. `8` for a trunk that wants national format. */
  prepend: z.string().regex(/^[0-9+*#]{0,15}$/, 'must be up to 15 digits, + * #').default(''),
  /** Trunk ids in failover order. */
  trunks: z.array(z.string().min(1).max(64)).min(1, 'expected at least one trunk').max(16),
});
export type OutboundRoute = z.infer<typeof outboundRouteSchema>;
export type OutboundRouteInput = z.input<typeof outboundRouteSchema>;

export interface RouteDecision {
  routeId: string;
  /** The number as the trunks are to receive it. */
  dialNumber: string;
  trunks: string[];
}

interface CompiledRoute {
  route: OutboundRoute;
  patterns: CompiledPattern[];
}

export class OutboundRouter {
  private readonly routes: CompiledRoute[];

  /** Validates every route and reports all problems at once (`routes[1].patterns[0]: …`). */
  constructor(input: readonly OutboundRouteInput[]) {
    const problems: FieldProblem[] = [];
    const compiled: CompiledRoute[] = [];
    const ids = new Set<string>();
    input.forEach((raw, i) => {
      const parsed = outboundRouteSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push({ field: `routes[${i}].${issue.path.join('.')}`, message: issue.message });
      } else {
        if (ids.has(parsed.data.id)) problems.push({ field: `routes[${i}].id`, message: `duplicate id ${parsed.data.id}` });
        ids.add(parsed.data.id);
      }
      // Patterns are checked even when other fields are wrong, so the admin sees everything at once.
      const rawPatterns: unknown = (raw as { patterns?: unknown } | null)?.patterns;
      const patterns: CompiledPattern[] = [];
      (Array.isArray(rawPatterns) ? rawPatterns : []).forEach((p: unknown, j) => {
        if (typeof p !== 'string') return; // the schema already named it
        try {
          patterns.push(compilePattern(p));
        } catch (e) {
          problems.push({ field: `routes[${i}].patterns[${j}]`, message: e instanceof Error ? e.message : String(e) });
        }
      });
      if (parsed.success) compiled.push({ route: parsed.data, patterns });
    });
    if (problems.length > 0) throw validationFailed(problems);
    this.routes = compiled;
  }

  /**
   * Every trunk of the enabled routes, in route order, once each: where an
   * emergency call goes when no route names it (an admin's omission must
   * not leave 112 unreachable).
   */
  allTrunks(): string[] {
    return [...new Set(this.routes.filter((r) => r.route.enabled).flatMap((r) => r.route.trunks))];
  }

  /** The first enabled route whose pattern matches; undefined when none does. */
  route(n: Pick<NormalisedNumber, 'number'>): RouteDecision | undefined {
    const forms = dialForms(n.number);
    for (const { route, patterns } of this.routes) {
      if (!route.enabled) continue;
      const subject = forms.find((f) => patterns.some((p) => p.regex.test(f)));
      // A strip that would eat the whole number means the pattern was too loose: try the next route.
      if (subject === undefined || route.strip >= subject.length) continue;
      return { routeId: route.id, dialNumber: route.prepend + subject.slice(route.strip), trunks: [...route.trunks] };
    }
    return undefined;
  }
}

/** The normalised number, then its Russian dialling form (8 + NSN, or 810 + international digits). */
export function dialForms(number: string): string[] {
  if (!number.startsWith('+')) return [number];
  return [number, number.startsWith('+7') ? '8' + number.slice(2) : '810' + number.slice(1)];
}
