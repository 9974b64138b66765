// From a dial string and the caller's permission to a decision:
// an internal extension, a feature code, or an outbound call with its route;
// or a refusal with the SIP status to answer (RFC 3261 §21.4).
import { checkOutboundPermission, type OutboundPermission } from './permissions';
import { normaliseDialString, numberingConfigSchema, type NormalisedNumber, type NumberingConfig } from './normalise';
import { OutboundRouter, type OutboundRouteInput, type RouteDecision } from './outbound-router';
import { validationFailed } from '../common/errors';

export type DialDecision =
  | ({ kind: 'internal' | 'feature' } & NormalisedNumber)
  | ({ kind: 'outbound'; route: RouteDecision } & NormalisedNumber)
  | { kind: 'refused'; code: string; message: string; sipStatus: 403 | 404 | 484; normalised?: NormalisedNumber };

export class DialPlan {
  readonly numbering: NumberingConfig;
  private readonly router: OutboundRouter;

  constructor(numbering: unknown, routes: readonly OutboundRouteInput[]) {
    const parsed = numberingConfigSchema.safeParse(numbering ?? {});
    if (!parsed.success) {
      throw validationFailed(parsed.error.issues.map((i) => ({ field: `numbering.${i.path.join('.')}`, message: i.message })));
    }
    this.numbering = parsed.data;
    this.router = new OutboundRouter(routes);
  }

  decide(dialled: string, permission: OutboundPermission): DialDecision {
    const n = normaliseDialString(dialled, this.numbering);
    if (!n.ok) return { kind: 'refused', code: n.code, message: n.message, sipStatus: n.sipStatus };
    const normalised: NormalisedNumber = { dialled: n.dialled, number: n.number, class: n.class };
    if (n.class === 'internal' || n.class === 'feature') return { kind: n.class, ...normalised };
    const verdict = checkOutboundPermission(permission, n.class);
    if (!verdict.allowed) return { kind: 'refused', code: verdict.code, message: verdict.message, sipStatus: 403, normalised };
    const route = this.router.route(normalised) ?? this.emergencyFallback(normalised);
    // RFC 3398 §7.2.4.1: Q.850 cause 3 "no route to destination" maps to 404.
    if (!route) return { kind: 'refused', code: 'no-outbound-route', message: `no outbound route matches ${n.number}`, sipStatus: 404, normalised };
    return { kind: 'outbound', ...normalised, route };
  }

  /** 126-FZ art. 51: emergency calls must get out; without a matching route, try every trunk we have. */
  private emergencyFallback(n: NormalisedNumber): RouteDecision | undefined {
    if (n.class !== 'emergency') return undefined;
    const trunks = this.router.allTrunks();
    return trunks.length > 0 ? { routeId: 'emergency-fallback', dialNumber: n.number, trunks } : undefined;
  }
}
