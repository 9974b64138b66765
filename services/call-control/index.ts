// What other services (api, provisioning, appliance) use of call-control.
// The api computes HA1 with computeHa1Set when an admin sets a SIP password,
// lists and lifts bans. (The dial plan is services/dialplan, shared by both.)
export { computeHa1Set, computeHa1, DIGEST_ALGORITHMS, type DigestAlgorithm, type Ha1Set } from './auth/digest';
export { BanList, BAN_LIST_DEFAULTS, normaliseIp, type BanEntry, type BanListOptions, type BanStore } from './registrar/ban-list';
export type { Binding } from './registrar/location-service';
export { effectiveChannelLimit } from './trunks/trunk-channels';
export { DISPOSITIONS, DIRECTIONS, HANGUP_SIDES, CDR_STATUSES, type CdrRecord, type Disposition, type Direction } from './cdr/cdr-record';
export { createRegistrar, type RegistrarService, type RegistrarStores } from './registrar/registrar-service';
export { DtmfListener, parseDtmfReport, type DtmfDigit } from './media/dtmf-listener';
export { RtpengineMedia } from './media/rtpengine-media';
export { createNgClient, type NgClient } from './media/ng-client';
export { authenticateRequest, type Caller, type RequestAuthDeps } from './auth/request-auth';
export { callIdSchema, controlSocketPath, recordingActionSchema, type CallAnswer, type CallsAnswer, type LiveCallView } from './control/protocol';
