// Who may see and hear which recording.
//
//   superadmin    metadata of every tenant; listens only with a grant
//   tenant-admin  configures policy, sees metadata; listens only with a grant
//   supervisor    hears every call of their tenant (groups come later)
//   auditor       hears every call of their tenant (a global auditor: all)
//   employee      sees and hears only their own calls
//
// The grant is a per-user flag (recording_listen_grants) that only a
// superadmin sets, never for themselves: configuring recording and listening
// to it are separate duties at a bank. An employee's own calls are those
// whose caller or callee is an extension linked to their user (migration
// 0040's extension_features.user_id); an employee linked to none hears nothing.
import type { RecordingIndexRecord } from '../../../recordings';
import type { Store, User } from '../../../store';
import { AppError } from '../../errors';

/** The extension numbers an employee's calls carry. */
export function ownNumbers(store: Pick<Store, 'extensionFeatures'>, user: User): string[] {
  return store.extensionFeatures.numbersOfUser(user.id);
}

/** Metadata visibility; out of scope looks exactly like missing. */
export function canSee(store: Pick<Store, 'extensionFeatures'>, user: User, rec: RecordingIndexRecord): boolean {
  if (user.tenantId !== null && String(user.tenantId) !== rec.tenantId) return false;
  if (user.role !== 'employee') return true;
  const mine = ownNumbers(store, user);
  return (rec.caller !== null && mine.includes(rec.caller)) || (rec.callee !== null && mine.includes(rec.callee));
}

export const listenNotGranted = () =>
  new AppError(403, 'recordings-listen-not-granted', 'administrators hear recordings only with a recordings.listen grant from a superadmin');

/** Throws when the role may see the recording but not hear it. */
export function checkListen(store: Pick<Store, 'recordings'>, user: User): void {
  if ((user.role === 'superadmin' || user.role === 'tenant-admin') && !store.recordings.hasListenGrant(user.id)) throw listenNotGranted();
}
