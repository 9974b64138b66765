// A message or header that cannot be understood. `code` is a stable kebab
// string for counters and tests; `message` is short enough to become the
// reason phrase of a `400 <reason>` reply.
export class ParseError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ParseError';
    this.code = code;
  }
}

export const isParseError = (e: unknown): e is ParseError => e instanceof ParseError;
