// Mutation fuzzing of the parser: whatever bytes arrive, parseMessage returns a
// message or throws a ParseError (never another exception), and what it
// returns serializes and parses again to the same headers.
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../services/sip-core/sip/parser';
import { serializeMessage } from '../../../services/sip-core/sip/serializer';
import { ParseError } from '../../../services/sip-core/sip/parse-error';
import { validFixtures } from './fixtures/torture';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const specials = Buffer.from('\r\n:;,<>"\\ \t=@/?%\0\xff');

function mutate(input: Buffer, rand: () => number): Buffer {
  let buf = Buffer.from(input);
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * Math.max(1, buf.length));
    const kind = Math.floor(rand() * 5);
    if (kind === 0) buf[at] = Math.floor(rand() * 256);
    else if (kind === 1) buf[at] = specials[Math.floor(rand() * specials.length)]!;
    else if (kind === 2) buf = buf.subarray(0, at);
    else if (kind === 3) buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at, at + 1 + Math.floor(rand() * 40)), buf.subarray(at)]);
    else buf = Buffer.concat([buf.subarray(0, at), buf.subarray(Math.min(buf.length, at + 1 + Math.floor(rand() * 20)))]);
  }
  return buf;
}

describe('parser fuzzing', () => {
  it('never throws anything but ParseError on 20,000 mutated messages', () => {
    const rand = rng(0x5eed);
    let parsed = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const base = validFixtures[i % validFixtures.length]!.raw;
      const input = mutate(base, rand);
      try {
        const msg = parseMessage(input);
        parsed++;
        // Touch every parsed view a layer above would use.
        void [msg.callId, msg.cseq, msg.from, msg.to, msg.vias, msg.topVia];
        const again = parseMessage(serializeMessage(msg));
        expect(again.headers.entries().filter((e) => e.name !== 'Content-Length')).toEqual(msg.headers.entries().filter((e) => e.name !== 'Content-Length'));
      } catch (e) {
        if (!(e instanceof ParseError)) throw new Error(`input ${i} threw: ${JSON.stringify(input.toString('latin1'))}`, { cause: e });
        refused++;
      }
    }
    // The mutations must exercise both paths.
    expect(parsed).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});
