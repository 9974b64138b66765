// The contract every routed feature keeps (STYLE.md "Where things go"):
// a zod schema for its stored config and `create(config, deps)` returning
// `run(call)` / `stop(reason)`. `run` resolves with where the call goes next,
// or `done` when the call is ended, or connected and owned by its legs. A
// feature that throws has the call ended by the entry ('internal-error'),
// its resources released by the Call's one end().
import type { z } from 'zod';
import type { Logger } from '../../common/logger';
import type { CallActions, Prompt, RecordedAudio } from '../actions/actions';
import type { Call } from '../call/call';
import type { Destination, FeatureName } from '../routing/destination';
import type { ListConfig, RecordingNotice } from '../../call-flows';
import type { QueueDeps } from './queue/deps';
import type { Hop } from '../calls/forwarding';

/** An extension's mobile rung with its desk phones through a GSM gateway port (fmc/mobile-ring.ts MobileRinger). */
export interface MobilePort {
  withMobile(call: Call, hop: Extract<Hop, { kind: 'ring' }>, log: Logger): Extract<Hop, { kind: 'ring' }>;
}

export type Next = { kind: 'done' } | { kind: 'route'; to: Destination };

export interface Feature {
  run(call: Call): Promise<Next>;
  /** The call is going away (the caller hung up, the process stops): stop timers and prompts; run() resolves soon after. */
  stop(reason: string): void;
}

/** Where a feature's stored config comes from (flowconfig's store); undefined when the record does not exist. */
export interface FeatureConfigs {
  load(tenantId: number, feature: FeatureName, id: string): unknown;
  /** The member a ring group's round robin connected last, kept in the store so it survives a restart; absent: memory only. */
  lastMember?(tenantId: number, groupId: string): string | undefined;
  rememberMember?(tenantId: number, groupId: string, extension: string): void;
}

/** Uploaded and text-to-speech prompts by id, as files rtpengine can play (the prompts store); undefined when deleted. */
export interface PromptFiles {
  file(tenantId: number, promptId: number): Prompt | undefined;
}

/** What features ask of the tenant's numbering: an IVR's dial-by-extension takes only numbers that exist. */
export interface Directory {
  hasExtension(tenantId: number, extension: string): boolean;
}

/** The tenant's lists and recording notices as call-control reads them (the store, cached by version in call-lists.ts). */
export interface CallLists {
  /** Every list of the tenant, parsed, by id; screenCaller skips disabled and outbound-only ones. */
  lists(tenantId: number): ReadonlyArray<readonly [number, ListConfig]>;
  /** The recording notice set on a DID (by its stored number), if any. */
  didNotice(tenantId: number, did: string): RecordingNotice | undefined;
  /** An outbound route's notice (scope `route`, by route id): heard after the trunk answers, before the parties hear each other. */
  routeNotice?(tenantId: number, routeId: string): RecordingNotice | undefined;
  /** The recording notice set on a queue (by its id), if any: played before the queue. */
  queueNotice?(tenantId: number, queueId: string): RecordingNotice | undefined;
}

/** What the voicemail destination (features/voicemail.ts) needs besides FeatureDeps: the box's store and its phones' MWI. */
export interface VoicemailPort {
  /** Messages in the box now (new and saved): the limit is checked against it. */
  count(boxId: number): number;
  save(m: { tenantId: number; boxId: number; callId: string; caller: string; receivedAt: Date; audio: RecordedAudio }): Promise<{ id: number; durationMs: number }>;
  /** The tone before recording. */
  beep: Prompt;
  /** The box changed: its phones' message-waiting state is sent. */
  changed(tenantId: number, boxId: number): void;
}

/** A box as the listening feature sees it. */
export interface ListenBox {
  id: number;
  tenantId: number;
  number: string;
}

export interface ListenMessage {
  id: number;
  caller: string;
  durationMs: number;
  folder: 'new' | 'saved';
}

export type PinCheck = 'ok' | 'wrong' | 'locked' | 'no-pin';

/** What listening by phone needs (features/voicemail-listen.ts; voicemail-port.ts builds it over the store and the message vault). */
export interface VoicemailAccess {
  ownBox(tenantId: number, extension: string): ListenBox | undefined;
  boxByNumber(tenantId: number, number: string): ListenBox | undefined;
  /** Checks the PIN; a wrong one is counted and may lock the box. `locked` while locked, whatever was entered. */
  checkPin(box: ListenBox, pin: string): Promise<PinCheck>;
  /** New ones first (oldest first), then saved ones. */
  messages(boxId: number): ListenMessage[];
  /** The message's decrypted WAV, in memory; undefined when it is gone. */
  audio(messageId: number): Promise<Buffer | undefined>;
  /** Played by phone: moved to saved, and the listen audited with who listened. */
  heard(box: ListenBox, messageId: number, by: string): void;
  remove(box: ListenBox, messageId: number, by: string): Promise<void>;
  /** A new PIN chosen by phone (4–8 digits, checked by the caller): hashed, failures and lock cleared, audited. */
  setPin(box: ListenBox, pin: string, by: string): Promise<void>;
  /** A spoken prompt (espeak-ng, cached); undefined when speech is not available: the menu goes on silently. */
  say(text: string): Promise<Prompt | undefined>;
  /** The box's counts changed: its phones are told (MWI). */
  changed(tenantId: number, boxId: number): void;
}

/** What every feature may use; built-in flows get more (features/index.ts FlowDeps). */
export interface FeatureDeps {
  actions: CallActions;
  configs: FeatureConfigs;
  prompts: PromptFiles;
  directory: Directory;
  /** The tenant's black/white lists: an extension's own screen inbound callers before it rings; without them nobody is screened. */
  lists?: CallLists;
  /** Queue records and speech; without them a queue destination ends the call 503 queue-unavailable. */
  queues?: QueueDeps;
  log: Logger;
  /** Milliseconds since the epoch; a test sets the clock (schedules). */
  now(): number;
  /** Voicemail boxes' messages and MWI; without it a voicemail destination fails loudly. */
  voicemail?: VoicemailPort;
  /** Listening to boxes by phone (*97, *98); without it those codes are refused 503. */
  voicemailAccess?: VoicemailAccess;
  /** Extensions' mobiles through GSM gateways (issue 14); without it no mobile rings. */
  mobiles?: MobilePort;
}

/**
 * What features take from the service that runs them (service.ts builds it):
 * stored configs, prompt files, and each feature's own port. A new feature's
 * port is added here and wired in service.ts; invite-handler.ts passes the
 * whole bag on and does not change.
 */
export type FeaturePorts = Partial<Pick<FeatureDeps, 'configs' | 'prompts' | 'voicemail' | 'voicemailAccess' | 'queues' | 'mobiles'>>;

/** Which stored record a feature runs: features that remember between calls (a ring group's round robin) key by it. */
export interface FeatureRef {
  tenantId: number;
  feature: FeatureName;
  id: string;
}

export interface FeatureFactory<C> {
  readonly name: FeatureName;
  readonly config: z.ZodType<C>;
  create(config: C, deps: FeatureDeps, ref: FeatureRef): Feature;
}

/** Type-checks a factory's config against its schema at the registry line. */
export function defineFeature<C>(f: FeatureFactory<C>): FeatureFactory<C> {
  return f;
}
