// The ordered list of schema migrations. A released migration is never
// edited: a change is a new file appended here.
import type { Migration } from '../migrate';
import * as core from './0001-core';
import * as extensions from './0020-extensions';
import * as cdrs from './0021-cdrs';
import * as registrations from './0022-registrations';
import * as outboundRoutes from './0023-outbound-routes';
import * as sipBans from './0024-sip-bans';
import * as recordings from './0030-recordings';
import * as extensionFeatures from './0040-extension-features';
import * as trunks from './0041-trunks';
import * as cdrForwards from './0042-cdr-forwards';
import * as callLegs from './0043-call-legs';
import * as callFlows from './0050-call-flows';
import * as prompts from './0051-prompts';
import * as queues from './0060-queues';
import * as voicemail from './0065-voicemail';
import * as mail from './0070-mail';
import * as fmc from './0075-fmc';
import * as registrationsAnyUser from './0076-registrations-any-user';
import * as pdSubjects from './0080-pd-subjects';
import * as pdContacts from './0081-pd-contacts';
import * as auditHmac from './0085-audit-hmac';
import * as backups from './0090-backups';
import * as cdrPath from './0095-cdr-path';
import * as listenGrants from './0140-listen-grants';
import * as dpoRole from './0082-dpo-role';
import * as didCanonical from './0125-did-canonical';
import * as backupRemote from './0155-backup-remote';
import * as selftestRuns from './0150-selftest-runs';
import * as requireTls from './0178-require-tls';
import * as cdrPartyIndex from './0160-cdr-party-index';
import * as fmcLcr from './0195-fmc-lcr';
import * as cdrAnswerUnreliable from './0196-cdr-answer-unreliable';
import * as forwardSealed from './0161-forward-sealed';

export const migrations: readonly Migration[] = [
  { version: 1, name: '0001-core', up: core.up },
  { version: 20, name: '0020-extensions', up: extensions.up },
  { version: 21, name: '0021-cdrs', up: cdrs.up },
  { version: 22, name: '0022-registrations', up: registrations.up },
  { version: 23, name: '0023-outbound-routes', up: outboundRoutes.up },
  { version: 24, name: '0024-sip-bans', up: sipBans.up },
  { version: 30, name: '0030-recordings', up: recordings.up },
  { version: 40, name: '0040-extension-features', up: extensionFeatures.up },
  { version: 41, name: '0041-trunks', up: trunks.up },
  { version: 42, name: '0042-cdr-forwards', up: cdrForwards.up },
  { version: 43, name: '0043-call-legs', up: callLegs.up },
  { version: 50, name: '0050-call-flows', up: callFlows.up },
  { version: 51, name: '0051-prompts', up: prompts.up },
  { version: 60, name: '0060-queues', up: queues.up },
  { version: 65, name: '0065-voicemail', up: voicemail.up },
  { version: 70, name: '0070-mail', up: mail.up },
  { version: 75, name: '0075-fmc', up: fmc.up },
  { version: 76, name: '0076-registrations-any-user', up: registrationsAnyUser.up },
  { version: 80, name: '0080-pd-subjects', up: pdSubjects.up },
  { version: 81, name: '0081-pd-contacts', up: pdContacts.up },
  { version: 82, name: '0082-dpo-role', up: dpoRole.up },
  { version: 85, name: '0085-audit-hmac', up: auditHmac.up },
  { version: 90, name: '0090-backups', up: backups.up },
  { version: 95, name: '0095-cdr-path', up: cdrPath.up },
  { version: 125, name: '0125-did-canonical', up: didCanonical.up },
  { version: 140, name: '0140-listen-grants', up: (db) => listenGrants.up(db) },
  { version: 150, name: '0150-selftest-runs', up: selftestRuns.up },
  { version: 155, name: '0155-backup-remote', up: backupRemote.up },
  { version: 160, name: '0160-cdr-party-index', up: cdrPartyIndex.up },
  { version: 161, name: '0161-forward-sealed', up: forwardSealed.up },
  { version: 178, name: '0178-require-tls', up: requireTls.up },
  { version: 195, name: '0195-fmc-lcr', up: fmcLcr.up },
  { version: 196, name: '0196-cdr-answer-unreliable', up: cdrAnswerUnreliable.up },
];
