// A minimal audio SDP for apps that answer or originate calls without media.
export function sdp(port = 40000): string {
  return [
    'v=0',
    'o=korobka 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    '',
  ].join('\r\n');
}

/** Resolves when `count` events were seen, rejects after `ms`. */
export function counter(ms = 30_000) {
  let n = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    hit() {
      n++;
      for (const w of waiters.filter((x) => n >= x.count)) w.resolve();
    },
    get value() {
      return n;
    },
    reached(count: number): Promise<void> {
      if (n >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`only ${n} of ${count} events after ${ms} ms`)), ms);
        waiters.push({ count, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
  };
}
