// Input shapes for /api/gateways and /api/sims. Shapes only: the template's
// ranges (ports per device, prefixes, DIDs) are services/fmc's checks, and
// bindings (gateway, port, extension) are checked against the store.
import { isIP } from 'node:net';
import { z } from 'zod';
import { callerIdSources, dialFormats, dtmfModes, gatewayCodecs, gatewayTemplateIds, quirkNames, simOperators, simStates } from '../../../fmc';
import { mobileRingModes } from '../../../store';

const hostname = z
  .string()
  .max(253, 'at most 253 characters')
  .refine((v) => isIP(v) !== 0 || /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(v), 'must be a host name or an IP address');

const port = z.object({
  port: z.number({ message: 'must be a port number' }).int().min(1, 'must be 1–64').max(64, 'must be 1–64'),
  username: z.string().max(32, 'at most 32 characters').nullable().optional(),
  did: z.string().max(15, 'at most 15 digits').nullable().optional(),
  prefix: z.string().max(15, 'at most 15 digits').nullable().optional(),
  enabled: z.boolean().optional(),
});

const quirks = z.object(Object.fromEntries(quirkNames.map((q) => [q, z.boolean().optional()])) as Record<(typeof quirkNames)[number], z.ZodOptional<z.ZodBoolean>>).strict();

const gatewayFields = {
  name: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
  enabled: z.boolean().optional(),
  /** line mode: the password every port registers with; generated when not given, shown once. */
  password: z.string().min(8, 'at least 8 characters').max(64, 'at most 64 characters').optional(),
  host: hostname.nullable().optional(),
  sipPort: z.number().int().optional(),
  transport: z.enum(['udp', 'tcp'], { message: 'must be udp or tcp' }).optional(),
  cityCode: z.string().nullable().optional(),
  imei: z.string().nullable().optional(),
  codecs: z.array(z.enum(gatewayCodecs, { message: `must be one of ${gatewayCodecs.join(', ')}` })).max(5).optional(),
  dtmfMode: z.enum(dtmfModes, { message: 'must be rfc2833, inband or info' }).optional(),
  callerIdOrder: z.array(z.enum(callerIdSources, { message: 'must be pai, rpid or from' })).max(3).optional(),
  dialFormat: z.enum(dialFormats, { message: 'must be e164 or national8' }).optional(),
  quirks: quirks.optional(),
  optionsInterval: z.number().int().optional(),
  portCount: z.number().int().optional(),
  ports: z.array(port).max(64, 'at most 64 ports').optional(),
};

export const createGatewaySchema = z.object({ ...gatewayFields, template: z.enum(gatewayTemplateIds, { message: `must be one of ${gatewayTemplateIds.join(', ')}` }), tenantId: z.number().int().positive().optional() });
export const updateGatewaySchema = z.object(gatewayFields).partial().refine((v) => Object.keys(v).length > 0, 'give at least one field to change');
export type GatewayInput = z.infer<typeof updateGatewaySchema>;

const simFields = {
  iccid: z.string({ message: 'required' }).max(32, 'at most 32 characters'),
  msisdn: z.string({ message: 'required' }).max(32, 'at most 32 characters'),
  operator: z.enum(simOperators, { message: `must be one of ${simOperators.join(', ')}` }),
  state: z.enum(simStates, { message: `must be one of ${simStates.join(', ')}` }).optional(),
  gatewayId: z.number().int().positive().nullable().optional(),
  port: z.number().int().nullable().optional(),
  /** The extension's number; null unbinds. */
  extension: z.string().max(16).nullable().optional(),
  userRegistered: z.boolean().optional(),
  contract: z.string().optional(),
  monthlyMinuteLimit: z.number().int().optional(),
  ringMode: z.enum(mobileRingModes, { message: `must be one of ${mobileRingModes.join(', ')}` }).optional(),
  ringDelay: z.number().int().min(1, 'must be 1–120 seconds').max(120, 'must be 1–120 seconds').optional(),
};

export const createSimSchema = z.object({ ...simFields, tenantId: z.number().int().positive().optional() });
export const updateSimSchema = z.object(simFields).partial().refine((v) => Object.keys(v).length > 0, 'give at least one field to change');
export type SimInput = z.infer<typeof updateSimSchema>;

export const importSimsSchema = z.object({
  csv: z.string({ message: 'required: the file text' }).min(1, 'the file is empty').max(2_000_000, 'at most 2 MB'),
  dryRun: z.boolean({ message: 'required: true for a preview, false to import' }),
  tenantId: z.number().int().positive().optional(),
});
