// The store: the only place that writes SQL. Services get a `Store` built
// on one connection and use its repositories.
import { openDatabase, type Db, type OpenOptions } from './db';
import path from 'node:path';
import { auditKeysFrom, type AuditKeys } from '../common/audit-keys';
import { loadMasterKey } from '../common/keys';
import { appendCheckpoint, defaultCheckpointFile } from './audit-checkpoint-file';
import { AuditRepo } from './repos/audit';
import { CallLegsRepo } from './repos/call-legs';
import { CdrsRepo } from './repos/cdrs';
import { ExtensionsRepo } from './repos/extensions';
import { OutboundRoutesRepo } from './repos/outbound-routes';
import { RegistrationsRepo } from './repos/registrations';
import { SipBansRepo } from './repos/sip-bans';
import { ExtensionFeaturesRepo } from './repos/extension-features';
import { CdrSearchRepo } from './repos/cdr-search';
import { TrunksRepo } from './repos/trunks';
import { CallFlowsRepo } from './repos/call-flows';
import { AlarmsRepo, RecordingsRepo } from './repos/recordings';
import { SessionsRepo } from './repos/sessions';
import { SettingsRepo } from './repos/settings';
import { TenantsRepo } from './repos/tenants';
import { UsersRepo } from './repos/users';
import { PromptsRepo } from './repos/prompts';
import { QueuesRepo } from './repos/queues';
import { GatewaysRepo } from './repos/gateways';
import { SimsRepo } from './repos/sims';
import { NumberRangesRepo } from './repos/number-ranges';
import { PdSubjectsRepo } from './repos/pd-subjects';
import { PdContactsRepo } from './repos/pd-contacts';
import { BackupsRepo } from './repos/backups';
import { SelftestsRepo } from './repos/selftests';
import { VoicemailRepo } from './repos/voicemail';
import { MailRepo } from './repos/mail';
import { PdRequestsRepo } from './repos/pd-requests';
import { PdFieldsSlot, type PdFieldCipher } from './repos/pd-fields';

export { openDatabase, withBusyTimeout, type Db } from './db';
export { DiskReserve } from './disk-reserve';
export { migrate, schemaVersion, latestVersion, DatabaseTooNewError, type Migration } from './migrate';
export { migrations } from './migrations';
export type { Tenant } from './repos/tenants';
export { publicUser, roles, type Role, type User, type UserWithSecret } from './repos/users';
export type { AuditEntry, AuditRow, AuditQuery } from './repos/audit';
export type { AuditReport, AuditFinding, AuditFindingKind } from './repos/audit-verify';
export type { Checkpoint as AuditCheckpoint } from './repos/audit-chain';
export { readCheckpoints, defaultCheckpointFile } from './audit-checkpoint-file';
export { tenantRowId, type Alarm, type AlarmSeverity, type RecordingQuery, type RecordingPolicyRow, type RecordingPolicyMode, type RecordingPolicyScope, type RecordingTenantSettings, type ListenGrant } from './repos/recordings';
export type { RecordingsRepo, AlarmsRepo } from './repos/recordings';
export type { ChainEntry, ChannelSource, PausedSpan, RecordingIndexRecord, RecordingRepository } from './repos/recording-rows';
export { flowKinds, noticeScopes, type FlowKind, type FlowRecord, type NoticeRecord, type NoticeScope, type StoredListEntry, type CallFlowsRepo } from './repos/call-flows';
export { trunkKinds, transports, didDestinationTypes, type Trunk, type TrunkFields, type Did, type DidDestination, type TrunksRepo } from './repos/trunks';
export type { CdrSearch, CdrRow, CdrSearchRepo, CdrForward, CdrTransfer, ForwardReason, BadHopReport } from './repos/cdr-search';
export { outboundPermissions } from './repos/extensions';
export { defaultFeatures, type ExtensionFeatures, type ExtensionView, type ExtensionSearch, type ExtensionFeaturesRepo } from './repos/extension-features';

