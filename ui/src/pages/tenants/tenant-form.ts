// Live checks of the new-tenant form, mirroring the api's schema
// (services/api/routes/tenants/schema.ts).
import { t } from '../../i18n';
import type { FieldErrors } from '../../components/field-errors';

export interface TenantDraft {
  name: string;
  sipDomain: string;
  username: string;
  displayName: string;
}

const DOMAIN = /^(?=.*[a-z])([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i;
const USERNAME = /^[a-z0-9._@-]+$/i;

export function tenantDraftErrors(d: TenantDraft): FieldErrors {
  const e: FieldErrors = {};
  if (!d.name.trim()) e.name = t('validation.required');
  else if (d.name.length > 200) e.name = t('srv.tooLong');
  if (!d.sipDomain) e.sipDomain = t('validation.required');
  else if (d.sipDomain.length > 253 || !DOMAIN.test(d.sipDomain)) e.sipDomain = t('srv.sipDomain');
  if (!d.username) e['admin.username'] = t('validation.required');
  else if (d.username.length < 3 || d.username.length > 64) e['admin.username'] = t('srv.usernameLength');
  else if (!USERNAME.test(d.username)) e['admin.username'] = t('srv.usernameChars');
  if (d.displayName.length > 200) e['admin.displayName'] = t('srv.tooLong');
  return e;
}

export function usernameError(u: string): string | undefined {
  if (!u) return t('validation.required');
  if (u.length < 3 || u.length > 64) return t('srv.usernameLength');
  if (!USERNAME.test(u)) return t('srv.usernameChars');
  return undefined;
}
