// Entry points of licensing/ for the appliance (`korobka license …`,
// `korobka doctor`), the API and call-control. Everything here is pure
// except collectFingerprint and collectMachineSize, which read the hardware.
export { evaluateLicence, profileOfLicence, EXPIRY_WARNING_DAYS, GRACE_DAYS, RESTORE_GRACE_DAYS, INVALID_REASONS } from './verify';
export type { ClockReport, LicenceEvaluation, LicenceState, InvalidReason, EvaluateLicenceInput, RestoreMark } from './verify';
export { admitCall, canCreateExtension, reasonHeader, CallLedger } from './admission';
export type { AdmissionDecision, ExtensionDecision, SipRefusal } from './admission';
export { buildActivationRequest, formatActivationRequest, parseActivationRequest } from './request';
export type { ActivationRequest } from './request';
export { describeLicence, parseLicenceFile } from './licence';
export { describeEvaluation } from './describe';
export { advanceMark, trustedNow, type Boot, type HighWaterMark } from './clock';
export type { Licence } from './licence-schema';
export { PROFILES, EVAL_LIMITS, FEATURES, customProfile, recordingBytesPerYear, rtpPortsFor, RECORDING_ASSUMPTIONS, PORT_ASSUMPTIONS } from './profiles';
export type { Profile, ProfileName, Limits, Feature, ProfileOverrides } from './profiles';
export { matchFingerprint, fingerprintFromFacts } from './fingerprint';
export type { FingerprintComponent, MachineFacts, FingerprintMatch } from './fingerprint';
export { collectFingerprint, collectMachineFacts } from './collect-fingerprint';
export { collectMachineSize } from './collect-machine-size';
export { checkSizing } from './sizing';
export type { MachineSize, SizingVerdict, SizingOptions } from './sizing';
export { VENDOR_KEYS } from './vendor-keys';
export type { VendorPublicKey } from './keys';
export { currentLicence, evaluateLicenceText, judgeTime, licenceSummary } from './current-licence';
export type { HighWaterPort, JudgeOptions, LicencePort, LicenceSources, LicenceSummary } from './current-licence';
