import type { CdrRow } from '../../../services/store';
import type { Api } from './api';

export type Cdr = CdrRow;

export interface CdrFilters {
  since?: string;
  until?: string;
  number?: string;
  extension?: string;
  direction?: string;
  disposition?: string;
  /** '1' forwarded, '0' never forwarded; empty: either. */
  forwarded?: string;
  /** '1' transferred, '0' never transferred; empty: either. */
  transferred?: string;
}

export const DIRECTIONS = ['internal', 'inbound', 'outbound'] as const;
export const DISPOSITIONS = ['answered', 'busy', 'no-answer', 'failed', 'cancelled', 'refused-by-licence'] as const;
export const HOP_FILTER = ['1', '0'] as const;

export function cdrQuery(f: CdrFilters, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams(extra);
  for (const [k, v] of Object.entries(f)) {
    if (!v) continue;
    // A date-only "until" means to the end of that day.
    if (k === 'until' && /^\d{4}-\d{2}-\d{2}$/.test(v)) p.set(k, new Date(Date.parse(v) + 86_400_000).toISOString().slice(0, 10));
    else p.set(k, v);
  }
  return p.toString();
}

export const listCdrs = (api: Api, f: CdrFilters, offset = 0, limit = 50) =>
  api.get<{ cdrs: Cdr[]; total: number; limit: number; offset: number }>(`/api/cdrs?${cdrQuery(f, { offset: String(offset), limit: String(limit) })}`);

/**
 * Downloads /api/cdrs.csv while counting lines against X-Total-Count, so a
 * big export shows progress; the file is saved from a Blob at the end.
 */
export async function exportCdrs(api: Api, f: CdrFilters, onProgress: (done: number, total: number) => void): Promise<Blob> {
  const headers: Record<string, string> = {};
  if (api.tenantId !== null) headers['x-korobka-tenant'] = String(api.tenantId);
  const res = await fetch(`/api/cdrs.csv?${cdrQuery(f)}`, { credentials: 'same-origin', headers });
  if (!res.ok || !res.body) throw new Error(`export failed: HTTP ${res.status}`);
  const total = Number(res.headers.get('x-total-count') ?? 0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let lines = -1; // the header line
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    for (const b of value) if (b === 10) lines++;
    onProgress(Math.max(0, lines), total);
  }
  return new Blob(parts as BlobPart[], { type: 'text/csv;charset=utf-8' });
}
