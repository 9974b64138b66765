// Outbound permission per extension: four nested levels, as Russian PBX
// administrators set them ("только внутренние / город / межгород / международные").
// Emergency numbers are always allowed (Federal Law 126-FZ art. 51:
// free access to emergency services from any terminal); internal numbers and
// feature codes need no permission.
import type { NumberClass } from './normalise';

export const OUTBOUND_PERMISSIONS = ['internal', 'local', 'national', 'international'] as const;
export type OutboundPermission = (typeof OUTBOUND_PERMISSIONS)[number];

/** The lowest level that may call each class. */
const REQUIRED: Record<NumberClass, OutboundPermission | 'always'> = {
  emergency: 'always',
  internal: 'internal',
  feature: 'internal',
  local: 'local',
  // Free to the caller, so allowed wherever the city is.
  'toll-free': 'local',
  national: 'national',
  mobile: 'national',
  international: 'international',
  // Premium rate (8-803, 8-809) costs like international and is a fraud target.
  premium: 'international',
};

export type PermissionVerdict = { allowed: true } | { allowed: false; required: OutboundPermission; code: 'outbound-not-permitted'; message: string };

export function checkOutboundPermission(permission: OutboundPermission, cls: NumberClass): PermissionVerdict {
  const required = REQUIRED[cls];
  if (required === 'always') return { allowed: true };
  if (OUTBOUND_PERMISSIONS.indexOf(permission) >= OUTBOUND_PERMISSIONS.indexOf(required)) return { allowed: true };
  return { allowed: false, required, code: 'outbound-not-permitted', message: `${cls} calls need the ${required} permission, the extension has ${permission}` };
}
