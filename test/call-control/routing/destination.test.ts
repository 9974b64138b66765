import { describe, expect, it } from 'vitest';
import type { RouteDecision } from '../../../services/call-control/calls/call-router';
import { describeDestination, destinationOf } from '../../../services/call-control/routing/destination';

describe('destinations', () => {
  it('are named for logs and the call path', () => {
    expect(describeDestination({ kind: 'extension', extension: '201' })).toBe('extension:201');
    expect(describeDestination({ kind: 'external', number: '+74951234567' })).toBe('external:+74951234567');
    expect(describeDestination({ kind: 'hangup', status: 486, reason: 'Busy Here' })).toBe('hangup:486');
    expect(describeDestination({ kind: 'feature', feature: 'ivr', id: '3' })).toBe('feature:ivr:3');
  });

  it("the router's decision becomes the first destination, keeping what the router resolved", () => {
    const refuse: RouteDecision = { kind: 'refuse', dialled: '999', number: '', status: 404, reason: 'Not Found', code: 'extension-not-found' };
    expect(destinationOf(refuse)).toEqual({ kind: 'refuse', status: 404, reason: 'Not Found', code: 'extension-not-found' });
    const trunk = { kind: 'trunk', dialled: '84951234567', number: '+74951234567', class: 'local', route: { dialNumber: '84951234567', trunks: ['op'] } } as unknown as RouteDecision;
    expect(destinationOf(trunk)).toEqual({ kind: 'external', number: '+74951234567', route: trunk });
  });
});
