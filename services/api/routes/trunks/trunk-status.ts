// Each trunk's signalling state (registration, OPTIONS reachability) as
// call-control reports it in its health, relayed by the supervisor's status
// file. That file is input from another process: read through a schema, and
// a report that does not fit is ignored, never trusted in part.
import { z } from 'zod';
import type { ApiDeps } from '../../context';

const statusSchema = z.object({
  id: z.number().int().positive(),
  registration: z.enum(['unregistered', 'registering', 'registered', 'failed']).nullable(),
  reachability: z.enum(['unknown', 'reachable', 'down']).nullable(),
  lastError: z.string().max(500).nullable(),
  changedAt: z.string().max(40),
  registeredUntil: z.string().max(40).nullable(),
  usable: z.boolean(),
});
const reportSchema = z.array(statusSchema).max(100_000);

/** What the api shows of a trunk's signalling; the id is the trunk's. */
export type TrunkSignallingStatus = Omit<z.infer<typeof statusSchema>, 'id'>;

/** Per trunk id; null while call-control is not running or not reporting trunks. */
export function trunkStatuses(deps: ApiDeps): Map<number, TrunkSignallingStatus> | null {
  const cc = deps.supervisorStatus()?.processes.find((p) => p.name === 'call-control');
  const parsed = reportSchema.safeParse(cc?.state === 'running' ? cc.health?.trunks : undefined);
  if (!parsed.success) return null;
  return new Map(parsed.data.map(({ id, ...s }) => [id, s]));
}

/**
 * The trunk with its `status`: null when nothing is known — call-control is
 * down, or the trunk neither registers nor is probed (disabled, or an IP
 * trunk with OPTIONS off).
 */
export function withStatus<T extends { id: number }>(trunk: T, statuses: Map<number, TrunkSignallingStatus> | null): T & { status: TrunkSignallingStatus | null } {
  return { ...trunk, status: statuses?.get(trunk.id) ?? null };
}
