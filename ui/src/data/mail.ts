import type { MailSummary, MissedCallNotice, MailState } from '../../../services/store';
import type { SmtpSettings, SmtpSecurity } from '../../../services/mail/smtp-settings';
import type { Api } from './api';

export type { MailSummary, MissedCallNotice, MailState, SmtpSettings, SmtpSecurity };

export interface SmtpInput {
  enabled: boolean;
  host: string;
  port: number;
  security: SmtpSecurity;
  verifyTls: boolean;
  username: string;
  /** Left out: the stored one stays. */
  password?: string;
  from: string;
  fromName: string;
}

/** `appliance`: the superadmin's box-wide settings; otherwise the tenant the Api is pinned to. */
const q = (appliance: boolean) => (appliance ? '?scope=appliance' : '');

export const getSmtp = (api: Api, appliance: boolean) => api.get<{ scope: 'appliance' | 'tenant'; settings: SmtpSettings | null; applianceConfigured: boolean }>(`/api/mail/smtp${q(appliance)}`);
export const saveSmtp = (api: Api, appliance: boolean, s: SmtpInput) => api.put<{ settings: SmtpSettings }>(`/api/mail/smtp${q(appliance)}`, s);
export const testSmtp = (api: Api, appliance: boolean, to: string, settings: SmtpInput) =>
  api.post<{ ok: true; via: 'appliance' | 'tenant'; server: string; response: string }>(`/api/mail/smtp/test${q(appliance)}`, { to, settings });
export const listOutbox = (api: Api) => api.get<{ messages: MailSummary[]; total: number; counts: Record<MailState, number> }>('/api/mail/outbox?limit=100');
export const retryMail = (api: Api, id: number) => api.post<{ message: MailSummary | null }>(`/api/mail/outbox/${id}/retry`);
export const listNotices = (api: Api) => api.get<{ notices: MissedCallNotice[] }>('/api/mail/notices');
export const addNotice = (api: Api, extension: string, email: string) => api.post<{ notice: MissedCallNotice }>('/api/mail/notices', { extension, email });
export const deleteNotice = (api: Api, id: number) => api.delete<void>(`/api/mail/notices/${id}`);
