// The licence's extension limit over the whole box (all tenants together).
import { currentLicence } from '../../../appliance/license/licence-service';
import { canCreateExtension } from '../../../licensing';
import { AppError } from '../../common/errors';
import { ExtensionsRepo } from '../../store/repos/extensions';
import type { ApiDeps } from '../context';

export async function extensionLimit(deps: ApiDeps): Promise<number> {
  const e = await currentLicence({ config: deps.config, store: deps.store, now: deps.now?.() });
  return e.limits.extensions;
}

/** Throws 403 licence-extension-limit unless `adding` more extensions fit. */
export async function checkExtensionLimit(deps: ApiDeps, adding = 1): Promise<void> {
  const limit = await extensionLimit(deps);
  const count = new ExtensionsRepo(deps.store.db).countAll();
  // canCreateExtension answers for one more; for n more ask as if n-1 already existed.
  const d = canCreateExtension({ extensions: limit }, count + adding - 1);
  if (!d.ok) throw new AppError(d.error.status, d.error.code, d.error.message, { ...(d.error.details as object), adding });
}
