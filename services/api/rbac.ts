// Who may do what. Every route names one permission; a role not listed for
// it is refused. Tenant scoping is separate (see scope.ts): a tenant admin
// holds `users.write`, but only inside their own tenant.
import type { Role } from '../store';

export const permissions = {
  'tenants.read': ['superadmin'],
  'tenants.write': ['superadmin'],
  'users.read': ['superadmin', 'tenant-admin'],
  'users.write': ['superadmin', 'tenant-admin'],
  'audit.read': ['superadmin', 'auditor'],
  // Where the audit trail is forwarded: changing it could blind the SIEM.
  'audit.siem': ['superadmin'],
  'system.read': ['superadmin', 'tenant-admin', 'supervisor', 'auditor'],
  'license.read': ['superadmin', 'tenant-admin', 'auditor'],
  'license.write': ['superadmin'],
  'branding.write': ['superadmin', 'tenant-admin'],
  // Recordings: everyone may list what their scope allows (an employee only
  // their own calls); hearing anyone else's calls needs a personal grant,
  // asked for by one person and approved by a second, a superadmin
  // (routes/recordings/access.ts, listen-grants.ts).
  'recordings.read': ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'],
  'recordings.listen': ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'],
  'recordings.hold': ['superadmin', 'tenant-admin', 'auditor'],
  'recordings.policy': ['superadmin', 'tenant-admin'],
  'recordings.grant-request': ['superadmin', 'tenant-admin'],
  'alarms.read': ['superadmin', 'tenant-admin', 'supervisor', 'auditor'],
  // Extensions: admins write; a supervisor reads the tenant's; an employee
  // reads only the extensions linked to their user (routes/extensions).
  'extensions.read': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'extensions.write': ['superadmin', 'tenant-admin'],
  // Call history: an employee reads only calls of their own extensions.
  'cdrs.read': ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'],
  'registrations.read': ['superadmin', 'tenant-admin', 'supervisor'],
  // Calls in progress: an employee sees and records only calls of their own
  // extensions (routes/live-calls); auditors look but do not act.
  'calls.live.read': ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'],
  'calls.live.record': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  // SIP bans are per source address for the whole box.
  'bans.read': ['superadmin'],
  'bans.write': ['superadmin'],
  // SIP settings of a tenant (digest algorithms offered to its phones).
  'sip.read': ['superadmin', 'tenant-admin', 'auditor'],
  'sip.write': ['superadmin', 'tenant-admin'],
  'trunks.read': ['superadmin', 'tenant-admin'],
  'trunks.write': ['superadmin', 'tenant-admin'],
  // Outbound routes and numbering: admins change them; supervisors and
  // auditors read them and may try a number (the dry run changes nothing).
  'dialplan.read': ['superadmin', 'tenant-admin', 'supervisor', 'auditor'],
  'dialplan.write': ['superadmin', 'tenant-admin'],
  // Call flows (ring groups, IVR menus, schedules, announcements, lists,
  // where numbers go): admins change them; supervisors and auditors read
  // them and may dry-run a call. A supervisor may also flip a schedule's
  // day/night switch, as the feature code does from a phone.
  'callflows.read': ['superadmin', 'tenant-admin', 'supervisor', 'auditor'],
  'callflows.write': ['superadmin', 'tenant-admin'],
  'callflows.override': ['superadmin', 'tenant-admin', 'supervisor'],
  // Prompts and music on hold: admins manage them; a supervisor may list and
  // listen to what callers hear.
  'prompts.read': ['superadmin', 'tenant-admin', 'supervisor'],
  'prompts.write': ['superadmin', 'tenant-admin'],
  // FMC gateways and SIMs: admins manage them; a supervisor sees the ports'
  // live state and which SIM belongs to whom.
  'fmc.read': ['superadmin', 'tenant-admin', 'supervisor'],
  'fmc.write': ['superadmin', 'tenant-admin'],
  // Contacts (personal data, issue 15): employees of the tenant see them and
  // every decrypted view is audited; admins and supervisors keep them.
  'contacts.read': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'contacts.write': ['superadmin', 'tenant-admin', 'supervisor'],
  // Queues: their config is a call flow (callflows.*). Agents log in and
  // pause: an employee only themselves (routes/queues), a supervisor anyone
  // of the tenant's queues. Live state and counters: everyone who works
  // the queue looks.
  'queues.agents': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'queues.live.read': ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'],
  // The box's own backups hold every tenant's data: superadmins run,
  // schedule and download them; auditors see that they are made.
  'backups.read': ['superadmin', 'auditor'],
  'backups.write': ['superadmin'],
  'backups.download': ['superadmin'],
  // Voicemail: admins manage boxes; an employee sees, sets the PIN of and
  // listens to only their own boxes (routes/voicemail/boxes.ts); supervisors
  // and administrators hear other people's messages only with a listen grant
  // given by two people, as for recordings (routes/recordings/listen-grants.ts).
  // Auditors read the audit trail, not people's messages.
  'voicemail.read': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  'voicemail.write': ['superadmin', 'tenant-admin'],
  'voicemail.pin': ['superadmin', 'tenant-admin', 'employee'],
  'voicemail.listen': ['superadmin', 'tenant-admin', 'supervisor', 'employee'],
  // Mail: admins set up SMTP (a tenant's; the appliance's only a superadmin)
  // and missed-call notices; auditors may read the outbox.
  'mail.read': ['superadmin', 'tenant-admin', 'auditor'],
  'mail.write': ['superadmin', 'tenant-admin'],
  'mail.appliance': ['superadmin'],
  // A data subject's requests (show, export, erase, legal hold) are the
  // data-protection officer's, and nothing else is (issue 15).
  'pd.requests': ['superadmin', 'dpo'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function allowed(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}
