// The queue form's draft to the api's input and back: skills as text, numbers
// as typed (a blank one goes as null so the api names the field), and what
// the api accepts survives the round trip.
import { describe, expect, it } from 'vitest';
import { queueSchema } from '../../services/call-flows';
import { draftOfQueue, emptyQueueDraft, inputOfDraft, parseSkills } from '../../ui/src/pages/queues/queue-draft';
import { formatWait } from '../../ui/src/data/queues';

describe('queue draft', () => {
  it('parses skills text: level after a colon, a bare skill is level 1, case folded', () => {
    expect(parseSkills('Sales:5  en:3,vip')).toEqual({ sales: 5, en: 3, vip: 1 });
    expect(parseSkills('  ')).toEqual({});
    expect(parseSkills('x:abc').x).toBeNaN();
  });

  it('a new draft with one agent is what the api accepts, with its defaults', () => {
    const d = { ...emptyQueueDraft(), name: ' Поддержка ' };
    d.members[0]!.extension = '202';
    const parsed = queueSchema.safeParse(JSON.parse(JSON.stringify(inputOfDraft(d))));
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(queueSchema.parse({ name: 'Поддержка', members: [{ extension: '202' }] }));
  });

  it('a blank number goes as null and the api names the field', () => {
    const d = { ...emptyQueueDraft(), name: 'Q', wrapUp: ' ' };
    d.members[0]!.extension = '202';
    const body = JSON.parse(JSON.stringify(inputOfDraft(d))) as Record<string, unknown>;
    expect(body.wrapUp).toBeNull();
    const r = queueSchema.safeParse(body);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['wrapUp']);
  });

  it('round-trips a stored queue', () => {
    const q = queueSchema.parse({
      name: 'Продажи',
      strategy: 'skills',
      requiredSkills: { sales: 3 },
      members: [{ extension: '201', mode: 'dynamic', penalty: 2, skills: { sales: 5, en: 1 } }],
      wrapUp: 7,
      music: 4,
    });
    const stored = { ...q, id: 1, tenantId: 1, createdAt: '', updatedAt: '' };
    expect(draftOfQueue(stored).members[0]).toEqual({ extension: '201', mode: 'dynamic', penalty: '2', skills: 'sales:5 en:1' });
    expect(queueSchema.parse(inputOfDraft(draftOfQueue(stored)))).toEqual(q);
  });

  it('formats waits as m:ss, hours as h:mm:ss', () => {
    expect([formatWait(0), formatWait(4_900), formatWait(75_000), formatWait(3_725_000), formatWait(-5)]).toEqual(['0:00', '0:04', '1:15', '1:02:05', '0:00']);
  });
});
