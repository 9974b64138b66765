// The `proxy` command's tokens (notes A.4, A.8):
// rid|proxy|<txnId>|<remainInDialog>|<fullResponse>|<followRedirects>|<serial|simultaneous>|<provisionalTimeout>|<finalTimeout>|<dest…>

export interface ProxyOptions {
  txnId: string;
  remainInDialog: boolean;
  followRedirects: boolean;
  simultaneous: boolean;
  /** ms to wait for a provisional from a target before trying the next (serial); 0 = none. */
  provisionalTimeoutMs: number;
  /** ms to wait for a final response from a target before giving up on it; 0 = Timer C only. */
  finalTimeoutMs: number;
  destinations: string[];
}

export class ProxyOptionsError extends Error {}

/** `2s`, `500ms`, `3` (seconds) or empty. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (t === '') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(t);
  if (!m) throw new ProxyOptionsError(`invalid timeout: ${t}`);
  return Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : 1000));
}

export function parseProxyTokens(tokens: readonly string[]): ProxyOptions {
  const txnId = tokens[2] ?? '';
  if (!txnId) throw new ProxyOptionsError('missing transaction id');
  const destinations = tokens.slice(9).filter((d) => d.trim().length > 0);
  if (destinations.length === 0) throw new ProxyOptionsError('no destination');
  return {
    txnId,
    remainInDialog: tokens[3] === 'remainInDialog',
    followRedirects: tokens[5] === 'followRedirects',
    simultaneous: tokens[6] === 'simultaneous',
    provisionalTimeoutMs: parseDuration(tokens[7] ?? ''),
    finalTimeoutMs: parseDuration(tokens[8] ?? ''),
    destinations,
  };
}
