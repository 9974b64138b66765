// Each gateway's live state as call-control reports it in its health
// (`health.gateways`), relayed by the supervisor's status file: reachability
// by OPTIONS, and per port whether it is registered, busy (a GSM port
// carries one call), its last error and today's use. Input from another
// process: read through a schema, a report that does not fit is ignored.
import { z } from 'zod';
import type { ApiDeps } from '../../context';

const portSchema = z.object({
  port: z.number().int().min(1).max(64),
  registered: z.boolean().nullable(),
  busy: z.boolean(),
  lastError: z.string().max(500).nullable(),
  callsToday: z.number().int().min(0),
  minutesToday: z.number().min(0),
});
const statusSchema = z.object({
  id: z.number().int().positive(),
  reachability: z.enum(['unknown', 'reachable', 'down']),
  lastError: z.string().max(500).nullable(),
  changedAt: z.string().max(40),
  ports: z.array(portSchema).max(64),
});
const reportSchema = z.array(statusSchema).max(10_000);

export type GatewayLiveStatus = Omit<z.infer<typeof statusSchema>, 'id'>;
export type PortLiveStatus = z.infer<typeof portSchema>;

/** Per gateway id; null while call-control is not running or not reporting gateways. */
export function gatewayStatuses(deps: ApiDeps): Map<number, GatewayLiveStatus> | null {
  const cc = deps.supervisorStatus()?.processes.find((p) => p.name === 'call-control');
  const parsed = reportSchema.safeParse(cc?.state === 'running' ? (cc.health as { gateways?: unknown } | undefined)?.gateways : undefined);
  if (!parsed.success) return null;
  return new Map(parsed.data.map(({ id, ...s }) => [id, s]));
}