export type { CallLegsData } from './repos/call-legs';
export type { PdSubjectRow, PdSubjectsRepo } from './repos/pd-subjects';
export { spellings, ERASED_PARTY, type SubjectCdr, type SubjectRecording, type PdRequestsRepo } from './repos/pd-requests';
export { contactKinds, type ContactKind, type ContactIndexKind, type ContactIndexEntry, type SealedContact, type PdContactsRepo } from './repos/pd-contacts';
export { queueOutcomes, type QueueAgentRow, type QueueCallRow, type QueueOutcome, type QueueStats, type QueuesRepo } from './repos/queues';
export type { SelftestRun, SelftestMode, SelftestsRepo } from './repos/selftests';
export { backupInProgress, type BackupRun, type BackupState, type BackupTrigger, type BackupPhase, type VerifyState, type BackupsRepo, type StoredSftpTarget } from './repos/backups';
export { voicemailFolders, type VoicemailBox, type VoicemailMessage, type VoicemailFolder, type BoxFields, type NewMessage, type VoicemailRepo } from './repos/voicemail';
export { mailStates, type MailRow, type MailState, type MailSummary, type NewMail, type StoredAttachment, type MissedCall, type MissedCallNotice, type MailRepo } from './repos/mail';
export { promptKinds, promptLanguages, promptSources, promptInUse, type Prompt, type NewPrompt, type PromptKind, type PromptLanguage, type PromptSource, type PromptUse, type PromptUsageCheck, type PromptsRepo } from './repos/prompts';
export type { Gateway, GatewaysRepo, Ha1Pair } from './repos/gateways';
export type { NumberRange, NumberRangesRepo } from './repos/number-ranges';
export { mobileRingModes, simRefusal, type Sim, type SimRecord, type MobileRingMode, type SimsRepo } from './repos/sims';
export { SEALED_PREFIX, SEALED_UNREADABLE, isSealed, type PdFieldCipher, type PdFieldRef } from './repos/pd-fields';
export { CDR_TABLE } from './repos/cdr-parties';
export { CallLegsRepo, CdrsRepo, ExtensionsRepo, OutboundRoutesRepo, RegistrationsRepo, SipBansRepo };

export interface Store {
  db: Db;
  tenants: TenantsRepo;
  users: UsersRepo;
  sessions: SessionsRepo;
  settings: SettingsRepo;
  audit: AuditRepo;
  recordings: RecordingsRepo;
  alarms: AlarmsRepo;
  extensionFeatures: ExtensionFeaturesRepo;
  cdrSearch: CdrSearchRepo;
  trunks: TrunksRepo;
  callFlows: CallFlowsRepo;
  extensions: ExtensionsRepo;
  cdrs: CdrsRepo;
  callLegs: CallLegsRepo;
  registrations: RegistrationsRepo;
  outboundRoutes: OutboundRoutesRepo;
  sipBans: SipBansRepo;
  /**
   * Runs `fn` in one SQLite transaction (nested calls become savepoints):
   * services group writes through this rather than reaching for `db`.
   * 'immediate' takes the write lock at the start (read-then-write races).
   */
  transaction<T>(fn: () => T, mode?: 'deferred' | 'immediate'): T;
  prompts: PromptsRepo;
  queues: QueuesRepo;
  gateways: GatewaysRepo;
  sims: SimsRepo;
  /** FMC least-cost routing: mobile number ranges per operator and the calls each SIM carried (0195). */
  numberRanges: NumberRangesRepo;
  pdSubjects: PdSubjectsRepo;
  pdContacts: PdContactsRepo;
  backups: BackupsRepo;
  selftests: SelftestsRepo;
  voicemail: VoicemailRepo;
  mail: MailRepo;
  pdRequests: PdRequestsRepo;
  /**
   * Installs the personal-data store's field cipher (services/pd-store):
   * from then on CDR parties are sealed on write and opened on read. The
   * process that holds the keys calls it once after opening the store.
   */
  usePdFields(cipher: PdFieldCipher): void;
  /** Whether a cipher is installed (a store without one reads sealed values as SEALED_UNREADABLE). */
  readonly hasPdFields: boolean;
  close(): void;
}

