// Where a call goes, as stored and sent over the api (`type` discriminator:
// the /api/dids shape since migration 0041). Every DID, a tenant's main
// destination, IVR options and timeouts, a ring group's overflow, a
// schedule's branches and a list's treatment is a Destination.
// call-control's routing/destination.ts is the run-time form (`kind`,
// string ids); `runtimeDestination` converts, structurally typed so this
// module imports nothing from call-control.
import { z } from 'zod';
import { canonicalNumber } from './numbers';

/**
 * Marks a schema issue that is about the call flow (a menu without options,
 * overlapping branches, a key used twice) rather than the shape of a field:
 * the api answers those 422 like the graph's problems, shape errors 400.
 */
export const FLOW_RULE = { flow: true } as const;

/** Features that own stored objects (`{type: 'feature', feature, id}`). */
export const featureKinds = ['ring-group', 'ivr', 'schedule', 'announcement', 'queue', 'voicemail', 'fmc'] as const;
export type FeatureKind = (typeof featureKinds)[number];

/** The feature kinds this box can store today; the rest are refused until they land. */
export const configurableFeatures = ['ring-group', 'ivr', 'schedule', 'announcement', 'queue', 'voicemail'] as const satisfies readonly FeatureKind[];

export const destinationTypes = ['extension', 'external', 'hangup', 'feature'] as const;

const extensionNumber = z.string().regex(/^\d{2,6}$/, 'must be 2–6 digits');

/** A public number in canonical E.164 (national Russian forms accepted and converted). */
export const externalNumber = z.string().transform((v, ctx) => {
  const c = canonicalNumber(v);
  if (!c.ok) {
    ctx.addIssue({ code: 'custom', message: c.message });
    return z.NEVER;
  }
  return c.number;
});

export const destinationSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('extension'), extension: extensionNumber }),
    z.object({ type: z.literal('external'), number: externalNumber }),
    z.object({
      type: z.literal('hangup'),
      // RFC 3261 §21.4–21.6: a final failure answer.
      status: z.number().int().min(400, 'must be a SIP status 400–699').max(699, 'must be a SIP status 400–699'),
      reason: z.string().trim().max(64, 'at most 64 characters').default(''),
    }),
    z.object({
      type: z.literal('feature'),
      feature: z.enum(featureKinds, { message: `must be one of ${featureKinds.join(', ')}` }),
      id: z.number().int().positive('must be a positive id'),
    }),
  ],
  { message: 'type must be extension, external, hangup or feature' },
);

export type Destination = z.infer<typeof destinationSchema>;
export type DestinationInput = z.input<typeof destinationSchema>;

/** Node id of a feature object in the call-flow graph: `ivr:3`. */
export type NodeKey = `${FeatureKind}:${number}`;
export const nodeKey = (feature: FeatureKind, id: number): NodeKey => `${feature}:${id}`;

export const featureNames: Record<FeatureKind, string> = {
  'ring-group': 'ring group',
  ivr: 'IVR menu',
  schedule: 'schedule',
  announcement: 'announcement',
  queue: 'queue',
  voicemail: 'voicemail box',
  fmc: 'FMC number',
};

/** Plain English for logs and the API's summary; the UI words its own. */
export function describeDestination(d: Destination, name?: string): string {
  switch (d.type) {
    case 'extension':
      return `extension ${d.extension}`;
    case 'external':
      return `external number ${d.number}`;
    case 'hangup':
      return `hang up (${d.status}${d.reason ? ` ${d.reason}` : ''})`;
    case 'feature':
      return `${featureNames[d.feature]} ${name ? `'${name}'` : d.id}`;
  }
}

/** The run-time form call-control's features/ take (routing/destination.ts): `kind`, string ids. */
export type RuntimeDestination =
  | { kind: 'extension'; extension: string }
  | { kind: 'external'; number: string }
  | { kind: 'hangup'; status: number; reason: string }
  | { kind: 'feature'; feature: FeatureKind; id: string };

export function runtimeDestination(d: Destination): RuntimeDestination {
  switch (d.type) {
    case 'extension':
      return { kind: 'extension', extension: d.extension };
    case 'external':
      return { kind: 'external', number: d.number };
    case 'hangup':
      return { kind: 'hangup', status: d.status, reason: d.reason };
    case 'feature':
      return { kind: 'feature', feature: d.feature, id: String(d.id) };
  }
}
