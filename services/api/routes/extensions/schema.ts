// Input of the extensions resource, shared with the CSV import (which maps
// its columns onto the same fields, so a row's error names the same field).
import { z } from 'zod';
import { outboundPermissions } from '../../../store';

/** Numbers the numbering plan keeps for itself (emergency, service codes). */
export const RESERVED_EXTENSIONS = ['112', '101', '102', '103', '104'] as const;

export const extensionNumber = z
  .string({ message: 'required' })
  .regex(/^\d{2,6}$/, 'must be 2–6 digits')
  .refine((v) => !(RESERVED_EXTENSIONS as readonly string[]).includes(v), 'is reserved (112, 101–104)');

export const sipUsername = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, dot, dash or underscore');

/** Another extension (2–6 digits) or an external number (up to 15 digits, E.164 allows an optional +). */
export const forwardTarget = z
  .string()
  .regex(/^\+?\d{2,15}$/, 'must be an extension or a phone number (digits, optional leading +)')
  .nullable();

export const callerIdNumber = z.union([z.literal(''), z.string().regex(/^\+?\d{2,15}$/, 'must be digits with an optional leading +')]);

const permission = z.enum(outboundPermissions, { message: `must be one of ${outboundPermissions.join(', ')}` });

export const forwardSchema = z.object({
  always: forwardTarget.optional(),
  busy: forwardTarget.optional(),
  noAnswer: forwardTarget.optional(),
  noAnswerSeconds: z.number().int('must be whole seconds').min(5, 'at least 5 seconds').max(120, 'at most 120 seconds').optional(),
  unreachable: forwardTarget.optional(),
});

const editable = {
  displayName: z.string().max(100, 'at most 100 characters').optional(),
  outboundPermission: permission.optional(),
  enabled: z.boolean().optional(),
  callerIdName: z.string().max(64, 'at most 64 characters').optional(),
  callerIdNumber: callerIdNumber.optional(),
  dnd: z.boolean().optional(),
  /** TLS signalling and SRTP media only: REGISTER and calls in clear are refused (403/488). */
  requireTls: z.boolean().optional(),
  forward: forwardSchema.optional(),
  /** The employee this extension belongs to (their calls and recordings). */
  userId: z.number().int().positive().nullable().optional(),
};

/**
 * An admin-chosen SIP password (provisioning systems, a phone already set up):
 * long enough to stand a guessing attack over the network, printable ASCII a
 * desk phone's keypad can enter. Without one the server generates it.
 */
export const sipPassword = z
  .string()
  .min(12, 'at least 12 characters')
  .max(64, 'at most 64 characters')
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const createExtensionSchema = z.object({
  extension: extensionNumber,
  sipUsername: sipUsername.optional(),
  sipPassword: sipPassword.optional(),
  /** An appliance-level admin names the tenant (or picks it in the header). */
  tenantId: z.number().int().positive().optional(),
  ...editable,
});

const fixed = z.never({ message: 'cannot change: delete the extension and create it again' }).optional();

export const updateExtensionSchema = z
  .object({ ...editable, extension: fixed, sipUsername: fixed })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give at least one field to change');

/** The API takes no field it would ignore: a misspelt or unknown one is named, not dropped. */
export const createExtensionRequestSchema = createExtensionSchema.strict().refine((v) => v.sipPassword === undefined || !v.sipPassword.includes(v.sipUsername ?? v.extension), {
  path: ['sipPassword'],
  message: 'must not contain the SIP user name',
});

export type CreateExtensionInput = z.infer<typeof createExtensionSchema>;
export type UpdateExtensionInput = z.infer<typeof updateExtensionSchema>;

export const listQuerySchema = z.object({
  q: z.string().max(64, 'at most 64 characters').optional(),
  limit: z.coerce.number().int().min(1, 'at least 1').max(500, 'at most 500').optional(),
  offset: z.coerce.number().int().min(0, 'at least 0').optional(),
});
