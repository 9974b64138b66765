// The trunk level of the recording policy on calls over trunks: a rule
// "always" on a trunk records its inbound calls and the outbound calls it
// answers (the trunk is known only then), never an internal call.
import { describe, expect, it } from 'vitest';
import { CallRecording, type RecordingDeps } from '../../../services/call-control/calls/recording';
import { createLogger } from '../../../services/common/logger';

const log = createLogger({ level: 'warn', sink: () => undefined });
const deps: RecordingDeps = {
  policies: { policies: () => [{ scope: 'trunk', target: 'МТС', mode: 'always' }] },
  alarms: { list: () => ({ rows: [] }) },
  enabled: true,
};
const parties = { tenantId: 1, cdrId: 'c1', caller: '201', callee: '+74951234567' };

describe('recording calls over trunks', () => {
  it('records an outbound call once the trunk with an "always" rule answered it', () => {
    const r = new CallRecording(deps, { ...parties, direction: 'outbound' }, log);
    r.setTrunk('МТС');
    expect(r.decide()).toBe(true);
    expect(r.answerOptions()).toMatchObject({ record: true });
  });

  it('does not record the same call over another trunk, an internal call, or change its mind after deciding', () => {
    const other = new CallRecording(deps, { ...parties, direction: 'outbound' }, log);
    other.setTrunk('Ростелеком');
    expect(other.decide()).toBe(false);
    expect(new CallRecording(deps, { ...parties, direction: 'internal', trunk: 'МТС' }, log).decide()).toBe(false);
    const decided = new CallRecording(deps, { ...parties, direction: 'outbound' }, log);
    expect(decided.decide()).toBe(false);
    decided.setTrunk('МТС');
    expect(decided.decide()).toBe(false);
  });

  it('records an inbound call from that trunk', () => {
    expect(new CallRecording(deps, { tenantId: 1, cdrId: 'c2', caller: '+79161234567', callee: '204', direction: 'inbound', trunk: 'МТС' }, log).decide()).toBe(true);
  });
});
