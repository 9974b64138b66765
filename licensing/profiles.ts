// Capacity profiles as data. A licence names one; the profile sizes the box:
// licensed limits, the hardware we suggest, the recording disk a year of
// retention takes, and the rtpengine port range and other limits derived
// from the number of concurrent calls.

export const FEATURES = ['recording', 'ivr', 'queues', 'fmc', 'api', 'multi-tenant', 'branding', 'transcoding'] as const;
export type Feature = (typeof FEATURES)[number];

export const PROFILE_NAMES = ['eval', 'S', 'M', 'L', 'XL'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
/** What a licence may name: a standard profile, or `custom` with its own limits. */
export type LicensedProfileName = Exclude<ProfileName, 'eval'> | 'custom';

export interface Limits {
  concurrentCalls: number;
  extensions: number;
  tenants: number;
  features: readonly Feature[];
}

export interface RecordingEstimate {
  /** Bytes per year of retention when every call is recorded (see RECORDING_ASSUMPTIONS). */
  g711Stereo: number;
  opusStereo: number;
}

export interface DerivedLimits {
  /** Size of rtpengine's UDP port range (portMax − portMin + 1). */
  rtpPorts: number;
  /** Registered contacts the registrar keeps (devices per extension). */
  maxRegistrations: number;
  /** Open-files limit (ulimit -n) for rtpengine and call-control. */
  openFiles: number;
  recordingBytesPerYear: RecordingEstimate;
}

export interface Profile {
  name: ProfileName | 'custom';
  limits: Limits;
  suggested: { cpuCores: number; ramGiB: number };
  derived: DerivedLimits;
}

/**
 * How recording disk is estimated. G.711 stored as 8-bit samples at 8 kHz is
 * 8 kB/s per channel; stereo (caller left, callee right) is 16 kB/s per call.
 * Opus at 16 kbit/s per channel (32 kbit/s stereo) is 4 kB/s per call. The
 * box records at most its licensed concurrent calls; we assume on average
 * half of them are busy through a business year of 2,000 hours (8 h × 250
 * days), which is a busy contact centre. Disk figures are decimal (10^9 B = GB)
 * as disks are sold.
 */
export const RECORDING_ASSUMPTIONS = {
  g711BytesPerSecondPerChannel: 8_000,
  opusBytesPerSecondPerChannel: 2_000,
  channels: 2,
  occupancy: 0.5,
  businessHoursPerYear: 2_000,
} as const;

/**
 * rtpengine takes one RTP/RTCP port pair for each side of a bridged leg pair:
 * 4 ports per call with one audio stream. We double that for headroom (ports
 * held during re-INVITEs and transfers, and by deleted calls during
 * rtpengine's delete delay) and never go below 200 ports.
 */
export const PORT_ASSUMPTIONS = {
  portsPerCall: 4,
  headroomFactor: 2,
  minimumPorts: 200,
  devicesPerExtension: 3,
  /** File descriptors beyond one per RTP port: SIP sockets, SQLite, logs, recordings. */
  baseOpenFiles: 4_096,
} as const;

export function recordingBytesPerYear(concurrentCalls: number): RecordingEstimate {
  const a = RECORDING_ASSUMPTIONS;
  const seconds = concurrentCalls * a.occupancy * a.businessHoursPerYear * 3600;
  return {
    g711Stereo: Math.round(seconds * a.g711BytesPerSecondPerChannel * a.channels),
    opusStereo: Math.round(seconds * a.opusBytesPerSecondPerChannel * a.channels),
  };
}

export function rtpPortsFor(concurrentCalls: number): number {
  const p = PORT_ASSUMPTIONS;
  const wanted = Math.max(p.minimumPorts, concurrentCalls * p.portsPerCall * p.headroomFactor);
  return wanted + (wanted % 2); // rtpengine allocates RTP on even ports, RTCP on the next odd one
}

export function deriveLimits(limits: Pick<Limits, 'concurrentCalls' | 'extensions'>, rtpPorts?: number): DerivedLimits {
  const ports = rtpPorts ?? rtpPortsFor(limits.concurrentCalls);
  return {
    rtpPorts: ports,
    maxRegistrations: limits.extensions * PORT_ASSUMPTIONS.devicesPerExtension,
    openFiles: PORT_ASSUMPTIONS.baseOpenFiles + ports,
    recordingBytesPerYear: recordingBytesPerYear(limits.concurrentCalls),
  };
}

const ALL_FEATURES: readonly Feature[] = FEATURES;
const SMALL_FEATURES: readonly Feature[] = ['recording', 'ivr', 'queues', 'fmc', 'api', 'branding', 'transcoding'];

function profile(
  name: ProfileName,
  concurrentCalls: number,
  extensions: number,
  tenants: number,
  cpuCores: number,
  ramGiB: number,
  features: readonly Feature[],
): Profile {
  const limits: Limits = { concurrentCalls, extensions, tenants, features };
  return { name, limits, suggested: { cpuCores, ramGiB }, derived: deriveLimits(limits) };
}

/** The standard profiles (ARCHITECTURE.md, "Capacity profiles and licences"). */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = Object.freeze({
  // No licence: enough to install, try every feature and run a pilot of a few phones.
  eval: profile('eval', 4, 10, 1, 1, 2, ALL_FEATURES),
  S: profile('S', 16, 100, 1, 2, 4, SMALL_FEATURES),
  M: profile('M', 64, 500, 5, 4, 8, ALL_FEATURES),
  L: profile('L', 256, 2_000, 20, 8, 16, ALL_FEATURES),
  XL: profile('XL', 1_024, 10_000, 100, 16, 32, ALL_FEATURES),
});

export const EVAL_LIMITS: Limits = PROFILES.eval.limits;

export function isProfileName(s: string): s is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(s);
}

