// The licence's extension limit over the whole box (all tenants together).
import { canCreateExtension } from '../../../licensing';
import { AppError } from '../../common/errors';
import type { Store } from '../../store';
import type { ApiDeps } from '../context';
import { judgeOptions } from './fingerprint-cache';

export async function extensionLimit(deps: ApiDeps): Promise<number> {
  const e = await deps.licence.current(await judgeOptions(deps));
  return e.limits.extensions;
}

/**
 * Throws 403 licence-extension-limit unless `adding` more extensions fit.
 * Synchronous over the store: call it inside the transaction that inserts,
 * so two requests at once cannot both take the last place.
 */
export function assertExtensionsFit(store: Store, limit: number, adding = 1): void {
  const count = store.extensions.countAll();
  // canCreateExtension answers for one more; for n more ask as if n-1 already existed.
  const d = canCreateExtension({ extensions: limit }, count + adding - 1);
  if (!d.ok) throw new AppError(d.error.status, d.error.code, d.error.message, { ...(d.error.details as object), count, adding });
}
