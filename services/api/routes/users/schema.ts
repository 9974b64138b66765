import { z } from 'zod';
import { roles } from '../../../store';
import { username } from '../tenants/schema';

export const createUserSchema = z.object({
  username,
  displayName: z.string().max(200, 'at most 200 characters').optional(),
  role: z.enum(roles, { message: `must be one of ${roles.join(', ')}` }),
  /** Required when an appliance-level user creates a tenant user. */
  tenantId: z.number().int().positive().nullable().optional(),
});

export const updateUserSchema = z
  .object({
    displayName: z.string().max(200, 'at most 200 characters').optional(),
    role: z.enum(roles, { message: `must be one of ${roles.join(', ')}` }).optional(),
    disabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give displayName, role or disabled');
