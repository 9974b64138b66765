// Each queue strategy picks the agent it should: one fixture row per case
// (drachtio-server's table style), over agents with distinct histories.
import { describe, expect, it } from 'vitest';
import type { QueueStrategy } from '../../../../services/call-flows';
import { expectedWaitMs, pickAgents, type Candidate, type PickContext } from '../../../../services/call-control/features/queue/picker';

const agent = (extension: string, index: number, over: Partial<Candidate> = {}): Candidate => ({
  extension,
  index,
  penalty: 0,
  skills: {},
  calls: 0,
  lastCallEnd: null,
  idleSince: null,
  ...over,
});

// 201 answered most and most recently; 202 idle longest; 203 never took a call from this queue; 204 is a penalty-1 backup.
const team: Candidate[] = [
  agent('201', 0, { calls: 9, lastCallEnd: 9_000, idleSince: 9_000, skills: { ru: 5, cards: 2 } }),
  agent('202', 1, { calls: 4, lastCallEnd: 5_000, idleSince: 1_000, skills: { ru: 9 } }),
  agent('203', 2, { calls: 0, lastCallEnd: null, idleSince: 7_000, skills: { ru: 3, cards: 9 } }),
  agent('204', 3, { calls: 0, lastCallEnd: null, idleSince: 0, penalty: 1, skills: { ru: 10, cards: 10 } }),
];

interface Row {
  name: string;
  strategy: QueueStrategy;
  free?: Candidate[];
  ctx?: PickContext;
  expect: { mode: 'all' | 'one'; order: string[] };
}

/** A fixed "random" sequence: Fisher–Yates over 3 agents takes two draws. */
const draws = (...xs: number[]) => {
  let i = 0;
  return () => xs[i++ % xs.length]!;
};

const table: Row[] = [
  { name: 'ring-all rings the whole lowest-penalty tier', strategy: 'ring-all', expect: { mode: 'all', order: ['201', '202', '203'] } },
  {
    name: 'ring-all falls to the backup tier when the first is busy',
    strategy: 'ring-all',
    free: [team[3]!],
    expect: { mode: 'all', order: ['204'] },
  },
  { name: 'linear keeps config order', strategy: 'linear', expect: { mode: 'one', order: ['201', '202', '203'] } },
  {
    name: 'linear skips a busy agent (only free ones are candidates)',
    strategy: 'linear',
    free: [team[2]!, team[1]!],
    expect: { mode: 'one', order: ['202', '203'] },
  },
  { name: 'round robin with no memory starts at the top', strategy: 'round-robin', expect: { mode: 'one', order: ['201', '202', '203'] } },
  {
    name: 'round robin continues after the one offered last',
    strategy: 'round-robin',
    ctx: { lastOffered: 1 },
    expect: { mode: 'one', order: ['203', '201', '202'] },
  },
  {
    name: 'round robin wraps after the last member',
    strategy: 'round-robin',
    ctx: { lastOffered: 2 },
    expect: { mode: 'one', order: ['201', '202', '203'] },
  },
  {
    name: 'round robin skips a member that is not free',
    strategy: 'round-robin',
    free: [team[0]!, team[2]!],
    ctx: { lastOffered: 0 },
    expect: { mode: 'one', order: ['203', '201'] },
  },
  {
    name: 'least recent: never-called first, then oldest call end',
    strategy: 'least-recent',
    expect: { mode: 'one', order: ['203', '202', '201'] },
  },
  { name: 'fewest calls', strategy: 'fewest-calls', expect: { mode: 'one', order: ['203', '202', '201'] } },
  {
    name: 'random follows the draws',
    strategy: 'random',
    ctx: { random: draws(0, 0) },
    expect: { mode: 'one', order: ['202', '203', '201'] },
  },
  {
    name: 'random with other draws',
    strategy: 'random',
    ctx: { random: draws(0.99, 0.99) },
    expect: { mode: 'one', order: ['201', '202', '203'] },
  },
  { name: 'longest idle across queues', strategy: 'longest-idle', expect: { mode: 'one', order: ['202', '203', '201'] } },
  {
    name: 'skills: only agents with every required level, best match first',
    strategy: 'skills',
    ctx: { requiredSkills: { ru: 3, cards: 2 } },
    expect: { mode: 'one', order: ['203', '201'] },
  },
  {
    name: 'skills: the penalty tier applies after the skill filter',
    strategy: 'skills',
    ctx: { requiredSkills: { cards: 10 } },
    expect: { mode: 'one', order: ['204'] },
  },
  { name: 'skills: nobody qualifies', strategy: 'skills', ctx: { requiredSkills: { de: 1 } }, expect: { mode: 'one', order: [] } },
  { name: 'no free agent', strategy: 'longest-idle', free: [], expect: { mode: 'one', order: [] } },
];

describe('queue strategies', () => {
  for (const row of table) {
    it(row.name, () => {
      const p = pickAgents(row.strategy, row.free ?? team, row.ctx);
      expect({ mode: p.mode, order: p.agents.map((a) => a.extension) }).toEqual(row.expect);
    });
  }
});

describe('expected wait', () => {
  it('is position over agents, rounded up, times the recent handle time', () => {
    expect(expectedWaitMs(1, 2, 60_000)).toBe(60_000);
    expect(expectedWaitMs(3, 2, 60_000)).toBe(120_000);
    expect(expectedWaitMs(3, 0, 60_000)).toBe(180_000);
    expect(expectedWaitMs(1, 1, undefined)).toBe(120_000);
  });
});
