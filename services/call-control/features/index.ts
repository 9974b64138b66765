// Every destination type, by name, and the loop that runs a call through
// them. Adding a feature is its file, its test and ONE line in FEATURES.
// Built-in destinations (extension, external: the flows call-control carried
// before features) are given by the entry, which holds their dependencies.
import { errText, type Call } from '../call/call';
import { describeDestination, type Destination, type FeatureName } from '../routing/destination';
import type { Feature, FeatureDeps, FeatureFactory, Next } from './feature';
import { announcementFeature } from './announcement';
import { hangupFeature } from './hangup';
import { ivrFeature } from './ivr';
import { noticeBefore, noticeFeature } from './notice';
import { agentCodeFeature, parseAgentCode } from './queue/agent-codes';
import { queueFactory } from './queue/queue';
import { ringGroupFactory } from './ring-group';
import { scheduleFeature } from './schedule';
import { screenExtension, screenOutbound } from './screening';
import { voicemailFeature } from './voicemail';
import { parseVoicemailCode, voicemailListenFeature } from './voicemail-listen';

export type { Feature, FeatureDeps, FeatureFactory, FeatureRef, Next } from './feature';

/** name → factory: one line per destination type. */
export const FEATURES: { readonly [K in FeatureName]?: FeatureFactory<unknown> } = {
  'ring-group': ringGroupFactory(),
  ivr: ivrFeature,
  schedule: scheduleFeature,
  announcement: announcementFeature,
  voicemail: voicemailFeature,
  queue: queueFactory(),
};

/** Dialled feature codes: the first whose parser takes the code runs it; none: 404 feature-not-available. */
export function codeFeature(code: string, deps: FeatureDeps): Feature {
  if (parseAgentCode(code)) return agentCodeFeature(code, deps);
  const listen = parseVoicemailCode(code);
  if (listen) return voicemailListenFeature(listen, deps);
  return broken(404, 'Feature code not available', 'feature-not-available');
}

export interface Builtins {
  extension(to: Extract<Destination, { kind: 'extension' }>): Feature;
  external(to: Extract<Destination, { kind: 'external' }>): Feature;
}

/** More destinations than this in one call is a loop (an IVR option back to itself) that saving did not catch. */
export const MAX_HOPS = 20;

export class Features {
  constructor(
    private readonly deps: FeatureDeps,
    private readonly builtins: Builtins,
    private readonly table: { readonly [K in FeatureName]?: FeatureFactory<unknown> } = FEATURES,
  ) {}

  /** The feature for `to`; a destination that cannot run (unknown feature, deleted record, bad config) ends the call with a clear status and CDR reason. */
  create(to: Destination, call: Call): Feature {
    switch (to.kind) {
      case 'extension':
        // The extension's own black list first (inbound calls): a blocked caller goes to its treatment.
        return screenExtension(this.deps.lists, call, to.extension) ?? this.builtins.extension(to);
      case 'external':
        // The tenant's and the calling extension's outbound lists first.
        return screenOutbound(this.deps.lists, call, to.route?.number ?? to.number) ?? this.builtins.external(to);
      case 'refuse':
      case 'hangup':
        return hangupFeature(to);
      case 'feature':
        return this.feature(to, call);
      case 'notice':
        return noticeFeature(to, this.deps);
      case 'code':
        return codeFeature(to.code, this.deps);
    }
  }

  private feature(to: Extract<Destination, { kind: 'feature' }>, call: Call): Feature {
    const factory = this.table[to.feature];
    if (!factory) return broken(404, 'Not Found', 'feature-not-available');
    const raw = this.deps.configs.load(call.tenantId, to.feature, to.id);
    if (raw === undefined) {
      call.log.warn('destination not found', { destination: describeDestination(to) });
      return broken(404, 'Not Found', 'destination-not-found');
    }
    const parsed = factory.config.safeParse(raw);
    if (!parsed.success) {
      call.log.error('feature config not valid', {
        destination: describeDestination(to),
        issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      return broken(500, 'Server Internal Error', 'feature-config-invalid');
    }
    const feature = factory.create(parsed.data, this.deps, { tenantId: call.tenantId, feature: to.feature, id: to.id });
    // A queue's recording notice (Minjust order No. 134): heard before the queue, however the caller got there.
    const notice = to.feature === 'queue' ? this.deps.lists?.queueNotice?.(call.tenantId, to.id) : undefined;
    return notice?.enabled && notice.prompt !== null ? noticeBefore(notice.prompt, feature, this.deps) : feature;
  }
}

function broken(status: number, reason: string, code: string): Feature {
  return hangupFeature({ kind: 'hangup', status, reason, code });
}

/**
 * Runs `first` and every destination it leads to. A feature that throws ends
 * the call (500 internal-error); one that returns `done` leaving the caller
 * neither answered nor ended is a defect and ends it likewise; a chain longer
 * than MAX_HOPS is cut (482 destination-loop). Resolves when routing is over
 * (the call is ended, or answered and owned by its legs).
 */
export async function runDestinations(
  call: Call,
  first: Destination,
  features: Pick<Features, 'create'>,
  maxHops = MAX_HOPS,
): Promise<void> {
  let next: Next = { kind: 'route', to: first };
  try {
    while (next.kind === 'route' && !call.ended) {
      if (call.path.length >= maxHops) {
        call.log.warn('destination loop cut', { path: call.path.join(' → ') });
        next = { kind: 'route', to: { kind: 'hangup', status: 482, reason: 'Loop Detected', code: 'destination-loop' } };
        await hangupFeature(next.to as Extract<Destination, { kind: 'hangup' }>).run(call);
        return;
      }
      call.path.push(describeDestination(next.to));
      const feature = features.create(next.to, call);
      const stop = call.on('ended', () => feature.stop('call-ended'));
      try {
        next = await feature.run(call);
      } finally {
        stop();
      }
    }
    if (!call.ended && call.state !== 'answered') {
      call.log.error('feature left the call unanswered', { path: call.path.join(' → ') });
      await call.end('system', 500, 'feature-left-call');
    }
  } catch (err) {
    call.log.error('call feature failed', { path: call.path.join(' → '), err: errText(err) });
    await call.end('system', 500, 'internal-error');
  }
}
