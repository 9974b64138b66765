// The call-control process: a drachtio-srf application connected to
// sip-core (or an external drachtio-server). This file holds the process
// lifecycle: the store, the registrar, rtpengine, the licence limit, the
// CDR recorder and recovery, and the timers that keep them current.
import { requiresTls } from './auth/require-tls';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Srf from 'drachtio-srf';
import { storedPauseGuard } from './calls/recording-pause';
import { UnconfirmedInbound, unconfirmedCap } from './trunks/unconfirmed-inbound';
import type { Config } from '../common/config';
import { collectFingerprint, type FingerprintComponent } from '../../licensing';
import { CallLedger } from '../../licensing/admission';
import type { ServiceDeps, ServiceHandle } from '../common/service';
import { openStore, storeOptionsFrom, type Store } from '../store';
import { sealPlainCdrs, usePdFields } from '../pd-store';

import { DigestAuthenticator, type DigestAlgorithm } from './auth/digest';
import { DIGEST_POLICIES, digestPolicyFor } from '../common/sip-digest';
import type { RequestAuthDeps } from './auth/request-auth';
import { SIP_LOOP_BUSY_MS, startCdrWrites } from './cdr/cdr-writes';
import { CdrRecorder } from './cdr/cdr-recorder';
import { CdrRecovery, mediaWitness } from './cdr/cdr-recovery';
import type { RouterStores } from './calls/call-router';
import { CallRegistry } from './call/call-registry';
import { AdoptedCalls } from './calls/adopted-calls';
import { deleteMedia, inviteHandler, type CallCounters } from './calls/invite-handler';
import { LicenceLimits } from './calls/licence-limits';
import { LiveCalls, type LiveCall } from './calls/live-calls';
import { startControl } from './control/start-control';
import { Transfers } from './calls/transfer';
import { loadDialPlan } from '../dialplan';
import { createNgClient } from './media/ng-client';
import { createNgHttpClient } from './media/ng-http-client';
import { RtpengineMedia } from './media/rtpengine-media';
import { mobileDirectory } from './fmc/mobile-origin';
import { fmcWiring } from './fmc/fmc-wiring';
import { createRegistrar, type RegistrarService } from './registrar/registrar-service';
import { isIpLiteral, type RegisterRequest, type RegisterResponse } from './registrar/registrar';
import { TrunkChannels } from './trunks/trunk-channels';
import { RefusedDids } from './trunks/refused-dids';
import { TrunkDirectory, trunkSecretBox } from './trunks/trunk-directory';
import { trunkSignalling } from './trunks/trunk-status-wiring';
import { optionsAnswer } from './trunks/options-keepalive-answer';
import type { InviteDeps } from './calls/invite-handler';
import { resolvePlaybackFile, SpeechCache } from '../prompts';
import { storeCallLists, storeFeatureConfigs } from './features/call-lists';
import { voicemailWiring } from './features/voicemail-port';
import { MessageWaiting } from './mwi/mwi-notifier';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf's typings lack createB2BUA's options and dialog events
type Loose = any;

const SWEEP_MS = 5_000;
const HEARTBEAT_MS = 30_000;
const LICENCE_MS = 60_000;
const FINGERPRINT_MS = 3_600_000;
const TRUNKS_MS = 5_000;
/** How soon a message read or deleted through the api reaches the phones' message-waiting lamp. */
const MWI_CHECK_MS = 2_000;

function routerStores(store: Store, registrar: RegistrarService): RouterStores {
  return {
    extension: (tenantId, ext) => store.extensions.get(tenantId, ext),
    dnd: (id) => store.extensionFeatures.get(id)?.dnd ?? false,
    forwarding: (id) => store.extensionFeatures.get(id)?.forward,
    dialPlan: (tenantId) => loadDialPlan({ settings: store.settings, routes: store.outboundRoutes }, tenantId),
    bindings: (aor) => registrar.location.lookup(aor),
  };
}

