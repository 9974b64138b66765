// Whether a call is recorded: call-control asks `decideRecording` when a call
// is answered, with the tenant's policy (from the store) and the call's
// extensions, trunk and direction. Pure: policy and call in, decision out.
//
// Levels: tenant-wide, per trunk, per extension. An `always` at any level that
// applies wins (a regulator's "record every call on this trunk" or "record
// this dealer" cannot be switched off by a narrower rule); otherwise the most
// specific level that says anything decides (extension, then trunk, then
// tenant); with no rule at all the call is not recorded.
//
// Whether the box has room to record is a separate question (canRecord in the
// recordings service): a full disk skips the recording, never the call.
import { z } from 'zod';

export const recordingModes = ['always', 'never', 'on-demand'] as const;
export type RecordingMode = (typeof recordingModes)[number];
export type CallDirection = 'internal' | 'inbound' | 'outbound';

export const tenantRecordingPolicySchema = z.object({
  tenant: z.enum(recordingModes).optional(),
  extensions: z.record(z.string().regex(/^[0-9]{2,6}$/, 'must be 2–6 digits'), z.enum(recordingModes)).default({}),
  trunks: z.record(z.string().min(1).max(64), z.enum(recordingModes)).default({}),
});
export type TenantRecordingPolicy = z.infer<typeof tenantRecordingPolicySchema>;

export interface RecordingCall {
  tenant: TenantRecordingPolicy;
  /** The tenant's extensions on the call: one for inbound/outbound, both parties of an internal call. */
  extension?: string | readonly string[];
  /** The trunk of an inbound or outbound call. */
  trunk?: string;
  direction: CallDirection;
}

export interface RecordingDecision {
  mode: RecordingMode;
  /** Start recording at answer (`always`); `on-demand` waits for an agent's "record", `never` refuses it. */
  recordAtAnswer: boolean;
  /** May an agent start recording during the call. */
  mayStartOnDemand: boolean;
  /** Which rule decided: `extension:204`, `trunk:mts`, `tenant`, or `default`. */
  source: string;
}

const decision = (mode: RecordingMode, source: string): RecordingDecision => ({
  mode,
  recordAtAnswer: mode === 'always',
  mayStartOnDemand: mode !== 'never',
  source,
});

export function decideRecording(call: RecordingCall): RecordingDecision {
  const exts = call.extension === undefined ? [] : typeof call.extension === 'string' ? [call.extension] : [...call.extension];
  // An internal call never crosses a trunk, whatever the caller passed.
  const trunk = call.direction === 'internal' ? undefined : call.trunk;
  const levels: Array<{ mode: RecordingMode | undefined; source: string }> = [
    ...exts.map((e) => ({ mode: call.tenant.extensions[e], source: `extension:${e}` })),
    { mode: trunk === undefined ? undefined : call.tenant.trunks[trunk], source: `trunk:${trunk ?? ''}` },
    { mode: call.tenant.tenant, source: 'tenant' },
  ];
  const always = levels.find((l) => l.mode === 'always');
  if (always) return decision('always', always.source);
  const first = levels.find((l) => l.mode !== undefined);
  return first?.mode ? decision(first.mode, first.source) : decision('never', 'default');
}

/** The store's rows (recording_policies) → the policy object. */
export function policyFromRows(rows: ReadonlyArray<{ scope: 'tenant' | 'extension' | 'trunk'; target: string; mode: RecordingMode }>): TenantRecordingPolicy {
  const p: TenantRecordingPolicy = { extensions: {}, trunks: {} };
  for (const r of rows) {
    if (r.scope === 'tenant') p.tenant = r.mode;
    else if (r.scope === 'extension') p.extensions[r.target] = r.mode;
    else p.trunks[r.target] = r.mode;
  }
  return p;
}

/** The policy object → rows for the store. */
export function policyToRows(p: TenantRecordingPolicy): Array<{ scope: 'tenant' | 'extension' | 'trunk'; target: string; mode: RecordingMode }> {
  return [
    ...(p.tenant ? [{ scope: 'tenant' as const, target: '', mode: p.tenant }] : []),
    ...Object.entries(p.extensions).map(([target, mode]) => ({ scope: 'extension' as const, target, mode })),
    ...Object.entries(p.trunks).map(([target, mode]) => ({ scope: 'trunk' as const, target, mode })),
  ];
}
