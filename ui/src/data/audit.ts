import type { Api } from './api';
import type { AuditRow } from './types';

export interface AuditPage {
  rows: AuditRow[];
  total: number;
}

export function listAudit(api: Api, q: { limit: number; offset: number; action?: string }): Promise<AuditPage> {
  const p = new URLSearchParams({ limit: String(q.limit), offset: String(q.offset) });
  if (q.action) p.set('action', q.action);
  return api.get<AuditPage>(`/api/audit?${p}`);
}