export function isFeature(s: string): s is Feature {
  return (FEATURES as readonly string[]).includes(s);
}

/** The smallest standard profile whose limits cover these (for hardware suggestions of a custom licence). */
export function profileCovering(limits: Pick<Limits, 'concurrentCalls' | 'extensions'>): Profile {
  for (const name of ['S', 'M', 'L', 'XL'] as const) {
    const p = PROFILES[name];
    if (p.limits.concurrentCalls >= limits.concurrentCalls && p.limits.extensions >= limits.extensions) return p;
  }
  return PROFILES.XL;
}

export interface ProfileOverrides {
  concurrentCalls?: number;
  extensions?: number;
  tenants?: number;
  features?: readonly Feature[];
  cpuCores?: number;
  ramGiB?: number;
  rtpPorts?: number;
}

export interface ProfileProblem {
  field: string;
  message: string;
}

export type CustomProfileResult = { ok: true; profile: Profile } | { ok: false; problems: ProfileProblem[] };

function checkCount(field: string, value: number | undefined, max: number | undefined, problems: ProfileProblem[]): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1) problems.push({ field, message: `expected a whole number of at least 1, got ${value}` });
  else if (max !== undefined && value > max) problems.push({ field, message: `${value} exceeds the licensed ${max}` });
}

/**
 * A custom profile: an installation may lower limits, pick fewer features or
 * size ports and hardware its own way, but never exceed what the licence
 * allows. Every problem is reported at once.
 */
export function customProfile(licensed: Limits, overrides: ProfileOverrides): CustomProfileResult {
  const problems: ProfileProblem[] = [];
  checkCount('concurrentCalls', overrides.concurrentCalls, licensed.concurrentCalls, problems);
  checkCount('extensions', overrides.extensions, licensed.extensions, problems);
  checkCount('tenants', overrides.tenants, licensed.tenants, problems);
  checkCount('cpuCores', overrides.cpuCores, undefined, problems);
  if (overrides.ramGiB !== undefined && !(overrides.ramGiB > 0)) {
    problems.push({ field: 'ramGiB', message: `expected a positive number, got ${overrides.ramGiB}` });
  }
  for (const f of overrides.features ?? []) {
    if (!licensed.features.includes(f)) problems.push({ field: 'features', message: `${f} is not licensed` });
  }
  const concurrentCalls = overrides.concurrentCalls ?? licensed.concurrentCalls;
  const extensions = overrides.extensions ?? licensed.extensions;
  if (overrides.rtpPorts !== undefined) {
    const needed = concurrentCalls * PORT_ASSUMPTIONS.portsPerCall;
    if (!Number.isInteger(overrides.rtpPorts) || overrides.rtpPorts < needed) {
      problems.push({ field: 'rtpPorts', message: `expected at least ${needed} (4 per call for ${concurrentCalls} calls), got ${overrides.rtpPorts}` });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const base = profileCovering({ concurrentCalls, extensions });
  const limits: Limits = {
    concurrentCalls,
    extensions,
    tenants: overrides.tenants ?? licensed.tenants,
    features: overrides.features ?? licensed.features,
  };
  return {
    ok: true,
    profile: {
      name: 'custom',
      limits,
      suggested: { cpuCores: overrides.cpuCores ?? base.suggested.cpuCores, ramGiB: overrides.ramGiB ?? base.suggested.ramGiB },
      derived: deriveLimits(limits, overrides.rtpPorts),
    },
  };
}
