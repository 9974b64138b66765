// The api's personal-data store: the one the app was given (tests), or one
// over the box's keys, built on first use (the RBAC test builds the app over
// no store and no keys).
import type { ApiDeps } from '../../context';
import { PdKeys, PdStore } from '../../../pd-store';

const built = new WeakMap<ApiDeps['store'], PdStore>();

export function pdStoreOf(deps: ApiDeps): PdStore {
  if (deps.pd) return deps.pd;
  let pd = built.get(deps.store);
  if (!pd) {
    const mk = deps.config.recordings.masterKeyPath;
    pd = new PdStore(deps.store, PdKeys.open({ dataDir: deps.config.dataDir, ...(mk ? { masterKeyPath: mk } : {}) }));
    built.set(deps.store, pd);
  }
  return pd;
}
