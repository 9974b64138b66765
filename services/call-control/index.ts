// What other services (api, provisioning, appliance) use of call-control.
// The api computes HA1 with computeHa1Set when an admin sets a SIP password,
// validates dial-plan settings with the schemas, lists and lifts bans.
export { computeHa1Set, computeHa1, DIGEST_ALGORITHMS, type DigestAlgorithm, type Ha1Set } from './auth/digest';
export { BanList, BAN_LIST_DEFAULTS, normaliseIp, type BanEntry, type BanListOptions, type BanStore } from './registrar/ban-list';
export type { Binding } from './registrar/location-service';
export { numberingConfigSchema, normaliseDialString, isReservedExtension, NUMBER_CLASSES, EMERGENCY_NUMBERS, type NumberClass, type NumberingConfig } from './dialplan/normalise';
export { OUTBOUND_PERMISSIONS, checkOutboundPermission, type OutboundPermission } from './dialplan/permissions';
export { outboundRouteSchema, OutboundRouter, type OutboundRoute, type OutboundRouteInput } from './dialplan/outbound-router';
export { compilePattern } from './dialplan/pattern';
export { DialPlan, type DialDecision } from './dialplan/dial-plan';
export { DISPOSITIONS, DIRECTIONS, HANGUP_SIDES, CDR_STATUSES, type CdrRecord, type Disposition, type Direction } from './cdr/cdr-record';
export { loadDialPlan, saveRoutes, saveNumbering, NUMBERING_SETTING, type DialPlanStores } from './dialplan/dial-plan-store';
export { createRegistrar, type RegistrarService, type RegistrarStores } from './registrar/registrar-service';
export { DtmfListener, parseDtmfReport, type DtmfDigit } from './media/dtmf-listener';
export { RtpengineMedia } from './media/rtpengine-media';
export { createNgClient, type NgClient } from './media/ng-client';
export { authenticateRequest, type Caller, type RequestAuthDeps } from './auth/request-auth';