function trunkDeps(
  store: Store,
  directory: TrunkDirectory,
  channels: TrunkChannels,
  usable: (trunkId: number) => boolean,
  config: Readonly<Config>,
  log: ServiceDeps['log'],
): NonNullable<InviteDeps['trunks']> {
  return {
    directory,
    channels,
    usable,
    features: (tenantId, ext) => {
      const e = store.extensions.get(tenantId, ext);
      return e && store.extensionFeatures.get(e.id);
    },
    failoverMs: config.calls.trunkFailoverSeconds * 1000,
    dids: (tenantId) => store.trunks.listDids(tenantId),
    mainDestination: (tenantId) => store.callFlows.mainDestination(tenantId),
    lists: storeCallLists(store, log),
    numbering: (tenantId) => loadDialPlan({ settings: store.settings, routes: store.outboundRoutes }, tenantId).numbering,
  };
}

/** Extensions' credentials, then GSM gateway ports' (their AOR is the port's user name). */
function gatewayPortCredentials(store: Store) {
  return {
    credentials(tenantId: number, u: string) {
      const c = store.extensions.credentials(tenantId, u);
      if (c) return c;
      const p = store.gateways.portCredentials(tenantId, u);
      return p && { extension: { extension: p.username }, ha1: p.ha1 };
    },
  };
}

/** The tenant's (or the extension's own) digest policy, read at every challenge so a change applies at once. */
function digestAlgorithms(store: Store) {
  return (tenantId: number, username: string | undefined): readonly DigestAlgorithm[] => {
    const ext = username === undefined ? undefined : store.extensions.credentials(tenantId, username)?.extension.id;
    return DIGEST_POLICIES[digestPolicyFor(store.settings, tenantId, ext)];
  };
}

function authDeps(store: Store, registrar: RegistrarService, log: ServiceDeps['log']): RequestAuthDeps {
  return {
    // Many phones (and sipp) answer only the first challenge row and know only MD5: MD5 first
    // unless the tenant or extension says otherwise (services/common/sip-digest.ts).
    auth: new DigestAuthenticator({ algorithms: ['MD5', 'SHA-256'] }),
    algorithms: digestAlgorithms(store),
    requiresTls: requiresTls(store),
    bans: registrar.bans,
    tenantFor: (host) => store.tenants.byDomain(host) ?? (isIpLiteral(host) ? store.tenants.defaultTenant() : undefined),
    credentials: (tenantId, u) => {
      const c = store.extensions.credentials(tenantId, u);
      if (c) return { extension: c.extension.extension, ha1: c.ha1 };
      // A GSM gateway's port registers and calls as its own SIP user (issue 14).
      const p = store.gateways.portCredentials(tenantId, u);
      return p && { extension: p.username, ha1: p.ha1, gatewayPort: { gatewayId: p.gatewayId, port: p.port } };
    },
    mobiles: mobileDirectory(store),
    log,
  };
}

/** What a restarted process needs to take the call over (adopted-calls.ts). */
function callLegsOf(c: LiveCall) {
  return {
    cdrId: c.id,
    tenantId: c.tenantId,
    aDialog: String(c.uas.id),
    bDialog: String(c.uac.id),
    mediaId: c.legs.mediaId,
    tagA: c.legs.tagA,
    tagB: c.legs.tagB ?? '',
    sdpToA: c.legs.sdpToA ?? '',
    sdpToB: c.sdpToB ?? '',
    caller: c.caller,
    callee: c.callee,
    answeredAt: c.answeredAt,
  };
}

