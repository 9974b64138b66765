// The tenant's contacts (personal-data store) and the data-protection
// officer's subject requests. Numbers go in request bodies, never in URLs,
// except the contact search box, which the api treats as personal data too
// (it is never logged or audited as text).
import type { Contact, ContactInput } from '../../../services/pd-store';
import type { Api } from './api';

export type { Contact, ContactInput };

export interface ContactImportProblem {
  line: number;
  field: string;
  message: string;
}

export interface ContactList {
  contacts: Contact[];
  total: number;
  search?: 'number' | 'last4' | 'name';
}

export const listContacts = (api: Api, q: string, limit = 50, offset = 0) => {
  const p = new URLSearchParams({ limit: String(limit), offset: String(offset) });
  if (q.trim()) p.set('q', q.trim());
  return api.get<ContactList>(`/api/contacts?${p}`);
};
export const createContact = (api: Api, c: ContactInput) => api.post<{ contact: Contact }>('/api/contacts', c);
export const updateContact = (api: Api, id: string, c: Partial<ContactInput>) => api.patch<{ contact: Contact }>(`/api/contacts/${encodeURIComponent(id)}`, c);
export const deleteContact = (api: Api, id: string) => api.delete<void>(`/api/contacts/${encodeURIComponent(id)}`);
export const importContactsCsv = (api: Api, csv: string) =>
  api.post<{ imported: number; failed: number; ids: string[]; errors: ContactImportProblem[] }>('/api/contacts/import', { csv });

export type RequesterKind = 'subject' | 'representative' | 'authority' | 'operator';
export const REQUESTER_KINDS: readonly RequesterKind[] = ['subject', 'representative', 'authority', 'operator'];

export interface SubjectFound {
  subject: { id: string; legalHold: string | null } | null;
  contacts: Contact[];
  cdrs: unknown[];
  recordings: unknown[];
}

export const findSubject = (api: Api, number: string) => api.post<SubjectFound>('/api/pd/subject/find', { number });
export const eraseSubject = (api: Api, number: string, reason: string, requester: RequesterKind) =>
  api.post<{ erased: Record<string, unknown> }>('/api/pd/subject/erase', { number, reason, requester });
export const setLegalHold = (api: Api, number: string, reason: string | null) =>
  api.put<{ subject: { id: string; legalHold: string | null } }>('/api/pd/subject/legal-hold', { number, reason });
export const exportSubject = (api: Api, number: string, reason: string, requester: RequesterKind) =>
  api.postForFile('/api/pd/subject/export', { number, reason, requester });
