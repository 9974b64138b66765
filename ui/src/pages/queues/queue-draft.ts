// The queue form's draft: numbers kept as typed (the api names a bad one by
// field), skills as "skill:level skill:level" text. Pure, for unit tests.
import type { Destination } from '../../data/call-flows';
import type { Queue, QueueInput, QueueStrategy } from '../../data/queues';

export interface MemberDraft {
  extension: string;
  mode: 'static' | 'dynamic';
  penalty: string;
  skills: string;
}

export interface QueueDraft {
  name: string;
  strategy: QueueStrategy;
  members: MemberDraft[];
  requiredSkills: string;
  ringTimeout: string;
  wrapUp: string;
  autoPauseAfter: string;
  maxCallers: string;
  maxWait: string;
  joinEmpty: boolean;
  serviceLevel: string;
  greeting: number | null;
  music: number | null;
  announceEvery: string;
  announceWait: boolean;
  language: 'ru' | 'en';
  overflow: Destination;
}

export const emptyQueueDraft = (): QueueDraft => ({
  name: '',
  strategy: 'longest-idle',
  members: [{ extension: '', mode: 'static', penalty: '0', skills: '' }],
  requiredSkills: '',
  ringTimeout: '15',
  wrapUp: '10',
  autoPauseAfter: '3',
  maxCallers: '0',
  maxWait: '600',
  joinEmpty: false,
  serviceLevel: '20',
  greeting: null,
  music: null,
  announceEvery: '30',
  announceWait: true,
  language: 'ru',
  overflow: { type: 'hangup', status: 480, reason: 'Temporarily Unavailable' },
});

const skillsText = (s: Record<string, number>) =>
  Object.entries(s)
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');

/** "sales:5 en:3" → {sales: 5, en: 3}; a word without a level counts as level 1, a non-number is sent as NaN for the api to name. */
export function parseSkills(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const word of text.split(/[\s,]+/).filter(Boolean)) {
    const [name = '', level] = word.split(':');
    out[name.toLowerCase()] = level === undefined ? 1 : Number(level);
  }
  return out;
}

export const draftOfQueue = (q: Queue): QueueDraft => ({
  name: q.name,
  strategy: q.strategy,
  members: q.members.map((m) => ({ extension: m.extension, mode: m.mode, penalty: String(m.penalty), skills: skillsText(m.skills) })),
  requiredSkills: skillsText(q.requiredSkills),
  ringTimeout: String(q.ringTimeout),
  wrapUp: String(q.wrapUp),
  autoPauseAfter: String(q.autoPauseAfter),
  maxCallers: String(q.maxCallers),
  maxWait: String(q.maxWait),
  joinEmpty: q.joinEmpty,
  serviceLevel: String(q.serviceLevel),
  greeting: q.greeting,
  music: q.music,
  announceEvery: String(q.announceEvery),
  announceWait: q.announceWait,
  language: q.language,
  overflow: q.overflow,
});

/** A typed number, or the text itself so the api says which field is not a number. */
const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s.trim()));

export const inputOfDraft = (d: QueueDraft): QueueInput => ({
  name: d.name.trim(),
  strategy: d.strategy,
  members: d.members.map((m) => ({ extension: m.extension.trim(), mode: m.mode, penalty: num(m.penalty), skills: parseSkills(m.skills) })),
  requiredSkills: parseSkills(d.requiredSkills),
  ringTimeout: num(d.ringTimeout),
  wrapUp: num(d.wrapUp),
  autoPauseAfter: num(d.autoPauseAfter),
  maxCallers: num(d.maxCallers),
  maxWait: num(d.maxWait),
  joinEmpty: d.joinEmpty,
  serviceLevel: num(d.serviceLevel),
  greeting: d.greeting,
  music: d.music,
  announceEvery: num(d.announceEvery),
  announceWait: d.announceWait,
  language: d.language,
  overflow: d.overflow,
});
