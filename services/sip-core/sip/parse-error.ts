// A message or header that cannot be understood. `code` is a stable kebab
// string for counters and tests; `message` is short enough to become the
// reason phrase of a `400 <reason>` reply.
import type { SipRequest } from './message';

export class ParseError extends Error {
  readonly code: string;
  /**
   * A request whose start line and headers could be read before the problem was
   * found: enough, when its Via/From/To/Call-ID/CSeq parse, to answer 400.
   */
  partial?: SipRequest;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ParseError';
    this.code = code;
  }
}

export const isParseError = (e: unknown): e is ParseError => e instanceof ParseError;
