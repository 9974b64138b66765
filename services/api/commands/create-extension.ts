// One extension with its features, written together. The SIP password is
// generated here, turned into HA1 per digest algorithm with the tenant's SIP
// domain as realm (RFC 7616 §3.4.2) and returned once; it is never stored.
import { computeHa1Set } from '../../call-control';
import type { ExtensionView, Store, Tenant } from '../../store';
import { generatePassword } from '../password';
import type { CreateExtensionInput } from '../routes/extensions/schema';
import { mergeFeatures } from './extension-rules';

/** 24 characters from a 57-letter alphabet: about 140 bits, typed into a phone once. */
export const SIP_PASSWORD_LENGTH = 24;

export function newSipSecret(tenant: Tenant, username: string, chosen?: string): { password: string; ha1: { MD5: string; 'SHA-256': string } } {
  const password = chosen ?? generatePassword(SIP_PASSWORD_LENGTH);
  return { password, ha1: computeHa1Set(username, tenant.sipDomain, password) };
}

/** Not transactional by itself: callers wrap one or many in store.transaction. */
export function insertExtension(store: Store, tenant: Tenant, input: CreateExtensionInput): { extension: ExtensionView; password: string } {
  const username = input.sipUsername ?? input.extension;
  const { password, ha1 } = newSipSecret(tenant, username, input.sipPassword);
  const ext = store.extensions.create({
    tenantId: tenant.id,
    extension: input.extension,
    displayName: input.displayName ?? '',
    sipUsername: username,
    ha1,
    outboundPermission: input.outboundPermission ?? 'internal',
    enabled: input.enabled ?? true,
  });
  store.extensionFeatures.set(ext.id, mergeFeatures(undefined, input));
  return { extension: store.extensionFeatures.get(ext.id)!, password };
}
