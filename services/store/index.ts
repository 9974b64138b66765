// The store: the only place that writes SQL. Services get a `Store` built
// on one connection and use its repositories.
import { openDatabase, type Db, type OpenOptions } from './db';
import { AuditRepo } from './repos/audit';
import { SessionsRepo } from './repos/sessions';
import { SettingsRepo } from './repos/settings';
import { TenantsRepo } from './repos/tenants';
import { UsersRepo } from './repos/users';

export { openDatabase, type Db } from './db';
export { migrate, schemaVersion, latestVersion, DatabaseTooNewError, type Migration } from './migrate';
export { migrations } from './migrations';
export type { Tenant } from './repos/tenants';
export { roles, type Role, type User, type UserWithSecret } from './repos/users';
export type { AuditEntry, AuditRow, AuditQuery } from './repos/audit';

export interface Store {
  db: Db;
  tenants: TenantsRepo;
  users: UsersRepo;
  sessions: SessionsRepo;
  settings: SettingsRepo;
  audit: AuditRepo;
  close(): void;
}

export function openStore(file: string, opts: OpenOptions = {}): Store {
  const db = openDatabase(file, opts);
  return {
    db,
    tenants: new TenantsRepo(db),
    users: new UsersRepo(db),
    sessions: new SessionsRepo(db),
    settings: new SettingsRepo(db),
    audit: new AuditRepo(db),
    close: () => db.close(),
  };
}
