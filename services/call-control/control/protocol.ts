// The local control channel between call-control and the api: HTTP/1.1 on a
// Unix socket in the data directory's run/ (mode 0600, the appliance user
// only), so no secret is needed. Both sides import these shapes from here.
//
//   GET  /calls[?tenantId=N]            live (answered) calls
//   GET  /calls/:id                     one call
//   POST /calls/:id/recording {action}  start | stop | pause | resume
//
// Answers are JSON; errors have the box's one shape {status, code, message, details}.
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../../common/config';
import type { LiveCallView } from '../calls/recording-control';

export type { LiveCallView } from '../calls/recording-control';

/** Where call-control listens: `calls.controlSocket`, or `<dataDir>/run/call-control.sock`. */
export function controlSocketPath(config: Pick<Config, 'dataDir' | 'calls'>): string {
  return path.resolve(config.calls.controlSocket || path.join(config.dataDir, 'run', 'call-control.sock'));
}

export const recordingActions = ['start', 'stop', 'pause', 'resume'] as const;

export const recordingActionSchema = z.strictObject({
  action: z.enum(recordingActions, { error: 'expected start, stop, pause or resume' }),
  /** Who asks, for the tenant's pause policy of mandatory recordings: absent counts as the employee (the least). */
  by: z.enum(['employee', 'supervisor'], { error: 'expected employee or supervisor' }).optional(),
});
export type RecordingActionRequest = z.infer<typeof recordingActionSchema>;

/** A call id as call-control uses it (CDR id = SIP Call-ID, maybe `~fromTag`): visible ASCII. */
export const callIdSchema = z.string().regex(/^[\x21-\x7e]{1,300}$/, 'expected 1–300 visible ASCII characters');

export const tenantQuerySchema = z.strictObject({
  tenantId: z.coerce.number().int().positive('expected a tenant id').optional(),
});

export interface CallsAnswer {
  calls: LiveCallView[];
}

export interface CallAnswer {
  call: LiveCallView;
}
