// Session and one-time password lifetimes.
import type { Config } from '../../../common/config';
import type { ApiDeps } from '../../context';

/** A session ends after idleMinutes without use, and sessionHours after sign-in whatever the use. */
export function sessionExpiry(cfg: Config['api'], createdAt: Date, lastUse: Date): Date {
  const absolute = createdAt.getTime() + cfg.sessionHours * 3_600_000;
  const idle = lastUse.getTime() + cfg.idleMinutes * 60_000;
  return new Date(Math.min(absolute, idle));
}

/** A one-time password is good for oneTimePasswordHours after it was set. */
export function oneTimeExpired(deps: ApiDeps, userId: number, now: Date): boolean {
  const at = deps.store.users.passwordChangedAt(userId);
  return !!at && now.getTime() - new Date(at).getTime() > deps.config.api.oneTimePasswordHours * 3_600_000;
}
