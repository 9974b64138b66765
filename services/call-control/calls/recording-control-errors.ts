// Why a recording action during a call was refused: stable codes the local
// control channel and the API pass on unchanged (STYLE.md "Errors").
import { AppError } from '../../common/errors';

const refused = (status: number, code: string, message: string, details?: unknown) => new AppError(status, code, message, details);

export const recordingActionRefused = {
  notAnswered: () => refused(409, 'call-not-answered', 'the call is not answered yet'),
  policyNever: () => refused(409, 'recording-policy-never', "the recording policy for this call is 'never'"),
  stopNotAllowed: (mode: string) => refused(409, 'recording-stop-not-allowed', `the recording policy for this call is '${mode}': only an on-demand recording can be stopped (pause it instead)`, { policy: mode }),
  alreadyOn: (state: string) => refused(409, 'recording-already-started', `the call is already being recorded (${state})`, { state }),
  notOn: () => refused(409, 'recording-not-started', 'the call is not being recorded'),
  alreadyPaused: () => refused(409, 'recording-already-paused', 'the recording is already paused'),
  notPaused: () => refused(409, 'recording-not-paused', 'the recording is not paused'),
  gate: (reason: string) => refused(409, 'recording-refused', `the box does not record now: ${reason}`, { reason }),
  mediaFailed: (action: string, why: string) => refused(502, 'recording-action-failed', `rtpengine did not carry out ${action}: ${why.slice(0, 200)}`, { action }),
  pauseNotAllowed: (who: string, by: string) =>
    refused(409, 'recording-pause-not-allowed', who === 'nobody' ? 'this recording is mandatory and the tenant lets nobody pause it' : 'this recording is mandatory and the tenant lets only supervisors pause it', { policy: who, by }),
  unavailable: () => refused(409, 'recording-unavailable', 'recording is not available for this call'),
};

export const liveCallNotFound = (id: string) => new AppError(404, 'call-not-found', `no answered call ${id.slice(0, 200)}`, { id: id.slice(0, 200) });
