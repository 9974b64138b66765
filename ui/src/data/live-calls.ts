// Calls in progress and recording actions on them (/api/calls/live).
import type { LiveCallView } from '../../../services/call-control/control/protocol';
import type { Api } from './api';

export type LiveCall = LiveCallView;
export type RecordingAction = 'start' | 'stop' | 'pause' | 'resume';

export const listLiveCalls = (api: Api) => api.get<{ calls: LiveCall[] }>('/api/calls/live');

export const recordingAction = (api: Api, id: string, action: RecordingAction) =>
  api.post<{ call: LiveCall }>(`/api/calls/live/${encodeURIComponent(id)}/recording`, { action });

/** The actions that make sense for a call's recording now (the server still decides). */
export function actionsFor(c: LiveCall): RecordingAction[] {
  const { state, mode } = c.recording;
  if (state === 'off') return mode === 'never' ? [] : ['start'];
  const stop: RecordingAction[] = mode === 'on-demand' ? ['stop'] : [];
  return state === 'paused' ? ['resume', ...stop] : ['pause', ...stop];
}
