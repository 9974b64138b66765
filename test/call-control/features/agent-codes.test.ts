// Agents' feature codes: which codes are theirs, and what each changes for
// the calling extension in each queue (a fixture table, pure).
import { describe, expect, it } from 'vitest';
import { queueSchema } from '../../../services/call-flows';
import { agentChanges, parseAgentCode, type AgentAction } from '../../../services/call-control/features/queue/agent-codes';

describe('parseAgentCode', () => {
  it.each([
    ['*45', { action: 'log-in' }],
    ['*46*7', { action: 'log-out', queueId: 7 }],
    ['*477', { action: 'pause', queueId: 7 }],
    ['*48', { action: 'unpause' }],
    ['*44', undefined],
    ['*49', undefined],
    ['*45*', undefined],
    ['*45#', undefined],
    ['45', undefined],
    ['*1', undefined],
  ])('%s', (code, want) => expect(parseAgentCode(code)).toEqual(want));
});

const q = (id: number, members: Array<{ extension: string; mode: 'static' | 'dynamic' }>, row?: { loggedIn: boolean; paused: boolean }) => ({
  id,
  name: `Q${id}`,
  config: queueSchema.parse({ name: `Q${id}`, members }),
  row,
});

describe('agentChanges', () => {
  const dyn = [{ extension: '202', mode: 'dynamic' as const }];
  const stat = [{ extension: '202', mode: 'static' as const }];
  it.each<[string, AgentAction, ReturnType<typeof q>[], Array<[number, object]>]>([
    ['a dynamic member logs in', 'log-in', [q(1, dyn)], [[1, { loggedIn: true }]]],
    ['already in: nothing', 'log-in', [q(1, dyn, { loggedIn: true, paused: false })], []],
    ['a static member is always in', 'log-in', [q(1, stat)], []],
    ['log-out clears a pause', 'log-out', [q(1, dyn, { loggedIn: true, paused: true })], [[1, { loggedIn: false, paused: false, pauseReason: '' }]]],
    ['a static member cannot log out', 'log-out', [q(1, stat)], []],
    ['pause every queue logged into, with the phone reason', 'pause', [q(1, stat), q(2, dyn), q(3, dyn, { loggedIn: true, paused: false })], [[1, { paused: true, pauseReason: 'phone' }], [3, { paused: true, pauseReason: 'phone' }]]],
    ['unpause only what is paused', 'unpause', [q(1, stat, { loggedIn: true, paused: true }), q(2, dyn, { loggedIn: true, paused: false })], [[1, { paused: false, pauseReason: '' }]]],
    ['not a member: nothing', 'log-in', [q(1, [{ extension: '203', mode: 'dynamic' }])], []],
  ])('%s', (_name, action, queues, want) => {
    expect(agentChanges(action, '202', queues).map((c) => [c.id, c.change])).toEqual(want);
  });
});
