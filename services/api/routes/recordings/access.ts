// Who may see and hear which recording.
//
//   superadmin    metadata of every tenant; listens only with a grant
//   tenant-admin  configures policy, sees metadata; listens only with a grant
//   supervisor    sees every call of their tenant; listens only with a grant
//   auditor       the same (a global auditor: every tenant)
//   employee      sees and hears only their own calls, no grant needed
//
// A grant (recording_listen_grants, migration 0140) is held by one person,
// asked for by one (a superadmin, or a tenant admin for their own tenant's
// users) and approved by another superadmin — never by the grantee, never by
// the one who asked — and lasts a set number of days. So neither a tenant
// admin creating a supervisor nor a superadmin creating an auditor hears
// anything alone: configuring recording and listening to it stay separate
// duties, as a bank's review asks (issue 16 item 9). An employee's own calls are those
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
  new AppError(
    403,
    'recordings-listen-not-granted',
    "hearing other people's calls needs a listen grant, asked for by one person and approved by a second (a superadmin); none is active for you",
  );

/** Throws when the user may see the recording but not hear it (employees reach only their own calls through canSee). */
export function checkListen(store: Pick<Store, 'recordings'>, user: User): void {
  if (user.role !== 'employee' && !store.recordings.hasListenGrant(user.id)) throw listenNotGranted();
}
