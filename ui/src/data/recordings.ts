import type { RecordingIndexRecord } from '../../../services/recordings/recording-index';
import type { Api } from './api';

/** What the api sends: the index record without its vault path and key id. */
export type Recording = Omit<RecordingIndexRecord, 'path' | 'keyId' | 'tenantId'> & { tenantId: number };

export interface RecordingFilters {
  since?: string;
  until?: string;
  number?: string;
}

function query(f: RecordingFilters, offset: number, limit: number): string {
  const p = new URLSearchParams({ offset: String(offset), limit: String(limit) });
  if (f.since) p.set('since', new Date(f.since).toISOString());
  // A date-only "until" means to the end of that day.
  if (f.until) p.set('until', new Date(Date.parse(f.until) + 86_400_000).toISOString());
  if (f.number) p.set('number', f.number);
  return p.toString();
}

export const listRecordings = (api: Api, f: RecordingFilters, offset = 0, limit = 50) =>
  api.get<{ recordings: Recording[]; total: number }>(`/api/recordings?${query(f, offset, limit)}`);

export const setLegalHold = (api: Api, id: string, hold: boolean) =>
  api.put<{ recording: Recording }>(`/api/recordings/${encodeURIComponent(id)}/legal-hold`, { hold });

/**
 * URLs for the audio element and the download link: they cannot carry the
 * tenant header, so a superadmin's chosen tenant goes in the query.
 */
export function audioUrl(api: Api, id: string, kind: 'audio' | 'download'): string {
  const base = `/api/recordings/${encodeURIComponent(id)}/${kind}`;
  return api.tenantId === null ? base : `${base}?tenantId=${api.tenantId}`;
}
