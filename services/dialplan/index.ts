// The dial plan: numbering (how a dialled string becomes a number and its
// class), outbound permissions, outbound routes over trunks, and loading and
// saving a tenant's plan through the store. Its own module because two
// services use it: call-control routes calls with it, the api validates,
// saves and dry-runs it; neither reaches into the other.
export {
  numberingConfigSchema,
  normaliseDialString,
  isReservedExtension,
  NUMBER_CLASSES,
  EMERGENCY_NUMBERS,
  type NormalisedNumber,
  type NumberClass,
  type NumberingConfig,
} from './normalise';
export { OUTBOUND_PERMISSIONS, checkOutboundPermission, type OutboundPermission } from './permissions';
export {
  dialForms,
  outboundRouteSchema,
  OutboundRouter,
  type OutboundRoute,
  type OutboundRouteInput,
  type RouteDecision,
} from './outbound-router';
export { compilePattern, type CompiledPattern } from './pattern';
export { DialPlan, type DialDecision } from './dial-plan';
export { loadDialPlan, saveRoutes, saveNumbering, NUMBERING_SETTING, type DialPlanStores } from './dial-plan-store';