export async function start(config: Readonly<Config>, { log, licence: licenceOf }: ServiceDeps): Promise<ServiceHandle> {
  // Every write here runs on the SIP event loop: wait at most SIP_LOOP_BUSY_MS for another process's
  // lock, not SQLite's 5 s (issue 16 item 14); CDRs that still cannot be written are spilled (cdr-writes.ts).
  const store = openStore(path.join(config.dataDir, 'korobka.db'), { ...storeOptionsFrom(config), busyTimeoutMs: SIP_LOOP_BUSY_MS });
  // CDR parties are sealed under their subjects' keys as they are written (issue 15); plain older rows after recovery.
  usePdFields(store, { dataDir: config.dataDir, masterKeyPath: config.recordings.masterKeyPath });
  const owner = randomUUID(); // this boot's id on the CDR rows it opens (cdr-recovery.ts)
  const ng = await createNgClient({ host: config.rtpengine.ngHost, port: config.rtpengine.ngPort, log });
  // rtpengine's HTTP ng listener on the same port number (TCP) carries voicemail audio played from memory.
  const ngHttp = createNgHttpClient({ host: config.rtpengine.ngHost, port: config.rtpengine.ngPort, log });
  const media = new RtpengineMedia({ ng, blob: ngHttp, log });
  // Issue 16 item 3: configured networks and the trunks' own addresses are never banned.
  const registrar = createRegistrar(
    {
      tenants: store.tenants,
      extensions: gatewayPortCredentials(store),
      registrations: store.registrations,
      bans: store.sipBans,
      algorithms: digestAlgorithms(store),
      requiresTls: requiresTls(store),
    },
    { now: Date.now, log },
    { bans: { allow: config.sip.security.trustedNetworks }, trusted: (ip) => trunks.candidates(ip).length > 0 },
  );
  // One commit (one fsync) per 10 ms for all CDR writes, a short busy wait, a durable spill: cdr-writes.ts.
  const cdrOut = startCdrWrites({ store, dataDir: config.dataDir, log });
  const cdrWrites = cdrOut.sink;
  cdrOut.replay(); // before recovery: rows a killed process spilled
  cdrOut.check();
  const recorder = new CdrRecorder({ sink: cdrWrites, owner, log });
  const recovery = new CdrRecovery(
    { store: store.cdrs, media: mediaWitness(media), owner, now: Date.now, log },
    config.calls.recoveryIdleSeconds * 1000,
  );
  // The fingerprint the licence is bound to comes from systeminformation, whose shell-outs
  // (execSync) stall this event loop for 250–400 ms: taken once an hour, not at every minute's check.
  let fingerprint: { at: number; value: Promise<FingerprintComponent[]> } | undefined;
  const machineFingerprint = () => {
    if (!fingerprint || Date.now() - fingerprint.at > FINGERPRINT_MS) fingerprint = { at: Date.now(), value: collectFingerprint() };
    return fingerprint.value;
  };
  const licence = new LicenceLimits({ evaluate: async () => licenceOf(store).current({ fingerprint: await machineFingerprint() }), log });
  const ledger = new CallLedger();
  const live = new LiveCalls(
    { save: (c) => store.callLegs.save(owner, callLegsOf(c)), remove: (id) => store.callLegs.remove(id) },
    (what, err) => log.error('call legs write failed', { what, err }),
  );
  // Shared by the call flows and trunk registration; an admin's edit is seen within TRUNKS_MS even without calls.
  const trunks = new TrunkDirectory({
    trunks: store.trunks,
    secrets: trunkSecretBox({ dataDir: config.dataDir, masterKeyPath: config.recordings.masterKeyPath }),
    ipChannelLimit: config.calls.ipTrunkChannels,
    log: log.child({ part: 'trunks' }),
  });
  await trunks.ready();
  const channels = new TrunkChannels();
  const counters: CallCounters = { attempts: 0, answered: 0, refusedByLicence: 0, refused: 0 };
  // Every call in progress, from admission to its end: DTMF reports are routed to their call here.
  const calls = new CallRegistry();
  // Queued callers a previous run of this process left in the store are gone (their calls ended with it).
  const speech = new SpeechCache(path.join(config.dataDir, 'prompts', 'speech'));
  store.queues.closeStale(Date.now());
  // How late the event loop runs: replies (SIP, ng) wait this long before we even read them.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  await licence.refresh();
  let registrations = registrar.sweep();

  const srf = new Srf() as Loose;
  // Registrations and OPTIONS keepalives follow the directory (its periodic check notices an admin's edit);
  // call routing asks signalling.isUsable(trunkId) to skip a trunk that is down or failed to register.
  const signalling = trunkSignalling({ directory: trunks, store, srf, hostport: () => (connected ? hostport : ''), log });
  // GSM gateways: the live port table, the extension's mobile rung with its desk phones (issue 14).
  const fmc = fmcWiring({ store, srf, bindings: (aor) => registrar.location.lookup(aor), log: log.child({ part: 'fmc' }) });
  const router = { ...routerStores(store, registrar), ringsMobile: fmc.ringsMobile };
  const ringTimeoutMs = config.calls.ringTimeoutSeconds * 1000;
  // Inbound trunk calls not yet answered share half the licence (issue 16 item 4: forged INVITEs).
  const unconfirmed = new UnconfirmedInbound(() => unconfirmedCap(licence.limits.concurrentCalls));
  // Calls from trunks to numbers nobody holds: a few CDRs a minute, the rest one counted alarm (issue 16 item 4).
  const refusedDids = new RefusedDids({ alarms: store.alarms, log: log.child({ part: 'trunks' }) });
  const trunkCalls = {
    ...trunkDeps(store, trunks, channels, (id) => signalling.isUsable(id), config, log),
    unconfirmed,
    refusedDids,
    lcr: (tenantId: number, number: string, callId: string) => fmc.lcr.ways(tenantId, number, callId),
  };
  const transfers = new Transfers({ srf, live, router, media, recorder, ringTimeoutMs, trunks: trunkCalls, log });
  // Before recovery and before sip-core hands us the dialogs: the calls the previous process was carrying.
  const adopted = new AdoptedCalls({
    srf,
    legs: store.callLegs,
    cdrs: store.cdrs,
    deleteMedia: (id) => deleteMedia(media, id, log),
    ledger,
    owner,
    now: Date.now,
    log,
  });
  adopted.load();
  srf.use(adopted.middleware());
  srf.use('register', (req: Loose, res: Loose, next: () => void) =>
    registrar.middleware(req as RegisterRequest, res as RegisterResponse, next),
  );
  srf.options(optionsAnswer());
  // Phones' message-waiting lamps: SUBSCRIBE message-summary to their own box (mwi/).
  const mwi = new MessageWaiting({
    createUAS: (req, res, opts) => srf.createUAS(req, res, opts),
    auth: authDeps(store, registrar, log),
    boxOf: (tenantId, extension) => store.voicemail.boxOfExtension(tenantId, extension),
    counts: (boxId) => store.voicemail.counts(boxId),
    countsByBox: () => store.voicemail.countsByBox(),
    log: log.child({ component: 'mwi' }),
  });
  srf.subscribe(mwi.handler());
  const voicemail = await voicemailWiring({
    store,
    dataDir: config.dataDir,
    ...(config.recordings.masterKeyPath ? { masterKeyPath: config.recordings.masterKeyPath } : {}),
    log: log.child({ component: 'voicemail' }),
    changed: (tenantId, boxId) => mwi.changed(tenantId, boxId),
    say: (text) => speech.file(text, 'ru').then((file) => ({ file }), (err: unknown) => (log.warn('voicemail speech not made', { err: String(err) }), undefined)),
  });
  srf.invite(
    inviteHandler({
      srf,
      auth: authDeps(store, registrar, log),
      router,
      media,
      recorder,
      ledger,
      limits: () => licence.limits,
      cdrExists: (id) => cdrWrites.has(id) || store.cdrs.get(id) !== undefined,
      ringTimeoutMs,
      counters,
      recording: { policies: store.recordings, alarms: store.alarms, enabled: config.recordings.enabled, ...storedPauseGuard(store) },
      live,
      transfers,
      trunks: trunkCalls,
      calls,
      features: {
        // Uploaded and text-to-speech prompts of the tenant, as files rtpengine plays (it transcodes A-law to the leg's codec).
        prompts: {
          file: (tenantId, promptId) => {
            // The paced copy: the WAV itself would reach the caller in 512 ms bursts (services/prompts/paced.ts).
            const file = resolvePlaybackFile(store, config.dataDir, tenantId, promptId);
            const durationMs = store.prompts.get(promptId)?.durationMs;
            return file ? { file, ...(durationMs !== undefined ? { durationMs } : {}) } : undefined;
          },
        },
        // Queues: agents' standing and queued callers in the store; spoken positions made once and cached under the data directory.
        queues: {
          store: store.queues,
          list: (tenantId) => store.callFlows.list('queue', tenantId).map((r) => ({ id: r.id, name: r.name, config: r.config })),
          busy: (tenantId, extension) => live.list(tenantId).some((c) => c.caller === extension || c.callee === extension),
          speak: async (text, language) => {
            try {
              return { file: await speech.file(text, language) };
            } catch (err) {
              log.warn('queue speech not made', { err: err instanceof Error ? err.message : String(err) });
              return undefined;
            }
          },
        },
        // Call-flow records and round-robin memory from the store; voicemail boxes from their own wiring.
        configs: storeFeatureConfigs(store, log, { voicemail: (tenantId, id) => voicemail.load(tenantId, id) }),
        voicemail: voicemail.port,
        voicemailAccess: voicemail.access,
        mobiles: fmc.mobiles,
      },
      log,
    }),
  );

  let connected = false;
  let hostport = '';
  let connects = 0;
  srf.on('connect', (err: Error | undefined, hp: string) => {
    if (err) {
      log.error('drachtio connect failed', { err });
      return;
    }
    connected = true;
    connects++;
    hostport = hp;
    log.info('connected to the SIP server', { sip: hp });
  });
  srf.on('error', (err: Error) => {
    if (connected) log.warn('lost the SIP server connection', { err: err.message });
    connected = false;
  });

  // A failing periodic job is logged and retried at its next turn; it never takes the process down.
  const every = (ms: number, what: string, job: () => unknown) =>
    setInterval(() => {
      Promise.resolve()
        .then(job)
        .catch((err: unknown) => log.error('periodic job failed', { job: what, err }));
    }, ms);
  const recover = async () => {
    const r = await recovery.sweep();
    for (const c of r.closed) adopted.forget(c.callId);
    if (r.closed.length > 0 || r.stillTalking.length > 0)
      log.info('cdr recovery', { closed: r.closed.length, stillTalking: r.stillTalking.length });
  };
  await recover().catch((err: unknown) => log.error('cdr recovery failed', { err }));
  sealPlainCdrs(store, log);
  const timers = [
    every(SWEEP_MS, 'registrar-sweep', () => (registrations = registrar.sweep())),
    every(config.calls.recoverySweepSeconds * 1000, 'cdr-recovery', recover),
    every(HEARTBEAT_MS, 'cdr-heartbeat', () => {
      recorder.heartbeat(Date.now());
      cdrOut.check();
    }),
    every(LICENCE_MS, 'licence-refresh', () => licence.refresh()),
    every(TRUNKS_MS, 'trunk-directory', () => trunks.check()),
    every(MWI_CHECK_MS, 'mwi-check', () => mwi.check()),
    // OPTIONS to GSM gateways and their registered ports: only once sip-core can send them.
    every(TRUNKS_MS, 'gateway-keepalive', () => connected && fmc.sync()),
  ];

  // The api's window on live calls, and feature codes (DTMF) for on-demand recording and pause.
  const control = await startControl(config, { live, calls, log });

  srf.connect({ host: config.drachtio.host, port: config.drachtio.port, secret: config.drachtio.secret });
  return {
    health: () => ({
      ok: connected,
      sipServer: `${config.drachtio.host}:${config.drachtio.port}`,
      listening: hostport,
      connects,
      registrations,
      activeCalls: ledger.size,
      answeredCalls: live.size,
      trunkChannels: channels.snapshot(),
      unconfirmedTrunkCalls: unconfirmed.snapshot(),
      takenOverCalls: adopted.size,
      mwiSubscriptions: mwi.size,
      licence: licence.summary,
      calls: { ...counters },
      trunks: signalling.snapshot(),
      gateways: fmc.report(),
      control: control.health(),
      // ng round trips, retransmissions and late replies: what bench/calls reads to see rtpengine's latency under load.
      ng: ng.stats?.(),
      cdrWrites: cdrOut.health(),
      eventLoopDelayMs: {
        p50: Math.round(loopDelay.percentile(50) / 1e4) / 100,
        p99: Math.round(loopDelay.percentile(99) / 1e4) / 100,
        max: Math.round(loopDelay.max / 1e4) / 100,
      },
    }),
    stop: async () => {
      for (const t of timers) clearInterval(t);
      fmc.stop();
      loopDelay.disable();
      await control.close();
      await mwi.stop();
      // RFC 3261 §10.2.2: take our bindings off the operators' registrars while the SIP server is still there.
      await signalling.stop().catch((err: unknown) => log.error('trunk signalling stop failed', { err }));
      // srf throws when asked to disconnect a socket it never opened.
      if (connected) srf.disconnect();
      // Calls in progress keep their media in rtpengine; their CDRs stay in-progress for the next boot's recovery.
      ng.close();
      ngHttp.close();
      cdrOut.stop();
      registrar.bans.flush();
      refusedDids.flush();
      store.close();
    },
  };
}
