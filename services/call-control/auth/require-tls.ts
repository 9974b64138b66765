// Per-extension "TLS only" (issue 17 item 6, migration 0178): a REGISTER or
// a call from such an extension that did not come over TLS is refused 403
// before any digest challenge — a digest response in clear is what the
// setting is there to prevent — with a Reason a phone's log shows.
import type { Store } from '../../store';

/** Read at every request, so a change through the api applies at once. */
export function requiresTls(store: Pick<Store, 'extensions' | 'extensionFeatures'>) {
  return (tenantId: number, username: string): boolean => {
    const ext = store.extensions.credentials(tenantId, username)?.extension.id;
    return ext !== undefined && store.extensionFeatures.get(ext)?.requireTls === true;
  };
}

export const TLS_REQUIRED = {
  status: 403,
  reason: 'TLS required for this extension',
  headers: { Reason: 'SIP;cause=403;text="TLS required: use transport TLS (sips), port 5061"' },
} as const;

/** True when the request came over something other than TLS (srf's req.protocol). */
export const inClear = (protocol: string | undefined): boolean => protocol?.toLowerCase() !== 'tls';
