import { describe, expect, it } from 'vitest';
import type { IvrMenuInput } from '../../../services/call-flows';
import { answeredBy } from '../fakes/fake-actions';
import { flowWorld } from './flow-world';

const menu = (over: Partial<IvrMenuInput> = {}): IvrMenuInput => ({
  name: 'Главное меню',
  prompt: 11,
  options: [
    { digit: '1', destination: { type: 'feature', feature: 'ring-group', id: 3 } },
    { digit: '0', destination: { type: 'extension', extension: '200' } },
  ],
  timeout: 4,
  retries: 2,
  invalidPrompt: 12,
  timeoutPrompt: 13,
  final: { type: 'extension', extension: '299' },
  ...over,
});
const dest = { kind: 'feature', feature: 'ivr', id: '5' } as const;
const digits = (d: string) => ({ kind: 'digits' as const, digits: d });

describe('IVR', () => {
  it('answers, plays the menu while waiting for one key, and routes on the option', async () => {
    const w = flowWorld({ configs: { '7/ivr/5': menu(), '7/ring-group/3': { name: 'g', members: [{ extension: '201' }] } } });
    w.actions.digits.push(digits('1'));
    w.actions.rings.push(answeredBy('201'));
    await w.run(dest);
    expect(w.actions.log[0]).toEqual({ action: 'answer' });
    expect(w.actions.log[1]).toEqual({ action: 'collect', opts: { max: 1, timeoutMs: 4000, interDigitMs: 3000, prompt: { file: '/prompts/7/11.wav' } } });
    expect(w.call.path).toEqual(['feature:ivr:5', 'feature:ring-group:3']);
  });

  it('dial-by-extension waits for more keys, ends them with #, and takes only an existing extension', async () => {
    const w = flowWorld({ configs: { '7/ivr/5': menu({ dialByExtension: true }) }, extensions: ['205'] });
    w.actions.digits.push(digits('204'), digits('205'));
    await w.run(dest);
    const collects = w.actions.log.filter((l) => l.action === 'collect');
    expect(collects[0]).toMatchObject({ opts: { max: 6, terminator: '#' } });
    // 204 does not exist: the invalid-input prompt, then the menu again; 205 connects.
    expect(w.actions.log.filter((l) => l.action === 'play').map((l) => l.action === 'play' && l.file)).toEqual(['/prompts/7/12.wav']);
    expect(w.connected).toEqual(['205']);
    expect(w.call.path).toEqual(['feature:ivr:5', 'extension:205']);
  });

  it('# as an option is never a terminator', async () => {
    const w = flowWorld({ configs: { '7/ivr/5': menu({ dialByExtension: true, options: [{ digit: '#', destination: { type: 'extension', extension: '200' } }] }) } });
    w.actions.digits.push(digits('#'));
    await w.run(dest);
    expect(w.actions.log.find((l) => l.action === 'collect')).not.toHaveProperty('opts.terminator');
    expect(w.connected).toEqual(['200']);
  });

  it('silence replays with the timeout prompt, then the final destination after the retries', async () => {
    const w = flowWorld({ configs: { '7/ivr/5': menu() } });
    await w.run(dest);
    expect(w.actions.log.filter((l) => l.action === 'collect')).toHaveLength(3);
    // Between attempts only: not after the last one.
    expect(w.actions.log.filter((l) => l.action === 'play').map((l) => l.action === 'play' && l.file)).toEqual(['/prompts/7/13.wav', '/prompts/7/13.wav']);
    expect(w.call.path).toEqual(['feature:ivr:5', 'extension:299']);
  });

  it('a wrong key counts as an attempt; the default final ends the call 480', async () => {
    const w = flowWorld({ configs: { '7/ivr/5': menu({ retries: 0, final: undefined }) } });
    w.actions.digits.push(digits('7'));
    await w.run(dest);
    expect(w.call.path).toEqual(['feature:ivr:5', 'hangup:480']);
    expect(w.call.ended).toBe(true);
    expect(w.a.sent).toEqual(['200', 'BYE']);
  });

  it('a deleted prompt leaves the menu silent but the keys work', async () => {
    const w = flowWorld({ configs: { '7/ivr/5': menu({ prompt: 500 }) } });
    w.actions.digits.push(digits('0'));
    await w.run(dest);
    expect(w.actions.log.find((l) => l.action === 'collect')).not.toHaveProperty('opts.prompt');
    expect(w.connected).toEqual(['200']);
  });

  it('the caller hanging up during collection ends the menu', async () => {
    const w = flowWorld({ configs: { '7/ivr/5': menu() } });
    w.actions.digits.push({ kind: 'ended' });
    await w.call.end('caller', undefined, 'caller-hangup');
    await w.run(dest);
    expect(w.connected).toEqual([]);
  });

  it('a menu whose stored config is broken ends the call 500 feature-config-invalid', async () => {
    const w = flowWorld({ configs: { '7/ivr/5': { name: 'x', options: [] } } });
    await w.run(dest);
    expect(w.a.sent).toEqual(['500']);
  });
});