export interface StoreOptions extends OpenOptions {
  /**
   * The audit log's keys (services/common/audit-keys.ts). Default: derived
   * from the master key at `masterKeyPath`, else <dir of the DB>/keys/master.key
   * (the data directory's, created on first use as every service does).
   */
  auditKeys?: () => AuditKeys;
  masterKeyPath?: string | undefined;
  /** The copy of the audit checkpoints outside the DB; default <dir of the DB>/audit/checkpoints.jsonl. */
  auditCheckpointFile?: string | undefined;
  auditCheckpointEveryRows?: number;
}

function defaultAuditKeys(file: string, masterKeyPath: string | undefined): () => AuditKeys {
  if (file === ':memory:' && !masterKeyPath) return () => { throw new Error('an in-memory store needs auditKeys or masterKeyPath'); };
  const dataDir = path.dirname(file);
  return () => auditKeysFrom(loadMasterKey(masterKeyPath ? { dataDir, masterKeyPath } : { dataDir }).key);
}

export function openStore(file: string, opts: StoreOptions = {}): Store {
  const db = openDatabase(file, opts);
  const checkpointFile = opts.auditCheckpointFile || defaultCheckpointFile(file);
  const prompts = new PromptsRepo(db);
  const voicemail = new VoicemailRepo(db);
  const pd = new PdFieldsSlot();
  // A greeting a box plays is named in prompt-in-use, not just refused by the foreign key.
  prompts.addUsageCheck((p) => voicemail.boxesPlaying(p.id).map((b) => ({ type: 'voicemail', id: b.id, name: b.name })));
  return {
    db,
    tenants: new TenantsRepo(db),
    users: new UsersRepo(db),
    sessions: new SessionsRepo(db),
    settings: new SettingsRepo(db),
    audit: new AuditRepo(db, {
      keys: opts.auditKeys ?? defaultAuditKeys(file, opts.masterKeyPath),
      ...(opts.auditCheckpointEveryRows ? { checkpointEveryRows: opts.auditCheckpointEveryRows } : {}),
      // A read-only store never writes checkpoints.
      onCheckpoint: (c) => appendCheckpoint(checkpointFile, c),
    }),
    recordings: new RecordingsRepo(db),
    alarms: new AlarmsRepo(db),
    extensionFeatures: new ExtensionFeaturesRepo(db, pd),
    cdrSearch: new CdrSearchRepo(db, pd),
    trunks: new TrunksRepo(db),
    callFlows: new CallFlowsRepo(db),
    extensions: new ExtensionsRepo(db),
    cdrs: new CdrsRepo(db, pd),
    callLegs: new CallLegsRepo(db, pd),
    registrations: new RegistrationsRepo(db),
    outboundRoutes: new OutboundRoutesRepo(db),
    sipBans: new SipBansRepo(db),
    transaction: (fn, mode = 'deferred') => db.transaction(fn)[mode](),
    queues: new QueuesRepo(db),
    gateways: new GatewaysRepo(db),
    sims: new SimsRepo(db),
    numberRanges: new NumberRangesRepo(db),
    pdSubjects: new PdSubjectsRepo(db),
    pdContacts: new PdContactsRepo(db),
    backups: new BackupsRepo(db),
    selftests: new SelftestsRepo(db),
    prompts,
    voicemail,
    mail: new MailRepo(db, pd),
    pdRequests: new PdRequestsRepo(db, pd),
    usePdFields: (cipher) => {
      pd.cipher = cipher;
    },
    get hasPdFields() {
      return pd.cipher !== undefined;
    },
    close: () => db.close(),
  };
}
export { copyDatabaseOnline, checkCopy, codeSchemaVersion, type DatabaseCopy } from './backup';

/** The store options every service derives from the config: where the master key and the checkpoint file are. */
export function storeOptionsFrom(config: {
  recordings: { masterKeyPath?: string | undefined };
  audit: { checkpointFile: string; checkpointEveryRows: number };
}): StoreOptions {
  return {
    ...(config.recordings.masterKeyPath ? { masterKeyPath: config.recordings.masterKeyPath } : {}),
    ...(config.audit.checkpointFile ? { auditCheckpointFile: config.audit.checkpointFile } : {}),
    auditCheckpointEveryRows: config.audit.checkpointEveryRows,
  };
}
