// SDP rewrites a transfer needs on top of rtpengine's own (RFC 4566, RFC 3264 §8).

/**
 * A party's last SDP as the basis of a fresh offer toward the transfer
 * target: a held call (a=sendonly / recvonly / inactive, RFC 3264 §8.4) is
 * resumed by the transfer, so every direction attribute becomes sendrecv.
 */
export function sendrecv(sdp: string): string {
  return sdp.replace(/^a=(sendonly|recvonly|inactive)(?=\r?$)/gm, 'a=sendrecv');
}

/**
 * A re-offer inside an existing dialog must keep the o= line it used before
 * with the version one higher (RFC 3264 §8, RFC 4566 §5.2). The SDP comes
 * from a new rtpengine session, whose o= names another session: put the
 * dialog's own origin back. `previous` is the last SDP we sent in the dialog.
 */
export function continueOrigin(previous: string | undefined, next: string): string {
  const prev = previous && /^o=(\S+) (\S+) (\d+) (IN \S+ \S+)\s*$/m.exec(previous);
  if (!prev) return next;
  const version = (BigInt(prev[3]!) + 1n).toString();
  return next.replace(/^o=.*$/m, `o=${prev[1]} ${prev[2]} ${version} ${prev[4]}`);
}
